// Package journal is a write-ahead journal of a platform's outgoing mutating
// calls — pay, cancel, refund — so that a call whose answer a crash cut off
// is found and settled afterwards.
//
// An adapter whose Config names a Journal records every mutating call
// before its first byte is sent (Begin): the provider, the operation, the
// request ID, a SHA-256 of the encoded body and the neutral request without
// its secrets. It settles the entry once the outcome is known (Settle): an
// answer, or a definite error. A call whose outcome is unknown — its process
// crashed while it was in flight, or it ended with payment.ErrUnknownOutcome
// — stays open. After a crash the open entries are exactly the calls whose
// outcome nobody knows; notify.Reconciler, given the journal, settles each
// one through payment.Resolve (pays), an inquiry or an idempotent replay
// (refunds, cancels), and delivers what it found to the platform.
//
// Enabling it is one line in the adapter's Config:
//
//	j, _ := pgjournal.New(pool, pgjournal.Options{})
//	ap, _ := alphapay.New(alphapay.Config{ /* … */ Journal: j})
//
// NewMemory keeps a journal in the process, for tests; package
// journal/pgjournal keeps it in PostgreSQL, where it outlives the process.
//
// No secret is ever journaled: a payment code, a card's number, expiry and
// CVV, and ProviderOptions (which may hold a wallet user's auth code) are
// left out, and such an entry is marked Incomplete — it cannot be replayed,
// only settled by an inquiry where the provider inquires by request ID, or
// by a person.
package journal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// ID names one entry of a journal. It is opaque: only the journal that
// issued it reads it.
type ID string

// Entry is one mutating call, as Begin records it.
type Entry struct {
	// Provider is the provider's name, such as "alphapay".
	Provider string
	// Op is payment.OpPay, payment.OpCancel or payment.OpRefund.
	Op string
	// RequestID is the call's idempotency key: the PaymentRequestID of a
	// pay, the RefundRequestID of a refund, the Ref's String of a cancel.
	RequestID string
	// BodyHash is the hex SHA-256 of the encoded body (BodyHash). Together
	// with Provider, Op and RequestID it identifies the entry: the same call
	// sent again (a retry, a Resolve) finds its entry, another content under
	// the same request ID is another entry.
	BodyHash string
	// Request is the neutral request without its secrets.
	Request Request
}

// Request is the neutral request of an entry: one of Pay, Refund and
// Cancel, the one Op names.
type Request struct {
	// Pay is the pay request, without PaymentCode, Card.Number,
	// Card.ExpMonth, Card.ExpYear, Card.CVV and ProviderOptions.
	Pay *payment.PayRequest
	// Refund is the refund request.
	Refund *payment.RefundRequest
	// Cancel is the payment a cancel closes.
	Cancel *payment.Ref
	// Incomplete reports that something was left out — a secret, or
	// anything else that makes the stored request differ from the one
	// sent — so the request cannot be replayed: it is settled by inquiry,
	// where the provider inquires by request ID, or by a person.
	Incomplete bool
}

// Outcome is how a call ended, as Settle records it.
type Outcome struct {
	// Kind is the kind of the definite error the call ended with (failed,
	// invalid request, not found, unavailable, …); zero for an answer.
	Kind payment.Kind
	// Code is the provider's result code of that error, if it gave one.
	Code string
	// PaymentID and Status are the payment's, for a pay or cancel that was
	// answered; RefundID and Status the refund's, for a refund.
	PaymentID string
	RefundID  string
	Status    string
	// By says what settled the entry: "call" (the call itself) or
	// "reconciler".
	By string
}

// Settlers of Outcome.By.
const (
	ByCall       = "call"
	ByReconciler = "reconciler"
)

// Record is an entry as a journal holds it.
type Record struct {
	ID ID
	Entry
	// StartedAt is when the entry was begun, on the journal's clock (the
	// database's, for pgjournal): the first Begin, or the Begin that
	// reopened a settled entry.
	StartedAt time.Time
	// SettledAt is when it was settled; zero while it is open.
	SettledAt time.Time
	// Outcome is the settled outcome; nil while the entry is open.
	Outcome *Outcome
}

