package paymenttest

import (
	"net/http"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/engine"
)

// DefaultName is the provider name of a Provider made without WithName.
const DefaultName = "paymenttest"

// DefaultExpiry is how long a payment stays payable unless WithExpiry or
// PayRequest.ExpiresAt says otherwise.
const DefaultExpiry = 15 * time.Minute

// Provider is an in-memory payment.Provider: paybridge's engine, the code
// every adapter runs, driving a simulated adapter that talks to a simulated
// provider through a simulated network, all in process. Make one with New.
// It is safe for concurrent use.
//
// Pay, Inquire, Cancel, Refund and InquireRefund are the engine's. The
// simulated provider refuses with these F codes, each of the kind the
// engine gives its reason:
//
//   - ORDER_NOT_EXIST and REFUND_NOT_EXIST: no such payment or refund
//     (payment.KindNotFound);
//   - REPEAT_REQ_INCONSISTENT: the PaymentRequestID was used with another
//     scenario or amount, or the RefundRequestID with another payment or
//     amount (payment.KindIdempotencyConflict);
//   - ORDER_CLOSED: paying again under the key of a failed or cancelled
//     payment (use a new key), or cancelling a failed one;
//     ORDER_PAID: cancelling a paid payment without Capabilities.CancelPaid;
//     ORDER_STATUS_INVALID: cancelling a (partially) refunded payment, or
//     refunding one that is not paid or is refunded in full
//     (payment.KindFailed);
//   - REFUND_AMOUNT_EXCEED: refunds would add up to more than was paid
//     (payment.KindFailed);
//   - CURRENCY_NOT_SUPPORT: a refund in another currency than the payment's,
//     and PARTIAL_REFUND_NOT_SUPPORTED: a partial refund without
//     Capabilities.PartialRefund (payment.KindUnsupported).
//
// A broken invariant of the model itself, a bug in this package, is
// refused with F INTERNAL_ERROR, whose message names it.
//
// Refunds succeed at once. Inquire finds a payment by Ref.PaymentID or,
// without one, by Ref.PaymentRequestID, and shows the amount refunded so
// far; under capabilities without InquiryShowsRefunds it reports a refunded
// payment as succeeded and no refunded amount, as such providers do.
// Cancelling a cancelled payment succeeds again.
type Provider struct {
	*engine.Provider
	cfg   config
	state *state
	net   *transport
}

// config is what the options set.
type config struct {
	name         string
	caps         payment.Capabilities
	clock        payment.Clock
	retry        payment.RetryPolicy
	expiry       time.Duration
	autoComplete bool
}

var _ payment.Provider = (*Provider)(nil)

// Option configures a Provider made by New.
type Option func(*Provider)

// WithName sets the provider's name, which appears in payments, refunds and
// errors. The default, also for "", is DefaultName.
func WithName(name string) Option { return func(p *Provider) { p.cfg.name = name } }

// WithCapabilities sets what the provider supports; requests outside it fail
// with payment.KindUnsupported before anything is sent. The default,
// DefaultCapabilities, supports everything.
func WithCapabilities(c payment.Capabilities) Option {
	return func(p *Provider) { p.cfg.caps = c.Clone() }
}

// WithClock sets the clock used for timestamps, expiry, FaultDelay and the
// waits between retries. The default is the system clock; tests pass a fake
// payment.Clock so that nothing sleeps.
func WithClock(c payment.Clock) Option { return func(p *Provider) { p.cfg.clock = c } }

// WithRetry sets the simulated adapter's retry policy; zero fields take
// payment's defaults (four attempts, jittered exponential backoff).
func WithRetry(r payment.RetryPolicy) Option { return func(p *Provider) { p.cfg.retry = r } }

// WithExpiry sets how long a new payment stays payable when its request sets
// no ExpiresAt. A pending payment past its expiry is cancelled, checked
// whenever it is next touched. The default, also for d <= 0, is
// DefaultExpiry.
func WithExpiry(d time.Duration) Option { return func(p *Provider) { p.cfg.expiry = d } }

// WithAutoComplete makes new payments in scenarios that need no customer
// action (payment.ActionNone: card, in-store scan) succeed at once, as such
// payments usually do. Other payments wait for Complete, Decline or Expire
// either way.
func WithAutoComplete(on bool) Option { return func(p *Provider) { p.cfg.autoComplete = on } }

