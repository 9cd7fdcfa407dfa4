package paymenttest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// DefaultName is the provider name of a Provider made without WithName.
const DefaultName = "paymenttest"

// DefaultExpiry is how long a payment stays payable unless WithExpiry or
// PayRequest.ExpiresAt says otherwise.
const DefaultExpiry = 15 * time.Minute

// Provider is an in-memory payment.Provider: a simulated adapter and the
// provider behind it, in one value. Make one with New. It is safe for
// concurrent use.
type Provider struct {
	name         string
	caps         payment.Capabilities
	clock        payment.Clock
	retry        payment.RetryPolicy
	expiry       time.Duration
	autoComplete bool

	mu               sync.Mutex
	paySeq           int
	refundSeq        int
	payments         map[string]*payment.Payment // by PaymentID
	byRequestID      map[string]*payment.Payment // by PaymentRequestID
	refunds          map[string]*payment.Refund  // by RefundID
	refundsByRequest map[string]*payment.Refund  // by RefundRequestID
	charges          map[string]int              // by PaymentRequestID
	orders           map[string]int              // by PaymentRequestID
	calls            map[string][]Call           // by op
	faults           map[string][]Fault          // by op, next first
}

var _ payment.Provider = (*Provider)(nil)

// Option configures a Provider made by New.
type Option func(*Provider)

// WithName sets the provider's name, which appears in payments, refunds and
// errors. The default, also for "", is DefaultName.
func WithName(name string) Option { return func(p *Provider) { p.name = name } }

// WithCapabilities sets what the provider supports; requests outside it fail
// with payment.KindUnsupported before anything is sent. The default,
// DefaultCapabilities, supports everything.
func WithCapabilities(c payment.Capabilities) Option {
	return func(p *Provider) { p.caps = cloneCaps(c) }
}

// WithClock sets the clock used for timestamps, expiry, FaultDelay and the
// waits between retries. The default is the system clock; tests pass a fake
// payment.Clock so that nothing sleeps.
func WithClock(c payment.Clock) Option { return func(p *Provider) { p.clock = c } }

// WithRetry sets the simulated adapter's retry policy; zero fields take
// payment's defaults (four attempts, jittered exponential backoff).
func WithRetry(r payment.RetryPolicy) Option { return func(p *Provider) { p.retry = r } }

// WithExpiry sets how long a new payment stays payable when its request sets
// no ExpiresAt. A pending payment past its expiry is cancelled, checked
// whenever it is next touched. The default, also for d <= 0, is
// DefaultExpiry.
func WithExpiry(d time.Duration) Option { return func(p *Provider) { p.expiry = d } }

// WithAutoComplete makes new payments in scenarios that need no customer
// action (payment.ActionNone: card, in-store scan) succeed at once, as such
// payments usually do. Other payments wait for Complete, Decline or Expire
// either way.
func WithAutoComplete(on bool) Option { return func(p *Provider) { p.autoComplete = on } }

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

// New returns a Provider with no payments, configured by opts.
func New(opts ...Option) *Provider {
	p := &Provider{
		name:             DefaultName,
		caps:             DefaultCapabilities(),
		expiry:           DefaultExpiry,
		payments:         make(map[string]*payment.Payment),
		byRequestID:      make(map[string]*payment.Payment),
		refunds:          make(map[string]*payment.Refund),
		refundsByRequest: make(map[string]*payment.Refund),
		charges:          make(map[string]int),
		orders:           make(map[string]int),
		calls:            make(map[string][]Call),
		faults:           make(map[string][]Fault),
	}
	for _, o := range opts {
		o(p)
	}
	p.clock = payment.OrSystem(p.clock)
	p.retry = p.retry.WithDefaults()
	if p.expiry <= 0 {
		p.expiry = DefaultExpiry
	}
	if p.name == "" {
		p.name = DefaultName
	}
	return p
}

// Name returns the provider's name.
func (p *Provider) Name() string { return p.name }

// Capabilities returns what the provider supports. The result is a copy.
func (p *Provider) Capabilities() payment.Capabilities { return cloneCaps(p.caps) }

func cloneCaps(c payment.Capabilities) payment.Capabilities {
	c.Scenarios = slices.Clone(c.Scenarios)
	c.Methods = slices.Clone(c.Methods)
	c.MethodRequired = slices.Clone(c.MethodRequired)
	c.Currencies = slices.Clone(c.Currencies)
	if c.ScenarioMethods != nil {
		m := make(map[payment.Scenario][]payment.Method, len(c.ScenarioMethods))
		for s, ms := range c.ScenarioMethods {
			m[s] = slices.Clone(ms)
		}
		c.ScenarioMethods = m
	}
	return c
}