// IsOpen reports whether the call's outcome is still unknown.
func (r Record) IsOpen() bool { return r.SettledAt.IsZero() }

// Journal is what an adapter's engine writes: it is the type of the
// adapters' Config.Journal.
//
// Begin records e before the call's first byte is sent. Begin of an entry
// that exists (same Provider, Op, RequestID and BodyHash) returns its ID: an
// open entry stays open with its StartedAt, a settled one is reopened with
// a new StartedAt — the same request is being sent again, and its outcome
// is unknown until that call ends. A Begin error means nothing is sent: the
// call fails with payment.ErrUnavailable.
//
// Settle records the outcome of the call Begin returned id for. Settling an
// entry that is settled already, or that the journal no longer holds, is
// not an error and changes nothing. An unknown outcome is never settled.
//
// Both must be safe for concurrent use.
type Journal interface {
	Begin(ctx context.Context, e Entry) (ID, error)
	Settle(ctx context.Context, id ID, o Outcome) error
}

// Query selects open entries.
type Query struct {
	// Provider selects one provider's entries; "" selects all.
	Provider string
	// MinAge selects entries begun at least this long ago, on the journal's
	// clock, so that a call still under way is left to itself.
	MinAge time.Duration
	// Limit bounds the answer, oldest first; 0 means DefaultLimit.
	Limit int
}

// DefaultLimit is Query's default Limit.
const DefaultLimit = 1000

// Backlog summarizes the open entries, for monitoring.
type Backlog struct {
	// Open is how many entries are open.
	Open int
	// OldestAge is how long the oldest open entry has been open; zero when
	// none is.
	OldestAge time.Duration
}

// Store is a Journal that can be read: what notify.Reconciler needs to
// settle open calls, and what a platform's own recovery needs to learn how
// a call ended. NewMemory and pgjournal.Journal implement it.
type Store interface {
	Journal
	// Open returns the open entries q selects, oldest first.
	Open(ctx context.Context, q Query) ([]Record, error)
	// Find returns every entry of provider, op and requestID (one per
	// body hash), open or settled, oldest first; none if no call was ever
	// begun under it — so nothing was sent — or its entries were cleaned up.
	Find(ctx context.Context, provider, op, requestID string) ([]Record, error)
	// Backlog counts the open entries.
	Backlog(ctx context.Context) (Backlog, error)
}

// BodyHash returns the hex SHA-256 of an encoded request body.
func BodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// suppressKey marks a context whose calls are not journaled.
type suppressKey struct{}

// Unjournaled returns a context whose calls the engine does not journal.
// The Reconciler settles an open entry through such calls: a replay of the
// entry's own request needs no entry of its own, and recording it would
// settle the entry before the Reconciler has delivered what it learned.
func Unjournaled(ctx context.Context) context.Context {
	return context.WithValue(ctx, suppressKey{}, true)
}

// IsUnjournaled reports whether ctx came from Unjournaled.
func IsUnjournaled(ctx context.Context) bool {
	v, _ := ctx.Value(suppressKey{}).(bool)
	return v
}

// ErrInvalidEntry is wrapped by Begin's error for an entry without a
// provider, an operation, a request ID, a body hash or the request its
// operation needs.
var ErrInvalidEntry = errors.New("journal: invalid entry")

// Check returns an error wrapping ErrInvalidEntry if e lacks a field a
// journal needs. Journals call it in Begin.
func (e Entry) Check() error {
	var missing string
	switch {
	case e.Provider == "":
		missing = "provider"
	case e.RequestID == "":
		missing = "request ID"
	case e.BodyHash == "":
		missing = "body hash"
	}
	if missing == "" {
		switch e.Op {
		case payment.OpPay:
			if e.Request.Pay == nil {
				missing = "pay request"
			}
		case payment.OpRefund:
			if e.Request.Refund == nil {
				missing = "refund request"
			}
		case payment.OpCancel:
			if e.Request.Cancel == nil {
				missing = "cancelled payment"
			}
		default:
			return fmt.Errorf("%w: operation %q is not pay, cancel or refund", ErrInvalidEntry, e.Op)
		}
	}
	if missing != "" {
		return fmt.Errorf("%w: no %s", ErrInvalidEntry, missing)
	}
	return nil
}
