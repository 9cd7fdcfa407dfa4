package payment

import "context"

// Provider is a payment provider behind the neutral API. Adapters in
// paybridge/providers/... implement it; application code depends only on it.
//
// Every method that returns an error returns a *Error. Implementations must
// be safe for concurrent use.
type Provider interface {
	// Name is the provider's name, such as "alphapay". It appears in
	// payments, events and errors.
	Name() string
	// Capabilities says what the provider supports. Requests outside it
	// fail locally with KindUnsupported.
	Capabilities() Capabilities
	// Pay creates a payment, or returns the existing one for a repeated
	// PaymentRequestID with the same content.
	Pay(ctx context.Context, req *PayRequest) (*Payment, error)
	// Inquire returns the payment's current state.
	Inquire(ctx context.Context, ref Ref) (*Payment, error)
	// Cancel closes an unpaid payment (or, where the provider allows,
	// reverses a paid one in full) and returns its new state.
	Cancel(ctx context.Context, ref Ref) (*Payment, error)
	// Refund refunds part or all of a paid payment, or returns the existing
	// refund for a repeated RefundRequestID with the same amount.
	Refund(ctx context.Context, req *RefundRequest) (*Refund, error)
	// InquireRefund returns the refund's current state.
	InquireRefund(ctx context.Context, ref RefundRef) (*Refund, error)
}
