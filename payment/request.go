package payment

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/paybridge/paybridge/money"
)

// PayRequest asks a provider to create a payment.
//
// PaymentRequestID is the idempotency key: re-sending the same request with
// the same ID returns the same payment and charges once; the same ID with a
// different amount, currency or scenario is an error of kind
// KindIdempotencyConflict. Use a new ID for every new purchase attempt.
//
// A PayRequest can be logged: its Format and MarshalJSON show it as usual
// except for its secrets — PaymentCode as Redact shows it, Card as Card
// shows itself, ProviderOptions as the adapter's type shows itself — so it
// never leaks through fmt, log/slog or encoding/json.
type PayRequest struct {
	// PaymentRequestID is the merchant's unique ID for this payment attempt
	// (1 to 64 printable ASCII characters, no spaces).
	PaymentRequestID string `validate:"required,max=64,reqid"`
	// Scenario says how the customer pays.
	Scenario Scenario `validate:"required,scenario"`
	// Amount is what the customer pays; positive.
	Amount money.Amount `json:",omitzero"`
	// Description is shown to the customer (AlphaPay allows 128 characters,
	// Alipay+ 256; the adapter checks its own limit). Like every free-text
	// field it must be valid UTF-8 without control characters; tab and
	// newline are refused too, because wallets show the description on one
	// line and a newline in a value lets it forge lines in logs.
	Description string `validate:"max=256,text"`
	// Method chooses the wallet for providers that serve several: one of
	// the provider's Capabilities().Methods (a well-known Method constant
	// or a method of the provider's own).
	Method Method `validate:"omitempty,method"`
	// NotifyURL receives the provider's notifications for this payment.
	NotifyURL string `validate:"omitempty,max=1024,text,absurl"`
	// RedirectURL is where the customer returns after paying.
	RedirectURL string `validate:"omitempty,max=1024,text,absurl"`
	// ExpiresAt, if set, asks the provider to close the payment at that time
	// if it is still unpaid (where the provider supports it).
	ExpiresAt time.Time

	// Customer identifies the payer inside the wallet (mini program and
	// native JSAPI scenarios).
	Customer *Customer
	// Device describes the customer's terminal (app scenario, cashier env).
	Device *Device
	// PaymentCode is the code scanned from the customer's wallet
	// (in-store scan scenario). It is secret: whoever holds it can charge
	// the customer until it expires.
	PaymentCode string `validate:"omitempty,digits,max=64"`
	// Card holds card details or a saved-card token (credit card scenario).
	// Card data is secret; see Card.
	Card *Card
	// Order describes the order for the provider's records (Alipay+ order).
	Order *Order

	// ProviderOptions carries provider-only fields as a typed value defined
	// by the adapter (for example alipayplus.PayOptions). An adapter rejects
	// options of another provider's type.
	ProviderOptions ProviderOptions
}

// redactedPayRequest has PayRequest's fields and none of its methods, so fmt
// and encoding/json render a redacted copy field by field, as they would
// render a PayRequest without Format and MarshalJSON.
type redactedPayRequest PayRequest

// redacted returns a copy of r whose secrets are replaced by what may be
// shown of them. Card and ProviderOptions redact themselves.
func (r PayRequest) redacted() redactedPayRequest {
	r.PaymentCode = Redact(r.PaymentCode)
	return redactedPayRequest(r)
}

// Format prints r as fmt would print its fields for the same verb, with the
// payment code redacted. (A value receiver, so *PayRequest is covered too.)
func (r PayRequest) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), r.redacted())
}

// MarshalJSON encodes r as encoding/json would encode its fields, with the
// payment code redacted. It is for logs: a provider's wire format is the
// adapter's own.
func (r PayRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.redacted()) }

// ProviderOptions is implemented by each adapter's per-request option type.
type ProviderOptions interface {
	// ProviderName is the name of the provider the options are for.
	ProviderName() string
}

// Customer identifies the payer in the wallet's ecosystem.
//
// Its fields, like every free-text field of a request (Order, Merchant,
// Goods, Card, Device.Version, RefundRequest.Reason), must be valid UTF-8
// without control characters (C0, DEL, C1, including tab and newline);
// validation refuses anything else instead of letting encoding/json replace
// it with U+FFFD.
type Customer struct {
	// AppID is the merchant's app (mini program, official account) ID in
	// the wallet.
	AppID string `validate:"max=64,text"`
	// PayerID is the customer's ID in that app (such as a WeChat openid).
	PayerID string `validate:"max=128,text"`
}

// OS names a device operating system.
type OS string

// Operating systems.
const (
	OSIOS     OS = "ios"
	OSAndroid OS = "android"
)

// TerminalType names the kind of terminal a payment starts on.
type TerminalType string

// Terminal types (Alipay+ env.terminalType).
const (
	TerminalMiniApp TerminalType = "mini_app"
	TerminalApp     TerminalType = "app"
	TerminalWeb     TerminalType = "web"
	TerminalWAP     TerminalType = "wap"
	TerminalSystem  TerminalType = "system"
)

// Device describes the customer's terminal.
type Device struct {
	OS           OS           `validate:"omitempty,oneof=ios android"`
	Version      string       `validate:"max=32,text"`
	TerminalType TerminalType `validate:"omitempty,oneof=mini_app app web wap system"`
}

