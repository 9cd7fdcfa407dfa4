// Package driver defines the contract between paybridge's portable layer
// and a provider adapter. Application code should use package payment (the
// Provider interface) and an adapter's New; this package is for adapter
// authors.
//
// A driver is a codec plus an envelope. For each operation it encodes the
// neutral request into a path and body bytes, and decodes one trusted answer
// into a neutral value plus a Verdict: what the provider's result says, in
// neutral terms. The envelope signs each attempt and verifies each answer.
//
// Everything else happens once, in package engine, for every driver:
// validation against Capabilities, the attempt loop (identical bytes, a fresh
// signature per attempt, backoff), the bookkeeping of whether any attempt may
// have been performed, the outcome table that turns the attempts' verdicts
// into a result or a *payment.Error, cross-checks of every answer against its
// request (IDs, amount, currency), error wrapping and logging. A driver never
// sees a retry and never returns a final verdict on its own: it cannot make a
// maybe-performed call look failed, because it is never asked.
package driver

import (
	"net/http"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Driver is implemented by a provider adapter. Its methods must be safe for
// concurrent use and must not do I/O: the engine does all sending.
//
// The Decode methods are called once per trusted answer (HTTP 200 whose
// envelope verified). They return the value the answer describes, as far as
// the answer describes it, and the Verdict. They must not fill in anything
// the answer does not say (an amount, a request ID) from the request: the
// engine cross-checks what the answer says against the request, and fills in
// the rest itself. A Decode error means the answer could not be read (not
// JSON, an unknown status value); the engine then treats the attempt like a
// lost answer.
type Driver interface {
	// Name is the provider's name, such as "alphapay".
	Name() string
	// Capabilities says what the provider supports. The engine rejects a
	// request outside it before calling any Encode method.
	Capabilities() payment.Capabilities
	// Envelope signs attempts and verifies answers.
	Envelope() Envelope

	// CheckPay returns the problems of req that only this provider has
	// (its own field limits, a ProviderOptions value of another provider),
	// beyond what payment.ValidatePay checks against Capabilities. Nil when
	// there are none. It must not modify req.
	CheckPay(req *payment.PayRequest) []payment.FieldError
	// EncodePay returns the request that creates the payment. It is called
	// once per call: its bytes are sent unchanged on every attempt.
	EncodePay(req *payment.PayRequest) (Request, error)
	// DecodePay reads a pay answer. For Done it returns the payment with
	// PaymentID, the Status the answer implies and, for a pending payment,
	// the Action; Status may be left empty when the answer does not say
	// where the payment is (a repeat acknowledged without details): the
	// engine then inquires.
	DecodePay(req *payment.PayRequest, a *Answer) (*payment.Payment, Verdict, error)

	// EncodeInquire and DecodeInquire read a payment's state. For Done the
	// payment must carry PaymentID and Status.
	EncodeInquire(ref payment.Ref) (Request, error)
	DecodeInquire(ref payment.Ref, a *Answer) (*payment.Payment, Verdict, error)

	// EncodeCancel and DecodeCancel close a payment. For Done the payment's
	// Status must be payment.StatusCancelled.
	EncodeCancel(ref payment.Ref) (Request, error)
	DecodeCancel(ref payment.Ref, a *Answer) (*payment.Payment, Verdict, error)

	// CheckRefund is CheckPay for refunds.
	CheckRefund(req *payment.RefundRequest) []payment.FieldError
	// EncodeRefund and DecodeRefund refund a payment. For Done the refund
	// must carry RefundID and Status.
	EncodeRefund(req *payment.RefundRequest) (Request, error)
	DecodeRefund(req *payment.RefundRequest, a *Answer) (*payment.Refund, Verdict, error)

	// EncodeInquireRefund and DecodeInquireRefund read a refund's state.
	EncodeInquireRefund(ref payment.RefundRef) (Request, error)
	DecodeInquireRefund(ref payment.RefundRef, a *Answer) (*payment.Refund, Verdict, error)
}

// TraceIDer is implemented by a driver whose provider names each answer
// with an ID of its own — a trace or request ID header its support staff
// can look up. It is optional: neither AlphaPay nor Alipay+ documents such
// a header, so their drivers do not implement it.
//
// The engine calls TraceID with the headers of every HTTP answer, whatever
// its status and whether or not it verified (an error page's ID helps
// support too), and puts the last non-empty result on the call's
// *payment.Error (ProviderRequestID) and in its observations
// (package observe). It must return the header's value, or "", and
// nothing secret; the engine drops a value that is not 1 to 64 printable
// ASCII characters without spaces.
type TraceIDer interface {
	TraceID(h http.Header) string
}

// Envelope is a protocol's authentication: how an attempt is signed and how
// an answer is verified.
type Envelope interface {
	// Sign sets the headers that authenticate one attempt (time, nonce,
	// signature) on h, for the request URI and body bytes. The engine calls
	// it for every attempt with a fresh now, over identical bytes. An error
	// ends the call before anything is sent.
	Sign(h http.Header, uri string, body []byte, now time.Time) error
	// Verify returns nil if an HTTP 200 answer to a request posted to uri
	// comes from the provider. Any error means the answer is not trusted:
	// the engine ends the call with an unknown outcome, whatever the
	// answer says. An envelope must never trust an unsigned answer.
	Verify(uri string, h http.Header, body []byte) error
}

// Request is one encoded call.
type Request struct {
	// Path is appended to the base URL's path, such as
	// "/api/v2.0/payments/pay".
	Path string
	// Body is sent byte for byte on every attempt.
	Body []byte
}

// Answer is a provider's HTTP 200 answer, verified by the envelope.
type Answer struct {
	// URI is the request URI that was posted to (and signed).
	URI string
	// Header and Body are the answer's, as received.
	Header http.Header
	Body   []byte
}

// Outcome classifies one answer's result.
type Outcome uint8

// The outcomes of one answer.
const (
	// Done: the provider did what was asked (S; A; or a provider-specific
	// result that means the operation stands, such as AlphaPay's U
	// PAYMENT_IN_PROCESS with a paymentId on pay). The decoded value is the
	// answer.
	Done Outcome = iota + 1
	// Pending: the provider has not settled the request (U: unknown, in
	// process, traffic limits). The same request may be sent again.
	Pending
	// Refused: the provider refused the request (F). Verdict.Reason says
	// what the refusal means.
	Refused
)

var outcomeNames = [...]string{Done: "done", Pending: "pending", Refused: "refused"}

// String returns the outcome's name.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && outcomeNames[o] != "" {
		return outcomeNames[o]
	}
	return "invalid outcome"
}

