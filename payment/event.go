package payment

import (
	"errors"
	"time"
)

// EventKind says what an Event is about.
type EventKind string

// The event kinds.
const (
	EventPayment EventKind = "payment"
	EventRefund  EventKind = "refund"
)

// Event is a provider notification in neutral terms: a payment or a refund
// reached the state it carries.
type Event struct {
	// Key identifies the event stably across the provider's re-deliveries:
	// the same notification delivered twice has the same Key, so a platform
	// de-duplicates on it. It is derived from the provider, the kind, the
	// provider's ID and the status — never from delivery headers.
	Key string
	// Kind says whether Payment or Refund is set.
	Kind EventKind
	// Provider is the provider's name.
	Provider string
	// Payment is the payment's state (Kind EventPayment).
	Payment *Payment
	// Refund is the refund's state (Kind EventRefund).
	Refund *Refund
	// SentAt is when the provider sent the notification.
	SentAt time.Time
}

// EventKey builds a stable Event.Key from its parts:
// "provider:kind:id:status".
func EventKey(provider string, kind EventKind, id, status string) string {
	return provider + ":" + string(kind) + ":" + id + ":" + status
}

// ErrUnknownEvent is wrapped by an adapter's ParseNotification for a
// notification that decodes but describes nothing the adapter knows (a new
// event type, say). The notify handler tells it apart from an undecodable
// body.
var ErrUnknownEvent = errors.New("payment: unknown notification event")
