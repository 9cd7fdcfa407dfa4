package alphapaytest

import (
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// The ledger: read-only views of the server's books in neutral terms, for
// checks that compare what a client reported with what really happened
// (the conformance suite's model-based check reads them through
// conformance.Ledger). The mapping below is the simulator's own, written
// from the specification, so it does not share a mistake with the
// adapter's.

// neutralStatuses maps the wire paymentStatus to payment.Status.
var neutralStatuses = map[string]payment.Status{
	wire.PaymentInProcess:     payment.StatusPending,
	wire.PaymentSuccess:       payment.StatusSucceeded,
	wire.PaymentFailed:        payment.StatusFailed,
	wire.PaymentClosed:        payment.StatusCancelled,
	wire.PaymentPartialRefund: payment.StatusPartiallyRefunded,
	wire.PaymentFullRefund:    payment.StatusRefunded,
}

// PaymentStatus returns the status of the payment created under
// paymentRequestID, in neutral terms, and false if the server holds no
// such payment. An unpaid order past its expiry time is reported cancelled,
// as an inquiry would see it.
func (s *Server) PaymentStatus(paymentRequestID string) (payment.Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.byRequestID[paymentRequestID]
	if o == nil {
		return "", false
	}
	s.refreshLocked(o)
	return neutralStatuses[o.status], true
}

// RefundCount returns how many refunds the server made under
// refundRequestID. It counts the refunds themselves, not the index by
// request ID, so a refund made twice under one ID shows as 2.
func (s *Server) RefundCount(refundRequestID string) int {
	if refundRequestID == "" {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.refunds {
		if r.requestID == refundRequestID {
			n++
		}
	}
	return n
}
