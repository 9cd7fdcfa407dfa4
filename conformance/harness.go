package conformance

import (
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Harness connects the suite to one adapter wired to a fresh simulated
// provider. The suite calls a HarnessMaker once per check and Close at its
// end, so checks never share state.
//
// Ops are the payment.Op names ("pay", "inquire", "cancel", "refund",
// "inquire-refund").
type Harness interface {
	// Provider returns the adapter under test. Every request it sends must
	// pass through whatever Script and Requests act on (typically a
	// FaultTransport in its HTTP client).
	Provider() payment.Provider

	// Script makes the next requests of op meet faults, one fault per
	// request the adapter sends — retries included — in order. It returns
	// ErrFaultUnsupported for a kind the harness cannot produce; the suite
	// then skips the check.
	Script(op string, faults ...Fault) error

	// Requests returns every request of op that was sent to the provider,
	// in order.
	Requests(op string) []Request

	// Complete pays a pending payment as the customer would; Decline refuses
	// it; Expire makes it time out as the provider's clock would.
	Complete(paymentID string) error
	Decline(paymentID string) error
	Expire(paymentID string) error

	// Charges returns how many times the provider took money under the
	// payment request ID. The suite requires at most one, always.
	Charges(paymentRequestID string) int

	// Close releases the simulated provider.
	Close()
}

// HarnessMaker returns a new Harness for one check. The options carry what
// the suite needs the adapter to use: its logger, its retry policy and its
// clock (share the clock with the simulator, so that request times stay
// within the provider's window).
type HarnessMaker func(t *testing.T, opts Options) Harness

// Options is what the suite asks of every adapter a harness builds.
type Options struct {
	// Logger must be the adapter's logger: the suite reads everything it
	// writes, at debug level, to check that no secret leaks.
	Logger *slog.Logger
	// Retry must be the adapter's retry policy: the suite keeps waits short.
	Retry payment.RetryPolicy
	// Clock must be the adapter's clock (and, ideally, the simulator's).
	Clock payment.Clock
}

// Request is one request the provider received.
type Request struct {
	Header http.Header
	Body   []byte
}

// ErrFaultUnsupported is returned by Harness.Script for a fault the harness
// cannot produce.
var ErrFaultUnsupported = errors.New("conformance: fault not supported by this harness")

// FaultKind names what goes wrong.
type FaultKind int

// The fault kinds. Those marked "transport" need no provider knowledge and
// are produced by FaultTransport itself; the others need the simulator.
const (
	// FaultResult: the provider answers Fault.Status with Fault.Code and does
	// not act. An empty Code means the provider's ordinary code for the status.
	FaultResult FaultKind = iota + 1
	// FaultHTTPStatus (transport): an HTTP error status, the provider did not act.
	FaultHTTPStatus
	// FaultDelay (transport): the answer comes after Fault.Delay (real time).
	FaultDelay
	// FaultHang (transport): no answer until the client gives up.
	FaultHang
	// FaultRefuse (transport): the connection is refused; provably not sent.
	FaultRefuse
	// FaultDropBefore (transport): the connection fails before the request
	// reaches the provider, in a way the client cannot tell from a loss after.
	FaultDropBefore
	// FaultDropAfter (transport): the provider acts, then the answer is lost.
	FaultDropAfter
	// FaultTamperBody (transport): the provider acts; its answer is altered
	// in transit, so its signature no longer verifies.
	FaultTamperBody
	// FaultNoSignature: the provider acts; its answer carries no signature.
	FaultNoSignature
	// FaultBadSignature: the provider acts; its answer's signature is wrong.
	FaultBadSignature
	// FaultChangeAmount: the provider acts; its (correctly signed) answer
	// names a different amount than the request.
	FaultChangeAmount
)

var faultNames = map[FaultKind]string{
	FaultResult: "result", FaultHTTPStatus: "http status", FaultDelay: "delay", FaultHang: "hang",
	FaultRefuse: "connection refused", FaultDropBefore: "dropped before", FaultDropAfter: "dropped after",
	FaultTamperBody: "tampered body", FaultNoSignature: "no signature", FaultBadSignature: "bad signature",
	FaultChangeAmount: "changed amount",
}

func (k FaultKind) String() string {
	if s, ok := faultNames[k]; ok {
		return s
	}
	return "unknown fault"
}

// Transport reports whether FaultTransport produces this kind by itself.
func (k FaultKind) Transport() bool {
	switch k {
	case FaultHTTPStatus, FaultDelay, FaultHang, FaultRefuse, FaultDropBefore, FaultDropAfter, FaultTamperBody:
		return true
	}
	return false
}

// Fault is one thing that goes wrong with one request.
type Fault struct {
	Kind FaultKind
	// Status and Code, for FaultResult.
	Status payment.ResultStatus
	Code   string
	// HTTPStatus and RetryAfter, for FaultHTTPStatus.
	HTTPStatus int
	RetryAfter string
	// Delay, for FaultDelay.
	Delay time.Duration
}

// Repeat returns n copies of f, for scripting every attempt of a call.
func Repeat(f Fault, n int) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// Ledger may be implemented by a Harness to let the suite compare what the
// adapter reported with the simulated provider's books. The model-based
// check (random fault sequences) needs it and is skipped without it.
type Ledger interface {
	// PaymentStatus returns the status the provider holds for the payment
	// created under paymentRequestID, in neutral terms, and false if the
	// provider holds none.
	PaymentStatus(paymentRequestID string) (payment.Status, bool)
	// RefundCount returns how many times money was refunded under
	// refundRequestID: 0 or 1, always.
	RefundCount(refundRequestID string) int
}
