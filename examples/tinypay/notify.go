package tinypay

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/tinypay/internal/wire"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
)

// The Client is a notify.Source: TinyPay posts a payment's state, signed
// like an answer, when the customer pays or declines.

// ErrWrongMerchant is returned for a notification addressed to another
// merchant account.
var ErrWrongMerchant = errors.New("tinypay: notification for another merchant")

// VerifyNotification checks TinyPay's signature over a notification posted
// to uri, and returns the time TinyPay signed it.
func (c *Client) VerifyNotification(h http.Header, uri string, body []byte) (time.Time, error) {
	if h.Get(wire.HeaderMerchant) != c.d.env.merchant {
		return time.Time{}, ErrWrongMerchant
	}
	if err := c.d.env.Verify(uri, h, body); err != nil {
		return time.Time{}, err
	}
	sentAt, err := notify.ParseTimestamp(h.Get(wire.HeaderTime))
	if err != nil {
		return time.Time{}, fmt.Errorf("tinypay: notification time: %w", err)
	}
	return sentAt, nil
}

// ParseNotification turns a verified body into a payment event whose key
// is stable across TinyPay's re-deliveries.
func (c *Client) ParseNotification(body []byte) (payment.Event, error) {
	var w wire.Answer
	if err := json.Unmarshal(body, &w); err != nil {
		return payment.Event{}, fmt.Errorf("tinypay: notification: %w", err)
	}
	if w.PaymentID == "" {
		return payment.Event{}, fmt.Errorf("tinypay: notification names no payment: %w", payment.ErrUnknownEvent)
	}
	p, err := paymentOf(&w)
	if err != nil {
		return payment.Event{}, fmt.Errorf("tinypay: notification: %w", err)
	}
	p.Provider = Name
	return payment.Event{Key: payment.EventKey(Name, payment.EventPayment, p.PaymentID, string(p.Status)),
		Kind: payment.EventPayment, Provider: Name, Payment: p}, nil
}

// Acknowledgement is the answer that tells TinyPay the notification was taken.
func (c *Client) Acknowledgement() (status int, contentType string, body []byte) {
	return http.StatusOK, "application/json", []byte(wire.Ack)
}

// As fills a *notify.Source or a **Client, for payment.As: a platform
// reaches the notifications of any provider without a type assertion.
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
