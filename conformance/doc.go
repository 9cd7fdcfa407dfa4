// Package conformance is the suite every paybridge adapter must pass: it
// proves, against a simulated provider, that the adapter keeps the outcome
// semantics of package payment — S/A are successes, F is a failure sent once,
// U and lost answers are retried with the same request and end as unknown
// outcomes, never as failures; nothing unsigned or contradicting the request
// is trusted; the same request ID never charges twice, also under
// concurrency; invalid requests never leave the process; secrets never reach
// a log line or an error.
//
// An adapter's whole conformance test is one line:
//
//	func TestConformance(t *testing.T) { conformance.Run(t, newHarness) }
//
// where newHarness is a HarnessMaker: it builds the adapter wired to a fresh
// simulator and a FaultTransport, and exposes the simulator's customer
// controls. docs/writing-an-adapter.md walks through one.
//
// Beyond single faults on each of the five operations, the suite scripts
// sequences of faults across the attempts of one call, and, where the
// harness offers the provider's books (Ledger), runs a seeded model-based
// check: random operations meeting random fault scripts, every report
// compared with the books. Seeds 1 to DefaultModelSeeds run by default;
// PAYBRIDGE_CONFORMANCE_SEEDS=N (or -conformance.seeds=N) runs more, and
// PAYBRIDGE_CONFORMANCE_SEED=S (or -conformance.seed=S) replays the seed a
// failure names.
//
// The suite is checked against payment/paymenttest, the in-memory reference
// provider, and against deliberately broken adapters, which it must fail.
package conformance
