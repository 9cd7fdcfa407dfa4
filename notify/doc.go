// Package notify receives provider notifications (webhooks): an
// http.Handler that verifies them, drops duplicates, hands each event to the
// platform exactly once and acknowledges it only when the platform took it —
// plus a Reconciler that settles payments whose notification never came and
// calls a crash cut off.
//
// Providers push a notification when a payment or refund reaches a state,
// retry it until acknowledged, and may deliver it several times and out of
// order. The Handler therefore:
//
//  1. reads at most MaxBytes of the body (413 beyond);
//  2. verifies the provider's signature over the raw bytes and the URI the
//     provider posted to — its path and query, or its path alone, since
//     providers differ — (WithPublicURI behind a path-rewriting proxy);
//  3. checks the signed timestamp against a window both ways (±5 minutes);
//  4. parses the body into a neutral payment.Event with a stable Key;
//  5. claims the Key in a Store, so that a duplicate — even one arriving at
//     the same moment, at another instance sharing the store — is not
//     delivered twice; the claim's Token lets only its holder complete or
//     release it;
//  6. calls deliver, and writes the provider's exact acknowledgement only if
//     deliver returned nil and the store recorded the key as done;
//     otherwise it releases the claim and answers an error, so the
//     provider retries later. A store error is never acknowledged.
//
// NewMemoryStore serves one instance. Several instances share a store on
// Redis (package notify/redisstore) or PostgreSQL (notify/pgstore); package
// notify/storetest checks any Store against the contract.
//
// The Reconciler inquires the payments the platform still waits on and, with
// a journal (package journal), settles the pays, cancels and refunds whose
// outcome a crash or an outage left unknown; it delivers what it finds
// through the same Store. Its Schedule — in memory, or shared on Redis or
// PostgreSQL — spaces the tries of each item and leases it to one instance
// at a time.
//
// Every rejection is a distinct error (ErrBadSignature, ErrBadTimestamp,
// ErrStale, ErrFuture, ErrUndecodable, ErrUnknownEvent, ErrTooLarge, …)
// reported to the WithObserver callback and logged; deliver never sees a
// rejected notification. WithTelemetry and Reconciler.Observer report every
// notification's verdict and every pass's backlog to an observe.Observer
// (observe/otelpaybridge: OpenTelemetry spans and metrics).
//
// A provider adapter is a notification Source: it knows its provider's
// signature, body and acknowledgement; the Handler has no provider-specific
// code.
package notify
