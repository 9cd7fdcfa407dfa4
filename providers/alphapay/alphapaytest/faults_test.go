package alphapaytest

import (
	"encoding/json"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

func payBody(id string) []byte {
	b, _ := json.Marshal(qrPay(id))
	return b
}

// A scripted result is answered as AlphaPay writes results, signed (the
// kit's tests cover the rest of the fault).
func TestFaultResult(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Result: &payment.Result{Code: wire.CodeUnknownException, Message: "try again", Status: payment.ResultUnknown}})
	if a := c.Post(wire.PathPay, payBody("F-R")); string(a.Body) != `{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultMessage":"try again","resultStatus":"U"}}` {
		t.Errorf("body %s", a.Body)
	}
}

func TestFaultChangeAmount(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{ChangeAmount: true})
	resp, res := c.pay(qrPay("F-CA")) // signature checked by c.post
	wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
	if resp.Order.OrderAmount.Value != "2000" {
		t.Errorf("amount %s, want 2000", resp.Order.OrderAmount.Value)
	}
	if p, _ := srv.Payment(resp.PaymentID); p.Amount.MinorString() != "1999" {
		t.Errorf("state amount changed: %v", p.Amount)
	}
	_ = srv.Complete(resp.PaymentID)
	srv.Script(wire.PathInquiry, Fault{ChangeAmount: true})
	if st := c.inquiry(resp.PaymentID); st.Order.OrderAmount.Value != "2000" {
		t.Errorf("inquiry amount %s", st.Order.OrderAmount.Value)
	}
	srv.Script(wire.PathRefund, Fault{ChangeAmount: true})
	r, _ := c.refund(resp.PaymentID, "F-CA-R", "100")
	if r.Refund.RefundAmount.Value != "101" {
		t.Errorf("refund amount %s", r.Refund.RefundAmount.Value)
	}
	if st := c.inquiry(resp.PaymentID); st.Order.OrderAmount.Value != "1999" {
		t.Errorf("a fault leaked into later answers: %s", st.Order.OrderAmount.Value)
	}
}
