package paymenttest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// FaultKind says what goes wrong with one attempt of a call.
//
// A fault only makes the simulated network or provider misbehave; what the
// call returns is decided by paybridge's engine from what it sees, as for
// every adapter (docs/semantics.md). The outcomes below are what the
// engine makes of a fault met by the last attempt of a call; a refusal
// (F) met after an attempt that may have been performed is an unknown
// outcome instead for pay, cancel and refund, since the refusal may be
// about what the earlier attempt did.
type FaultKind int

// The fault kinds.
const (
	// FaultResult: the provider answers Fault.Status and Fault.Code without
	// acting. F ends the call with that code (no retry), of the kind the
	// code has (see Provider; other codes are payment.KindFailed); U, or a
	// status the adapter does not know, is retried and ends as unknown
	// outcome;
	// S or A are a normal answer: the provider acts and the answer carries
	// that status and code.
	FaultResult FaultKind = iota + 1
	// FaultHTTPStatus: the provider answers with Fault.HTTPStatus (503 if
	// zero) without acting. 408, 429 and 5xx may come from a provider that
	// received the request, so they are retried and end as unknown outcome;
	// any other status is not an API answer and ends the call at once as
	// unknown outcome.
	FaultHTTPStatus
	// FaultDelay: the provider acts normally after Fault.Delay on the
	// clock. If the context ends first the call returns unknown outcome,
	// and the provider still acts: it has the request.
	FaultDelay
	// FaultHang: no answer until the context ends, then unknown outcome
	// wrapping the context's error. The provider did not act. Use it only
	// with a context that ends.
	FaultHang
	// FaultRefuse: the connection is refused, so the request provably never
	// left. If every attempt of a call is refused the call returns
	// payment.KindUnavailable.
	FaultRefuse
	// FaultDropBefore: the connection is lost before the provider acted.
	// The client cannot know that, so this counts as "may have been sent".
	FaultDropBefore
	// FaultDropAfter: the provider acts, then the connection is lost
	// without an answer. Retried; the retries meet the provider's
	// idempotency.
	FaultDropAfter
	// FaultNoSignature: the provider acts, and its answer is unsigned. The
	// answer is never trusted: unknown outcome, no retry.
	FaultNoSignature
	// FaultBadSignature: the provider acts, and signs its answer with a key
	// the adapter does not trust. Unknown outcome, no retry.
	FaultBadSignature
	// FaultTamperBody: the provider acts, and its answer is altered in
	// transit, so the signature does not verify. Unknown outcome, no retry.
	FaultTamperBody
	// FaultChangeAmount: the provider acts, and its correctly signed answer
	// names one minor unit more than the payment or refund it holds. Pay
	// and refund requests name an amount, so the answer contradicts them:
	// unknown outcome, no retry. Inquire, cancel and inquire-refund
	// requests name none, so there is nothing to compare with: the call
	// succeeds, with the changed amount, as with any adapter.
	FaultChangeAmount
)

var faultNames = [...]string{
	FaultResult:       "result",
	FaultHTTPStatus:   "http-status",
	FaultDelay:        "delay",
	FaultHang:         "hang",
	FaultRefuse:       "refuse",
	FaultDropBefore:   "drop-before",
	FaultDropAfter:    "drop-after",
	FaultNoSignature:  "no-signature",
	FaultBadSignature: "bad-signature",
	FaultTamperBody:   "tamper-body",
	FaultChangeAmount: "change-amount",
}

// String returns the fault kind's name, such as "drop-after".
func (k FaultKind) String() string {
	if k > 0 && int(k) < len(faultNames) {
		return faultNames[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is what one attempt of a call meets; see Provider.Script.
type Fault struct {
	// Kind says what goes wrong.
	Kind FaultKind
	// Status is the result status of a FaultResult answer: F or U, or S or
	// A for a normal answer with that status.
	Status payment.ResultStatus
	// Code is the result code of a FaultResult answer; "" means
	// "PROCESS_FAIL" for F, "UNKNOWN_EXCEPTION" for U, "SUCCESS" for S and
	// "ACCEPTED" for A.
	Code string
	// HTTPStatus is the status of a FaultHTTPStatus answer; 0 means 503.
	HTTPStatus int
	// Delay is how long a FaultDelay answer takes, on the provider's clock.
	Delay time.Duration
}

// String describes the fault, such as "result F PROCESS_FAIL" or
// "http-status 503".
func (f Fault) String() string {
	switch f.Kind {
	case FaultResult:
		return strings.TrimSpace(fmt.Sprintf("%s %s %s", f.Kind, f.Status, f.code()))
	case FaultHTTPStatus:
		return fmt.Sprintf("%s %d", f.Kind, f.httpStatus())
	case FaultDelay:
		return fmt.Sprintf("%s %s", f.Kind, f.Delay)
	}
	return f.Kind.String()
}

func (f Fault) code() string {
	if f.Code != "" {
		return f.Code
	}
	switch f.Status {
	case payment.ResultFailed:
		return codeProcessFail
	case payment.ResultUnknown:
		return codeUnknownException
	case payment.ResultSucceeded:
		return codeSuccess
	case payment.ResultAccepted:
		return codeAccepted
	}
	return ""
}

func (f Fault) httpStatus() int {
	if f.HTTPStatus == 0 {
		return http.StatusServiceUnavailable
	}
	return f.HTTPStatus
}

// Call is one request the simulated adapter sent: one attempt of a call.
type Call struct {
	// RequestID is the request's idempotency key or reference: the
	// PaymentRequestID, RefundRequestID, or the Ref as a string.
	RequestID string
	// Payload is a canonical JSON encoding of the request as sent. It is
	// identical for identical requests, and every attempt of one call sends
	// the same bytes. Card data appears only as payment.Card's MarshalJSON
	// shows it (the last four digits).
	Payload []byte
	// Fault is the scripted fault the attempt met, or nil.
	Fault *Fault
}

// Script queues faults for the next attempts of op (payment.OpPay,
// payment.OpInquire, payment.OpCancel, payment.OpRefund or
// payment.OpInquireRefund): each attempt meets the next fault, in order,
// and attempts after the queue is empty meet none. Retries are attempts too,
// so Script(payment.OpPay, Fault{Kind: FaultResult, Status: payment.ResultUnknown})
// makes the first attempt of the next pay answer U and its retry succeed.
// A request rejected by validation is never sent and consumes no fault.
//
// Script returns an error wrapping ErrBadFault, and scripts nothing, if a
// fault's Kind is none of the FaultKind constants.
func (p *Provider) Script(op string, faults ...Fault) error {
	for _, f := range faults {
		if f.Kind < FaultResult || f.Kind > FaultChangeAmount {
			return fmt.Errorf("%w: kind %s", ErrBadFault, f.Kind)
		}
	}
	p.net.script(op, faults)
	return nil
}

// ErrBadFault is wrapped by Script's error for a fault that cannot happen.
var ErrBadFault = errors.New("paymenttest: no such fault")

// Calls returns every request the simulated adapter sent for op, retries
// included, in order. The result is a copy.
func (p *Provider) Calls(op string) []Call { return p.net.callsOf(op) }

func cloneCall(c Call) Call {
	c.Payload = slices.Clone(c.Payload)
	if c.Fault != nil {
		f := *c.Fault
		c.Fault = &f
	}
	return c
}
