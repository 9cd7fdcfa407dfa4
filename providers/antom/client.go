package antom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/antom/internal/wire"
)

// Client is the Antom adapter: a payment.Provider and Antom's
// notification source for package notify. It is safe for concurrent use;
// create one per merchant and reuse it.
//
// Pay, Inquire, Cancel, Refund, InquireRefund, Name and Capabilities are
// the portable engine's (package payment/engine); this package translates
// the wire protocol and classifies Antom's result codes. In Antom terms:
//
//   - Pay sends a CASHIER_PAYMENT in the cashier, web or H5 scenario with
//     the request's Method as paymentMethod.paymentMethodType; the
//     answer U PAYMENT_IN_PROCESS with a normalUrl (applinkUrl on H5) is a
//     pending payment whose Action redirects the customer there.
//   - Inquire and Cancel take a PaymentID or a PaymentRequestID; Inquire
//     shows a refunded payment as succeeded (use InquireRefund). Cancel
//     closes an unpaid payment and reverses a paid one in full.
//   - Refund needs the PaymentID; U REFUND_IN_PROCESS ends as
//     payment.ErrUnknownOutcome, to be settled with InquireRefund. Refunds
//     are notified to RefundRequest.NotifyURL.
type Client struct {
	*engine.Provider
	d *antomDriver
}

var _ payment.Provider = (*Client)(nil)

// New checks cfg, parses the keys and returns a Client. Errors wrap
// ErrInvalidConfig and name the field; they never contain key material.
func New(cfg Config) (*Client, error) {
	env, caps, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	d := &antomDriver{env: env, caps: caps, clock: payment.OrSystem(cfg.Clock)}
	p, err := engine.New(d, engine.Config{BaseURL: strings.TrimSuffix(cfg.BaseURL, "/"), HTTPClient: cfg.HTTPClient, Retry: cfg.Retry,
		Clock: d.clock, Logger: cfg.Logger, Observer: cfg.Observer, Journal: cfg.Journal})
	if err != nil {
		return nil, &ConfigError{alipayfamily.EngineField(err, cfg.BaseURL), err}
	}
	return &Client{Provider: p, d: d}, nil
}

// VerifyNotification checks Antom's signature over a notification (the
// family's envelope: the POST to uri, Client-Id, Request-Time and the raw
// body) and returns the time Antom says it sent it.
func (c *Client) VerifyNotification(h http.Header, uri string, body []byte) (time.Time, error) {
	sentAt, err := c.d.env.VerifyNotification(h, uri, body)
	if errors.Is(err, notify.ErrBadTimestamp) {
		err = fmt.Errorf("antom: %w", err)
	}
	return sentAt, err
}

// ParseNotification turns a verified notification into an event:
// PAYMENT_RESULT with result S (succeeded) or F (failed), or REFUND_RESULT
// with refundStatus SUCCESS or FAIL. PAYMENT_PENDING and anything else is
// an error wrapping payment.ErrUnknownEvent. The event key is stable
// across Antom's re-deliveries.
func (c *Client) ParseNotification(body []byte) (payment.Event, error) {
	ev, err := parseNotification(body)
	if err != nil {
		return payment.Event{}, fmt.Errorf("antom: notification: %w", err)
	}
	return ev, nil
}

func parseNotification(body []byte) (payment.Event, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return payment.Event{}, errors.New("not a JSON object")
	}
	var n wire.Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return payment.Event{}, err
	}
	switch n.NotifyType {
	case wire.NotifyRefundResult:
		r, _, err := refund(&n.RefundFacts, n.RefundStatus, driver.Verdict{})
		if err != nil || r.RefundID == "" || !r.Status.Final() {
			return payment.Event{}, fmt.Errorf("refund %q %q: %w", alipayfamily.Clip(n.RefundID), alipayfamily.Clip(n.RefundStatus), payment.ErrUnknownEvent)
		}
		r.Provider = Name
		return payment.Event{Key: payment.EventKey(Name, payment.EventRefund, r.RefundID, string(r.Status)),
			Kind: payment.EventRefund, Provider: Name, Refund: r}, nil
	case wire.NotifyPaymentResult:
	default:
		return payment.Event{}, fmt.Errorf("notifyType %q: %w", alipayfamily.Clip(n.NotifyType), payment.ErrUnknownEvent)
	}
	if n.PaymentID == "" || n.Result == nil {
		return payment.Event{}, fmt.Errorf("no paymentId or result: %w", payment.ErrUnknownEvent)
	}
	p := &payment.Payment{Provider: Name, PaymentID: n.PaymentID, PaymentRequestID: n.PaymentRequestID, Result: n.Result.Neutral(),
		Method: neutralMethod(n.PaymentMethodType), CreatedAt: alipayfamily.ParseTime(n.PaymentCreateTime)}
	switch n.Result.ResultStatus {
	case alipayfamily.StatusS:
		p.Status, p.PaidAt = payment.StatusSucceeded, alipayfamily.ParseTime(n.PaymentTime)
	case alipayfamily.StatusF:
		p.Status, p.FailureReason = payment.StatusFailed, n.Result.ResultCode
	default:
		return payment.Event{}, fmt.Errorf("result status %q: %w", alipayfamily.Clip(n.Result.ResultStatus), payment.ErrUnknownEvent)
	}
	var err error
	if p.Amount, err = alipayfamily.AmountOf(n.PaymentAmount, "paymentAmount"); err != nil {
		return payment.Event{}, err
	}
	return payment.Event{Key: payment.EventKey(Name, payment.EventPayment, p.PaymentID, string(p.Status)),
		Kind: payment.EventPayment, Provider: Name, Payment: p}, nil
}

// Acknowledgement is the family's: HTTP 200 with result SUCCESS; anything
// else makes Antom retry.
func (c *Client) Acknowledgement() (status int, contentType string, body []byte) {
	return alipayfamily.Acknowledgement()
}

// As fills target with a *notify.Source or a **Client, for payment.As.
func (c *Client) As(target any) bool {
	if t, ok := target.(*notify.Source); ok {
		*t = c
		return true
	}
	if t, ok := target.(**Client); ok {
		*t = c
		return true
	}
	return false
}
