package alphapaytest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// FuzzPayBody sends arbitrary, correctly signed bodies to every endpoint
// (pay above all) and checks that the server never panics and always
// answers a signed JSON result without echoing card details.
func FuzzPayBody(f *testing.F) {
	for _, r := range validPays() {
		r.PaymentRequestID = "FZ-1"
		b, _ := json.Marshal(r)
		f.Add(uint8(0), b)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"a":`, `{"order":null}`, `{"order":{"orderAmount":null}}`,
		`{"scenarioCode":"OFFLINE_QRCODE","paymentRequestId":"a","order":{"orderAmount":{"value":"9999999","currency":"CNY"}}}`,
		`{"scenarioCode":"CREDIT_CARD","paymentRequestId":"a","order":{"orderAmount":{"value":"1","currency":"CAD"}},"card":{"info":{"number":"4111111111111111","expMonth":1e400,"expYear":2030,"cvv":"123"}}}`,
		`{"scenarioCode":"CREDIT_CARD","paymentRequestId":"a","order":{"orderAmount":{"value":"1","currency":"CAD"}},"card":{"info":{"number":4111111111111111}}}`,
		`{"paymentId":"1","refund":{"refundAmount":{"value":"1","currency":"CAD"}}}`,
		`{"date":"20261122","page":1,"pageLimit":10}`,
		`{"date":"20261122","page":9223372036854775807,"pageLimit":100}`,
		`{"refundId":"1","refundRequestId":"x"}`,
		"{\"paymentRequestId\":\"\xff\xfe\"}",
	} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(3), []byte(s))
	}
	f.Add(uint8(5), []byte(`{"date":"20261122","page":2147483647,"pageLimit":100}`))

	clk := clock.NewFake(t0)
	srv := NewUnstartedServer(WithClock(clk))
	defer srv.Close()
	paths := []string{wire.PathPay, wire.PathInquiry, wire.PathCancel, wire.PathRefund, wire.PathInquiryRefund, wire.PathTransactions}
	simtest.FuzzEndpoints(f, srv.Handler(), paths, func(t *testing.T, _ uint8) *simtest.Client[wire.Result] {
		return newTestClient(t, srv, clk).Client
	}, func(t *testing.T, body []byte, a *simtest.Answer[wire.Result]) {
		switch a.Result.ResultStatus {
		case wire.StatusS, wire.StatusF, wire.StatusU:
		default:
			t.Fatalf("resultStatus %q in %s", a.Result.ResultStatus, a.Body)
		}
		if a.Result.ResultCode == "" {
			t.Fatalf("answer is not a JSON result: %s", a.Body)
		}
		if bytes.Contains(a.Body, []byte(`"info"`)) || bytes.Contains(a.Body, []byte(`"cvv"`)) || bytes.Contains(a.Body, []byte(`"number"`)) {
			t.Fatalf("card details echoed: %s", a.Body)
		}
		var in wire.PayRequest
		if json.Unmarshal(body, &in) == nil && in.Card != nil && in.Card.Info != nil && len(in.Card.Info.Number) >= 12 &&
			bytes.Contains([]byte(a.Result.ResultMessage), []byte(in.Card.Info.Number)) {
			t.Fatalf("message echoes the card number")
		}
	})
}