// Pay creates a payment, or answers a repeated PaymentRequestID with the
// existing payment. A new payment is pending, with the Action its scenario
// needs, until Complete, Decline or Expire (or WithAutoComplete) moves it on.
//
// Errors follow paybridge's outcome rules; the F codes the simulated provider
// answers with are REPEAT_REQ_INCONSISTENT (payment.KindIdempotencyConflict:
// the key was used with another scenario or amount) and ORDER_CLOSED (the
// key's payment failed or was cancelled; use a new key).
func (p *Provider) Pay(ctx context.Context, req *payment.PayRequest) (*payment.Payment, error) {
	if err := payment.ValidatePay(p.name, p.caps, req); err != nil {
		return nil, err
	}
	body, err := encode(payPayloadOf(req))
	if err != nil {
		return nil, p.newError(payment.OpPay, req.PaymentRequestID, payment.KindInvalidRequest, payment.Result{}, err)
	}
	v, err := p.call(ctx, payment.OpPay, req.PaymentRequestID, body, func() answer { return p.payLocked(req) })
	if err != nil {
		return nil, err
	}
	return v.(*payment.Payment), nil
}

// Inquire returns the payment's current state, found by ref.PaymentID or,
// when ref has none, by ref.PaymentRequestID, with the amount refunded so
// far. Under capabilities without InquiryShowsRefunds it reports a refunded
// payment as succeeded and no refunded amount, as such providers do. An
// unknown payment is F ORDER_NOT_EXIST, of kind payment.KindNotFound.
func (p *Provider) Inquire(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if err := payment.ValidateRef(p.name, p.caps, payment.OpInquire, ref); err != nil {
		return nil, err
	}
	body, _ := encode(refPayload{PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID}) // strings only: cannot fail
	v, err := p.call(ctx, payment.OpInquire, ref.String(), body, func() answer { return p.inquireLocked(ref) })
	if err != nil {
		return nil, err
	}
	return v.(*payment.Payment), nil
}

// Cancel closes a pending payment, found as Inquire finds it. Cancelling a
// cancelled payment succeeds again. A paid payment is reversed in full only
// if the capabilities say CancelPaid, and is F ORDER_PAID otherwise; a
// (partially) refunded payment is F ORDER_STATUS_INVALID and a failed one
// F ORDER_CLOSED.
func (p *Provider) Cancel(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if err := payment.ValidateRef(p.name, p.caps, payment.OpCancel, ref); err != nil {
		return nil, err
	}
	body, _ := encode(refPayload{PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID}) // strings only: cannot fail
	v, err := p.call(ctx, payment.OpCancel, ref.String(), body, func() answer { return p.cancelLocked(ref) })
	if err != nil {
		return nil, err
	}
	return v.(*payment.Payment), nil
}

// Refund refunds part or all of a paid payment; the refund succeeds at once.
// A repeated RefundRequestID with the same payment and amount returns the
// existing refund. The F codes are ORDER_NOT_EXIST (payment.KindNotFound),
// REPEAT_REQ_INCONSISTENT (payment.KindIdempotencyConflict),
// ORDER_STATUS_INVALID (the payment is not paid, or fully refunded),
// CURRENCY_NOT_SUPPORT (another currency than the payment's),
// REFUND_AMOUNT_EXCEED (refunds would add up to more than was paid) and
// PARTIAL_REFUND_NOT_SUPPORTED.
func (p *Provider) Refund(ctx context.Context, req *payment.RefundRequest) (*payment.Refund, error) {
	if err := payment.ValidateRefund(p.name, p.caps, req); err != nil {
		return nil, err
	}
	body, err := encode(refundPayloadOf(req))
	if err != nil {
		return nil, p.newError(payment.OpRefund, req.RefundRequestID, payment.KindInvalidRequest, payment.Result{}, err)
	}
	v, err := p.call(ctx, payment.OpRefund, req.RefundRequestID, body, func() answer { return p.refundLocked(req) })
	if err != nil {
		return nil, err
	}
	return v.(*payment.Refund), nil
}

// InquireRefund returns the refund's current state, found by ref.RefundID
// or, when ref has none, by ref.RefundRequestID. An unknown refund is F
// REFUND_NOT_EXIST, of kind payment.KindNotFound.
func (p *Provider) InquireRefund(ctx context.Context, ref payment.RefundRef) (*payment.Refund, error) {
	if err := payment.ValidateRefundRef(p.name, p.caps, ref); err != nil {
		return nil, err
	}
	body, _ := encode(refundRefPayload{RefundID: ref.RefundID, RefundRequestID: ref.RefundRequestID}) // strings only: cannot fail
	v, err := p.call(ctx, payment.OpInquireRefund, ref.String(), body, func() answer { return p.inquireRefundLocked(ref) })
	if err != nil {
		return nil, err
	}
	return v.(*payment.Refund), nil
}

// clonePayment returns a deep copy, so that no caller shares memory with the
// provider's state.
func clonePayment(src *payment.Payment) *payment.Payment {
	c := *src
	if src.Action != nil {
		a := *src.Action
		a.SDKParams = maps.Clone(src.Action.SDKParams)
		c.Action = &a
	}
	return &c
}

func cloneRefund(src *payment.Refund) *payment.Refund {
	c := *src
	return &c
}

func zeroOf(a money.Amount) money.Amount {
	z, _ := money.FromMinor(0, a.Currency())
	return z
}
