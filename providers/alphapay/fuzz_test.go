package alphapay

import (
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/driver/drivertest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// FuzzPayAnswer feeds arbitrary (trusted) answer bodies to the pay
// decoder: it must never panic, and a Done verdict must come with a
// payment whose status is valid or left to an inquiry.
func FuzzPayAnswer(f *testing.F) {
	f.Add(`{"scenarioCode":"ONLINE_QRCODE","paymentRequestId":"ORDER-1","paymentId":"2611221015304020147632479","order":{"orderAmount":{"value":"1999","currency":"CAD"}},"paymentInfo":{"paymentUrl":"https://x/qr/1","paymentQRImage":"iVBOR","payUrl":"https://x/pay/1","sdkParams":{"a":"b","n":1}},"paymentCreateTime":"2026-11-22T10:15:30-08:00","result":{"resultCode":"PAYMENT_IN_PROCESS","resultMessage":"payment in process","resultStatus":"U"}}`)
	f.Add(`{"paymentId":"1","result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)
	f.Add(`{"scenarioCode":"CREDIT_CARD","paymentId":"1","card":{"cardId":"card_0123456789abcdef01234567"},"result":{"resultCode":"PAYMENT_IN_PROCESS","resultStatus":"U"}}`)
	f.Add(`{"result":{"resultCode":"ORDER_PAID","resultStatus":"F"}}`)
	f.Add(`{"paymentId":"1","order":{"orderAmount":{"value":1999,"currency":"CAD"}},"result":{"resultStatus":"S"}}`)
	f.Add(`{"paymentId":"1","order":{"orderAmount":{"value":"-1","currency":"XXX"}},"result":{"resultStatus":"S"}}`)
	f.Add(`[]`)
	f.Add(`{"result":null}`)
	d := &driver{}
	req := &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay,
		Amount: money.MustParse("19.99 CAD"), RedirectURL: "https://shop.example/done"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, s := range []payment.Scenario{payment.ScenarioQRCode, payment.ScenarioWeb, payment.ScenarioApp, payment.ScenarioInStoreScan} {
			r := *req
			r.Scenario = s
			p, v, err := d.DecodePay(&r, &pd.Answer{URI: wire.PathPay, Body: []byte(body)})
			// An empty status is allowed: the engine then inquires.
			if err == nil && v.Outcome == pd.Done && (p == nil || (p.Status != "" && !p.Status.Valid())) {
				t.Fatalf("done without a valid payment: %+v", p)
			}
		}
	})
}

// FuzzInquiryAnswer does the same for inquiries, cancels, refunds and
// refund inquiries.
func FuzzInquiryAnswer(f *testing.F) {
	f.Add(`{"paymentId":"P1","paymentRequestId":"ORDER-1","order":{"orderAmount":{"value":"1999","currency":"CAD"}},"paymentStatus":"SUCCESS","paymentTime":"2026-11-22T10:16:02-08:00","result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)
	f.Add(`{"paymentId":"P1","paymentStatus":"WHATEVER","result":{"resultStatus":"S"}}`)
	f.Add(`{"refundId":"P1","refundStatus":"SUCCESS","refund":{"refundAmount":{"value":"500","currency":"CAD"}},"result":{"resultStatus":"S"}}`)
	d := &driver{}
	f.Fuzz(func(t *testing.T, body string) {
		drivertest.CheckDecoders(t, d, []byte(body), drivertest.Requests{Ref: payment.Ref{PaymentID: "P1"}})
		a := &pd.Answer{URI: wire.PathInquiry, Body: []byte(body)}
		ref := payment.Ref{PaymentID: "P1"}
		if p, v, err := d.DecodeInquire(ref, a); err == nil && v.Outcome == pd.Done && (p == nil || !p.Status.Valid()) {
			t.Fatalf("inquiry done without a valid payment: %+v", p)
		}
		if p, v, err := d.DecodeCancel(ref, a); err == nil && v.Outcome == pd.Done && (p == nil || p.Status != payment.StatusCancelled) {
			t.Fatalf("cancel done without a cancelled payment: %+v", p)
		}
		rr := &payment.RefundRequest{RefundRequestID: "R1", Payment: ref, Amount: money.MustParse("5.00 CAD")}
		if r, v, err := d.DecodeRefund(rr, a); err == nil && v.Outcome == pd.Done && (r == nil || !r.Status.Valid()) {
			t.Fatalf("refund done without a valid refund: %+v", r)
		}
		if r, v, err := d.DecodeInquireRefund(payment.RefundRef{RefundID: "P1"}, a); err == nil && v.Outcome == pd.Done && (r == nil || !r.Status.Valid()) {
			t.Fatalf("refund inquiry done without a valid refund: %+v", r)
		}
	})
}
