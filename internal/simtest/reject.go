package simtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/simulator"
)

// Rejected is a request a simulator must refuse: a correctly signed POST
// of the body CheckRejected is given (or, if that is nil, of Body) that
// Edit (if set) then breaks; its answer's result must have Code and a
// message that contains Contains.
type Rejected struct {
	Name           string
	Body           string
	Edit           func(*http.Request)
	Code, Contains string
}

// Recorder is what CheckRejected asks a simulator: the requests to a path
// it recorded, and the orders made for a payment request ID.
type Recorder interface {
	Requests(path string) []simulator.Request
	Orders(requestID string) int
}

// CheckRejected sends each case to path and fails t unless its answer is
// a signed HTTP 200 with result status F (read by result), the case's code
// and message, the request is recorded with that result and no order was
// made for requestID.
func CheckRejected[R any](t *testing.T, c *Client[R], srv Recorder, path string, body []byte, requestID string, result func(R) payment.Result, cases []Rejected) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			b := body
			if b == nil {
				b = []byte(tc.Body)
			}
			before := len(srv.Requests(path))
			req := c.SignedRequest(path, b)
			if tc.Edit != nil {
				tc.Edit(req)
			}
			a, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != http.StatusOK || !a.Signed() {
				t.Fatalf("status %d signature %v: F answers must be signed 200s", a.Status, a.SigErr)
			}
			res := result(a.Result)
			if res.Status != payment.ResultFailed || res.Code != tc.Code || !strings.Contains(res.Message, tc.Contains) {
				t.Errorf("result %+v, want F %s mentioning %q", res, tc.Code, tc.Contains)
			}
			reqs := srv.Requests(path)
			if len(reqs) != before+1 || reqs[len(reqs)-1].Result != res {
				t.Errorf("rejected request not recorded with its result")
			}
			if n := srv.Orders(requestID); n != 0 {
				t.Fatalf("a rejected request made %d orders", n)
			}
		})
	}
}

// WantResult fails t now unless got has code and status.
func WantResult(t testing.TB, got payment.Result, code, status string) {
	t.Helper()
	if got.Code != code || string(got.Status) != status {
		t.Fatalf("result = %+v, want %s/%s", got, code, status)
	}
}