// Order describes what is bought, for the provider's records and display.
type Order struct {
	// ReferenceOrderID is the merchant's order ID, when it differs from the
	// PaymentRequestID (one order, several payment attempts).
	ReferenceOrderID string `validate:"max=64,text"`
	// Merchant describes the (sub-)merchant selling.
	Merchant *Merchant
	// Goods lists what is bought.
	Goods []Goods `validate:"dive"`
	// BuyerID is the merchant's ID for the buyer.
	BuyerID string `validate:"max=64,text"`
}

// Merchant describes the merchant or sub-merchant of an order.
type Merchant struct {
	ID          string `validate:"max=32,text"`
	MCC         string `validate:"max=32,text"`
	Name        string `validate:"max=256,text"`
	DisplayName string `validate:"max=64,text"`
	// Region is an ISO 3166-1 alpha-2 code.
	Region string `validate:"omitempty,len=2,alpha"`
	City   string `validate:"max=64,text"`
}

// Goods is one line of an order.
type Goods struct {
	ID       string `validate:"max=64,text"`
	Name     string `validate:"max=256,text"`
	Category string `validate:"max=64,text"`
	Quantity int    `validate:"gte=0"`
	// UnitAmount is the price of one unit, if known.
	UnitAmount money.Amount `json:",omitzero"`
}

// Card holds the card for the credit card scenario: either a saved-card
// Token, or the card's details.
//
// Card data is secret. Card's String, GoString, Format, LogValue and
// MarshalJSON show only the last four digits, so a Card never leaks through
// fmt, log/slog or encoding/json. Adapters read the fields directly.
type Card struct {
	// Token is a saved card's ID at the provider (AlphaPay cardId).
	Token string `validate:"max=64,text"`

	Number   string `validate:"omitempty,digits,min=12,max=19"`
	ExpMonth int    `validate:"omitempty,min=1,max=12"`
	ExpYear  int    `validate:"omitempty,min=2000,max=2999"`
	CVV      string `validate:"omitempty,digits,min=3,max=4"`
	Holder   string `validate:"max=128,text"`

	Address    string `validate:"max=256,text"`
	City       string `validate:"max=64,text"`
	State      string `validate:"max=64,text"`
	Country    string `validate:"max=64,text"`
	PostalCode string `validate:"max=32,text"`

	// Remember asks the provider to save the card for CustomerID.
	Remember   bool
	CustomerID string `validate:"max=64,text"`
	Email      string `validate:"omitempty,max=256,text,email"`
}

// Last4 returns the last four digits of the card number, or "" if there is
// no number.
func (c Card) Last4() string {
	if len(c.Number) < 4 {
		return ""
	}
	return c.Number[len(c.Number)-4:]
}

// String shows the card without its secrets: "card ****1111" or "card token".
func (c Card) String() string {
	switch {
	case c.Number != "":
		return "card ****" + c.Last4()
	case c.Token != "":
		return "card token"
	}
	return "card"
}

// GoString is String, so %#v does not print the fields.
func (c Card) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c Card) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes log/slog print String.
func (c Card) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes only the last four digits and the token's presence.
func (c Card) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Last4    string `json:"last4,omitempty"`
		HasToken bool   `json:"hasToken,omitempty"`
	}{c.Last4(), c.Token != ""})
}

// Ref names a payment: by the provider's PaymentID, by the merchant's
// PaymentRequestID, or both (PaymentID wins where a provider takes one).
//
// PaymentRequestID follows PayRequest's rule (printable ASCII, no spaces).
// PaymentID is the provider's, in a format the provider chooses, so only
// what cannot be an ID is refused: invalid UTF-8 and control characters
// (a newline in a command-line argument would otherwise reach logs).
type Ref struct {
	PaymentID        string `validate:"max=64,text"`
	PaymentRequestID string `validate:"max=64,reqid"`
}

// String returns whichever ID is set, PaymentID first.
func (r Ref) String() string {
	if r.PaymentID != "" {
		return r.PaymentID
	}
	return r.PaymentRequestID
}

// RefundRequest asks a provider to refund (part of) a payment.
//
// RefundRequestID is the idempotency key, like PayRequest.PaymentRequestID:
// the same ID and amount return the same refund; the same ID with another
// amount is KindIdempotencyConflict. Refunds of a payment never add up to more
// than was paid.
type RefundRequest struct {
	// RefundRequestID is the merchant's unique ID for this refund.
	RefundRequestID string `validate:"required,max=64,reqid"`
	// Payment names the payment to refund.
	Payment Ref
	// Amount is how much to refund, in the payment's currency.
	Amount money.Amount `json:",omitzero"`
	// Reason is shown to the customer where the provider supports it.
	// It must be valid UTF-8 without control characters, like Description.
	Reason string `validate:"max=256,text"`
	// NotifyURL receives the refund's notification, where supported.
	NotifyURL string `validate:"omitempty,max=1024,text,absurl"`
}

// RefundRef names a refund by the provider's RefundID, the merchant's
// RefundRequestID, or both. Its IDs follow the rules of Ref's.
type RefundRef struct {
	RefundID        string `validate:"max=64,text"`
	RefundRequestID string `validate:"max=64,reqid"`
}

// String returns whichever ID is set, RefundID first.
func (r RefundRef) String() string {
	if r.RefundID != "" {
		return r.RefundID
	}
	return r.RefundRequestID
}
