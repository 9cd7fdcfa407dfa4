package alphapaytest

import (
	"testing"

	"github.com/paybridge/paybridge/payment"
)

func TestLedger(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	if st, ok := srv.PaymentStatus("L-NONE"); ok || st != "" {
		t.Errorf("PaymentStatus of an unknown request = %q, %v", st, ok)
	}
	if n := srv.RefundCount("LR-NONE"); n != 0 {
		t.Errorf("RefundCount of an unknown request = %d", n)
	}

	want := func(id string, st payment.Status) {
		t.Helper()
		if got, ok := srv.PaymentStatus(id); !ok || got != st {
			t.Errorf("PaymentStatus(%s) = %q, %v; want %q", id, got, ok, st)
		}
	}
	c.pay(qrPay("L-1"))
	want("L-1", payment.StatusPending)
	c.paid("L-2")
	want("L-2", payment.StatusSucceeded)
	p2, _ := srv.PaymentByRequestID("L-2")
	id2 := p2.PaymentID
	if _, res := c.refund(id2, "LR-1", "500"); res.ResultStatus != "S" {
		t.Fatalf("refund: %+v", res)
	}
	want("L-2", payment.StatusPartiallyRefunded)
	// A replay refunds nothing.
	if _, res := c.refund(id2, "LR-1", "500"); res.ResultStatus != "S" {
		t.Fatalf("refund replay: %+v", res)
	}
	if n := srv.RefundCount("LR-1"); n != 1 {
		t.Errorf("RefundCount after a replay = %d, want 1", n)
	}
	if _, res := c.refund(id2, "LR-2", "1499"); res.ResultStatus != "S" {
		t.Fatalf("refund of the rest: %+v", res)
	}
	want("L-2", payment.StatusRefunded)

	r3, _ := c.pay(qrPay("L-3"))
	if err := srv.Decline(r3.PaymentID); err != nil {
		t.Fatal(err)
	}
	want("L-3", payment.StatusFailed)

	// Expiry on the server's clock shows without any request.
	clk.Advance(defaultExpiry + 1)
	want("L-1", payment.StatusCancelled)
}
