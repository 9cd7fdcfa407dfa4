package alipayplustest

import (
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
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
	c.pay(cashierPay("L-1"))
	want("L-1", payment.StatusPending)
	id2 := c.paid("L-2")
	want("L-2", payment.StatusSucceeded)
	if _, res := c.refund(id2, "LR-1", "500", "USD"); res.ResultStatus != wire.StatusS {
		t.Fatalf("refund: %+v", res)
	}
	// The truth, which the inquiry does not show.
	want("L-2", payment.StatusPartiallyRefunded)
	if _, res := c.refund(id2, "LR-2", "1499", "USD"); res.ResultStatus != wire.StatusS {
		t.Fatalf("refund of the rest: %+v", res)
	}
	want("L-2", payment.StatusRefunded)

	r3, _ := c.pay(cashierPay("L-3"))
	if err := srv.Decline(r3.PaymentID); err != nil {
		t.Fatal(err)
	}
	want("L-3", payment.StatusFailed)

	id4 := c.paid("L-4")
	if _, res := c.cancel(wire.PaymentRef{PaymentID: id4}); res.ResultStatus != wire.StatusS {
		t.Fatalf("cancel of a paid payment: %+v", res)
	}
	want("L-4", payment.StatusCancelled) // reversed in full

	// Expiry on the wallet's clock shows without any request.
	clk.Advance(defaultExpiry + 1)
	want("L-1", payment.StatusCancelled)
}
