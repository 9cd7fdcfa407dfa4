package payment

// Status is where a payment is, in neutral terms. Adapters map their
// provider's statuses onto these; docs/semantics.md has the tables.
type Status string

// The payment statuses.
const (
	// StatusPending: created, waiting for the customer or the provider.
	StatusPending Status = "pending"
	// StatusAuthorized: funds are held but not captured.
	StatusAuthorized Status = "authorized"
	// StatusSucceeded: paid.
	StatusSucceeded Status = "succeeded"
	// StatusFailed: will not be paid. Final.
	StatusFailed Status = "failed"
	// StatusCancelled: closed, expired, or reversed in full on cancel. Final.
	StatusCancelled Status = "cancelled"
	// StatusPartiallyRefunded: paid, and part of it refunded.
	StatusPartiallyRefunded Status = "partially_refunded"
	// StatusRefunded: paid, and all of it refunded. Final.
	StatusRefunded Status = "refunded"
)

// statusNext is the one table of allowed payment transitions (DESIGN.md).
// A repeat of the same status is always allowed (see CanBecome) and is not
// listed; PartiallyRefunded is listed because a further partial refund is a
// real change.
var statusNext = map[Status][]Status{
	StatusPending:           {StatusAuthorized, StatusSucceeded, StatusFailed, StatusCancelled},
	StatusAuthorized:        {StatusSucceeded, StatusCancelled},
	StatusSucceeded:         {StatusPartiallyRefunded, StatusRefunded, StatusCancelled},
	StatusPartiallyRefunded: {StatusPartiallyRefunded, StatusRefunded},
	StatusFailed:            nil,
	StatusCancelled:         nil,
	StatusRefunded:          nil,
}

// Valid reports whether s is one of the Status constants.
func (s Status) Valid() bool {
	_, ok := statusNext[s]
	return ok
}

// Final reports whether no further transition is possible from s
// (Failed, Cancelled, Refunded).
func (s Status) Final() bool {
	next, ok := statusNext[s]
	return ok && len(next) == 0
}

// Paid reports whether money moved from the customer at some point:
// Succeeded, PartiallyRefunded or Refunded.
func (s Status) Paid() bool {
	return s == StatusSucceeded || s == StatusPartiallyRefunded || s == StatusRefunded
}

// CanBecome reports whether a payment in status s may move to next. This is
// the monotonic rule every merge of notifications and inquiries obeys: a
// repeat of the same status is allowed (it changes nothing), a move along the
// table is allowed, and anything else — a move backwards, out of a final
// status, or to or from an invalid status — is not.
func (s Status) CanBecome(next Status) bool {
	allowed, ok := statusNext[s]
	if !ok || !next.Valid() {
		return false
	}
	if next == s {
		return true
	}
	for _, a := range allowed {
		if a == next {
			return true
		}
	}
	return false
}

// RefundStatus is where a refund is.
type RefundStatus string

// The refund statuses.
const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// Valid reports whether s is one of the RefundStatus constants.
func (s RefundStatus) Valid() bool {
	return s == RefundPending || s == RefundSucceeded || s == RefundFailed
}

// Final reports whether s is Succeeded or Failed.
func (s RefundStatus) Final() bool { return s == RefundSucceeded || s == RefundFailed }

// CanBecome reports whether a refund in status s may move to next: a repeat
// is allowed, Pending may become Succeeded or Failed, and final statuses
// never change.
func (s RefundStatus) CanBecome(next RefundStatus) bool {
	if !s.Valid() || !next.Valid() {
		return false
	}
	return next == s || s == RefundPending
}
