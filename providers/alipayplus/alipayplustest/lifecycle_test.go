package alipayplustest

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

func TestIdempotency(t *testing.T) {
	t.Run("repeat while processing", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		first, _ := c.pay(cashierPay("I-1"))
		r := cashierPay("I-1")
		// Fields outside the idempotency key may differ.
		r.Order.OrderDescription = "Coffee, large"
		again, res := c.pay(r)
		wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
		if res.ResultMessage != "repeat order create request" {
			t.Errorf("message %q", res.ResultMessage)
		}
		if again.PaymentID != first.PaymentID || again.RedirectActionForm == nil ||
			again.RedirectActionForm.URL() != first.RedirectActionForm.URL() || again.PaymentTime != "" {
			t.Errorf("repeat %+v, first %+v", again, first)
		}
		if srv.Orders("I-1") != 1 {
			t.Errorf("Orders = %d", srv.Orders("I-1"))
		}
	})
	t.Run("repeat after success", func(t *testing.T) {
		srv, c, clk := newFakeServer(t)
		id := c.paid("I-2")
		clk.Advance(time.Hour)
		again, res := c.pay(cashierPay("I-2"))
		wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
		if again.PaymentID != id || again.RedirectActionForm != nil || again.PaymentTime != t0.Format(wire.TimeLayout) {
			t.Errorf("repeat %+v", again)
		}
		if srv.Orders("I-2") != 1 || srv.Charges("I-2") != 1 {
			t.Errorf("Orders %d Charges %d", srv.Orders("I-2"), srv.Charges("I-2"))
		}
	})
	t.Run("repeat after cancel or failure", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		a, _ := c.pay(cashierPay("I-3a"))
		_ = srv.Expire(a.PaymentID)
		b, _ := c.pay(cashierPay("I-3b"))
		_ = srv.Decline(b.PaymentID)
		for id, pid := range map[string]string{"I-3a": a.PaymentID, "I-3b": b.PaymentID} {
			again, res := c.pay(cashierPay(id))
			wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
			if again.PaymentID != pid || again.RedirectActionForm != nil || again.PaymentTime != "" || srv.Orders(id) != 1 {
				t.Errorf("%s: repeat %+v", id, again)
			}
		}
	})
	t.Run("different content", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		c.pay(cashierPay("I-4"))
		for name, edit := range map[string]func(*wire.PayRequest){
			"amount":      func(r *wire.PayRequest) { r.PaymentAmount.Value = "2000" },
			"currency":    func(r *wire.PayRequest) { r.PaymentAmount.Currency = "CAD" },
			"productCode": func(r *wire.PayRequest) { r.ProductCode = "51051000101000000012" },
			"auth code":   func(r *wire.PayRequest) { r.PaymentAuthCode = "token" },
		} {
			r := cashierPay("I-4")
			edit(r)
			resp, res := c.pay(r)
			if res.ResultCode != wire.CodeRepeatReqInconsistent || res.ResultStatus != wire.StatusF || resp.PaymentID != "" {
				t.Errorf("%s: %+v", name, res)
			}
		}
		// The same amount written with a leading zero is the same amount.
		r := cashierPay("I-4")
		r.PaymentAmount.Value = "01999"
		_, res := c.pay(r)
		wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
		if srv.Orders("I-4") != 1 {
			t.Errorf("Orders = %d", srv.Orders("I-4"))
		}
		// An agreement pay's token is part of the key too.
		c.pay(agreementPay("I-5", "token-a"))
		_, res = c.pay(agreementPay("I-5", "token-b"))
		wantResult(t, res, wire.CodeRepeatReqInconsistent, wire.StatusF)
	})
}

// barrier holds API requests, once armed, after they are recorded and
// until n of them have arrived, so that they are verified and processed at
// the same time instead of one after another.
type barrier struct {
	mu   sync.Mutex
	left int
	open chan struct{}
}

func (b *barrier) option() Option {
	return func(cfg *config) { cfg.OnRecorded = b.hook }
}

