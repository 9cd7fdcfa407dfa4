// Package observe is how paybridge reports what it does to metrics and
// tracing: every call of a payment.Provider and every attempt of it (package
// payment/engine, which every adapter runs on), every notification a
// notify.Handler answers and every notify.Reconciler pass. Application code
// sets an Observer — observe/otelpaybridge's for OpenTelemetry, or one of
// its own — in an adapter's Config (Observer), in notify.WithTelemetry and
// in notify.Reconciler.Observer.
//
// Observation happens in the portable layer, keyed by provider and
// operation, so no adapter has to do anything for it. What an Observer
// receives are IDs, codes, statuses, counts and durations: never a key, a
// signature, a body, card data, a payment code or a card token.
//
// A nil Observer costs nothing: the observed code checks for nil once and
// allocates nothing for observation (payment/engine's tests and
// internal/bench measure it).
package observe

import (
	"context"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Observer receives paybridge's observations. Its methods are called on the
// caller's goroutine, synchronously, and must be quick and safe for
// concurrent use. The records they receive (*Call, *Attempt, …) belong to
// the caller and are valid only during the method: an Observer copies what
// it keeps. An Observer must not modify them.
//
// Each Start method returns the context the observed work runs in; the
// matching End method receives that context. An OpenTelemetry Observer
// starts a span in Start (a child of the span in ctx, so trace context
// flows from the caller) and ends it in End; the HTTP request of an attempt
// is made with the attempt's context, so an instrumented transport's spans
// are children of the attempt's. Return ctx itself when there is nothing
// to add.
//
// Embed Base to implement only some of the methods: new methods added to
// Observer in a minor release come with a no-op in Base.
type Observer interface {
	// CallStart is called when a Provider method (Pay, Inquire, Cancel,
	// Refund, InquireRefund, or an adapter's own read through
	// engine.Provider.Call) begins, before the request is validated.
	// c carries Provider, Op, RequestID, Scenario and Start.
	CallStart(ctx context.Context, c *Call) context.Context
	// CallEnd is called once the call returns, with c complete. Every
	// CallStart is matched by one CallEnd.
	CallEnd(ctx context.Context, c *Call)
	// AttemptStart is called before each HTTP attempt of call c. a carries
	// Number and Start.
	AttemptStart(ctx context.Context, c *Call, a *Attempt) context.Context
	// AttemptEnd is called once the attempt's answer (or error) has been
	// classified and the retry policy has decided whether another attempt
	// follows (a.RetryReason), before the wait for it.
	AttemptEnd(ctx context.Context, c *Call, a *Attempt)
	// NotificationStart is called when a notify.Handler receives a
	// request. n carries Provider and Start.
	NotificationStart(ctx context.Context, n *Notification) context.Context
	// NotificationEnd is called once the Handler has answered, with n
	// complete.
	NotificationEnd(ctx context.Context, n *Notification)
	// ReconcileStart is called when a notify.Reconciler pass (RunOnce)
	// begins. p carries Provider and Start.
	ReconcileStart(ctx context.Context, p *Pass) context.Context
	// ReconcileEnd is called when the pass ends, with p complete.
	ReconcileEnd(ctx context.Context, p *Pass)
}

// Base implements every Observer method as a no-op; embed it in an
// Observer that cares about some of them.
type Base struct{}

var _ Observer = Base{}

// CallStart returns ctx.
func (Base) CallStart(ctx context.Context, _ *Call) context.Context { return ctx }

// CallEnd does nothing.
func (Base) CallEnd(context.Context, *Call) {}

// AttemptStart returns ctx.
func (Base) AttemptStart(ctx context.Context, _ *Call, _ *Attempt) context.Context { return ctx }

// AttemptEnd does nothing.
func (Base) AttemptEnd(context.Context, *Call, *Attempt) {}

// NotificationStart returns ctx.
func (Base) NotificationStart(ctx context.Context, _ *Notification) context.Context { return ctx }

// NotificationEnd does nothing.
func (Base) NotificationEnd(context.Context, *Notification) {}

// ReconcileStart returns ctx.
func (Base) ReconcileStart(ctx context.Context, _ *Pass) context.Context { return ctx }

// ReconcileEnd does nothing.
func (Base) ReconcileEnd(context.Context, *Pass) {}

// Call is one call of a payment.Provider.
type Call struct {
	// Provider is the provider's name, such as "alphapay".
	Provider string
	// Op is the operation: payment.OpPay and the others, or an adapter's
	// own name for a read of its own.
	Op string
	// RequestID is what the call is about, as *payment.Error shows it: the
	// PaymentRequestID of a pay, the RefundRequestID of a refund, the
	// reference of an inquiry or cancel. Empty for a pay or refund without
	// a request.
	RequestID string
	// Scenario is a pay's scenario; empty for other operations.
	Scenario payment.Scenario
	// Start is when the call began, on the Provider's clock.
	Start time.Time

	// The fields below are set when CallEnd is called.

	// Duration is how long the call took, retries and waits included.
	Duration time.Duration
	// Attempts is how many HTTP attempts were sent; 0 for a call refused
	// before sending (validation, the journal).
	Attempts int
	// Kind is the error's kind, or 0 when the call succeeded.
	Kind payment.Kind
	// Status is the payment's or refund's status a successful call
	// returned ("pending", "succeeded", …); empty otherwise.
	Status string
	// ResultStatus and ResultCode are the provider's result in the last
	// trusted answer (S, F, U or A and a code such as "ORDER_PAID"), empty
	// when there was none.
	ResultStatus payment.ResultStatus
	ResultCode   string
	// HTTPStatus is the HTTP status of the last attempt's answer; 0 when it
	// got none.
	HTTPStatus int
	// ProviderRequestID is the provider's own ID of the last answer that
	// carried one (see driver.TraceIDer); empty when none did.
	ProviderRequestID string
	// MayHaveBeenSent reports that an attempt may have reached the
	// provider: only then can a failed mutating call have done something.
	MayHaveBeenSent bool
}

// Attempt is one HTTP attempt of a Call.
type Attempt struct {
	// Number is 1 for the first attempt of a call, 2 for its first retry…
	Number int
	// Start is when the attempt began, on the Provider's clock.
	Start time.Time

	// The fields below are set when AttemptEnd is called.

	// Duration is how long the attempt took, up to its classification.
	Duration time.Duration
	// Outcome classifies the attempt.
	Outcome AttemptOutcome
	// HTTPStatus is the answer's HTTP status; 0 when there was no answer.
	HTTPStatus int
	// ResultStatus and ResultCode are the provider's result, for a trusted,
	// readable answer (Outcome Done, Pending or Refused).
	ResultStatus payment.ResultStatus
	ResultCode   string
	// ProviderRequestID is the provider's ID of this answer, if it sent one.
	ProviderRequestID string
	// MayHaveBeenSent reports that this attempt may have reached the
	// provider.
	MayHaveBeenSent bool
	// RetryReason is why another attempt follows — see RetryReason — or
	// empty when this attempt was the call's last.
	RetryReason string
	// Backoff is the wait before the next attempt; 0 when none follows.
	Backoff time.Duration
}

// AttemptOutcome classifies one attempt.
type AttemptOutcome string

// The outcomes of an attempt.
const (
	// AttemptNotSent: the request provably never left (a failed dial or
	// TLS handshake, an unverified connection closed before writing).
	AttemptNotSent AttemptOutcome = "not_sent"
	// AttemptNetworkError: the connection failed after the request may
	// have been written, or the answer could not be read.
	AttemptNetworkError AttemptOutcome = "network_error"
	// AttemptHTTPError: an HTTP status other than 200 — retried for 408,
	// 429 and 5xx, not an API answer otherwise.
	AttemptHTTPError AttemptOutcome = "http_error"
	// AttemptUntrusted: the answer's signature did not verify, or it was
	// too large.
	AttemptUntrusted AttemptOutcome = "untrusted"
	// AttemptUnreadable: a verified answer that could not be decoded.
	AttemptUnreadable AttemptOutcome = "unreadable"
	// AttemptContradicted: a verified answer that contradicts the request
	// (another ID, another amount).
	AttemptContradicted AttemptOutcome = "contradicted"
	// AttemptDone, AttemptPending, AttemptRefused: a trusted answer whose
	// result is final, still open (U), or a refusal (F).
	AttemptDone    AttemptOutcome = "done"
	AttemptPending AttemptOutcome = "pending"
	AttemptRefused AttemptOutcome = "refused"
)

// The reasons for a retry (Attempt.RetryReason), besides "http_<status>"
// for an HTTP 408, 429 or 5xx such as "http_503".
const (
	RetryNotSent      = "not_sent"      // the request never left
	RetryNetworkError = "network_error" // no answer, or an unreadable one
	RetryUnreadable   = "unreadable"    // a verified answer that could not be decoded
	RetryPending      = "pending"       // the provider answered U
)

// Notification is one request a notify.Handler answered.
type Notification struct {
	// Provider is the Handler's source's name.
	Provider string
	// Start is when the request arrived, on the Handler's clock.
	Start time.Time

	// The fields below are set when NotificationEnd is called.

	// Duration is how long the Handler took, delivery included.
	Duration time.Duration
	// Verdict is what became of the notification.
	Verdict Verdict
	// Reason says why a notification was rejected (Verdict
	// VerdictRejected): "method", "too_large", "bad_signature",
	// "bad_timestamp", "stale", "future" or "undecodable".
	Reason string
	// HTTPStatus is the status answered to the provider.
	HTTPStatus int
	// Acked reports that the provider's acknowledgement was sent: it stops
	// re-delivering.
	Acked bool
	// EventKind and EventKey are the parsed event's (payment.Event), once
	// parsing got that far. The key holds the provider's payment or refund
	// ID and the status, nothing secret.
	EventKind payment.EventKind
	EventKey  string
	// Status is the payment's or refund's status the event carries.
	Status string
}

// Verdict is what became of one notification.
type Verdict string

// The verdicts.
const (
	// VerdictDelivered: a new event, handed to deliver and acknowledged.
	VerdictDelivered Verdict = "delivered"
	// VerdictDuplicate: an event delivered before, acknowledged again.
	VerdictDuplicate Verdict = "duplicate"
	// VerdictInFlight: the same event is being delivered by another
	// request; the provider will retry.
	VerdictInFlight Verdict = "in_flight"
	// VerdictUnknownEvent: genuine but about nothing paybridge knows;
	// acknowledged and not delivered.
	VerdictUnknownEvent Verdict = "unknown_event"
	// VerdictRejected: refused before delivery (Reason says why): not
	// signed, stale, undecodable…
	VerdictRejected Verdict = "rejected"
	// VerdictDeliverFailed: deliver returned an error; the provider will
	// retry.
	VerdictDeliverFailed Verdict = "deliver_failed"
	// VerdictStoreFailed: the de-duplication store failed; nothing was
	// acknowledged. The one an operator must act on.
	VerdictStoreFailed Verdict = "store_failed"
)

// Pass is one notify.Reconciler pass (RunOnce).
type Pass struct {
	// Provider is the Reconciler's provider's name.
	Provider string
	// Start is when the pass began, on the Reconciler's clock.
	Start time.Time

	// The fields below are set when ReconcileEnd is called.

	// Duration is how long the pass took.
	Duration time.Duration
	// Pending is how many payments the PendingSource listed.
	Pending int
	// Journal is how many open journal entries were listed: calls whose
	// outcome nobody knew, older than the Reconciler's JournalMinAge.
	Journal int
	// Settled is how many items the pass settled; SettledJournal of them
	// were journal entries.
	Settled, SettledJournal int
	// Errors is how many errors the pass returned (sources, schedule,
	// deliveries, journal).
	Errors int
	// Complete reports that every source answered.
	Complete bool
}

// Backlog is how many listed items are still unsettled after the pass.
func (p *Pass) Backlog() int { return p.Pending + p.Journal - p.Settled }

// OpenJournal is how many listed journal entries are still open after the
// pass: calls whose outcome is still unknown.
func (p *Pass) OpenJournal() int { return p.Journal - p.SettledJournal }
