package alphapay

import (
	"encoding/json"
	"testing"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// FuzzPayAnswer feeds arbitrary (trusted) answer bodies through the pay
// path's reading: it must never panic, and a success must name a payment of
// exactly the requested amount.
func FuzzPayAnswer(f *testing.F) {
	f.Add(`{"scenarioCode":"ONLINE_QRCODE","paymentRequestId":"ORDER-1","paymentId":"2611221015304020147632479","order":{"orderAmount":{"value":"1999","currency":"CAD"}},"paymentInfo":{"paymentUrl":"https://x/qr/1","paymentQRImage":"iVBOR","payUrl":"https://x/pay/1","sdkParams":{"a":"b","n":1}},"paymentCreateTime":"2026-11-22T10:15:30-08:00","result":{"resultCode":"PAYMENT_IN_PROCESS","resultMessage":"payment in process","resultStatus":"U"}}`)
	f.Add(`{"paymentId":"1","result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)
	f.Add(`{"result":{"resultCode":"ORDER_PAID","resultStatus":"F"}}`)
	f.Add(`{"paymentId":"1","order":{"orderAmount":{"value":1999,"currency":"CAD"}},"result":{"resultStatus":"S"}}`)
	f.Add(`{"paymentId":"1","order":{"orderAmount":{"value":"-1","currency":"XXX"}},"result":{"resultStatus":"S"}}`)
	f.Add(`[]`)
	f.Add(`{"result":null}`)
	req := &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay,
		Amount: money.MustParse("19.99 CAD"), RedirectURL: "https://shop.example/done"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, s := range []payment.Scenario{payment.ScenarioQRCode, payment.ScenarioWeb, payment.ScenarioApp, payment.ScenarioInStoreScan} {
			r := *req
			r.Scenario = s
			a := &transport.Answer{URI: wire.PathPay, Body: []byte(body)}
			a.Result, _ = inspectResult(nil)(a)
			p, err := parsePay(&r, a, nil)
			if err != nil {
				if payment.KindOf(err) == 0 {
					t.Fatalf("error without a kind: %v", err)
				}
				continue
			}
			if p.PaymentID == "" || !p.Amount.Equal(r.Amount) || p.PaymentRequestID != r.PaymentRequestID {
				t.Fatalf("accepted a contradicting answer: %+v", p)
			}
		}
	})
}

// FuzzInquiryAnswer does the same for inquiries and refund states.
func FuzzInquiryAnswer(f *testing.F) {
	f.Add(`{"paymentId":"P1","paymentRequestId":"ORDER-1","order":{"orderAmount":{"value":"1999","currency":"CAD"}},"paymentStatus":"SUCCESS","paymentTime":"2026-11-22T10:16:02-08:00","result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)
	f.Add(`{"paymentId":"P1","paymentStatus":"WHATEVER","result":{"resultStatus":"S"}}`)
	f.Add(`{"refundId":"P1","refundStatus":"SUCCESS","refund":{"refundAmount":{"value":"500","currency":"CAD"}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		a := &transport.Answer{URI: wire.PathInquiry, Body: []byte(body)}
		a.Result, _ = inspectResult(nil)(a)
		if p, err := parseInquiry("P1", a, nil); err == nil && (p.PaymentID != "P1" || !p.Status.Valid()) {
			t.Fatalf("accepted %+v", p)
		} else if err != nil && payment.KindOf(err) == 0 {
			t.Fatalf("error without a kind: %v", err)
		}
		var st wire.RefundState
		if json.Unmarshal([]byte(body), &st) == nil {
			if r, err := refundFromState(&st); err == nil && !r.Status.Valid() {
				t.Fatalf("refund with invalid status %+v", r)
			}
		}
	})
}
