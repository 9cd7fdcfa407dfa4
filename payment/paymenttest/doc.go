// Package paymenttest provides an in-memory [payment.Provider] for unit tests
// of code that takes payments through paybridge.
//
// Application code depends on payment.Provider; its tests can hand it a
// *[Provider] from [New] instead of a real adapter. Nothing is sent over a
// network and nothing needs configuring for the common case, yet the
// Provider behaves like a real adapter talking to a real provider, because
// it is one: paybridge's engine (package payment/engine, the code every
// adapter runs) over a small driver, whose requests an in-process transport
// hands to a simulated provider's HTTP handler without opening a socket.
//
//   - Every request is validated first by the engine, so an invalid or
//     unsupported request fails before anything is "sent" and leaves no
//     [Call].
//   - The engine sends requests with payment.RetryPolicy and its backoff on
//     the injected clock, re-sending the same bytes with a fresh signature
//     on every attempt ([Provider.Calls] records the bytes).
//   - The simulated provider keeps state: idempotent payments and refunds,
//     the forward-only status table of payment.Status.CanBecome, expiry of
//     unpaid payments, refunds that never add up to more than was paid. It
//     verifies every request's signature and signs every answer.
//   - The engine decides every outcome, by the rules of docs/semantics.md
//     that hold for every adapter: S and A are success, F is a definite
//     *payment.Error (never retried), U and lost connections are retried
//     and end as payment.KindUnknownOutcome, a request that provably never
//     left ends as payment.KindUnavailable, a refusal after an attempt that
//     may have been performed is an unknown outcome, and an answer that
//     cannot be trusted (unsigned, tampered, naming another amount than the
//     request) is an unknown outcome even though the provider acted.
//     Nothing in this package decides an outcome of its own.
//
// So a test sees exactly the errors a real adapter returns, and can check
// what really happened at the provider afterwards with [Provider.Charges],
// [Provider.Orders] and Inquire.
//
// # Scripting faults
//
// [Provider.Script] queues faults for the next attempts of an operation: an F
// or U answer, an HTTP error status, a delay, a hang, a refused connection, a
// connection dropped before or after the provider acted, or an answer that
// fails verification. A typical test scripts a fault, runs the code under
// test, and asserts on the outcome and on the provider's side:
//
//	p := paymenttest.New(paymenttest.WithAutoComplete(true))
//	p.Script(payment.OpPay, paymenttest.Fault{Kind: paymenttest.FaultDropAfter})
//	// ... the code under test takes a card payment for ORDER-1 ...
//	if n := p.Charges("ORDER-1"); n != 1 {
//		t.Errorf("charged %d times, want 1", n)
//	}
//
// Retries wait between attempts as a real adapter's do. On the default system
// clock a call that meets several faults takes up to a few seconds; give the
// Provider a fake clock ([WithClock]) or short waits ([WithRetry]) to keep
// tests fast.
//
// # The customer
//
// A new payment waits (payment.StatusPending, usually with an Action) until
// the test acts as the customer: [Provider.Complete] pays it,
// [Provider.Decline] fails it and [Provider.Expire] lets it lapse. With
// [WithAutoComplete], payments that need no customer action (card, in-store
// scan) succeed at once.
//
// Provider is also the reference implementation of paybridge's conformance
// suite: the suite is tested against it, as testing/fstest is against MapFS.
package paymenttest