// DefaultCapabilities returns the capabilities of a Provider made without
// WithCapabilities: every scenario, the Alipay, WeChat Pay and UnionPay
// methods (none required), any ISO 4217 currency, amounts of up to 16 digits
// in minor units, ExpiresAt, inquiry and cancellation by PaymentRequestID,
// partial refunds, inquiry of refunds by RefundRequestID, and inquiries that
// show refunds (PartiallyRefunded, Refunded). It does not reverse paid
// payments on cancel and sends no notifications.
func DefaultCapabilities() payment.Capabilities {
	return payment.Capabilities{
		Scenarios:                payment.Scenarios(),
		Methods:                  []payment.Method{payment.MethodAlipay, payment.MethodWeChatPay, payment.MethodUnionPay},
		MaxAmountDigits:          16,
		ExpiresAt:                true,
		InquireByRequestID:       true,
		Cancel:                   true,
		CancelPaid:               false,
		Refund:                   true,
		PartialRefund:            true,
		InquireRefundByRequestID: true,
		InquiryShowsRefunds:      true,
		Notifications:            false,
	}
}

// baseURL is where the simulated adapter sends. It never resolves: the
// transport answers every request in process.
const baseURL = "http://paymenttest.localhost"

// New returns a Provider with no payments, configured by opts.
func New(opts ...Option) *Provider {
	p := &Provider{cfg: config{name: DefaultName, caps: DefaultCapabilities(), expiry: DefaultExpiry}}
	for _, o := range opts {
		o(p)
	}
	c := &p.cfg
	c.clock = payment.OrSystem(c.clock)
	if c.expiry <= 0 {
		c.expiry = DefaultExpiry
	}
	if c.name == "" {
		c.name = DefaultName
	}
	k := newKeys()
	p.state = newState(c.caps, c.clock, c.expiry, c.autoComplete)
	p.net = newTransport(&server{st: p.state, keys: k}, c.clock)
	eng, err := engine.New(&driver{name: c.name, caps: c.caps, keys: k}, engine.Config{
		BaseURL:    baseURL,
		HTTPClient: &http.Client{Transport: p.net},
		Retry:      c.retry,
		Clock:      c.clock,
	})
	if err != nil {
		panic("paymenttest: " + err.Error()) // the configuration is ours: a bug
	}
	p.Provider = eng
	return p
}

// Complete pays a pending payment, as the customer would: it becomes
// succeeded, and the provider records a charge. It returns a *payment.Error
// of kind payment.KindNotFound for an unknown paymentID, and of kind
// payment.KindFailed for a payment that is not pending (already paid,
// failed, cancelled or expired).
func (p *Provider) Complete(paymentID string) error {
	return p.customer("complete", paymentID, p.state.completeLocked)
}

// Decline fails a pending payment, as a customer who declines or a wallet
// that refuses would. Its errors are those of Complete.
func (p *Provider) Decline(paymentID string) error {
	return p.customer("decline", paymentID, p.state.declineLocked)
}

// Expire cancels a pending payment now, as if its expiry time had passed.
// Its errors are those of Complete.
func (p *Provider) Expire(paymentID string) error {
	return p.customer("expire", paymentID, p.state.expireLocked)
}

// customer applies a customer action. The provider's refusal is an F
// result like any other, so its kind comes from the driver's table and the
// engine's, not from a rule of its own here.
func (p *Provider) customer(op, paymentID string, apply func(*payment.Payment) error) error {
	refusal := p.state.customer(paymentID, apply)
	if refusal.IsZero() {
		return nil
	}
	return &payment.Error{Op: op, Provider: p.Name(), Kind: engine.KindOf(reasons[refusal.Code]), RequestID: paymentID, Result: refusal}
}

// Charges returns how many times the provider took money for the payment
// with this PaymentRequestID: how often it went from pending to succeeded.
// Idempotency keeps it at most 1, whatever the faults and retries; a test
// asserts on it to tell a payment that was taken (1) from one that was not
// (0), which an unknown outcome leaves open.
func (p *Provider) Charges(paymentRequestID string) int {
	return p.state.count(p.state.charges, paymentRequestID)
}

// Orders returns how many payments the provider created under this
// PaymentRequestID. Idempotency keeps it at most 1.
func (p *Provider) Orders(paymentRequestID string) int {
	return p.state.count(p.state.orders, paymentRequestID)
}
