package simtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// InProcess returns a client that has every request served by h in
// process, without any network.
func InProcess(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		resp := w.Result()
		resp.Request = r
		return resp, nil
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzEndpoints is the body of a simulator's body fuzzer: every input
// (which, body) is sent, correctly signed, to paths[0], or for a quarter
// of the inputs (which%4 == 3) to one of the other paths, by the client
// that client returns for it, served by h in process. It fails unless the
// answer is a signed HTTP 200 JSON answer; check checks the rest (its
// result, what it must not echo).
func FuzzEndpoints[R any](f *testing.F, h http.Handler, paths []string, client func(t *testing.T, which uint8) *Client[R], check func(t *testing.T, body []byte, a *Answer[R])) {
	hc := InProcess(h)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := paths[0]
		if which%4 == 3 {
			path = paths[1+int(which/4)%(len(paths)-1)]
		}
		c := client(t, which)
		c.HTTP, c.BaseURL = hc, "http://simulator.test"
		a, err := c.Do(c.SignedRequest(path, body))
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != http.StatusOK || a.Header.Get("Content-Type") != "application/json; charset=UTF-8" || !json.Valid(a.Body) {
			t.Fatalf("status %d, Content-Type %q, body %s", a.Status, a.Header.Get("Content-Type"), a.Body)
		}
		if !a.Signed() {
			t.Fatalf("answer signature: %v", a.SigErr)
		}
		check(t, body, a)
	})
}
