package alphapaytest

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

func TestIdempotency(t *testing.T) {
	t.Run("rule 1: same content while unpaid", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		first, res := c.pay(qrPay("I-1"))
		wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
		again, res := c.pay(qrPay("I-1"))
		wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
		if again.PaymentID != first.PaymentID || again.PaymentInfo == nil || again.PaymentInfo.PayURL != first.PaymentInfo.PayURL {
			t.Errorf("replay answered another order: %s vs %s", again.PaymentID, first.PaymentID)
		}
		if srv.Orders("I-1") != 1 {
			t.Errorf("Orders = %d", srv.Orders("I-1"))
		}
	})
	t.Run("rule 2: after success and refund", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		id := c.paid("I-2")
		again, res := c.pay(qrPay("I-2"))
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		if again.PaymentID != id {
			t.Errorf("paymentId %s, want %s", again.PaymentID, id)
		}
		c.refund(id, "R-I-2", "100")
		again, res = c.pay(qrPay("I-2"))
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		if again.PaymentID != id {
			t.Errorf("paymentId %s, want %s", again.PaymentID, id)
		}
		if srv.Orders("I-2") != 1 || srv.Charges("I-2") != 1 {
			t.Errorf("Orders %d Charges %d", srv.Orders("I-2"), srv.Charges("I-2"))
		}
	})
	t.Run("rule 3: different content", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		c.pay(qrPay("I-3"))
		for name, edit := range map[string]func(*wire.PayRequest){
			"amount":   func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "2000" },
			"currency": func(r *wire.PayRequest) { r.Order.OrderAmount.Currency = "CNY" },
			"scenario": func(r *wire.PayRequest) { r.ScenarioCode = wire.ScenarioJSAPI },
		} {
			r := qrPay("I-3")
			edit(r)
			_, res := c.pay(r)
			if res.ResultCode != wire.CodeRepeatReqInconsistent || res.ResultStatus != wire.StatusF {
				t.Errorf("%s: %+v", name, res)
			}
		}
		if srv.Orders("I-3") != 1 {
			t.Errorf("Orders = %d", srv.Orders("I-3"))
		}
	})
	t.Run("rule 4: after CLOSED or FAILED", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		a, _ := c.pay(qrPay("I-4a"))
		_ = srv.Expire(a.PaymentID)
		b, _ := c.pay(qrPay("I-4b"))
		_ = srv.Decline(b.PaymentID)
		for _, id := range []string{"I-4a", "I-4b"} {
			_, res := c.pay(qrPay(id))
			wantResult(t, res, wire.CodeOrderClosed, wire.StatusF)
			if srv.Orders(id) != 1 {
				t.Errorf("Orders(%s) = %d", id, srv.Orders(id))
			}
		}
	})
	t.Run("rule 5: refunds", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		id := c.paid("I-5")
		r1, res := c.refund(id, "R-5", "500")
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		r2, res := c.refund(id, "R-5", "500")
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		if r2.RefundID != r1.RefundID || r2.RefundTime != r1.RefundTime {
			t.Errorf("replayed refund is a new refund: %+v vs %+v", r2, r1)
		}
		_, res = c.refund(id, "R-5", "600")
		wantResult(t, res, wire.CodeRepeatReqInconsistent, wire.StatusF)
		other := c.paid("I-5b")
		_, res = c.refund(other, "R-5", "500")
		wantResult(t, res, wire.CodeRepeatReqInconsistent, wire.StatusF)
		if p, _ := srv.Payment(id); p.Refunded.String() != "5.00 CAD" || p.Status != wire.PaymentPartialRefund {
			t.Errorf("refunded %v status %s", p.Refunded, p.Status)
		}
		_, res = c.refund(id, "R-5c", "1500")
		wantResult(t, res, wire.CodeInvalidRefundAmount, wire.StatusF)
		_, res = c.refund(id, "R-5d", "1499")
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		if p, _ := srv.Payment(id); p.Status != wire.PaymentFullRefund || !p.Refunded.Equal(p.Amount) {
			t.Errorf("after full refund: %+v", p)
		}
		_, res = c.refund(id, "R-5e", "1")
		wantResult(t, res, wire.CodeInvalidRefundAmount, wire.StatusF)
		// The first refund can still be replayed after the full refund.
		r3, res := c.refund(id, "R-5", "500")
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
		if r3.RefundID != r1.RefundID {
			t.Errorf("replay after full refund: %s", r3.RefundID)
		}
	})
}