// Reason says what a refusal means, in neutral terms. A driver maps its
// provider's F codes onto reasons (a table per driver); the engine maps
// reasons onto error kinds (one table for every driver, in docs/semantics.md),
// so the same situation is the same kind on every provider.
type Reason uint8

// The reasons for a refusal.
const (
	// Declined: the provider refused for a reason of its own (risk, balance,
	// limits, a closed order, credentials). Kind failed.
	Declined Reason = iota
	// NotFound: the payment or refund does not exist. Kind not found.
	NotFound
	// Conflict: the request ID was used before with other content. Kind
	// idempotency conflict.
	Conflict
	// Invalid: the provider rejected the request's content (a parameter,
	// the method, a payment code). Kind invalid request.
	Invalid
	// Unsupported: the provider does not offer this currency, method or
	// operation to this merchant. Kind unsupported.
	Unsupported
	// OverRefund: the refund exceeds what is left to refund. Kind failed.
	OverRefund
	// WrongState: the payment is not in a state that allows the operation
	// (cancelling a paid order, refunding an unpaid one, paying a closed
	// one). Kind failed.
	WrongState
)

var reasonNames = [...]string{
	Declined: "declined", NotFound: "not found", Conflict: "conflict", Invalid: "invalid",
	Unsupported: "unsupported", OverRefund: "over-refund", WrongState: "wrong state",
}

// String returns the reason's name.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "invalid reason"
}

// Verdict is a driver's reading of one answer's result.
type Verdict struct {
	// Result is the provider's result object as sent: status, code,
	// message. It is kept on payments and errors for support staff.
	Result payment.Result
	// Outcome classifies it.
	Outcome Outcome
	// Reason says what a Refused outcome means.
	Reason Reason
}

// Classify is the default reading of a result status: S and A are Done, U
// is Pending, F is Refused with the reason reasons gives the code (Declined
// for codes it does not list), anything else is Pending (an answer nobody
// can read leaves the question open). Drivers call it after handling their
// provider's exceptions.
func Classify(r payment.Result, reasons map[string]Reason) Verdict {
	v := Verdict{Result: r}
	switch r.Status {
	case payment.ResultSucceeded, payment.ResultAccepted:
		v.Outcome = Done
	case payment.ResultFailed:
		v.Outcome = Refused
		v.Reason = reasons[r.Code]
	default:
		v.Outcome = Pending
	}
	return v
}
