package alipayplus

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// FuzzPayAnswer feeds arbitrary answer bodies through the pay path's
// reading: it must never panic; a success must name a payment of exactly the
// requested amount and request, pending or succeeded; and an unsigned answer
// is only ever believed when it reports F or U.
func FuzzPayAnswer(f *testing.F) {
	vf := loadVectors(f)
	f.Add(find(f, vf.AlipayPlus, "response: pay").Body)
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"1","paymentTime":"2026-11-22T18:15:31+03:00","paymentAmount":{"currency":"IQD","value":150000}}`)
	f.Add(`{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"1","redirectActionForm":{"redirectUrl":"https://qi.example/c"}}`)
	f.Add(`{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"1"}`)
	f.Add(`{"result":{"resultCode":"USER_BALANCE_NOT_ENOUGH","resultStatus":"F"}}`)
	f.Add(`{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"}}`)
	f.Add(`{"result":{"resultStatus":"S"},"paymentId":"1","paymentAmount":{"currency":"IQD","value":"-1"}}`)
	f.Add(`{"result":null}`)
	f.Add(`[]`)
	c, err := New(vectorConfig(vf))
	if err != nil {
		f.Fatal(err)
	}
	reqs := []*payment.PayRequest{cashierRequest("150 IQD"), cashierRequest("2000 CLP")}
	f.Fuzz(func(t *testing.T, body string) {
		a := answer(body)
		for _, req := range reqs {
			p, repeat, err := parsePay(req, a)
			if err != nil {
				if payment.KindOf(err) == 0 {
					t.Fatalf("error without a kind: %v", err)
				}
				continue
			}
			if p.PaymentID == "" || !p.Amount.Equal(req.Amount) || p.PaymentRequestID != req.PaymentRequestID ||
				(p.Status != payment.StatusPending && p.Status != payment.StatusSucceeded) {
				t.Fatalf("accepted a contradicting answer: %+v", p)
			}
			if repeat && p.Status != payment.StatusPending {
				t.Fatalf("a repeat decided its own status: %+v", p)
			}
			if p.Action != nil && (p.Action.Kind != payment.ActionRedirect || p.Action.URL == "" || p.Action.HTTPMethod == "") {
				t.Fatalf("bad action %+v", p.Action)
			}
		}
		unsigned := &transport.Answer{URI: wire.PathPay, Header: http.Header{}, Body: []byte(body)}
		if c.verify(unsigned) == nil && a.Result.Status != payment.ResultFailed && a.Result.Status != payment.ResultUnknown {
			t.Fatalf("an unsigned %q answer was trusted", a.Result.Status)
		}
	})
}

// FuzzInquiryAnswer does the same for payment and refund inquiries.
func FuzzInquiryAnswer(f *testing.F) {
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentAmount":{"currency":"CLP","value":"2000"},"paymentTime":"2026-11-22T18:16:01+08:00","paymentStatus":"SUCCESS"}`)
	f.Add(`{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"WHATEVER"}`)
	f.Add(`{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`)
	f.Add(`{"result":{"resultStatus":"S"},"refundId":"P1","refundStatus":"SUCCESS","refundAmount":{"currency":"KWD","value":1250}}`)
	f.Fuzz(func(t *testing.T, body string) {
		a := answer(body)
		for _, ref := range []payment.Ref{{PaymentID: "P1"}, {PaymentRequestID: "ORDER-1"}} {
			p, err := parseInquiry(ref, a)
			switch {
			case err != nil && payment.KindOf(err) == 0:
				t.Fatalf("error without a kind: %v", err)
			case err == nil && (p.PaymentID == "" || !p.Status.Valid() || p.Status == payment.StatusPartiallyRefunded || p.Status == payment.StatusRefunded):
				t.Fatalf("accepted %+v", p)
			case err == nil && ref.PaymentID != "" && p.PaymentID != ref.PaymentID:
				t.Fatalf("answer about another payment accepted: %+v", p)
			case err == nil && ref.PaymentRequestID != "" && p.PaymentRequestID != ref.PaymentRequestID:
				t.Fatalf("answer about another request accepted: %+v", p)
			}
		}
		for _, ref := range []payment.RefundRef{{RefundID: "P1"}, {RefundRequestID: "R1"}} {
			r, err := parseInquireRefund(ref, a)
			switch {
			case err != nil && payment.KindOf(err) == 0:
				t.Fatalf("error without a kind: %v", err)
			case err == nil && (r.RefundID == "" || !r.Status.Valid()):
				t.Fatalf("accepted %+v", r)
			case err == nil && ref.RefundID != "" && r.RefundID != ref.RefundID:
				t.Fatalf("answer about another refund accepted: %+v", r)
			}
		}
	})
}

// FuzzNotification parses arbitrary notification bodies: never a panic, and
// an event is always a keyed, final payment state.
func FuzzNotification(f *testing.F) {
	f.Add(find(f, loadVectors(f).AlipayPlus, "notification:").Body)
	f.Add(`{"paymentId":"P1","paymentRequestId":"R1","paymentAmount":{"currency":"IQD","value":150000},"paymentStatus":"SUCCESS"}`)
	f.Add(`{"paymentId":"P1","paymentStatus":"FAIL","paymentFailReason":"RISK"}`)
	f.Add(`{"paymentId":"P1","paymentResult":{"resultStatus":"F","resultCode":"X"}}`)
	f.Add(`{"paymentId":"P1","paymentResult":null,"paymentStatus":""}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, body string) {
		ev, err := parseNotification([]byte(body))
		if err != nil {
			return
		}
		p := ev.Payment
		if p == nil || p.PaymentID == "" || (p.Status != payment.StatusSucceeded && p.Status != payment.StatusFailed) ||
			ev.Kind != payment.EventPayment || ev.Provider != Name || !strings.HasPrefix(ev.Key, "alipayplus:payment:") ||
			(p.Status == payment.StatusFailed && !p.PaidAt.IsZero()) {
			t.Fatalf("event %+v payment %+v", ev, p)
		}
		if !p.Amount.Currency().IsZero() && p.Amount.IsNegative() {
			t.Fatalf("negative amount %s", p.Amount)
		}
	})
}
