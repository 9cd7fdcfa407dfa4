package familytest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/simulator"
)

// The family's cancel and refund rules over a simulator.Ledger, in
// neutral terms; status is the payment's wire status, for messages. The
// caller holds the ledger's lock.

// CancelLocked cancels p: an unpaid payment closes, a paid one is
// reversed in full within window of its payment (CANCEL_WINDOW_EXCEED
// after), a cancelled one stays so, and one with refunds cannot be
// cancelled (ORDER_STATUS_INVALID).
func CancelLocked(l *simulator.Ledger, p *simulator.Payment, now time.Time, window time.Duration, status string) *Result {
	switch p.Status {
	case payment.StatusPending:
		l.CancelLocked(p)
	case payment.StatusCancelled:
	case payment.StatusSucceeded:
		if now.Sub(p.Paid) > window {
			return Failp(alipayfamily.CodeCancelWindowExceed, "the cancel window has passed; refund instead")
		}
		l.CancelLocked(p)
		p.Refunded = p.Amount // a full reversal: the customer gets everything back
	case payment.StatusPartiallyRefunded, payment.StatusRefunded:
		return Failp(alipayfamily.CodeOrderStatusInvalid, "the payment has refunds and cannot be cancelled")
	default:
		return Failp(alipayfamily.CodeOrderStatusInvalid, "the payment is "+status)
	}
	return nil
}

// RefundLocked refunds amt of p under requestID, idempotently: the same
// request ID for the same payment and amount is the earlier refund,
// another is REPEAT_REQ_INCONSISTENT. Refunds are in the payment's
// currency (CURRENCY_NOT_SUPPORT), of a paid payment (ORDER_STATUS_INVALID)
// and never more than was paid (REFUND_AMOUNT_EXCEED).
func RefundLocked(l *simulator.Ledger, p *simulator.Payment, requestID string, amt money.Amount, reason, status string) (*simulator.Refund, *Result) {
	if r := l.RefundByRequestIDLocked(requestID); r != nil {
		if r.PaymentID != p.ID || !r.Amount.Equal(amt) {
			return nil, Failp(alipayfamily.CodeRepeatReqInconsistent, "refundRequestId was used with a different payment or amount")
		}
		return r, nil
	}
	if amt.Currency().Code() != p.Amount.Currency().Code() {
		return nil, Failp(alipayfamily.CodeCurrencyNotSupport, "refundAmount.currency must be the payment's currency")
	}
	if !p.IsPaid() {
		return nil, Failp(alipayfamily.CodeOrderStatusInvalid, "the payment is "+status)
	}
	r := &simulator.Refund{RequestID: requestID, Amount: amt, Description: reason}
	if l.AddRefundLocked(p, r) != nil {
		return nil, Failp(alipayfamily.CodeRefundAmountExceed, "the refunds would exceed the payment amount")
	}
	return r, nil
}

// FindRefundLocked finds a refund by ID, or by request ID when the ID is
// empty (REFUND_NOT_EXIST when there is none).
func FindRefundLocked(l *simulator.Ledger, id, requestID string) (*simulator.Refund, *Result) {
	r := l.RefundByIDLocked(id)
	if id == "" {
		r = l.RefundByRequestIDLocked(requestID)
	}
	if r == nil {
		return nil, Failp(alipayfamily.CodeRefundNotExist, "the refund does not exist")
	}
	return r, nil
}

// Notifier builds a simulator's payment notifications.
type Notifier struct {
	// Name prefixes errors, such as "antomtest".
	Name   string
	Server *simulator.Server
	Ledger *simulator.Ledger
	// Body returns a payment's notification body, false when the payment
	// has none (it never succeeded or failed).
	Body func(p *simulator.Payment) ([]byte, bool)
	// Status is a payment's wire status, for errors.
	Status func(p *simulator.Payment) string
	// ErrNone is wrapped for a payment without a notification.
	ErrNone error
}

// SignedNotification returns, without sending it, the signed notification
// of a payment POSTed to targetURL. It returns an error wrapping
// simulator.ErrNotFound for an unknown payment and ErrNone for one that
// has none.
func (n *Notifier) SignedNotification(paymentID, targetURL string) (*http.Request, error) {
	n.Ledger.Lock()
	p := n.Ledger.PaymentLocked(paymentID)
	if p == nil {
		n.Ledger.Unlock()
		return nil, fmt.Errorf("%s: signed notification: payment %s: %w", n.Name, paymentID, simulator.ErrNotFound)
	}
	body, ok := n.Body(p)
	status := n.Status(p)
	n.Ledger.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: signed notification: payment %s is %s", n.ErrNone, paymentID, status)
	}
	return n.Server.SignedPost(targetURL, body)
}

// WireStatus is a payment's paymentStatus as the family's inquiries show
// it: PROCESSING while pending, FAIL, CANCELLED (also a paid payment a
// cancel reversed) and SUCCESS once paid, refunded or not: the family
// reports refunds per refund (Capabilities.InquiryShowsRefunds is false).
func WireStatus(p *simulator.Payment) string {
	switch p.Status {
	case payment.StatusPending:
		return "PROCESSING"
	case payment.StatusFailed:
		return "FAIL"
	case payment.StatusCancelled:
		return "CANCELLED"
	}
	return "SUCCESS"
}

// NotifySchedule is when the family's notifications are tried (Antom's
// documented schedule; the Alipay+ wallets document none): at most 8
// tries, stopping at the first acknowledgement.
var NotifySchedule = simulator.Schedule{Waits: []time.Duration{
	0, 2 * time.Minute, 10 * time.Minute, 10 * time.Minute,
	time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour,
}}