func (b *barrier) arm(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.left, b.open = n, make(chan struct{})
}

func (b *barrier) hook(string) {
	b.mu.Lock()
	if b.left == 0 {
		b.mu.Unlock()
		return
	}
	b.left--
	open := b.open
	if b.left == 0 {
		close(open)
	}
	b.mu.Unlock()
	<-open
}

func TestConcurrentPays(t *testing.T) {
	var b barrier
	srv, c, _ := newFakeServer(t, b.option())
	b.arm(16)
	var created atomic.Int32
	simtest.CheckConcurrentPays(t, func(i int) string {
		resp, res := c.pay(cashierPay("CONC-1"))
		switch res.ResultCode {
		case wire.CodeSuccess:
			created.Add(1)
		case wire.CodeRepeatRequest:
		default:
			t.Errorf("pay %d: %s", i, res.ResultCode)
		}
		return resp.PaymentID
	}, func() int { return srv.Orders("CONC-1") })
	if n := created.Load(); n != 1 {
		t.Errorf("%d answers said SUCCESS, want 1 (the rest REPEAT_REQUEST)", n)
	}
	if n := len(srv.Requests(wire.PathPay)); n != 16 {
		t.Errorf("recorded %d pay requests", n)
	}

	// Concurrent agreement pays charge once.
	b.arm(16)
	simtest.Concurrently(16, func(int) { c.pay(agreementPay("CONC-2", "token")) })
	if srv.Orders("CONC-2") != 1 || srv.Charges("CONC-2") != 1 {
		t.Errorf("Orders %d Charges %d", srv.Orders("CONC-2"), srv.Charges("CONC-2"))
	}
}

func TestInquiry(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	_, res := c.inquiry(wire.PaymentRef{PaymentID: "0000"})
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)
	_, res = c.inquiry(wire.PaymentRef{PaymentRequestID: "nope"})
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)
	_, res = c.inquiry(wire.PaymentRef{})
	wantResult(t, res, wire.CodeParamIllegal, wire.StatusF)
	_, res = c.inquiry(wire.PaymentRef{PaymentID: string(make([]byte, 65))})
	wantResult(t, res, wire.CodeParamIllegal, wire.StatusF)

	pay, _ := c.pay(cashierPay("INQ-1"))
	other, _ := c.pay(cashierPay("INQ-2"))
	want := wire.InquiryResponse{
		Result:           ok(wire.CodeSuccess, "success"),
		PaymentID:        pay.PaymentID,
		PaymentRequestID: "INQ-1",
		PaymentAmount:    &wire.Amount{Currency: "USD", Value: "1999"},
		PaymentStatus:    wire.PaymentProcessing,
	}
	for name, ref := range map[string]wire.PaymentRef{
		"by paymentId":        {PaymentID: pay.PaymentID},
		"by paymentRequestId": {PaymentRequestID: "INQ-1"},
		"paymentId wins":      {PaymentID: pay.PaymentID, PaymentRequestID: "INQ-2"},
	} {
		got, _ := c.inquiry(ref)
		if got.Result != want.Result || got.PaymentID != want.PaymentID || got.PaymentRequestID != want.PaymentRequestID ||
			*got.PaymentAmount != *want.PaymentAmount || got.PaymentStatus != want.PaymentStatus || got.PaymentTime != "" || got.PaymentFailReason != "" {
			t.Errorf("%s: %+v", name, got)
		}
	}

	clk.Advance(time.Minute)
	_ = srv.Complete(pay.PaymentID)
	got, _ := c.inquiry(wire.PaymentRef{PaymentID: pay.PaymentID})
	if got.PaymentStatus != wire.PaymentSuccess || got.PaymentTime != t0.Add(time.Minute).Format(wire.TimeLayout) {
		t.Errorf("paid: %+v", got)
	}
	_ = srv.Decline(other.PaymentID)
	got, _ = c.inquiry(wire.PaymentRef{PaymentRequestID: "INQ-2"})
	if got.PaymentStatus != wire.PaymentFail || got.PaymentFailReason == "" || got.PaymentTime != "" {
		t.Errorf("declined: %+v", got)
	}
}

