// Package payment is paybridge's provider-neutral payment API: the portable
// layer that application code programs against, whatever wallet is behind it.
//
// A [Provider] takes payments ([Provider.Pay]), tells where they are
// ([Provider.Inquire]), cancels and refunds them. Adapters for real providers
// live in paybridge/providers/...; this package holds what is the same for all
// of them: the request and result types, the status rules, the single error
// type, request validation, the retry policy and the helpers that settle
// unknown outcomes ([Resolve], [AwaitFinal]).
//
// # Outcomes: S, F, U (and A)
//
// Every provider answer carries a result status. paybridge maps it the same
// way for every provider, because mis-reading "unknown" as "failed" loses
// money (the customer paid, the merchant thinks not) and mis-reading it as
// "succeeded" ships goods unpaid:
//
//	provider answer                                  what the call returns
//	-----------------------------------------------  ---------------------------------------------
//	S, or A (accepted), or a pay answered "in        success; Payment.Status says where the payment
//	process" with a payment ID                       is (often StatusPending plus an Action)
//	F (failed)                                       *Error of kind KindFailed, or a more precise
//	                                                 kind (KindIdempotencyConflict, KindNotFound,
//	                                                 KindUnsupported, KindInvalidRequest), with the
//	                                                 provider's code; never retried with that ID
//	U (unknown), after the retries are spent         *Error of kind KindUnknownOutcome
//	no answer, and the request may have left         *Error of kind KindUnknownOutcome
//	(timeout, reset, 5xx, 408, 429)
//	no answer, and the request provably never        *Error of kind KindUnavailable: nothing
//	left (connection refused, DNS failure)           happened, a new attempt is safe
//	an answer whose signature is missing or wrong,   *Error of kind KindUnknownOutcome: it is
//	or whose amount or currency differ from the      never trusted, but the provider may have
//	request                                          acted
//	invalid input                                    *Error of kind KindInvalidRequest, before any
//	                                                 byte is sent
//
// Unknown is never reported as success or failure. An unknown pay is settled
// with [Resolve], which finds out what the provider did, re-sending the same
// request ID so that nothing is charged twice; a pending payment is followed to
// its end with [AwaitFinal].
//
// # Idempotency
//
// PayRequest.PaymentRequestID and RefundRequest.RefundRequestID are
// idempotency keys. The same key with the same content returns the same
// payment or refund, and the provider records one charge; the same key with
// different content is an error of kind KindIdempotencyConflict. Retries
// inside a call always re-send the same key and the same body bytes.
//
// # Statuses only move forward
//
// A payment's [Status] moves along a fixed table ([Status.CanBecome]):
// Pending may become Authorized, Succeeded, Failed or Cancelled; Authorized
// may become Succeeded or Cancelled; Succeeded may become PartiallyRefunded,
// Refunded or Cancelled; PartiallyRefunded may become PartiallyRefunded or
// Refunded; Failed, Cancelled and Refunded are final. A status reachable
// through several steps is a forward move too: pending may become
// partially_refunded when the success notification was missed. Notifications
// and inquiries arrive in any order, so state is merged through that table
// and an update that would move a payment backwards is ignored.
//
// # Errors
//
// Every error from a Provider is a *[Error]. Match its kind with errors.Is
// against the sentinels ([ErrInvalidRequest], [ErrUnsupported], [ErrFailed],
// [ErrIdempotencyConflict], [ErrNotFound], [ErrUnknownOutcome],
// [ErrUnavailable]) and read its details with errors.As. Error strings never
// contain secrets: no keys, card numbers, CVVs or signatures.
//
// # Secrets in logs
//
// A [PayRequest] (its payment code), a [Card] and every adapter type that
// holds a key or a user's credential can be logged as they are: fmt, log/slog
// and encoding/json show their secrets only as [Redact] does, or, for a
// card, as its last four digits.
package payment
