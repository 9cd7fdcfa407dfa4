package alipayplustest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// FuzzPayBody sends arbitrary, correctly signed bodies to every endpoint
// (pay above all) and checks that the server never panics and always
// answers a signed JSON result whose message does not quote
// paymentAuthCode.
func FuzzPayBody(f *testing.F) {
	for _, r := range []*wire.PayRequest{cashierPay("FZ-1"), agreementPay("FZ-2", "secret-token-123"), agreementPay("FZ-3", AuthCodePoor)} {
		b, _ := json.Marshal(r)
		f.Add(uint8(0), b)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"a":`, `{"order":null}`, `{"order":{"orderAmount":null}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"IQD","value":"9999999999999999"},"order":{}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"USD","value":1e400},"order":{}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"USD","value":"1"},"order":{"goods":[null,{"goodsUnitAmount":{}}]}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"USD","value":"1"},"order":{},"paymentExpiryTime":"9999-12-31T23:59:59+14:00"}`,
		`{"paymentId":"1","paymentRequestId":"a"}`,
		`{"refundRequestId":"r","paymentRequestId":"a","refundAmount":{"currency":"USD","value":"1"}}`,
		`{"refundId":"1","refundRequestId":"x"}`,
		`{"productCode":"p","paymentRequestId":"n","paymentAmount":{"currency":"USD","value":"1"},"order":{},"paymentNotifyUrl":"http://127.0.0.1:9/n"}`,
		"{\"paymentRequestId\":\"\xff\xfe\"}",
		`{"paymentRequestId":"\ud800"}`,
	} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(3), []byte(s))
		f.Add(uint8(7), []byte(s))
	}

	clk := clock.NewFake(t0)
	// Fuzzed notify URLs must reach nobody: every notification is
	// acknowledged in process, so no delivery waits for a retry either.
	ack := simtest.InProcess(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(wire.Ack)
	}))
	srv := NewUnstartedServer(WithClock(clk), WithAutoComplete(true), WithNotifyClient(ack))
	defer srv.Close()
	paths := []string{wire.PathPay, wire.PathInquiry, wire.PathCancel, wire.PathRefund, wire.PathInquiryRefund}
	simtest.FuzzEndpoints(f, srv.Handler(), paths, func(t *testing.T, which uint8) *simtest.Client[wire.Result] {
		c := newTestClient(t, srv, clk)
		c.raw = which%2 != 0 // half the signatures as raw base64
		return c.Client
	}, func(t *testing.T, body []byte, a *simtest.Answer[wire.Result]) {
		switch a.Result.ResultStatus {
		case wire.StatusS, wire.StatusF, wire.StatusA:
		default:
			t.Fatalf("resultStatus %q in %s", a.Result.ResultStatus, a.Body)
		}
		if a.Result.ResultCode == "" {
			t.Fatalf("answer is not a JSON result: %s", a.Body)
		}
		var in struct {
			PaymentAuthCode string `json:"paymentAuthCode"`
		}
		// Seeded tokens start with "secret-", which no message contains.
		if json.Unmarshal(body, &in) == nil && strings.HasPrefix(in.PaymentAuthCode, "secret-") && strings.Contains(a.Result.ResultMessage, in.PaymentAuthCode) {
			t.Fatalf("result message echoes paymentAuthCode: %s", a.Body)
		}
	})
}
