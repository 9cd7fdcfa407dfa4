package alipayplustest

import (
	"encoding/json"
	"net/http"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// notifySchedule is the family's (familytest.NotifySchedule): the
// wallets document none.
var notifySchedule = familytest.NotifySchedule

// notificationBodyLocked returns the notifyPayment body of a payment in
// the configured shape: SUCCESS once paid, FAIL once declined.
// It reports false for a payment that never reached either.
func (s *Server) notificationBodyLocked(p *simulator.Payment) ([]byte, bool) {
	n := wire.Notification{
		PaymentID:        p.ID,
		PaymentRequestID: p.RequestID,
		PaymentAmount:    wireAmount(p.Amount),
		PaymentTime:      formatTime(p.Paid),
	}
	var succeeded bool
	switch {
	case !p.Paid.IsZero():
		succeeded = true
	case p.Status == payment.StatusFailed:
	default:
		return nil, false
	}
	if s.cfg.notificationShape == ShapeA {
		n.PaymentStatus = wire.PaymentFail
		n.PaymentFailReason = p.FailReason
		if succeeded {
			n.PaymentStatus, n.PaymentFailReason = wire.PaymentSuccess, ""
		}
	} else {
		n.PaymentCreateTime = formatTime(p.Created)
		res := fail(wire.CodeProcessFail, p.FailReason)
		if succeeded {
			res = ok(wire.CodeSuccess, "success")
		}
		if s.cfg.notificationShape == ShapeC {
			n.NotifyType, n.Result = wire.NotifyPaymentResult, &res
		} else {
			n.PaymentResult = &res
		}
	}
	body, err := json.Marshal(n)
	return body, err == nil
}

// notifyLocked starts delivering the notification of a payment the
// customer ended (it succeeded or failed) if it has a notify URL.
func (s *Server) notifyLocked(p *simulator.Payment) {
	if p.NotifyURL == "" {
		return
	}
	body, ok := s.notificationBodyLocked(p)
	if !ok {
		return
	}
	s.Notify(simulator.Notification{Kind: KindPayment, ID: p.ID, RequestID: p.RequestID, URL: p.NotifyURL, Body: body, Schedule: notifySchedule})
}

// SignedNotification returns, without sending it, a correctly signed
// notifyPayment POST to targetURL for a payment that succeeded (even if
// since cancelled) or failed, in the configured shape. The signature
// covers POST and targetURL's request URI (its path alone with
// WithNotifyPathOnly). It returns an error wrapping
// ErrNotFound for an unknown payment and ErrNoNotification for one that
// never reached SUCCESS or FAIL.
func (s *Server) SignedNotification(paymentID, targetURL string) (*http.Request, error) {
	n := familytest.Notifier{Name: "alipayplustest", Server: s.Server, Ledger: s.ledger,
		Body: s.notificationBodyLocked, Status: wireStatus, ErrNone: ErrNoNotification}
	return n.SignedNotification(paymentID, targetURL)
}
