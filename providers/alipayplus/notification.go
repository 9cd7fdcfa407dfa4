package alipayplus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/notify"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// The Client is a notification source for package notify: it verifies,
// parses and acknowledges the wallet's notifyPayment calls.

// VerifyNotification checks the wallet's signature over a notification: the
// POST to uri (the notify URL's path and query as the wallet addressed it),
// the Client-Id and Request-Time headers and the raw body, with the wallet
// public key. The signature may be URL-encoded or raw base64. It returns the
// time the wallet says it sent the notification, for the caller's freshness
// window.
func (c *Client) VerifyNotification(h http.Header, uri string, body []byte) (time.Time, error) {
	// The family's envelope verifies over the header as sent, whatever its
	// form, and only then reads the time (ISO 8601, or Unix time digits as
	// Alipay's official Go code sends it).
	sentAt, err := c.d.env.VerifyNotification(h, uri, body)
	if errors.Is(err, notify.ErrBadTimestamp) {
		err = fmt.Errorf("alipayplus: %w", err)
	}
	return sentAt, err
}

// ParseNotification turns a verified notifyPayment body into a payment
// event. Both documented shapes are read: A with paymentStatus SUCCESS or
// FAIL, B with paymentResult S (succeeded) or F (failed); and C, B as
// Alipay's official SDK models it: notifyType PAYMENT_RESULT with result S
// or F. The event key is stable across the wallet's re-deliveries. A body
// that decodes but carries none of them (or no paymentId) is an error
// wrapping payment.ErrUnknownEvent.
func (c *Client) ParseNotification(body []byte) (payment.Event, error) {
	return parseNotification(body)
}

func parseNotification(body []byte) (payment.Event, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return payment.Event{}, errors.New("alipayplus: notification is not a JSON object")
	}
	var n wire.Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return payment.Event{}, fmt.Errorf("alipayplus: notification: %w", err)
	}
	if n.PaymentID == "" {
		return payment.Event{}, fmt.Errorf("alipayplus: notification names no payment: %w", payment.ErrUnknownEvent)
	}
	p := &payment.Payment{
		Provider:         Name,
		PaymentID:        n.PaymentID,
		PaymentRequestID: n.PaymentRequestID,
		Scenario:         payment.ScenarioCashier,
		PaidAt:           alipayfamily.ParseTime(n.PaymentTime),
		CreatedAt:        alipayfamily.ParseTime(n.PaymentCreateTime),
	}
	switch {
	case n.PaymentStatus != "": // shape A
		switch n.PaymentStatus {
		case wire.PaymentSuccess:
			p.Status = payment.StatusSucceeded
		case wire.PaymentFail:
			p.Status = payment.StatusFailed
			p.FailureReason = n.PaymentFailReason
		default:
			return payment.Event{}, fmt.Errorf("alipayplus: notification paymentStatus %q: %w", n.PaymentStatus, payment.ErrUnknownEvent)
		}
	case n.PaymentResult != nil || n.Result != nil: // shape B, or C
		res := n.PaymentResult
		if res == nil {
			// Shape C: result is the payment's only in a PAYMENT_RESULT
			// notification; another type (a pending payment) says nothing
			// final.
			if n.NotifyType != wire.NotifyPaymentResult {
				return payment.Event{}, fmt.Errorf("alipayplus: notification notifyType %q: %w", short(n.NotifyType), payment.ErrUnknownEvent)
			}
			res = n.Result
		}
		p.Result = res.Neutral()
		switch res.ResultStatus {
		case wire.StatusS:
			p.Status = payment.StatusSucceeded
		case wire.StatusF:
			p.Status = payment.StatusFailed
			p.FailureReason = firstNonEmpty(res.ResultCode, res.ResultMessage)
		default:
			return payment.Event{}, fmt.Errorf("alipayplus: notification result status %q: %w", short(res.ResultStatus), payment.ErrUnknownEvent)
		}
	default:
		return payment.Event{}, fmt.Errorf("alipayplus: notification has neither paymentStatus nor paymentResult: %w", payment.ErrUnknownEvent)
	}
	if p.Status != payment.StatusSucceeded {
		p.PaidAt = time.Time{}
	}
	if n.PaymentAmount != nil {
		amt, err := n.PaymentAmount.Money()
		if err != nil {
			return payment.Event{}, fmt.Errorf("alipayplus: notification paymentAmount: %w", err)
		}
		p.Amount = amt
	}
	return payment.Event{
		Key:      payment.EventKey(Name, payment.EventPayment, p.PaymentID, string(p.Status)),
		Kind:     payment.EventPayment,
		Provider: Name,
		Payment:  p,
	}, nil
}

// Acknowledgement is the answer the wallet takes as "received": HTTP 200
// with result SUCCESS (S), unsigned [doc]. Anything else makes the wallet
// retry.
func (c *Client) Acknowledgement() (status int, contentType string, body []byte) {
	return alipayfamily.Acknowledgement()
}

// As fills target with what the Client is besides a payment.Provider, for
// payment.As: a *notify.Source (its notifications) or a **Client (the
// adapter itself). It reports whether target was one of them.
func (c *Client) As(target any) bool {
	switch t := target.(type) {
	case *notify.Source:
		*t = c
	case **Client:
		*t = c
	default:
		return false
	}
	return true
}