func TestCancel(t *testing.T) {
	srv, c, clk := newFakeServer(t, WithCancelWindow(2*time.Hour))

	// PROCESSING → CANCELLED, and again S with the same time.
	a, _ := c.pay(cashierPay("CAN-1"))
	clk.Advance(time.Minute)
	resp, res := c.cancel(wire.PaymentRef{PaymentID: a.PaymentID})
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.CancelTime != t0.Add(time.Minute).Format(wire.TimeLayout) || resp.PaymentID != a.PaymentID || resp.PaymentRequestID != "CAN-1" {
		t.Errorf("cancel answer %+v", resp)
	}
	if st := c.status(a.PaymentID); st != wire.PaymentCancelled {
		t.Errorf("status %s", st)
	}
	clk.Advance(time.Minute)
	again, res := c.cancel(wire.PaymentRef{PaymentRequestID: "CAN-1"})
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if again.CancelTime != resp.CancelTime {
		t.Errorf("second cancel time %s", again.CancelTime)
	}
	if err := srv.Complete(a.PaymentID); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("Complete after cancel: %v", err)
	}

	// SUCCESS inside the window: reversed in full.
	paid := c.paid("CAN-2")
	clk.Advance(2 * time.Hour)
	resp, res = c.cancel(wire.PaymentRef{PaymentID: paid})
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.CancelTime != clk.Now().Format(wire.TimeLayout) {
		t.Errorf("cancel time %s", resp.CancelTime)
	}
	p, _ := srv.Payment(paid)
	if p.Status != wire.PaymentCancelled || !p.Refunded.Equal(p.Amount) || srv.Charges("CAN-2") != 1 {
		t.Errorf("reversed payment %+v", p)
	}
	_, res = c.refund(paid, "CAN-2-R", "100", "USD")
	wantResult(t, res, wire.CodeOrderStatusInvalid, wire.StatusF)

	// SUCCESS outside the window.
	late := c.paid("CAN-3")
	clk.Advance(2*time.Hour + time.Millisecond)
	_, res = c.cancel(wire.PaymentRef{PaymentID: late})
	wantResult(t, res, wire.CodeCancelWindowExceed, wire.StatusF)
	if st := c.status(late); st != wire.PaymentSuccess {
		t.Errorf("status after refused cancel %s", st)
	}

	// SUCCESS with a refund, even inside the window.
	refunded := c.paid("CAN-4")
	c.refund(refunded, "CAN-4-R", "1", "USD")
	_, res = c.cancel(wire.PaymentRef{PaymentID: refunded})
	wantResult(t, res, wire.CodeOrderStatusInvalid, wire.StatusF)

	// FAIL, unknown, nothing.
	failed, _ := c.pay(cashierPay("CAN-5"))
	_ = srv.Decline(failed.PaymentID)
	_, res = c.cancel(wire.PaymentRef{PaymentID: failed.PaymentID})
	wantResult(t, res, wire.CodeOrderStatusInvalid, wire.StatusF)
	_, res = c.cancel(wire.PaymentRef{PaymentID: "123"})
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)
	_, res = c.cancel(wire.PaymentRef{})
	wantResult(t, res, wire.CodeParamIllegal, wire.StatusF)

	// An expired payment was cancelled at its expiry time.
	exp, _ := c.pay(cashierPay("CAN-6"))
	expiry := clk.Now().Add(15 * time.Minute)
	clk.Advance(time.Hour)
	resp, res = c.cancel(wire.PaymentRef{PaymentID: exp.PaymentID})
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.CancelTime != expiry.Format(wire.TimeLayout) {
		t.Errorf("cancel time of an expired payment %s, want %s", resp.CancelTime, expiry.Format(wire.TimeLayout))
	}
}

