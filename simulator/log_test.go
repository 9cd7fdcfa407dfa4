package simulator_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/simulator"
)

func itoa(i int) string { return strconv.Itoa(i) }

// The request log keeps every request with its headers, its request ID,
// the clock's time and the result it was answered with, card data
// redacted; Requests returns copies.
func TestRequestLog(t *testing.T) {
	srv, c, clk := toyFixture(t, nil)
	req := payReq("LOG-1", "100")
	req.Card = &toyCard{Number: "4111111111111111", CVV: "737"}
	c.post(pathPay, req)
	clk.Advance(time.Second)
	bad := c.request(pathInquiry, toyRequest{PaymentID: "1"})
	bad.Header.Set("Client-Id", "x")
	if _, err := c.Do(bad); err != nil {
		t.Fatal(err)
	}
	pays := srv.Requests(pathPay)
	if len(pays) != 1 {
		t.Fatalf("%d pay requests", len(pays))
	}
	r := pays[0]
	if r.Path != pathPay || r.RequestID != "LOG-1" || !r.Time.Equal(t0) || r.RequestTime != t0.Format(time.RFC3339) ||
		r.Header.Get("Client-Id") != toyClientID || r.Result.Code != "ACCEPT" || r.Nonce != "" {
		t.Errorf("recorded %+v", r)
	}
	if want := `{"paymentRequestId":"LOG-1","amount":{"value":"100","currency":"USD"},"description":"Coffee","card":{"number":"[redacted]","cvv":"[redacted]"}}`; string(r.Body) != want {
		t.Errorf("body %s\nwant %s", r.Body, want)
	}
	if inq := srv.Requests(pathInquiry); len(inq) != 1 || inq[0].Result.Code != "INVALID_CLIENT" || !inq[0].Time.Equal(t0.Add(time.Second)) {
		t.Errorf("a refused request is recorded with its result: %+v", inq)
	}
	pays[0].Body[0] = 'X'
	pays[0].Header.Set("Client-Id", "changed")
	if again := srv.Requests(pathPay)[0]; again.Body[0] != '{' || again.Header.Get("Client-Id") != toyClientID {
		t.Error("Requests returned the log itself")
	}
	if srv.RequestCount() != 2 {
		t.Errorf("RequestCount %d", srv.RequestCount())
	}
}

func TestRedactJSON(t *testing.T) {
	paths := []string{"card.info", "card.cvv", "secret"}
	for _, tc := range []struct{ in, want string }{
		{`{"card":{"info":{"number":"4111","cvv":"737"},"cardId":"c1"}}`, `{"card":{"info":"[redacted]","cardId":"c1"}}`},
		{`{"card":{"cvv":737}}`, `{"card":{"cvv":"[redacted]"}}`},
		{`{ "card" : { "CVV" : "737" , "x" : [1, {"secret": 2}] } }`, `{ "card" : { "CVV" : "[redacted]" , "x" : [1, {"secret": 2}] } }`},
		{`{"secret":null,"other":{"secret":"kept: not at the path"}}`, `{"secret":"[redacted]","other":{"secret":"kept: not at the path"}}`},
		{`{"card":{"info":[1,2,{"a":{}}]}}`, `{"card":{"info":"[redacted]"}}`},
		{`{"a":{},"b":[],"secret":"s"}`, `{"a":{},"b":[],"secret":"[redacted]"}`},
		{`{"nothing":"secret"}`, `{"nothing":"secret"}`},
		{`not JSON`, `not JSON`},
		{`{"card":{"cvv":"737"`, `"[redacted]"`},
		{`{"card":{"info":{"number":"4111"}`, `"[redacted]"`},
		{``, ``},
	} {
		got := string(simulator.RedactJSON([]byte(tc.in), paths...))
		if got != tc.want {
			t.Errorf("RedactJSON(%s) = %s, want %s", tc.in, got, tc.want)
		}
		if json.Valid([]byte(tc.in)) && !json.Valid([]byte(got)) {
			t.Errorf("RedactJSON(%s) = %s is not JSON", tc.in, got)
		}
	}
}

func FuzzRedactJSON(f *testing.F) {
	f.Add(`{"card":{"number":"4111111111111111","cvv":"737"}}`)
	f.Add(`{"card":{"number":[4,1,1,1],"cvv":{"x":"737"}},"z":1}`)
	f.Add(`{"CARD":{"Number":"4111"},"card":{"cvv":null}}`)
	f.Fuzz(func(t *testing.T, in string) {
		out := simulator.RedactJSON([]byte(in), "card.number", "card.cvv")
		if !json.Valid([]byte(in)) {
			return
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("RedactJSON(%s) = %s is not JSON", in, out)
		}
		top, _ := v.(map[string]any)
		for k, card := range top {
			if !strings.EqualFold(k, "card") {
				continue
			}
			fields, _ := card.(map[string]any)
			for k, val := range fields {
				if (strings.EqualFold(k, "number") || strings.EqualFold(k, "cvv")) && val != "[redacted]" {
					t.Fatalf("RedactJSON(%s) = %s keeps card.%s", in, out, k)
				}
			}
		}
	})
}
