package payment_test

import (
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

func TestMergeNeverRegresses(t *testing.T) {
	paidAt := time.Date(2026, 11, 22, 10, 16, 2, 0, time.UTC)
	inquiry := &payment.Payment{Provider: "p", PaymentID: "P1", PaymentRequestID: "R1", Status: payment.StatusSucceeded, PaidAt: paidAt, Amount: money.MustParse("19.99 CAD")}
	latePending := &payment.Payment{Provider: "p", PaymentID: "P1", Status: payment.StatusPending, Action: &payment.Action{Kind: payment.ActionShowQR}}

	// Inquiry says Succeeded, then a late Pending arrives.
	state, err := payment.Merge(nil, inquiry)
	if err != nil || state.Status != payment.StatusSucceeded {
		t.Fatalf("first merge: %+v, %v", state, err)
	}
	after, err := payment.Merge(state, latePending)
	if !errors.Is(err, payment.ErrRegression) {
		t.Fatalf("late pending: err = %v, want ErrRegression", err)
	}
	if after != state || after.Status != payment.StatusSucceeded || after.Action != nil {
		t.Fatalf("state changed by a regression: %+v", after)
	}

	// In the other order, the same two updates end in the same state.
	state2, _ := payment.Merge(nil, latePending)
	state2, err = payment.Merge(state2, inquiry)
	if err != nil || state2.Status != payment.StatusSucceeded || state2.Action != nil || !state2.PaidAt.Equal(paidAt) || state2.PaymentRequestID != "R1" {
		t.Fatalf("pending then succeeded: %+v, %v", state2, err)
	}
}

func TestMergeFollowsTheTable(t *testing.T) {
	base := &payment.Payment{PaymentID: "P1", Status: payment.StatusSucceeded, Refunded: money.MustParse("1.00 CAD")}
	more := &payment.Payment{PaymentID: "P1", Status: payment.StatusPartiallyRefunded, Refunded: money.MustParse("5.00 CAD")}
	got, err := payment.Merge(base, more)
	if err != nil || got.Status != payment.StatusPartiallyRefunded || !got.Refunded.Equal(money.MustParse("5.00 CAD")) {
		t.Fatalf("%+v, %v", got, err)
	}
	less := &payment.Payment{PaymentID: "P1", Status: payment.StatusPartiallyRefunded, Refunded: money.MustParse("2.00 CAD")}
	got2, err := payment.Merge(got, less)
	if err != nil || !got2.Refunded.Equal(money.MustParse("5.00 CAD")) {
		t.Fatalf("a smaller refunded amount shrank the state: %+v, %v", got2, err)
	}
	if base.Status != payment.StatusSucceeded {
		t.Fatal("Merge modified its argument")
	}
	if _, err := payment.Merge(got2, &payment.Payment{PaymentID: "P1", Status: payment.StatusSucceeded}); !errors.Is(err, payment.ErrRegression) {
		t.Fatalf("partially refunded back to succeeded: %v", err)
	}
	if _, err := payment.Merge(got2, &payment.Payment{PaymentID: "P2", Status: payment.StatusRefunded}); !errors.Is(err, payment.ErrMismatch) {
		t.Fatalf("another payment: %v", err)
	}
	final := &payment.Payment{PaymentID: "P1", Status: payment.StatusFailed}
	if _, err := payment.Merge(final, &payment.Payment{PaymentID: "P1", Status: payment.StatusSucceeded}); !errors.Is(err, payment.ErrRegression) {
		t.Fatalf("failed to succeeded: %v", err)
	}
}

// A success notification is lost, and the next thing the platform hears is
// an inquiry after a refund: the payment must move forward, not stay pending
// for ever.
func TestMergeTakesForwardJumps(t *testing.T) {
	paidAt := time.Date(2026, 11, 22, 10, 16, 2, 0, time.UTC)
	pending := &payment.Payment{
		Provider: "p", PaymentID: "P1", PaymentRequestID: "R1", Status: payment.StatusPending,
		Amount: money.MustParse("19.99 CAD"), Action: &payment.Action{Kind: payment.ActionShowQR},
	}
	for _, tc := range []struct {
		name     string
		status   payment.Status
		refunded money.Amount
	}{
		{"pending to partially refunded", payment.StatusPartiallyRefunded, money.MustParse("5.00 CAD")},
		{"pending to refunded", payment.StatusRefunded, money.MustParse("19.99 CAD")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			update := &payment.Payment{Provider: "p", PaymentID: "P1", Status: tc.status, Refunded: tc.refunded, PaidAt: paidAt}
			got, err := payment.Merge(pending, update)
			if err != nil {
				t.Fatalf("Merge: %v", err)
			}
			if got.Status != tc.status || !got.Refunded.Equal(tc.refunded) || !got.PaidAt.Equal(paidAt) ||
				got.Action != nil || got.PaymentRequestID != "R1" {
				t.Fatalf("merged state: %+v", got)
			}
			if pending.Status != payment.StatusPending || pending.Action == nil {
				t.Fatal("Merge modified its argument")
			}
			// And the late pending that follows changes nothing.
			after, err := payment.Merge(got, &payment.Payment{PaymentID: "P1", Status: payment.StatusPending})
			if !errors.Is(err, payment.ErrRegression) || after != got {
				t.Fatalf("%s then pending: %+v, %v; want ErrRegression and the state unchanged", tc.status, after, err)
			}
		})
	}
	authorized := &payment.Payment{PaymentID: "P1", Status: payment.StatusAuthorized}
	if got, err := payment.Merge(authorized, &payment.Payment{PaymentID: "P1", Status: payment.StatusRefunded}); err != nil || got.Status != payment.StatusRefunded {
		t.Fatalf("authorized to refunded: %+v, %v", got, err)
	}
	refunded := &payment.Payment{PaymentID: "P1", Status: payment.StatusRefunded}
	if _, err := payment.Merge(refunded, &payment.Payment{PaymentID: "P1", Status: payment.StatusPartiallyRefunded}); !errors.Is(err, payment.ErrRegression) {
		t.Fatalf("refunded to partially refunded: %v", err)
	}
}
