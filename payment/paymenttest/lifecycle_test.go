package paymenttest_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

func TestExpiry(t *testing.T) {
	p, clk := newManual(paymenttest.WithExpiry(10 * time.Minute))
	pay, err := p.Pay(t.Context(), qrReq("ORDER-1"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	got, _ := p.Inquire(t.Context(), pay.Ref())
	if got.Status != payment.StatusPending {
		t.Fatalf("status %s at the expiry time, want pending", got.Status)
	}
	clk.Advance(time.Second)
	got, _ = p.Inquire(t.Context(), pay.Ref())
	if got.Status != payment.StatusCancelled || !got.CancelledAt.Equal(pay.ExpiresAt) || got.Action != nil {
		t.Errorf("status %s cancelled at %v with action %v; want cancelled at %v without an action",
			got.Status, got.CancelledAt, got.Action, pay.ExpiresAt)
	}
	err = p.Complete(pay.PaymentID)
	wantKind(t, err, payment.KindFailed)
	_, err = p.Pay(t.Context(), qrReq("ORDER-1"))
	wantKind(t, err, payment.KindFailed)
	wantCode(t, err, "ORDER_CLOSED")
	if p.Charges("ORDER-1") != 0 {
		t.Error("an expired payment was charged")
	}
}

// TestExpiryIsCheckedOnEveryAccess: no inquiry is needed for an expired
// payment to be closed; the customer's late payment fails.
func TestExpiryIsCheckedOnEveryAccess(t *testing.T) {
	p, clk := newManual()
	req := qrReq("ORDER-1")
	req.ExpiresAt = start.Add(time.Minute)
	pay, _ := p.Pay(t.Context(), req)
	clk.Advance(2 * time.Minute)
	err := p.Complete(pay.PaymentID)
	wantKind(t, err, payment.KindFailed)
	got, _ := p.Inquire(t.Context(), pay.Ref())
	if got.Status != payment.StatusCancelled || !got.CancelledAt.Equal(req.ExpiresAt) {
		t.Errorf("status %s cancelled at %v", got.Status, got.CancelledAt)
	}

	t.Run("default expiry", func(t *testing.T) {
		p, clk := newManual()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		clk.Advance(paymenttest.DefaultExpiry + time.Nanosecond)
		_, err := p.Cancel(t.Context(), pay.Ref())
		wantKind(t, err, 0) // cancelling an expired payment succeeds again
		got, _ := p.Inquire(t.Context(), pay.Ref())
		if !got.CancelledAt.Equal(start.Add(paymenttest.DefaultExpiry)) {
			t.Errorf("cancelled at %v, want the expiry time", got.CancelledAt)
		}
	})
	t.Run("ExpiresAt already past", func(t *testing.T) {
		p, _ := newManual()
		req := qrReq("ORDER-1")
		req.ExpiresAt = start.Add(-time.Second)
		pay, err := p.Pay(t.Context(), req)
		wantKind(t, err, 0)
		if pay.Status != payment.StatusCancelled {
			t.Errorf("status %s, want cancelled", pay.Status)
		}
	})
}

func TestCustomerControls(t *testing.T) {
	t.Run("complete", func(t *testing.T) {
		p, clk := newManual()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		clk.Advance(time.Minute)
		if err := p.Complete(pay.PaymentID); err != nil {
			t.Fatal(err)
		}
		got, _ := p.Inquire(t.Context(), pay.Ref())
		if got.Status != payment.StatusSucceeded || !got.PaidAt.Equal(start.Add(time.Minute)) || got.Action != nil {
			t.Errorf("status %s paid at %v action %v", got.Status, got.PaidAt, got.Action)
		}
		if n := p.Charges("ORDER-1"); n != 1 {
			t.Errorf("Charges = %d, want 1", n)
		}
		err := p.Complete(pay.PaymentID)
		wantKind(t, err, payment.KindFailed)
		wantCode(t, err, "ORDER_STATUS_INVALID")
		if n := p.Charges("ORDER-1"); n != 1 {
			t.Errorf("Charges = %d after a second Complete, want 1", n)
		}
	})
	t.Run("decline", func(t *testing.T) {
		p, _ := newAuto()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		if err := p.Decline(pay.PaymentID); err != nil {
			t.Fatal(err)
		}
		got, _ := p.Inquire(t.Context(), pay.Ref())
		if got.Status != payment.StatusFailed || got.FailureReason == "" {
			t.Errorf("status %s, reason %q", got.Status, got.FailureReason)
		}
		wantKind(t, p.Complete(pay.PaymentID), payment.KindFailed)
		wantKind(t, p.Expire(pay.PaymentID), payment.KindFailed)
		if p.Charges("ORDER-1") != 0 {
			t.Error("a declined payment was charged")
		}
	})
	t.Run("expire", func(t *testing.T) {
		p, _ := newAuto()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		if err := p.Expire(pay.PaymentID); err != nil {
			t.Fatal(err)
		}
		got, _ := p.Inquire(t.Context(), pay.Ref())
		if got.Status != payment.StatusCancelled || !got.CancelledAt.Equal(start) {
			t.Errorf("status %s cancelled at %v", got.Status, got.CancelledAt)
		}
		wantKind(t, p.Decline(pay.PaymentID), payment.KindFailed)
	})
	t.Run("unknown payment", func(t *testing.T) {
		p, _ := newAuto()
		for name, f := range map[string]func(string) error{"complete": p.Complete, "decline": p.Decline, "expire": p.Expire} {
			err := f("PT404")
			wantKind(t, err, payment.KindNotFound)
			if pe := asError(t, err); pe.Op != name || pe.RequestID != "PT404" || pe.Provider != "paymenttest" {
				t.Errorf("%s: error %+v", name, pe)
			}
		}
	})
}

// TestCopies: nothing a caller gets shares memory with the provider.
func TestCopies(t *testing.T) {
	caps := paymenttest.DefaultCapabilities()
	caps.ScenarioMethods = map[payment.Scenario][]payment.Method{payment.ScenarioApp: {payment.MethodWeChatPay}}
	p, _ := newAuto(paymenttest.WithCapabilities(caps))
	caps.Scenarios[0] = "changed"
	caps.ScenarioMethods[payment.ScenarioApp][0] = "changed"
	p.Capabilities().Methods[0] = "changed"
	p.Capabilities().ScenarioMethods[payment.ScenarioApp] = nil
	got0 := p.Capabilities()
	if got0.Scenarios[0] != payment.ScenarioQRCode || got0.Methods[0] != payment.MethodAlipay ||
		got0.ScenarioMethods[payment.ScenarioApp][0] != payment.MethodWeChatPay {
		t.Errorf("capabilities changed through a copy: %+v", got0)
	}

	pay, _ := p.Pay(t.Context(), payReq("ORDER-1", payment.ScenarioApp, "10.00 CAD"))
	pay.Status = payment.StatusSucceeded
	pay.Action.SDKParams["paymentId"] = "changed"
	pay.Action.Kind = payment.ActionNone
	got, _ := p.Inquire(t.Context(), payment.Ref{PaymentRequestID: "ORDER-1"})
	if got.Status != payment.StatusPending || got.Action.Kind != payment.ActionInvokeSDK || got.Action.SDKParams["paymentId"] != got.PaymentID {
		t.Errorf("state changed through a returned payment: %s %+v", got.Status, got.Action)
	}
	got.Action.SDKParams["paymentId"] = "changed again"
	again, _ := p.Pay(t.Context(), payReq("ORDER-1", payment.ScenarioApp, "10.00 CAD"))
	if again.Action.SDKParams["paymentId"] != again.PaymentID {
		t.Errorf("state changed through an inquired payment: %+v", again.Action)
	}

	if err := p.Complete(pay.PaymentID); err != nil {
		t.Fatal(err)
	}
	r, _ := p.Refund(t.Context(), refundReq("R-1", pay.PaymentID, "1.00 CAD"))
	r.Status = payment.RefundFailed
	r.Reason = "changed"
	ir, _ := p.InquireRefund(t.Context(), payment.RefundRef{RefundID: r.RefundID})
	if ir.Status != payment.RefundSucceeded || ir.Reason != "" {
		t.Errorf("state changed through a returned refund: %+v", ir)
	}

	calls := p.Calls(payment.OpPay)
	calls[0].Payload[0] = 'X'
	calls[0].RequestID = "changed"
	if c := p.Calls(payment.OpPay)[0]; c.Payload[0] != '{' || c.RequestID != "ORDER-1" {
		t.Errorf("recorded call changed through a copy: %s %s", c.RequestID, c.Payload)
	}
}