func TestConcurrentPays(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	simtest.CheckConcurrentPays(t, func(i int) string {
		resp, res := c.pay(qrPay("CONC-1"))
		if res.ResultCode != wire.CodePaymentInProcess {
			t.Errorf("pay %d: %+v", i, res)
		}
		return resp.PaymentID
	}, func() int { return srv.Orders("CONC-1") })
	if n := len(srv.Requests(wire.PathPay)); n != 16 {
		t.Errorf("recorded %d pay requests", n)
	}
}

func TestConcurrentRefunds(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	id := c.paid("CONC-R") // 19.99 CAD
	simtest.CheckConcurrentRefunds(t, func(i int) bool {
		_, res := c.refund(id, "CR-"+strconv.Itoa(i), "300")
		if res.ResultCode != wire.CodeSuccess && res.ResultCode != wire.CodeInvalidRefundAmount {
			t.Errorf("refund %d: %+v", i, res)
		}
		return res.ResultCode == wire.CodeSuccess
	})
	p, _ := srv.Payment(id)
	if p.Refunded.String() != "18.00 CAD" || p.Status != wire.PaymentPartialRefund {
		t.Errorf("refunded %v status %s", p.Refunded, p.Status)
	}
}

func TestExpiry(t *testing.T) {
	srv, c, clk := newFakeServer(t, WithExpiry(2*time.Minute))
	resp, _ := c.pay(qrPay("EXP-1"))
	if resp.PaymentExpireTime != t0.Add(2*time.Minute).Format(wire.TimeLayout) {
		t.Errorf("paymentExpireTime %s", resp.PaymentExpireTime)
	}
	clk.Advance(2 * time.Minute)
	if st := c.inquiry(resp.PaymentID); st.PaymentStatus != wire.PaymentInProcess {
		t.Fatalf("at the expiry time: %s", st.PaymentStatus)
	}
	clk.Advance(time.Second)
	if st := c.inquiry(resp.PaymentID); st.PaymentStatus != wire.PaymentClosed {
		t.Fatalf("after the expiry time: %s", st.PaymentStatus)
	}
	if err := srv.Complete(resp.PaymentID); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("Complete after expiry: %v", err)
	}
	if p, _ := srv.Payment(resp.PaymentID); p.Status != wire.PaymentClosed || srv.Charges("EXP-1") != 0 {
		t.Errorf("%+v", p)
	}
}

// The customer's actions show in AlphaPay's statuses (the kit's
// TestLedgerCustomerControls tests which actions are allowed when).
func TestCustomerControls(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	a, _ := c.pay(qrPay("CC-1"))
	if err := srv.Expire(a.PaymentID); err != nil {
		t.Fatal(err)
	}
	if st := c.inquiry(a.PaymentID); st.PaymentStatus != wire.PaymentClosed {
		t.Errorf("expired: %s", st.PaymentStatus)
	}
	id := c.paid("CC-2")
	if st := c.inquiry(id); st.PaymentStatus != wire.PaymentSuccess || st.PaymentTime != t0.Format(wire.TimeLayout) {
		t.Errorf("inquiry %+v", st)
	}
}

func TestInquiry(t *testing.T) {
	_, c, _ := newFakeServer(t)
	var st wire.PaymentState
	res := c.Call(wire.PathInquiry, wire.PaymentIDRequest{PaymentID: "0000"}, &st)
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)
	res = c.Call(wire.PathInquiry, wire.PaymentIDRequest{}, nil)
	wantResult(t, res, wire.CodeParamInvalid, wire.StatusF)
	resp, _ := c.pay(qrPay("INQ-1"))
	res = c.Call(wire.PathInquiry, wire.PaymentIDRequest{PaymentID: resp.PaymentID}, &st)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if st.PaymentID != resp.PaymentID || st.PaymentRequestID != "INQ-1" || st.ScenarioCode != wire.ScenarioOnlineQRCode ||
		st.PaymentStatus != wire.PaymentInProcess || st.PaymentTime != "" || st.Order.OrderAmount.Value != "1999" ||
		st.PaymentCreateTime != resp.PaymentCreateTime || st.PaymentExpireTime != resp.PaymentExpireTime {
		t.Errorf("inquiry %+v", st)
	}
}

