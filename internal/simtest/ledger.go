package simtest

import (
	"testing"

	"github.com/paybridge/paybridge/payment"
)

// Lifecycle is how a test drives a simulator's payments of 19.99 through
// its API and its customer.
type Lifecycle struct {
	// Pay creates a pending payment and returns its ID.
	Pay func(requestID string) (paymentID string)
	// Complete and Decline play the customer.
	Complete, Decline func(paymentID string) error
	// Refund refunds value (in minor units) of a payment; it fails the
	// test unless the refund succeeds.
	Refund func(paymentID, refundRequestID, value string)
	// Expire moves the server's clock past the payments' expiry.
	Expire func()
}

// CheckLedger drives payments through every neutral status and fails t
// unless status, the simulator's PaymentStatus, follows: pending,
// succeeded, partially refunded, refunded, failed, and cancelled by expiry
// without any request.
func CheckLedger(t *testing.T, status func(requestID string) (payment.Status, bool), lc Lifecycle) {
	t.Helper()
	want := func(id string, st payment.Status) {
		t.Helper()
		if got, ok := status(id); !ok || got != st {
			t.Errorf("PaymentStatus(%s) = %q, %v; want %q", id, got, ok, st)
		}
	}
	lc.Pay("L-1")
	want("L-1", payment.StatusPending)
	id2 := lc.Pay("L-2")
	if err := lc.Complete(id2); err != nil {
		t.Fatal(err)
	}
	want("L-2", payment.StatusSucceeded)
	lc.Refund(id2, "LR-1", "500")
	want("L-2", payment.StatusPartiallyRefunded)
	lc.Refund(id2, "LR-2", "1499")
	want("L-2", payment.StatusRefunded)
	if err := lc.Decline(lc.Pay("L-3")); err != nil {
		t.Fatal(err)
	}
	want("L-3", payment.StatusFailed)
	lc.Expire()
	want("L-1", payment.StatusCancelled)
}
