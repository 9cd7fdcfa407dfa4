package alipayplustest

import (
	"testing"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// The books in neutral terms follow the payments through the API: the
// simulator's own mapping of its statuses, including what the inquiry
// does not show (a partial refund) and a paid payment cancelled.
func TestLedger(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	simtest.CheckLedger(t, srv.PaymentStatus, simtest.Lifecycle{
		Pay: func(id string) string {
			resp, res := c.pay(cashierPay(id))
			wantResult(t, res, wire.CodeSuccess, wire.StatusS)
			return resp.PaymentID
		},
		Complete: srv.Complete, Decline: srv.Decline,
		Refund: func(id, requestID, value string) {
			_, res := c.refund(id, requestID, value, "USD")
			wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		},
		Expire: func() { clk.Advance(defaultExpiry + 1) },
	})

	id := c.paid("L-4")
	if _, res := c.cancel(wire.PaymentRef{PaymentID: id}); res.ResultStatus != wire.StatusS {
		t.Fatalf("cancel of a paid payment: %+v", res)
	}
	if st, _ := srv.PaymentStatus("L-4"); st != payment.StatusCancelled { // reversed in full
		t.Errorf("PaymentStatus(L-4) = %q, want cancelled", st)
	}
}