func TestDefaultCancelWindow(t *testing.T) {
	_, c, clk := newFakeServer(t)
	a, b := c.paid("DCW-1"), c.paid("DCW-2")
	clk.Advance(24 * time.Hour)
	_, res := c.cancel(wire.PaymentRef{PaymentID: a})
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	clk.Advance(time.Second)
	_, res = c.cancel(wire.PaymentRef{PaymentID: b})
	wantResult(t, res, wire.CodeCancelWindowExceed, wire.StatusF)
}

func TestRefunds(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	unpaid, _ := c.pay(cashierPay("RF-1"))
	_, res := c.refund(unpaid.PaymentID, "RF-1-R", "100", "USD")
	wantResult(t, res, wire.CodeOrderStatusInvalid, wire.StatusF)
	_, res = c.refund("999", "RF-X", "100", "USD")
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)

	id := c.paid("RF-2") // 19.99 USD
	for name, tc := range map[string]struct {
		req  wire.RefundRequest
		code string
	}{
		"refundRequestId missing": {wire.RefundRequest{PaymentID: id, RefundAmount: wire.Amount{Currency: "USD", Value: "1"}}, wire.CodeParamIllegal},
		"refundRequestId 65":      {wire.RefundRequest{RefundRequestID: string(make([]byte, 65)), PaymentID: id, RefundAmount: wire.Amount{Currency: "USD", Value: "1"}}, wire.CodeParamIllegal},
		"no payment reference":    {wire.RefundRequest{RefundRequestID: "x", RefundAmount: wire.Amount{Currency: "USD", Value: "1"}}, wire.CodeParamIllegal},
		"zero":                    {wire.RefundRequest{RefundRequestID: "x", PaymentID: id, RefundAmount: wire.Amount{Currency: "USD", Value: "0"}}, wire.CodeParamIllegal},
		"17 digits":               {wire.RefundRequest{RefundRequestID: "x", PaymentID: id, RefundAmount: wire.Amount{Currency: "USD", Value: "12345678901234567"}}, wire.CodeParamIllegal},
		"other currency":          {wire.RefundRequest{RefundRequestID: "x", PaymentID: id, RefundAmount: wire.Amount{Currency: "CAD", Value: "100"}}, wire.CodeCurrencyNotSupport},
		"unknown currency":        {wire.RefundRequest{RefundRequestID: "x", PaymentID: id, RefundAmount: wire.Amount{Currency: "ABC", Value: "100"}}, wire.CodeCurrencyNotSupport},
		"reason 257":              {wire.RefundRequest{RefundRequestID: "x", PaymentID: id, RefundAmount: wire.Amount{Currency: "USD", Value: "1"}, RefundReason: string(make([]byte, 257))}, wire.CodeParamIllegal},
		"too much":                {wire.RefundRequest{RefundRequestID: "x", PaymentID: id, RefundAmount: wire.Amount{Currency: "USD", Value: "2000"}}, wire.CodeRefundAmountExceed},
	} {
		res := c.Call(wire.PathRefund, tc.req, nil)
		if res.ResultCode != tc.code || res.ResultStatus != wire.StatusF {
			t.Errorf("%s: %+v", name, res)
		}
	}
	a := c.Post(wire.PathRefund, []byte(`{"refundRequestId":"x","paymentId":"`+id+`"}`))
	wantResult(t, a.Result, wire.CodeParamIllegal, wire.StatusF)

	clk.Advance(time.Minute)
	var r1 wire.RefundResponse
	res = c.Call(wire.PathRefund, wire.RefundRequest{RefundRequestID: "RF-2-a", PaymentRequestID: "RF-2",
		RefundAmount: wire.Amount{Currency: "USD", Value: "500"}, RefundReason: "broken cup"}, &r1)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if len(r1.RefundID) != 32 || !simulator.AllDigits(r1.RefundID) || r1.RefundID == id || r1.RefundTime != t0.Add(time.Minute).Format(wire.TimeLayout) {
		t.Errorf("refund answer %+v", r1)
	}
	// Same refundRequestId, amount and payment: the same refund.
	clk.Advance(time.Minute)
	r2, res := c.refund(id, "RF-2-a", "500", "USD")
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if r2.RefundID != r1.RefundID || r2.RefundTime != r1.RefundTime {
		t.Errorf("repeated refund is a new refund: %+v vs %+v", r2, r1)
	}
	_, res = c.refund(id, "RF-2-a", "600", "USD")
	wantResult(t, res, wire.CodeRepeatReqInconsistent, wire.StatusF)
	other := c.paid("RF-3")
	_, res = c.refund(other, "RF-2-a", "500", "USD")
	wantResult(t, res, wire.CodeRepeatReqInconsistent, wire.StatusF)

	// Up to the paid amount, not beyond.
	_, res = c.refund(id, "RF-2-b", "1500", "USD")
	wantResult(t, res, wire.CodeRefundAmountExceed, wire.StatusF)
	_, res = c.refund(id, "RF-2-c", "1499", "USD")
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	p, _ := srv.Payment(id)
	if p.Status != wire.PaymentSuccess || !p.Refunded.Equal(p.Amount) {
		t.Errorf("after full refund: %+v", p)
	}
	_, res = c.refund(id, "RF-2-d", "1", "USD")
	wantResult(t, res, wire.CodeRefundAmountExceed, wire.StatusF)
	// The first refund can still be repeated after the full refund.
	r3, res := c.refund(id, "RF-2-a", "500", "USD")
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if r3.RefundID != r1.RefundID {
		t.Errorf("repeat after full refund: %s", r3.RefundID)
	}

	// inquiryRefund.
	var st wire.InquiryRefundResponse
	for name, ref := range map[string]wire.RefundRef{
		"by refundId":        {RefundID: r1.RefundID},
		"by refundRequestId": {RefundRequestID: "RF-2-a"},
		"refundId wins":      {RefundID: r1.RefundID, RefundRequestID: "RF-2-c"},
	} {
		st = wire.InquiryRefundResponse{}
		res = c.Call(wire.PathInquiryRefund, ref, &st)
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		if st.RefundID != r1.RefundID || st.RefundRequestID != "RF-2-a" || *st.RefundAmount != (wire.Amount{Currency: "USD", Value: "500"}) ||
			st.RefundReason != "broken cup" || st.RefundTime != r1.RefundTime || st.RefundStatus != wire.RefundSuccess {
			t.Errorf("%s: %+v", name, st)
		}
	}
	for _, ref := range []wire.RefundRef{{RefundID: "1"}, {RefundRequestID: "nope"}} {
		res = c.Call(wire.PathInquiryRefund, ref, nil)
		wantResult(t, res, wire.CodeRefundNotExist, wire.StatusF)
	}
	res = c.Call(wire.PathInquiryRefund, wire.RefundRef{}, nil)
	wantResult(t, res, wire.CodeParamIllegal, wire.StatusF)
}

