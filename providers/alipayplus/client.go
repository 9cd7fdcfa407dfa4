package alipayplus

import (
	"strings"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/providers/alipayfamily"
)

// Client is the Alipay+ v1 wallet adapter: a payment.Provider and the
// wallet's notification source for package notify. It is safe for
// concurrent use; create one per wallet and merchant and reuse it, so that
// connections are reused.
//
// Pay, Inquire, Cancel, Refund, InquireRefund, Name and Capabilities are
// the portable engine's (package payment/engine), which applies the same
// outcome rules to every provider; this package only translates the wire
// protocol and classifies the wallet's result codes. In Alipay+ terms:
//
//   - Pay: S or A with a redirectActionForm is a pending payment whose
//     Action redirects the customer to the wallet's cashier (or hands its
//     URL to my.tradePay in a mini program). With PayOptions.AuthCode
//     (agreement or auth-code pay) S without a form is a synchronous
//     success. Any other answer without a form (REPEAT_REQUEST for a
//     payment that is no longer pending, a cashier pay without the
//     cashier) does not say where the payment is: the engine inquires, and
//     a payment still pending with nothing to open is an unknown outcome.
//   - Inquire and Cancel take a PaymentID or a PaymentRequestID. Alipay+
//     reports refunds per refund: Inquire shows a refunded payment as
//     succeeded (Capabilities().InquiryShowsRefunds is false); use
//     InquireRefund. Cancel closes a pending payment and, inside the
//     wallet's window, reverses a paid one in full; outside it the wallet
//     answers F CANCEL_WINDOW_EXCEED, and for a partly refunded payment F
//     ORDER_STATUS_INVALID (both payment.ErrFailed: refund instead).
//   - Refund: S is a succeeded refund; U (REFUND_IN_PROCESS and the like)
//     is retried with the same refundRequestId and then reported as
//     payment.ErrUnknownOutcome — settle it with InquireRefund, never by
//     paying out offline. An over-refund is F REFUND_AMOUNT_EXCEED
//     (payment.ErrFailed). The wallet sends no refund notifications: a
//     request with NotifyURL is invalid.
//
// Capabilities lists the cashier scenario (no methods: the wallet is the
// method), the configured currencies (any by default), 16-digit amounts,
// expiry, inquiry and cancel by PaymentRequestID, cancel of paid payments,
// partial refunds, refund inquiry by RefundRequestID and notifications.
type Client struct {
	*engine.Provider
	d *walletDriver
}

var _ payment.Provider = (*Client)(nil)

// New checks cfg, parses the keys (or checks the Signer's) and returns a
// Client. Errors wrap ErrInvalidConfig and name the field; they never
// contain key material.
func New(cfg Config) (*Client, error) {
	s, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	d := &walletDriver{cfg: s, env: s.env, caps: capabilities(s.currencies), clock: payment.OrSystem(cfg.Clock)}
	p, err := engine.New(d, engine.Config{
		BaseURL:    strings.TrimSuffix(cfg.BaseURL, "/") + s.prefix,
		HTTPClient: cfg.HTTPClient,
		Retry:      cfg.Retry,
		Clock:      d.clock,
		Logger:     cfg.Logger,
		Observer:   cfg.Observer,
		Journal:    cfg.Journal,
	})
	if err != nil {
		return nil, &ConfigError{alipayfamily.EngineField(err, cfg.BaseURL), err}
	}
	return &Client{Provider: p, d: d}, nil
}

func capabilities(currencies []money.Currency) payment.Capabilities {
	return payment.Capabilities{
		Scenarios:                []payment.Scenario{payment.ScenarioCashier},
		Currencies:               currencies,
		MaxAmountDigits:          16,
		MaxDescription:           256,
		ExpiresAt:                true,
		InquireByRequestID:       true,
		Cancel:                   true,
		CancelPaid:               true,
		Refund:                   true,
		PartialRefund:            true,
		InquireRefundByRequestID: true,
		Notifications:            true,
	}
}
