package antomtest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/simulator"
)

// FuzzRequest feeds any body to every endpoint's parser and handler
// (past verification): nothing panics, every answer has a result status,
// and a refusal is one of the body codes or the state's, never a
// server error.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{
		`{"productCode":"CASHIER_PAYMENT","paymentRequestId":"F-1","order":{"referenceOrderId":"F-1","orderDescription":"x","orderAmount":{"currency":"USD","value":"1"}},"paymentAmount":{"currency":"USD","value":"1"},"paymentMethod":{"paymentMethodType":"GCASH"},"paymentRedirectUrl":"https://a.example/","env":{"terminalType":"WEB"}}`,
		`{"paymentId":"1"}`, `{"refundRequestId":"R","paymentId":"1","refundAmount":{"currency":"USD","value":"1"}}`,
		`{"order":null,"env":[],"paymentMethod":"x"}`, `{"paymentAmount":{"value":1e400}}`, `[]`, `{`, "\xff",
	} {
		f.Add(s)
	}
	srv := NewUnstartedServer()
	f.Cleanup(srv.Close)
	p := &protocol{s: srv}
	f.Fuzz(func(t *testing.T, body string) {
		for path := range apiPaths {
			in := &simulator.Incoming{Path: path, Request: httptest.NewRequest("POST", path, nil), Body: []byte(body), BaseURL: "http://127.0.0.1"}
			_, res := p.Process(in)
			switch {
			case res.Status == payment.ResultSucceeded, res.Status == payment.ResultUnknown:
			case res.Status != payment.ResultFailed || res.Code == "" || strings.Contains(res.Code, "EXCEPTION"):
				t.Fatalf("%s %q: %+v", path, body, res)
			}
		}
	})
}
