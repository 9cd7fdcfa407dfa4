package payment

import (
	"encoding/json"
	"fmt"
	"log/slog"
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
	Amount money.Amount `json:",omitzero"`
	// Refunded is how much of it has been refunded, when the provider
	// reports it; zero otherwise. Amounts are left out of a value's JSON
	// form while zero (omitzero): the zero Amount has no JSON form, and a
	// Payment without refunds must still encode.
	Refunded money.Amount `json:",omitzero"`
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
	// CardToken is the token of the card a credit card payment was made
	// with, where the provider returns one (AlphaPay's card.cardId): pass it
	// as Card.Token on a later PayRequest to charge the same saved card
	// again. It is secret and redacts itself in logs; see CardToken.
	CardToken CardToken `json:",omitempty"`
	// Result is the provider's raw result for the call that produced this
	// value.
	Result Result
}

// CardToken is a saved card's token at the provider. Whoever holds it can
// charge the card through the merchant's account, so it is a secret: fmt's
// verbs, log/slog and encoding/json show at most its last four characters
// ("****9f3a"), and "[none]" when it is empty, like Card shows a card number.
// These renderings are for logs and cannot be read back: read the token
// itself with string(t).
type CardToken string

// String shows the token without the token: "[none]", "****" and its last
// four characters for a token of at least 12 printable ASCII characters,
// "[redacted]" for anything shorter or stranger (a short token would be
// mostly shown, a control character could forge a log line).
func (t CardToken) String() string {
	if t == "" {
		return Redact("")
	}
	if len(t) < 12 {
		return Redact(string(t))
	}
	last4 := string(t[len(t)-4:])
	for i := 0; i < len(last4); i++ {
		if last4[i] <= ' ' || last4[i] > '~' {
			return Redact(string(t))
		}
	}
	return "****" + last4
}

// GoString is String, so %#v does not print the token.
func (t CardToken) GoString() string { return t.String() }

// Format makes every fmt verb print String.
func (t CardToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue makes log/slog print String.
func (t CardToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MarshalJSON writes String as a JSON string.
func (t CardToken) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON reads CardToken's JSON form, which never carries the token,
// as the empty token: a Payment stored as JSON and read back has no token
// rather than the redacted text, which must never be sent as one. Keep a
// token to charge again in a store of its own (encrypted at rest).
func (t *CardToken) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*t = ""
	return nil
}

// paymentFields has Payment's fields and none of its methods, so that
// Format can print them as fmt would.
type paymentFields Payment

// Format prints p as fmt would print its fields for the same verb. The
// CardToken field redacts itself; this method exists because fmt ignores a
// field's methods when it reports a verb that does not fit a struct (%s of
// a *Payment inside another struct), and would then print the token.
func (p Payment) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), paymentFields(p))
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
	Amount money.Amount `json:",omitzero"`
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
