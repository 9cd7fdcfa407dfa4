package alipayplustest

import (
	"encoding/json"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// A scripted result, of any status, is answered as the wallet writes
// results, signed (the kit's tests cover the rest of the fault).
func TestFaultResult(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Result: &payment.Result{Status: "X", Code: wire.CodeUnknownException, Message: "try again"}})
	if a := c.Post(wire.PathPay, payBody("F-R")); string(a.Body) != `{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"X","resultMessage":"try again"}}` {
		t.Errorf("body %s", a.Body)
	}
}

// A refund dropped after it was made: the retry gets the same refund (the
// kit's TestFaultDropAfter covers a pay, TestIdempotency its repeat).
func TestFaultDropAfterRefund(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	p := c.paid("F-DA")
	srv.Script(wire.PathRefund, Fault{DropAfter: true})
	body, _ := json.Marshal(wire.RefundRequest{RefundRequestID: "F-DA-R", PaymentID: p, RefundAmount: wire.Amount{Currency: "USD", Value: "100"}})
	if _, err := c.Do(c.SignedRequest(wire.PathRefund, body)); err == nil {
		t.Fatal("dropped connection answered")
	}
	_, res := c.refund(p, "F-DA-R", "100", "USD")
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if q, _ := srv.Payment(p); q.Refunded.String() != "1.00 USD" {
		t.Errorf("refunded %s", q.Refunded)
	}
}

func TestFaultChangeAmount(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{ChangeAmount: true})
	resp, res := c.pay(cashierPay("F-CA")) // signature checked by c.post
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.PaymentAmount.Value != "2000" || resp.PaymentAmount.Currency != "USD" {
		t.Errorf("amount %+v, want 2000 USD", resp.PaymentAmount)
	}
	if p, _ := srv.Payment(resp.PaymentID); p.Amount.MinorString() != "1999" {
		t.Errorf("state amount changed: %v", p.Amount)
	}
	_ = srv.Complete(resp.PaymentID)
	srv.Script(wire.PathInquiry, Fault{ChangeAmount: true})
	if inq, _ := c.inquiry(wire.PaymentRef{PaymentID: resp.PaymentID}); inq.PaymentAmount.Value != "2000" {
		t.Errorf("inquiry amount %s", inq.PaymentAmount.Value)
	}
	srv.Script(wire.PathRefund, Fault{ChangeAmount: true})
	r, _ := c.refund(resp.PaymentID, "F-CA-R", "100", "USD")
	if r.RefundAmount == nil || r.RefundAmount.Value != "101" {
		t.Errorf("refund amount %+v", r.RefundAmount)
	}
	srv.Script(wire.PathInquiryRefund, Fault{ChangeAmount: true})
	var ir wire.InquiryRefundResponse
	c.Call(wire.PathInquiryRefund, wire.RefundRef{RefundID: r.RefundID}, &ir)
	if ir.RefundAmount.Value != "101" {
		t.Errorf("inquiryRefund amount %s", ir.RefundAmount.Value)
	}
	if inq, _ := c.inquiry(wire.PaymentRef{PaymentID: resp.PaymentID}); inq.PaymentAmount.Value != "1999" {
		t.Errorf("a fault leaked into later answers: %s", inq.PaymentAmount.Value)
	}
}

func TestFaultRedirectField(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Variant: RedirectURL}, Fault{Variant: "bogus"})
	resp, _ := c.pay(cashierPay("F-RF"))
	f := resp.RedirectActionForm
	if f.RedirectURL == "" || f.RedirectionURL != "" || f.URL() != srv.CashierURL(resp.PaymentID) || f.Method != "GET" {
		t.Errorf("form %+v", f)
	}
	resp, _ = c.pay(cashierPay("F-RF"))
	if f := resp.RedirectActionForm; f.RedirectionURL == "" || f.RedirectURL != "" {
		t.Errorf("form after an ignored override %+v", f)
	}
	// And the other way round.
	srv2, c2, _ := newFakeServer(t, WithRedirectField(RedirectURL))
	srv2.Script(wire.PathPay, Fault{Variant: RedirectionURL})
	resp, _ = c2.pay(cashierPay("F-RF2"))
	if f := resp.RedirectActionForm; f.RedirectionURL == "" || f.RedirectURL != "" {
		t.Errorf("form %+v", f)
	}
}
