package alphapaytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/simulator"
)

// The notification schedule: a payment notification is tried paymentTries
// times at once, then every 30 minutes until acknowledged or 24 hours
// after the first try; a refund notification once.
const paymentTries = 3

var (
	paymentSchedule = simulator.Schedule{Waits: make([]time.Duration, paymentTries), Every: 30 * time.Minute, Until: 24 * time.Hour}
	refundSchedule  = simulator.Schedule{Waits: []time.Duration{0}}
)

func paymentNotification(p *simulator.Payment) simulator.Notification {
	body, _ := json.Marshal(paymentState(p))
	return simulator.Notification{Kind: KindPayment, ID: p.ID, RequestID: p.RequestID, URL: p.NotifyURL, Body: body, Schedule: paymentSchedule}
}

func refundNotification(r *simulator.Refund) simulator.Notification {
	body, _ := json.Marshal(refundState(r))
	return simulator.Notification{Kind: KindRefund, ID: r.ID, RequestID: r.RequestID, URL: r.NotifyURL, Body: body, Schedule: refundSchedule}
}

// SignedNotification returns, without sending it, a correctly signed
// payment notification POST to targetURL for the payment's current state.
// The signature covers POST and targetURL's request URI (its path alone
// with WithNotifyPathOnly).
func (s *Server) SignedNotification(paymentID, targetURL string) (*http.Request, error) {
	s.ledger.Lock()
	p := s.ledger.PaymentLocked(paymentID)
	if p == nil {
		s.ledger.Unlock()
		return nil, fmt.Errorf("alphapaytest: signed notification: payment %s: %w", paymentID, ErrNotFound)
	}
	n := paymentNotification(p)
	s.ledger.Unlock()
	return s.SignedPost(targetURL, n.Body)
}

// SignedRefundNotification is SignedNotification for a refund.
func (s *Server) SignedRefundNotification(refundID, targetURL string) (*http.Request, error) {
	s.ledger.Lock()
	r := s.ledger.RefundByIDLocked(refundID)
	if r == nil {
		s.ledger.Unlock()
		return nil, fmt.Errorf("alphapaytest: signed notification: refund %s: %w", refundID, ErrNotFound)
	}
	n := refundNotification(r)
	s.ledger.Unlock()
	return s.SignedPost(targetURL, n.Body)
}
