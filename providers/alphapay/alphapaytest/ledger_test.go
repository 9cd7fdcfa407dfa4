package alphapaytest

import (
	"testing"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// The books in neutral terms follow the payments through the API: the
// simulator's own mapping of its statuses.
func TestLedger(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	simtest.CheckLedger(t, srv.PaymentStatus, simtest.Lifecycle{
		Pay: func(id string) string {
			resp, res := c.pay(qrPay(id))
			wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
			return resp.PaymentID
		},
		Complete: srv.Complete, Decline: srv.Decline,
		Refund: func(id, requestID, value string) {
			_, res := c.refund(id, requestID, value)
			wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		},
		Expire: func() { clk.Advance(defaultExpiry + 1) },
	})
}