func TestCancel(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	cancel := func(id string) (wire.CancelResponse, wire.Result) {
		var resp wire.CancelResponse
		res := c.Call(wire.PathCancel, wire.PaymentIDRequest{PaymentID: id}, &resp)
		return resp, res
	}
	a, _ := c.pay(qrPay("CAN-1"))
	clk.Advance(time.Minute)
	resp, res := cancel(a.PaymentID)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.CancelTime != t0.Add(time.Minute).Format(wire.TimeLayout) || resp.PaymentID != a.PaymentID || resp.PaymentRequestID != "CAN-1" {
		t.Errorf("cancel answer %+v", resp)
	}
	if p, _ := srv.Payment(a.PaymentID); p.Status != wire.PaymentClosed {
		t.Errorf("status %s", p.Status)
	}
	clk.Advance(time.Minute)
	again, res := cancel(a.PaymentID)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if again.CancelTime != resp.CancelTime {
		t.Errorf("second cancel time %s", again.CancelTime)
	}

	paid := c.paid("CAN-2")
	_, res = cancel(paid)
	wantResult(t, res, wire.CodeOrderPaid, wire.StatusF)
	c.refund(paid, "CAN-2-R", "1")
	_, res = cancel(paid)
	wantResult(t, res, wire.CodeOrderPaid, wire.StatusF)

	failed, _ := c.pay(qrPay("CAN-3"))
	_ = srv.Decline(failed.PaymentID)
	_, res = cancel(failed.PaymentID)
	wantResult(t, res, wire.CodeOrderClosed, wire.StatusF)

	_, res = cancel("123")
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)
	_, res = cancel("")
	wantResult(t, res, wire.CodeParamInvalid, wire.StatusF)
}

func TestRefundRules(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	unpaid, _ := c.pay(qrPay("RF-1"))
	_, res := c.refund(unpaid.PaymentID, "RF-1-R", "100")
	wantResult(t, res, wire.CodeParamInvalid, wire.StatusF)
	if res.ResultMessage != "order not paid" {
		t.Errorf("message %q", res.ResultMessage)
	}
	_ = srv.Expire(unpaid.PaymentID)
	_, res = c.refund(unpaid.PaymentID, "RF-1-R", "100")
	wantResult(t, res, wire.CodeOrderClosed, wire.StatusF)
	_, res = c.refund("999", "RF-X", "100")
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)

	id := c.paid("RF-2")
	for name, tc := range map[string]struct {
		amount wire.Amount
		code   string
	}{
		"zero":          {wire.Amount{Value: "0", Currency: "CAD"}, wire.CodeParamInvalid},
		"8 digits":      {wire.Amount{Value: "12345678", Currency: "CAD"}, wire.CodeParamInvalid},
		"decimal":       {wire.Amount{Value: "1.5", Currency: "CAD"}, wire.CodeParamInvalid},
		"other":         {wire.Amount{Value: "100", Currency: "CNY"}, wire.CodeCurrencyNotSupport},
		"currency none": {wire.Amount{Value: "100"}, wire.CodeParamInvalid},
	} {
		var resp wire.RefundResponse
		res := c.Call(wire.PathRefund, wire.RefundRequest{PaymentID: id, RefundRequestID: "RF-2-" + name, Refund: wire.RefundDetail{RefundAmount: tc.amount}}, &resp)
		if res.ResultCode != tc.code || res.ResultStatus != wire.StatusF {
			t.Errorf("%s: %+v", name, res)
		}
	}
	var resp wire.RefundResponse
	res = c.Call(wire.PathRefund, wire.RefundRequest{PaymentID: id, RefundRequestID: "RF-2-ok", Refund: wire.RefundDetail{
		RefundAmount: wire.Amount{Value: "250", Currency: "CAD"}, Description: "broken cup",
	}}, &resp)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if len(resp.RefundID) != 25 || !simulator.AllDigits(resp.RefundID) || resp.PaymentID != id || resp.RefundRequestID != "RF-2-ok" ||
		resp.RefundTime != t0.Format(wire.TimeLayout) || resp.Refund.RefundAmount.Value != "250" || resp.Refund.Description != "broken cup" {
		t.Errorf("refund answer %+v", resp)
	}

	var st wire.RefundState
	res = c.Call(wire.PathInquiryRefund, wire.InquiryRefundRequest{RefundID: resp.RefundID}, &st)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if st.RefundStatus != wire.RefundSuccess || st.RefundID != resp.RefundID || st.PaymentID != id || st.RefundRequestID != "RF-2-ok" || st.Refund.RefundAmount.Value != "250" {
		t.Errorf("inquiryRefund %+v", st)
	}
	res = c.Call(wire.PathInquiryRefund, wire.InquiryRefundRequest{RefundID: resp.RefundID, RefundRequestID: "RF-2-ok"}, nil)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	res = c.Call(wire.PathInquiryRefund, wire.InquiryRefundRequest{RefundID: resp.RefundID, RefundRequestID: "other"}, nil)
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)
	res = c.Call(wire.PathInquiryRefund, wire.InquiryRefundRequest{RefundID: "1"}, nil)
	wantResult(t, res, wire.CodeOrderNotExist, wire.StatusF)
	res = c.Call(wire.PathInquiryRefund, wire.InquiryRefundRequest{}, nil)
	wantResult(t, res, wire.CodeParamInvalid, wire.StatusF)

	clk.Advance(366 * 24 * time.Hour)
	_, res = c.refund(id, "RF-2-late", "100")
	wantResult(t, res, wire.CodeRefundValidDateExceed, wire.StatusF)
}