func TestConcurrentRefunds(t *testing.T) {
	var b barrier
	srv, c, _ := newFakeServer(t, b.option())
	// Several rounds: the race detector samples, and each round is another
	// chance to catch an unguarded refund.
	for round := range 4 {
		prefix := "CONC-R" + strconv.Itoa(round)
		id := c.paid(prefix) // 19.99 USD
		other := c.paid(prefix + "-same")
		b.arm(16)
		simtest.CheckConcurrentRefunds(t, func(i int) bool {
			_, res := c.refund(id, prefix+"-"+strconv.Itoa(i), "300", "USD")
			if res.ResultCode != wire.CodeSuccess && res.ResultCode != wire.CodeRefundAmountExceed {
				t.Errorf("refund %d: %+v", i, res)
			}
			return res.ResultCode == wire.CodeSuccess
		})
		if p, _ := srv.Payment(id); p.Refunded.String() != "18.00 USD" {
			t.Errorf("refunded %v", p.Refunded)
		}
		// The same refund request, concurrently: one refund.
		b.arm(8)
		simtest.Concurrently(8, func(int) { c.refund(other, prefix+"-same", "100", "USD") })
		if p, _ := srv.Payment(other); p.Refunded.String() != "1.00 USD" {
			t.Errorf("the same refund request refunded %v", p.Refunded)
		}
	}
}

