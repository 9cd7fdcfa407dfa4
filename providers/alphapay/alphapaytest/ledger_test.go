package alphapaytest

import (
	"testing"

	"github.com/paybridge/paybridge/payment"
)

// The books in neutral terms follow the payments through the API: the
// simulator's own mapping of its statuses.
func TestLedger(t *testing.T) {
	srv, c, clk := newFakeServer(t)
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