// The transactions report has the row shape of AlphaPay's documentation and
// of the official SDK's model/beans/Transaction.java, and reads its date in
// UTC−8 (request/beans/SearchTransactionsRequest.java).
func TestTransactions(t *testing.T) {
	_, c, clk := newFakeServer(t)
	for i := range 12 {
		c.paid("TX-" + strconv.Itoa(i))
	}
	id := c.paid("TX-R")
	c.refund(id, "TX-R-1", "100")
	clk.Advance(24 * time.Hour)
	c.paid("TX-next-day")

	list := func(req wire.TransactionsRequest) (*wire.TransactionsResponse, wire.Result) {
		var resp wire.TransactionsResponse
		res := c.Call(wire.PathTransactions, req, &resp)
		return &resp, res
	}
	day := t0.Format("20060102") // t0 is in UTC−8
	resp, res := list(wire.TransactionsRequest{Date: day, Page: 1, PageLimit: 10, TransactionType: "All"})
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.Pagination != (wire.Pagination{Page: 1, PageLimit: 10, TotalPage: 2, Total: 14}) || len(resp.Transactions) != 10 {
		t.Errorf("page 1: %+v, %d rows", resp.Pagination, len(resp.Transactions))
	}
	all, _ := list(wire.TransactionsRequest{Date: day, Page: 1, PageLimit: 100, TransactionType: "Credit"})
	paid := t0.Format(wire.TimeLayout)
	found := 0
	for _, got := range all.Transactions {
		if got.RequestID != "TX-0" {
			continue
		}
		found++
		snap, _ := c.srv.PaymentByRequestID("TX-0")
		if want := (wire.Transaction{
			RequestID: "TX-0", TransactionID: snap.PaymentID, Amount: "1999", Currency: "CAD",
			TransactionType: "Credit", SettleAmount: "1999", SettleCurrency: "CAD", ExchangeRate: "1",
			PaymentMethod: "Alipay", CreateTime: paid, TransactionTime: paid,
		}); got != want {
			t.Errorf("row of TX-0\n got %+v\nwant %+v", got, want)
		}
	}
	if found != 1 {
		t.Errorf("%d rows of TX-0 among %d credits", found, len(all.Transactions))
	}
	// Every row has exactly the fields of the SDK's Transaction.java, all
	// JSON strings, so the SDK reads the simulator's answer.
	raw := c.Post(wire.PathTransactions, []byte(`{"date":"`+day+`","page":1,"pageLimit":10,"transactionType":"All"}`))
	var rows struct {
		Transactions []map[string]any `json:"transactions"`
	}
	if err := json.Unmarshal(raw.Body, &rows); err != nil || len(rows.Transactions) != 10 {
		t.Fatalf("raw answer: %v\n%s", err, raw.Body)
	}
	sdkFields := []string{"requestId", "transactionId", "amount", "currency", "transactionType", "settleAmount",
		"settleCurrency", "exchangeRate", "paymentMethod", "createTime", "transactionTime"}
	for _, r := range rows.Transactions {
		for _, f := range sdkFields {
			if _, ok := r[f].(string); !ok {
				t.Errorf("row field %s is %T, want a string: %v", f, r[f], r)
			}
		}
		if len(r) != len(sdkFields) {
			t.Errorf("row has fields the SDK does not model: %v", r)
		}
	}
	resp, _ = list(wire.TransactionsRequest{Date: day, Page: 2, PageLimit: 10, TransactionType: "All"})
	if len(resp.Transactions) != 4 {
		t.Errorf("page 2: %d rows", len(resp.Transactions))
	}
	resp, _ = list(wire.TransactionsRequest{Date: day, Page: 1, PageLimit: 10, TransactionType: "Debit"})
	if len(resp.Transactions) != 1 || resp.Transactions[0].TransactionType != "Debit" || resp.Transactions[0].RequestID != "TX-R-1" ||
		resp.Transactions[0].Amount != "100" || resp.Transactions[0].SettleAmount != "100" || resp.Transactions[0].PaymentMethod != "Alipay" {
		t.Errorf("debits %+v", resp.Transactions)
	}
	resp, _ = list(wire.TransactionsRequest{Date: day, Page: 3, PageLimit: 10, TransactionType: "Credit"})
	if resp.Pagination.Total != 13 || len(resp.Transactions) != 0 {
		t.Errorf("credits page 3: %+v", resp)
	}
	resp, _ = list(wire.TransactionsRequest{Date: clk.Now().Format("20060102"), Page: 1, PageLimit: 100, TransactionType: "All"})
	if resp.Pagination.Total != 1 || resp.Transactions[0].RequestID != "TX-next-day" {
		t.Errorf("next day %+v", resp)
	}
	for name, req := range map[string]wire.TransactionsRequest{
		"date format":  {Date: "2026-11-22", Page: 1, PageLimit: 10, TransactionType: "All"},
		"date value":   {Date: "20261322", Page: 1, PageLimit: 10, TransactionType: "All"},
		"page 0":       {Date: day, Page: 0, PageLimit: 10, TransactionType: "All"},
		"limit 9":      {Date: day, Page: 1, PageLimit: 9, TransactionType: "All"},
		"limit 101":    {Date: day, Page: 1, PageLimit: 101, TransactionType: "All"},
		"type":         {Date: day, Page: 1, PageLimit: 10, TransactionType: "credit"},
		"type missing": {Date: day, Page: 1, PageLimit: 10},
	} {
		if _, res := list(req); res.ResultCode != wire.CodeParamInvalid {
			t.Errorf("%s: %+v", name, res)
		}
	}
}