func TestExpiry(t *testing.T) {
	t.Run("WithExpiry", func(t *testing.T) {
		srv, c, clk := newFakeServer(t, WithExpiry(2*time.Minute))
		resp, _ := c.pay(cashierPay("EXP-1"))
		if p, _ := srv.Payment(resp.PaymentID); !p.ExpiresAt.Equal(t0.Add(2 * time.Minute)) {
			t.Errorf("ExpiresAt %v", p.ExpiresAt)
		}
		clk.Advance(2 * time.Minute)
		if st := c.status(resp.PaymentID); st != wire.PaymentProcessing {
			t.Fatalf("at the expiry time: %s", st)
		}
		clk.Advance(time.Millisecond)
		if st := c.status(resp.PaymentID); st != wire.PaymentCancelled {
			t.Fatalf("after the expiry time: %s", st)
		}
		if err := srv.Complete(resp.PaymentID); !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("Complete after expiry: %v", err)
		}
		if srv.Charges("EXP-1") != 0 {
			t.Errorf("charged")
		}
	})
	t.Run("default 15 minutes, lazily", func(t *testing.T) {
		srv, c, clk := newFakeServer(t)
		resp, _ := c.pay(cashierPay("EXP-2"))
		clk.Advance(15*time.Minute + time.Second)
		// Any access sees it cancelled: the snapshot, the customer, a repeat.
		if p, _ := srv.PaymentByRequestID("EXP-2"); p.Status != wire.PaymentCancelled {
			t.Errorf("snapshot %s", p.Status)
		}
		if err := srv.Decline(resp.PaymentID); !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("Decline: %v", err)
		}
		again, res := c.pay(cashierPay("EXP-2"))
		wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
		if again.RedirectActionForm != nil {
			t.Errorf("a cancelled payment still offers the cashier")
		}
	})
	t.Run("paymentExpiryTime wins", func(t *testing.T) {
		srv, c, clk := newFakeServer(t, WithExpiry(time.Minute))
		r := cashierPay("EXP-3")
		r.PaymentExpiryTime = t0.Add(time.Hour).UTC().Format(time.RFC3339)
		resp, _ := c.pay(r)
		if p, _ := srv.Payment(resp.PaymentID); !p.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("ExpiresAt %v", p.ExpiresAt)
		}
		clk.Advance(59 * time.Minute)
		if err := srv.Complete(resp.PaymentID); err != nil {
			t.Errorf("Complete before paymentExpiryTime: %v", err)
		}
		// The identical request, repeated once its expiry time has passed,
		// still finds the payment.
		clk.Advance(2 * time.Hour)
		again, res := c.pay(r)
		wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
		if again.PaymentID != resp.PaymentID {
			t.Errorf("repeat found %s", again.PaymentID)
		}
	})
}

// The customer's actions show in the wallet's statuses (the kit's
// TestLedgerCustomerControls tests which actions are allowed when).
func TestCustomerControls(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	a, _ := c.pay(cashierPay("CC-1"))
	if err := srv.Expire(a.PaymentID); err != nil {
		t.Fatal(err)
	}
	if st := c.status(a.PaymentID); st != wire.PaymentCancelled {
		t.Errorf("expired: %s", st)
	}
	if st := c.status(c.paid("CC-2")); st != wire.PaymentSuccess {
		t.Errorf("paid: %s", st)
	}
	b, _ := c.pay(cashierPay("CC-3"))
	if err := srv.Decline(b.PaymentID); err != nil {
		t.Fatal(err)
	}
	if p, _ := srv.Payment(b.PaymentID); p.Status != wire.PaymentFail || srv.Charges("CC-3") != 0 {
		t.Errorf("declined %+v", p)
	}
}
