package alphapay

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// The Client is a notification source for package notify: it verifies,
// parses and acknowledges AlphaPay's notifications.

// ErrWrongMerchant is returned for a notification addressed to another
// merchant code.
var ErrWrongMerchant = errors.New("alphapay: notification for another merchant")

// VerifyNotification checks AlphaPay's signature over a notification: the
// POST to uri (the notify URL as AlphaPay addressed it; package notify tries
// its path and query, then its path alone), the Merchant-Code, Request-Time
// and Nonce headers and the raw body. It returns the time AlphaPay says it
// sent the notification, for the caller's freshness window. The signature
// covers Request-Time as sent; it is read afterwards with
// notify.ParseTimestamp (ISO 8601 or Unix time digits), and one that cannot
// be read is an error wrapping notify.ErrBadTimestamp.
func (c *Client) VerifyNotification(h http.Header, uri string, body []byte) (time.Time, error) {
	if mc := h.Get(wire.HeaderMerchantCode); mc != c.d.merchantCode {
		return time.Time{}, ErrWrongMerchant
	}
	ts := h.Get(wire.HeaderRequestTime)
	if ts == "" {
		return time.Time{}, ErrUnsigned
	}
	v := http.Header{}
	v.Set(wire.HeaderSignature, h.Get(wire.HeaderSignature))
	v.Set(wire.HeaderRequestTime, ts)
	v.Set(wire.HeaderNonce, h.Get(wire.HeaderNonce))
	if err := verifySigned(c.d.keys, c.d.merchantCode, uri, v, body); err != nil {
		return time.Time{}, err
	}
	sentAt, err := notify.ParseTimestamp(ts)
	if err != nil {
		return time.Time{}, fmt.Errorf("alphapay: notification Request-Time: %w", err)
	}
	return sentAt, nil
}

// ParseNotification turns a verified notification body into an event: a
// refund notification (it carries a refundId) or a payment notification.
// The event key is stable across AlphaPay's re-deliveries.
func (c *Client) ParseNotification(body []byte) (payment.Event, error) {
	// One decode for both kinds: a refund notification is recognised by
	// its refundId, a payment notification by its paymentId.
	var n struct {
		wire.PaymentState
		RefundID        string             `json:"refundId"`
		RefundRequestID string             `json:"refundRequestId"`
		RefundTime      string             `json:"refundTime"`
		RefundStatus    string             `json:"refundStatus"`
		Refund          *wire.RefundDetail `json:"refund"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		return payment.Event{}, fmt.Errorf("alphapay: notification: %w", err)
	}
	switch {
	case n.RefundID != "":
		st := wire.RefundState{PaymentID: n.PaymentID, RefundRequestID: n.RefundRequestID, RefundID: n.RefundID,
			RefundTime: n.RefundTime, RefundStatus: n.RefundStatus, Refund: n.Refund}
		r, err := refundFromState(&st)
		if err != nil {
			return payment.Event{}, fmt.Errorf("alphapay: refund notification: %w", err)
		}
		return payment.Event{
			Key:      payment.EventKey(Name, payment.EventRefund, r.RefundID, string(r.Status)),
			Kind:     payment.EventRefund,
			Provider: Name,
			Refund:   r,
		}, nil
	case n.PaymentID != "":
		p, err := paymentFromState(&n.PaymentState)
		if err != nil {
			return payment.Event{}, fmt.Errorf("alphapay: payment notification: %w", err)
		}
		return payment.Event{
			Key:      payment.EventKey(Name, payment.EventPayment, p.PaymentID, string(p.Status)),
			Kind:     payment.EventPayment,
			Provider: Name,
			Payment:  p,
		}, nil
	}
	return payment.Event{}, fmt.Errorf("alphapay: notification names no payment or refund: %w", payment.ErrUnknownEvent)
}

// Acknowledgement is the answer AlphaPay takes as "received" [ours: the
// documented body is not public; this is what working integrations return].
func (c *Client) Acknowledgement() (status int, contentType string, body []byte) {
	return http.StatusOK, "application/json; charset=UTF-8", append([]byte(nil), wire.Ack...)
}

// As fills target with what the Client is besides a payment.Provider, for
// payment.As: a *notify.Source (its notifications) or a **Client (the
// adapter itself, for Transactions). It reports whether target was one of
// them.
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
