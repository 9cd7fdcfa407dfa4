package payment

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind classifies an [Error]. Each kind is also an error value, so a caller
// matches a kind with errors.Is(err, payment.ErrUnknownOutcome).
type Kind uint8

// The kinds of [Error]. The zero Kind is not a valid kind.
const (
	// KindInvalidRequest: the request was rejected before anything was sent,
	// or the provider rejected its content. Fix the request; nothing happened.
	KindInvalidRequest Kind = iota + 1
	// KindUnsupported: the provider does not offer this scenario, method,
	// currency or operation. Nothing was sent.
	KindUnsupported
	// KindFailed: the provider answered F. The operation did not happen and
	// will not happen under this request ID.
	KindFailed
	// KindIdempotencyConflict: the request ID was used before with different
	// content. Nothing new happened; the earlier request stands.
	KindIdempotencyConflict
	// KindNotFound: the provider does not know the payment or refund.
	KindNotFound
	// KindUnknownOutcome: the provider may or may not have acted. Never treat
	// this as failure; settle it with Resolve or an inquiry.
	KindUnknownOutcome
	// KindUnavailable: the request provably never reached the provider (for
	// example, the connection was refused). Nothing happened.
	KindUnavailable
)

// The sentinels matched by errors.Is. They are the Kind values themselves.
var (
	ErrInvalidRequest      error = KindInvalidRequest
	ErrUnsupported         error = KindUnsupported
	ErrFailed              error = KindFailed
	ErrIdempotencyConflict error = KindIdempotencyConflict
	ErrNotFound            error = KindNotFound
	ErrUnknownOutcome      error = KindUnknownOutcome
	ErrUnavailable         error = KindUnavailable
)

var kindNames = [...]string{
	KindInvalidRequest:      "invalid request",
	KindUnsupported:         "unsupported",
	KindFailed:              "failed",
	KindIdempotencyConflict: "idempotency conflict",
	KindNotFound:            "not found",
	KindUnknownOutcome:      "unknown outcome",
	KindUnavailable:         "unavailable",
}

// String returns the kind's name, such as "unknown outcome".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid kind"
}

// Error makes a Kind usable as a sentinel error.
func (k Kind) Error() string { return "payment: " + k.String() }

// Error is the one error type every Provider returns.
//
// Its message has the form "provider: op request-id: kind: CODE (F) message:
// cause (HTTP status, provider request ID id)", for example
// "alphapay: pay ORDER-1: unknown outcome: UNKNOWN_EXCEPTION (U): ...". The
// part in parentheses shows HTTPStatus unless it is 0 or 200, and
// ProviderRequestID if set; it is left out when there is neither. The
// message never contains keys, card data or signatures.
type Error struct {
	// Op is the operation: "pay", "inquire", "cancel", "refund",
	// "inquire-refund", or an adapter-specific name.
	Op string
	// Provider is the provider's name, such as "alphapay".
	Provider string
	// Kind classifies the error; see the Kind constants.
	Kind Kind
	// RequestID is the idempotency key or reference the call was about:
	// the PaymentRequestID, RefundRequestID or PaymentID, as the caller gave
	// it. Error shows it quoted and shortened if it is not short printable
	// ASCII, so a malformed ID cannot forge log lines.
	RequestID string
	// Result is the provider's answer, when there was a trusted one. Its zero
	// value means the provider gave no usable answer.
	Result Result
	// Err is the underlying cause, if any (a *ValidationError, a network
	// error, a signature error, ...). It is returned by Unwrap.
	Err error
	// HTTPStatus is the HTTP status of the last answer the call got, 200
	// for an API answer; 0 when the last attempt got no answer or nothing
	// was sent.
	HTTPStatus int
	// ProviderRequestID is the provider's own ID of the last answer that
	// carried one (a trace or request ID header): what the provider's
	// support asks for. Empty when the provider sent none; see the adapter's
	// documentation for whether it sends one.
	ProviderRequestID string
}

// Error formats the error without any secret.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Provider != "" {
		b.WriteString(e.Provider)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		if e.RequestID != "" {
			b.WriteByte(' ')
			b.WriteString(safeID(e.RequestID))
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.Result.Code != "" || e.Result.Status != "" {
		b.WriteString(": ")
		b.WriteString(e.Result.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	showStatus := e.HTTPStatus != 0 && e.HTTPStatus != 200
	if showStatus || e.ProviderRequestID != "" {
		b.WriteString(" (")
		if showStatus {
			b.WriteString("HTTP ")
			b.WriteString(strconv.Itoa(e.HTTPStatus))
			if e.ProviderRequestID != "" {
				b.WriteString(", ")
			}
		}
		if e.ProviderRequestID != "" {
			b.WriteString("provider request ID ")
			b.WriteString(safeID(e.ProviderRequestID))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// safeID keeps a malformed request ID from carrying control characters or a
// whole paragraph into error strings and logs: an ID that is not at most 64
// printable ASCII characters without spaces is shown Go-quoted (every
// control, separator and invalid byte escaped) and cut to 64 bytes.
func safeID(id string) string {
	cut := len(id) > 64
	if cut {
		id = id[:64]
	}
	if strings.IndexFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 || cut {
		id = fmt.Sprintf("%q", id)
	}
	if cut {
		id += "..."
	}
	return id
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's kind, so that
// errors.Is(err, payment.ErrFailed) works through any wrapping.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// KindOf returns the kind of the first *Error in err's chain, or 0 if there
// is none.
func KindOf(err error) Kind {
	for err != nil {
		if pe, ok := err.(*Error); ok {
			return pe.Kind
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return 0
		}
		err = u.Unwrap()
	}
	return 0
}

// FieldError names one bad field of a request and what is wrong with it.
type FieldError struct {
	// Field is the field's path as a Go programmer writes it, such as
	// "Amount" or "Customer.PayerID".
	Field string
	// Problem says what is wrong, such as "is required".
	Problem string
}

// String returns "Field Problem".
func (f FieldError) String() string { return f.Field + " " + f.Problem }

// ValidationError lists every bad field of a rejected request. It is the
// cause (Err) of an *Error of kind KindInvalidRequest or KindUnsupported.
type ValidationError struct {
	Fields []FieldError
}

// Error lists the fields, for example
// "Amount is required; Customer.PayerID is required for scenario mini_program".
func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}

// Has reports whether field is among the bad fields.
func (v *ValidationError) Has(field string) bool {
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
