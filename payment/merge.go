package payment

import (
	"errors"
	"fmt"
)

// ErrRegression is wrapped by Merge's error for an update that would move a
// payment backwards (or out of a final status). The update is ignored.
var ErrRegression = errors.New("payment: update would move the status backwards")

// ErrMismatch is returned by Merge for an update about another payment.
var ErrMismatch = errors.New("payment: update is about another payment")

// Merge applies update — from a notification, an inquiry, a pay answer, in
// any order — to current, the state a platform holds, and returns the new
// state. It is the one place where the monotonic status rule
// (Status.CanBecome) is enforced:
//
//   - a forward move — to any status reachable through the table of next
//     steps, in one step or several (pending to refunded when the success
//     notification was missed) — takes the update's status and facts;
//   - a repeat of the same status only fills in facts current lacks
//     (timestamps, PaymentID, a larger refunded amount);
//   - anything else is a regression: Merge returns current unchanged and an
//     error wrapping ErrRegression, which callers report and otherwise
//     ignore (a late "pending" after "succeeded" changes nothing).
//
// Neither argument is modified. A nil current takes update as it is.
func Merge(current, update *Payment) (*Payment, error) {
	switch {
	case update == nil:
		return current, nil
	case current == nil:
		u := *update
		return &u, nil
	}
	if (current.PaymentID != "" && update.PaymentID != "" && current.PaymentID != update.PaymentID) ||
		(current.PaymentRequestID != "" && update.PaymentRequestID != "" && current.PaymentRequestID != update.PaymentRequestID) ||
		(current.Provider != "" && update.Provider != "" && current.Provider != update.Provider) {
		return current, ErrMismatch
	}
	if !current.Status.CanBecome(update.Status) {
		return current, fmt.Errorf("%w: %s to %s", ErrRegression, current.Status, update.Status)
	}
	m := *current
	if update.Status != current.Status {
		m.Status = update.Status
		m.Result = update.Result
		if update.Status != StatusPending {
			m.Action = nil // nothing is left for the merchant to do
		}
		if update.FailureReason != "" {
			m.FailureReason = update.FailureReason
		}
	}
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&m.PaymentID, update.PaymentID)
	fill(&m.PaymentRequestID, update.PaymentRequestID)
	fill(&m.Provider, update.Provider)
	if m.Scenario == "" {
		m.Scenario = update.Scenario
	}
	if m.Method == "" {
		m.Method = update.Method
	}
	if m.Amount.Currency().IsZero() {
		m.Amount = update.Amount
	}
	if c, err := update.Refunded.Cmp(m.Refunded); (err == nil && c > 0) || (m.Refunded.Currency().IsZero() && !update.Refunded.Currency().IsZero()) {
		m.Refunded = update.Refunded
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = update.CreatedAt
	}
	if m.ExpiresAt.IsZero() {
		m.ExpiresAt = update.ExpiresAt
	}
	if m.PaidAt.IsZero() {
		m.PaidAt = update.PaidAt
	}
	if m.CancelledAt.IsZero() {
		m.CancelledAt = update.CancelledAt
	}
	return &m, nil
}
