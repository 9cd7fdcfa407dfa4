package alipayplustest

import (
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// The ledger: read-only views of the wallet's books in neutral terms, for
// checks that compare what a client reported with what really happened
// (the conformance suite's model-based check reads them through
// conformance.Ledger). The mapping below is the simulator's own, written
// from the wallets' documentation, so it does not share a mistake with the
// adapter's.

// PaymentStatus returns the status of the payment created under
// paymentRequestID, in neutral terms, and false if the wallet holds no such
// payment. It is the wallet's truth, which its inquiry does not fully show:
// a paid payment with refunds is partially refunded or refunded here, while
// the inquiry keeps saying SUCCESS (Capabilities.InquiryShowsRefunds is
// false for Alipay+). A paid payment reversed by a cancel is cancelled. An
// unpaid payment past its expiry time is cancelled, as an inquiry would see
// it.
func (s *Server) PaymentStatus(paymentRequestID string) (payment.Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupLocked("", paymentRequestID)
	if p == nil {
		return "", false
	}
	switch p.status {
	case wire.PaymentProcessing:
		return payment.StatusPending, true
	case wire.PaymentAuthSuccess:
		return payment.StatusAuthorized, true
	case wire.PaymentSuccess:
		switch {
		case p.refunded.IsZero():
			return payment.StatusSucceeded, true
		case p.refunded.Equal(p.amount):
			return payment.StatusRefunded, true
		}
		return payment.StatusPartiallyRefunded, true
	case wire.PaymentFail:
		return payment.StatusFailed, true
	case wire.PaymentCancelled:
		return payment.StatusCancelled, true
	}
	return payment.Status(p.status), true // not a neutral status: a check comparing it fails loudly
}

// RefundCount returns how many refunds the wallet made under
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
