package payment

import (
	"time"

	"github.com/paybridge/paybridge/money"
)

// Payment is a payment as the provider last reported it.
type Payment struct {
	// Provider is the name of the provider that holds the payment.
	Provider string
	// PaymentRequestID is the merchant's idempotency key.
	PaymentRequestID string
	// PaymentID is the provider's ID for the payment.
	PaymentID string
	// Status is where the payment is.
	Status Status
	// Amount is the payment's amount.
	Amount money.Amount
	// Refunded is how much of it has been refunded, when the provider
	// reports it; zero otherwise.
	Refunded money.Amount
	// Scenario is how the customer pays, when known.
	Scenario Scenario
	// Method is the wallet used, when known.
	Method Method
	// Action is what the merchant does next for a pending payment: show a
	// QR code, redirect, or invoke a wallet SDK. Nil when nothing is needed.
	Action *Action
	// CreatedAt, ExpiresAt, PaidAt and CancelledAt are the provider's
	// timestamps; zero when unknown.
	CreatedAt   time.Time
	ExpiresAt   time.Time
	PaidAt      time.Time
	CancelledAt time.Time
	// FailureReason is the provider's reason for a failed payment.
	FailureReason string
	// Result is the provider's raw result for the call that produced this
	// value.
	Result Result
}

// Ref returns the payment's reference.
func (p *Payment) Ref() Ref { return Ref{PaymentID: p.PaymentID, PaymentRequestID: p.PaymentRequestID} }

// ActionKind names what the merchant must do next.
type ActionKind string

// The action kinds.
const (
	// ActionNone: nothing; wait for the payment to finish (card, in-store scan).
	ActionNone ActionKind = "none"
	// ActionShowQR: show Action.QRCode (as text or Action.QRImage) for the
	// customer to scan.
	ActionShowQR ActionKind = "show_qr"
	// ActionRedirect: send the customer's browser to Action.URL with
	// Action.HTTPMethod.
	ActionRedirect ActionKind = "redirect"
	// ActionInvokeSDK: hand Action.SDKParams to the wallet's SDK, JS bridge
	// or mini program API.
	ActionInvokeSDK ActionKind = "invoke_sdk"
)

// Action is what the merchant does next for a pending payment.
type Action struct {
	Kind ActionKind
	// QRCode is the content to encode in a QR code (ActionShowQR).
	QRCode string
	// QRImage is a ready PNG image of the QR code as a data URI
	// ("data:image/png;base64,..."), usable as an <img src>.
	QRImage string
	// URL is the page to open: the redirect target (ActionRedirect), or a
	// page that shows the QR code or the cashier, where the provider gives one.
	URL string
	// HTTPMethod is the method for the redirect, "GET" unless the provider
	// asks for "POST".
	HTTPMethod string
	// SDKParams are the parameters for the wallet SDK (ActionInvokeSDK),
	// values as the provider sent them (non-string values as JSON text).
	SDKParams map[string]string
}

// Refund is a refund as the provider last reported it.
type Refund struct {
	// Provider is the name of the provider that holds the refund.
	Provider string
	// RefundRequestID is the merchant's idempotency key.
	RefundRequestID string
	// RefundID is the provider's ID for the refund.
	RefundID string
	// PaymentID is the provider's ID of the refunded payment.
	PaymentID string
	// Status is where the refund is.
	Status RefundStatus
	// Amount is the refunded amount.
	Amount money.Amount
	// Reason is the merchant's reason, as sent.
	Reason string
	// CreatedAt and CompletedAt are the provider's timestamps; zero when
	// unknown.
	CreatedAt   time.Time
	CompletedAt time.Time
	// FailureReason is the provider's reason for a failed refund.
	FailureReason string
	// Result is the provider's raw result for the call that produced this
	// value.
	Result Result
}