// A CNY payment settles in the domain currency at the CNY rate, rounded
// half up; the report's day is UTC−8 whatever the clock's zone.
func TestTransactionsSettleCNYAndUseUTCMinus8(t *testing.T) {
	// 23:30 UTC on the 22nd is 15:30 on the 22nd in UTC−8.
	clk := clock.NewFake(time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC))
	srv := NewServer(WithClock(clk), WithCNYRate("0.1925"))
	defer srv.Close()
	c := newTestClient(t, srv, clk)
	req := qrPay("TX-CNY")
	req.Order.OrderAmount = wire.Amount{Value: "1234", Currency: "CNY"}
	resp, _ := c.pay(req)
	if err := srv.Complete(resp.PaymentID); err != nil {
		t.Fatal(err)
	}
	var list wire.TransactionsResponse
	res := c.Call(wire.PathTransactions, wire.TransactionsRequest{Date: "20261122", Page: 1, PageLimit: 10, TransactionType: "All"}, &list)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	// 12.34 CNY × 0.1925 = 2.375450 CAD → 2.38 CAD.
	if len(list.Transactions) != 1 || list.Transactions[0].SettleAmount != "238" || list.Transactions[0].SettleCurrency != "CAD" ||
		list.Transactions[0].ExchangeRate != "0.1925" || list.Transactions[0].Currency != "CNY" || list.Transactions[0].Amount != "1234" {
		t.Fatalf("rows %+v", list.Transactions)
	}
	res = c.Call(wire.PathTransactions, wire.TransactionsRequest{Date: "20261123", Page: 1, PageLimit: 10, TransactionType: "All"}, &list)
	if wantResult(t, res, wire.CodeSuccess, wire.StatusS); list.Pagination.Total != 0 {
		t.Fatalf("the UTC day's report has %d rows; the payment was on the 22nd in UTC−8", list.Pagination.Total)
	}
}
