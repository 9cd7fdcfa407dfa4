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

// statusNext is the one table of allowed next steps (DESIGN.md). A repeat of
// the same status is always allowed (see CanBecome) and is not listed;
// PartiallyRefunded is listed because a further partial refund is a real
// change. Every other rule (Valid, Final, CanBecome) is derived from this
// table, so it is the only place to change.
var statusNext = map[Status][]Status{
	StatusPending:           {StatusAuthorized, StatusSucceeded, StatusFailed, StatusCancelled},
	StatusAuthorized:        {StatusSucceeded, StatusCancelled},
	StatusSucceeded:         {StatusPartiallyRefunded, StatusRefunded, StatusCancelled},
	StatusPartiallyRefunded: {StatusPartiallyRefunded, StatusRefunded},
	StatusFailed:            nil,
	StatusCancelled:         nil,
	StatusRefunded:          nil,
}

// statusReachable is the transitive closure of statusNext plus the repeat of
// each status: statusReachable[s][t] is true when a payment in s may be in t
// later. Observers see a payment only now and then (a success notification
// may be lost, an inquiry may come after a refund), so any state reachable
// through several steps is a forward move. It is computed once, at package
// initialisation, and only read afterwards.
var statusReachable = reachability(statusNext)

// reachability returns, for each status of next, the set of statuses
// reachable from it in zero or more steps.
func reachability(next map[Status][]Status) map[Status]map[Status]bool {
	out := make(map[Status]map[Status]bool, len(next))
	for from := range next {
		seen := map[Status]bool{from: true}
		stack := []Status{from}
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, t := range next[s] {
				if !seen[t] {
					seen[t] = true
					stack = append(stack, t)
				}
			}
		}
		out[from] = seen
	}
	return out
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

// CanBecome reports whether a payment in status s may later be in status
// next. This is the monotonic rule every merge of notifications and
// inquiries obeys. It is about reachability through the table of next steps,
// not only about direct steps: a repeat of the same status is allowed (it
// changes nothing), and so is any status reachable through one or more steps
// (pending may become partially_refunded when the success notification was
// missed and an inquiry comes after a refund). Anything else — a move
// backwards, out of a final status, or to or from an invalid status — is not.
//
// From Pending: Authorized, Succeeded, Failed, Cancelled, PartiallyRefunded,
// Refunded. From Authorized: Succeeded, Cancelled, PartiallyRefunded,
// Refunded. From Succeeded: PartiallyRefunded, Refunded, Cancelled. From
// PartiallyRefunded: PartiallyRefunded, Refunded. From Failed, Cancelled,
// Refunded: nothing else.
func (s Status) CanBecome(next Status) bool {
	return statusReachable[s][next]
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
