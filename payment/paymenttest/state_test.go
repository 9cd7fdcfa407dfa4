package paymenttest_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

func TestDefaults(t *testing.T) {
	p := paymenttest.New()
	if p.Name() != "paymenttest" || paymenttest.New(paymenttest.WithName("")).Name() != "paymenttest" {
		t.Errorf("Name() = %q", p.Name())
	}
	caps := p.Capabilities()
	if !cmp.Equal(caps.Scenarios, payment.Scenarios()) {
		t.Errorf("Scenarios = %v", caps.Scenarios)
	}
	for _, m := range []payment.Method{payment.MethodAlipay, payment.MethodWeChatPay, payment.MethodUnionPay} {
		if !caps.SupportsMethod(m) {
			t.Errorf("method %s not supported", m)
		}
	}
	if len(caps.Currencies) != 0 || len(caps.MethodRequired) != 0 || caps.MaxAmountDigits != 16 {
		t.Errorf("Currencies %v, MethodRequired %v, MaxAmountDigits %d", caps.Currencies, caps.MethodRequired, caps.MaxAmountDigits)
	}
	if !caps.InquireByRequestID || !caps.Cancel || caps.CancelPaid || !caps.Refund || !caps.PartialRefund ||
		!caps.InquireRefundByRequestID || !caps.InquiryShowsRefunds || caps.Notifications || !caps.ExpiresAt {
		t.Errorf("capabilities %+v", caps)
	}
	if !cmp.Equal(caps, paymenttest.DefaultCapabilities(), cmp.Comparer(func(a, b money.Currency) bool { return a == b })) {
		t.Error("Capabilities() differs from DefaultCapabilities()")
	}
}

func TestPayActions(t *testing.T) {
	for _, s := range payment.Scenarios() {
		t.Run(string(s), func(t *testing.T) {
			p, _ := newAuto()
			pay, err := p.Pay(t.Context(), payReq("ORDER-1", s, "19.99 CAD"))
			if err != nil {
				t.Fatal(err)
			}
			id := pay.PaymentID
			want := &payment.Payment{
				Provider:         "paymenttest",
				PaymentRequestID: "ORDER-1",
				PaymentID:        "PT1",
				Status:           payment.StatusPending,
				Amount:           money.MustParse("19.99 CAD"),
				Refunded:         money.MustParse("0.00 CAD"),
				Scenario:         s,
				CreatedAt:        start,
				ExpiresAt:        start.Add(15 * time.Minute),
				Result:           payment.Result{Status: payment.ResultSucceeded, Code: "SUCCESS", Message: "success"},
			}
			switch s.ActionKind() {
			case payment.ActionShowQR:
				want.Action = &payment.Action{Kind: payment.ActionShowQR, QRCode: "paymenttest://pay/" + id, QRImage: pay.Action.QRImage}
				checkPNG(t, pay.Action.QRImage)
			case payment.ActionRedirect:
				want.Action = &payment.Action{Kind: payment.ActionRedirect, URL: "https://paymenttest.invalid/pay/" + id, HTTPMethod: "GET"}
			case payment.ActionInvokeSDK:
				want.Action = &payment.Action{Kind: payment.ActionInvokeSDK, SDKParams: map[string]string{"paymentId": id}}
			}
			if diff := cmp.Diff(want, pay, amountCmp); diff != "" {
				t.Errorf("payment (-want +got):\n%s", diff)
			}
		})
	}
}

var amountCmp = cmp.Comparer(func(a, b money.Amount) bool { return a.Equal(b) })

func checkPNG(t *testing.T, uri string) {
	t.Helper()
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(uri, prefix) {
		t.Fatalf("QRImage %.40q is not a PNG data URI", uri)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(uri, prefix))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("QRImage is not a PNG: %v", err)
	}
}

func TestPayFields(t *testing.T) {
	p, _ := newAuto(paymenttest.WithName("shop-test"), paymenttest.WithExpiry(time.Hour))
	req := qrReq("ORDER-1")
	req.Method = payment.MethodWeChatPay
	pay, err := p.Pay(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if pay.Provider != "shop-test" || pay.Method != payment.MethodWeChatPay || !pay.ExpiresAt.Equal(start.Add(time.Hour)) {
		t.Errorf("provider %q, method %q, expires %v", pay.Provider, pay.Method, pay.ExpiresAt)
	}
	req2 := qrReq("ORDER-2")
	req2.ExpiresAt = start.Add(5 * time.Minute)
	pay2, err := p.Pay(t.Context(), req2)
	if err != nil {
		t.Fatal(err)
	}
	if !pay2.ExpiresAt.Equal(req2.ExpiresAt) || pay2.PaymentID != "PT2" {
		t.Errorf("payment %s expires %v, want PT2 expiring %v", pay2.PaymentID, pay2.ExpiresAt, req2.ExpiresAt)
	}
}

func TestAutoComplete(t *testing.T) {
	p, _ := newAuto(paymenttest.WithAutoComplete(true))
	for _, s := range payment.Scenarios() {
		id := "ORDER-" + string(s)
		pay, err := p.Pay(t.Context(), payReq(id, s, "5.00 CAD"))
		if err != nil {
			t.Fatal(err)
		}
		want, charges := payment.StatusPending, 0
		if s.ActionKind() == payment.ActionNone {
			want, charges = payment.StatusSucceeded, 1
			if pay.Action != nil || !pay.PaidAt.Equal(start) {
				t.Errorf("%s: action %v, paid at %v", s, pay.Action, pay.PaidAt)
			}
		}
		if pay.Status != want || p.Charges(id) != charges {
			t.Errorf("%s: status %s with %d charges, want %s with %d", s, pay.Status, p.Charges(id), want, charges)
		}
	}
}

func TestPayIdempotency(t *testing.T) {
	t.Run("same request twice", func(t *testing.T) {
		p, _ := newAuto()
		first, err := p.Pay(t.Context(), qrReq("ORDER-1"))
		if err != nil {
			t.Fatal(err)
		}
		again, err := p.Pay(t.Context(), qrReq("ORDER-1"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again, amountCmp); diff != "" {
			t.Errorf("repeat differs (-first +again):\n%s", diff)
		}
		if n := p.Orders("ORDER-1"); n != 1 {
			t.Errorf("Orders = %d, want 1", n)
		}
		calls := p.Calls(payment.OpPay)
		if len(calls) != 2 || !bytes.Equal(calls[0].Payload, calls[1].Payload) {
			t.Errorf("calls %+v: want two identical payloads", calls)
		}
	})
	t.Run("same key, other description and method", func(t *testing.T) {
		p, _ := newAuto()
		first, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		req := qrReq("ORDER-1")
		req.Description, req.Method = "changed", payment.MethodAlipay
		again, err := p.Pay(t.Context(), req)
		if err != nil || again.PaymentID != first.PaymentID {
			t.Errorf("got %v, %v; want the existing payment %s", again, err, first.PaymentID)
		}
	})

	conflicts := []struct {
		name string
		req  *payment.PayRequest
	}{
		{"other value", payReq("ORDER-1", payment.ScenarioQRCode, "20.00 CAD")},
		{"other currency", payReq("ORDER-1", payment.ScenarioQRCode, "19.99 USD")},
		{"other scenario", payReq("ORDER-1", payment.ScenarioWeb, "19.99 CAD")},
	}
	for _, tt := range conflicts {
		t.Run("conflict: "+tt.name, func(t *testing.T) {
			p, _ := newAuto()
			first, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
			_, err := p.Pay(t.Context(), tt.req)
			wantKind(t, err, payment.KindIdempotencyConflict)
			wantCode(t, err, "REPEAT_REQ_INCONSISTENT")
			if n := len(p.Calls(payment.OpPay)); n != 2 {
				t.Errorf("%d calls, want 2: F is never retried", n)
			}
			got, _ := p.Inquire(t.Context(), first.Ref())
			if got.Status != payment.StatusPending || !got.Amount.Equal(first.Amount) || p.Orders("ORDER-1") != 1 {
				t.Errorf("the original changed: %+v", got)
			}
		})
	}

	closed := []struct {
		name  string
		close func(p *paymenttest.Provider, pay *payment.Payment) error
	}{
		{"declined", func(p *paymenttest.Provider, pay *payment.Payment) error { return p.Decline(pay.PaymentID) }},
		{"expired", func(p *paymenttest.Provider, pay *payment.Payment) error { return p.Expire(pay.PaymentID) }},
		{"cancelled", func(p *paymenttest.Provider, pay *payment.Payment) error {
			_, err := p.Cancel(t.Context(), pay.Ref())
			return err
		}},
	}
	for _, tt := range closed {
		t.Run("after "+tt.name, func(t *testing.T) {
			p, _ := newAuto()
			pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
			if err := tt.close(p, pay); err != nil {
				t.Fatal(err)
			}
			_, err := p.Pay(t.Context(), qrReq("ORDER-1"))
			wantKind(t, err, payment.KindFailed)
			wantCode(t, err, "ORDER_CLOSED")
			if p.Orders("ORDER-1") != 1 || p.Charges("ORDER-1") != 0 {
				t.Errorf("Orders %d, Charges %d", p.Orders("ORDER-1"), p.Charges("ORDER-1"))
			}
		})
	}

	t.Run("after paying", func(t *testing.T) {
		p, _ := newAuto()
		pay := paid(t, p, "ORDER-1", "19.99 CAD")
		again, err := p.Pay(t.Context(), qrReq("ORDER-1"))
		if err != nil {
			t.Fatal(err)
		}
		if again.PaymentID != pay.PaymentID || again.Status != payment.StatusSucceeded || again.Action != nil {
			t.Errorf("got %s %s action %v; want %s succeeded without an action", again.PaymentID, again.Status, again.Action, pay.PaymentID)
		}
		if p.Charges("ORDER-1") != 1 {
			t.Errorf("Charges = %d", p.Charges("ORDER-1"))
		}
	})
}

func TestConcurrentPays(t *testing.T) {
	p, _ := newAuto()
	// Some attempts lose their answer after the provider acted, so retries
	// race with first attempts. Three faults cannot use up one call's four
	// attempts, so every call ends with an answer.
	p.Script(payment.OpPay, times(3, fault(paymenttest.FaultDropAfter))...)
	const n = 16
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pay, err := p.Pay(t.Context(), qrReq("ORDER-1"))
			if err == nil {
				ids[i] = pay.PaymentID
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	var id string
	for i := range n {
		if errs[i] != nil {
			t.Errorf("pay %d: %v", i, errs[i])
			continue
		}
		if id == "" {
			id = ids[i]
		}
		if ids[i] != id {
			t.Errorf("pay %d returned %s, another returned %s", i, ids[i], id)
		}
	}
	if got := p.Orders("ORDER-1"); got != 1 {
		t.Errorf("Orders = %d, want 1", got)
	}
	if err := p.Complete(id); err != nil {
		t.Fatal(err)
	}
	if got := p.Charges("ORDER-1"); got != 1 {
		t.Errorf("Charges = %d, want 1", got)
	}
}

func TestInquire(t *testing.T) {
	p, _ := newAuto()
	pay := paid(t, p, "ORDER-1", "10.00 CAD")
	if _, err := p.Refund(t.Context(), refundReq("R-1", pay.PaymentID, "2.50 CAD")); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []payment.Ref{
		{PaymentID: pay.PaymentID},
		{PaymentRequestID: "ORDER-1"},
		{PaymentID: pay.PaymentID, PaymentRequestID: "ORDER-1"},
	} {
		got, err := p.Inquire(t.Context(), ref)
		if err != nil {
			t.Fatalf("%+v: %v", ref, err)
		}
		if got.PaymentID != pay.PaymentID || got.Status != payment.StatusPartiallyRefunded ||
			!got.Refunded.Equal(money.MustParse("2.50 CAD")) || !got.PaidAt.Equal(start) {
			t.Errorf("%+v: %s %s refunded %v paid at %v", ref, got.PaymentID, got.Status, got.Refunded, got.PaidAt)
		}
	}
	for _, ref := range []payment.Ref{{PaymentID: "PT404"}, {PaymentRequestID: "ORDER-404"}} {
		_, err := p.Inquire(t.Context(), ref)
		wantKind(t, err, payment.KindNotFound)
		wantCode(t, err, "ORDER_NOT_EXIST")
		if n := len(p.Calls(payment.OpInquire)); n == 0 {
			t.Error("no call recorded")
		}
	}

	t.Run("by request ID unsupported", func(t *testing.T) {
		caps := paymenttest.DefaultCapabilities()
		caps.InquireByRequestID = false
		p, _ := newAuto(paymenttest.WithCapabilities(caps))
		_, err := p.Inquire(t.Context(), payment.Ref{PaymentRequestID: "ORDER-1"})
		wantKind(t, err, payment.KindUnsupported)
		if n := len(p.Calls(payment.OpInquire)); n != 0 {
			t.Errorf("%d calls, want none", n)
		}
	})
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name       string
		cancelPaid bool
		setup      func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment)
		wantKind   payment.Kind
		wantCode   string
		wantStatus payment.Status
	}{
		{"pending", false, nil, 0, "", payment.StatusCancelled},
		{"cancelled again", false, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			if _, err := p.Cancel(t.Context(), pay.Ref()); err != nil {
				t.Fatal(err)
			}
		}, 0, "", payment.StatusCancelled},
		{"expired", false, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			if err := p.Expire(pay.PaymentID); err != nil {
				t.Fatal(err)
			}
		}, 0, "", payment.StatusCancelled},
		{"paid", false, complete, payment.KindFailed, "ORDER_PAID", payment.StatusSucceeded},
		{"paid, with CancelPaid", true, complete, 0, "", payment.StatusCancelled},
		{"partially refunded", true, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			complete(t, p, pay)
			refund(t, p, pay, "1.00 CAD")
		}, payment.KindFailed, "ORDER_STATUS_INVALID", payment.StatusPartiallyRefunded},
		{"refunded", true, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			complete(t, p, pay)
			refund(t, p, pay, "19.99 CAD")
		}, payment.KindFailed, "ORDER_STATUS_INVALID", payment.StatusRefunded},
		{"failed", false, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			if err := p.Decline(pay.PaymentID); err != nil {
				t.Fatal(err)
			}
		}, payment.KindFailed, "ORDER_CLOSED", payment.StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caps := paymenttest.DefaultCapabilities()
			caps.CancelPaid = tt.cancelPaid
			p, _ := newAuto(paymenttest.WithCapabilities(caps))
			pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
			if tt.setup != nil {
				tt.setup(t, p, pay)
			}
			got, err := p.Cancel(t.Context(), payment.Ref{PaymentRequestID: "ORDER-1"})
			wantKind(t, err, tt.wantKind)
			if err != nil {
				wantCode(t, err, tt.wantCode)
			} else if got.Status != tt.wantStatus || got.CancelledAt.IsZero() || got.Action != nil {
				t.Errorf("cancel returned %s cancelled at %v, action %v", got.Status, got.CancelledAt, got.Action)
			}
			now, _ := p.Inquire(t.Context(), pay.Ref())
			if now.Status != tt.wantStatus {
				t.Errorf("status %s, want %s", now.Status, tt.wantStatus)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		p, _ := newAuto()
		_, err := p.Cancel(t.Context(), payment.Ref{PaymentID: "PT9"})
		wantKind(t, err, payment.KindNotFound)
	})
	t.Run("unsupported", func(t *testing.T) {
		caps := paymenttest.DefaultCapabilities()
		caps.Cancel = false
		p, _ := newAuto(paymenttest.WithCapabilities(caps))
		_, err := p.Cancel(t.Context(), payment.Ref{PaymentID: "PT1"})
		wantKind(t, err, payment.KindUnsupported)
		if n := len(p.Calls(payment.OpCancel)); n != 0 {
			t.Errorf("%d calls, want none", n)
		}
	})
}

func complete(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
	t.Helper()
	if err := p.Complete(pay.PaymentID); err != nil {
		t.Fatal(err)
	}
}

var refundSeq int

func refund(t *testing.T, p *paymenttest.Provider, pay *payment.Payment, amount string) *payment.Refund {
	t.Helper()
	refundSeq++
	r, err := p.Refund(t.Context(), refundReq(fmt.Sprintf("REFUND-%d", refundSeq), pay.PaymentID, amount))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRefund(t *testing.T) {
	t.Run("partial, then the rest", func(t *testing.T) {
		p, _ := newAuto()
		pay := paid(t, p, "ORDER-1", "10.00 CAD")
		r1, err := p.Refund(t.Context(), &payment.RefundRequest{RefundRequestID: "R-1", Payment: payment.Ref{PaymentRequestID: "ORDER-1"},
			Amount: money.MustParse("3.00 CAD"), Reason: "broken"})
		if err != nil {
			t.Fatal(err)
		}
		want := &payment.Refund{Provider: "paymenttest", RefundRequestID: "R-1", RefundID: "RT1", PaymentID: pay.PaymentID,
			Status: payment.RefundSucceeded, Amount: money.MustParse("3.00 CAD"), Reason: "broken", CreatedAt: start, CompletedAt: start,
			Result: payment.Result{Status: payment.ResultSucceeded, Code: "SUCCESS", Message: "success"}}
		if diff := cmp.Diff(want, r1, amountCmp); diff != "" {
			t.Errorf("refund (-want +got):\n%s", diff)
		}
		checkPayment(t, p, pay, payment.StatusPartiallyRefunded, "3.00 CAD")
		if _, err := p.Refund(t.Context(), refundReq("R-2", pay.PaymentID, "7.00 CAD")); err != nil {
			t.Fatal(err)
		}
		checkPayment(t, p, pay, payment.StatusRefunded, "10.00 CAD")

		// A repeat of an earlier refund still answers with it.
		again, err := p.Refund(t.Context(), refundReq("R-1", pay.PaymentID, "3.00 CAD"))
		if err != nil || again.RefundID != r1.RefundID {
			t.Errorf("repeat: %v, %v; want %s", again, err, r1.RefundID)
		}
		_, err = p.Refund(t.Context(), refundReq("R-3", pay.PaymentID, "0.01 CAD"))
		wantKind(t, err, payment.KindFailed)
		wantCode(t, err, "ORDER_STATUS_INVALID")
		checkPayment(t, p, pay, payment.StatusRefunded, "10.00 CAD")
	})

	tests := []struct {
		name     string
		partial  bool // caps.PartialRefund
		setup    func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment)
		req      func(pay *payment.Payment) *payment.RefundRequest
		wantKind payment.Kind
		wantCode string
		// the payment afterwards
		wantStatus   payment.Status
		wantRefunded string
	}{
		{"not paid", true, func(*testing.T, *paymenttest.Provider, *payment.Payment) {},
			func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "1.00 CAD") },
			payment.KindFailed, "ORDER_STATUS_INVALID", payment.StatusPending, "0.00 CAD"},
		{"unknown payment", true, complete,
			func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", "PT404", "1.00 CAD") },
			payment.KindNotFound, "ORDER_NOT_EXIST", payment.StatusSucceeded, "0.00 CAD"},
		{"other currency", true, complete,
			func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "1.00 USD") },
			payment.KindUnsupported, "CURRENCY_NOT_SUPPORT", payment.StatusSucceeded, "0.00 CAD"},
		{"more than paid", true, complete,
			func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "10.01 CAD") },
			payment.KindFailed, "REFUND_AMOUNT_EXCEED", payment.StatusSucceeded, "0.00 CAD"},
		{"more than what is left", true, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			complete(t, p, pay)
			refund(t, p, pay, "6.00 CAD")
		}, func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "4.01 CAD") },
			payment.KindFailed, "REFUND_AMOUNT_EXCEED", payment.StatusPartiallyRefunded, "6.00 CAD"},
		{"same key, other amount", true, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			complete(t, p, pay)
			if _, err := p.Refund(t.Context(), refundReq("R-1", pay.PaymentID, "1.00 CAD")); err != nil {
				t.Fatal(err)
			}
		}, func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "2.00 CAD") },
			payment.KindIdempotencyConflict, "REPEAT_REQ_INCONSISTENT", payment.StatusPartiallyRefunded, "1.00 CAD"},
		{"same key, other payment", true, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			complete(t, p, pay)
			other := paid(t, p, "ORDER-2", "10.00 CAD")
			if _, err := p.Refund(t.Context(), refundReq("R-1", other.PaymentID, "1.00 CAD")); err != nil {
				t.Fatal(err)
			}
		}, func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "1.00 CAD") },
			payment.KindIdempotencyConflict, "REPEAT_REQ_INCONSISTENT", payment.StatusSucceeded, "0.00 CAD"},
		{"same key, same amount", true, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			complete(t, p, pay)
			if _, err := p.Refund(t.Context(), refundReq("R-1", pay.PaymentID, "1.00 CAD")); err != nil {
				t.Fatal(err)
			}
		}, func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "1.00 CAD") },
			0, "", payment.StatusPartiallyRefunded, "1.00 CAD"},
		{"partial without PartialRefund", false, complete,
			func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "9.99 CAD") },
			payment.KindUnsupported, "PARTIAL_REFUND_NOT_SUPPORTED", payment.StatusSucceeded, "0.00 CAD"},
		{"full without PartialRefund", false, complete,
			func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "10.00 CAD") },
			0, "", payment.StatusRefunded, "10.00 CAD"},
		{"cancelled", true, func(t *testing.T, p *paymenttest.Provider, pay *payment.Payment) {
			if err := p.Expire(pay.PaymentID); err != nil {
				t.Fatal(err)
			}
		}, func(pay *payment.Payment) *payment.RefundRequest { return refundReq("R-1", pay.PaymentID, "1.00 CAD") },
			payment.KindFailed, "ORDER_STATUS_INVALID", payment.StatusCancelled, "0.00 CAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caps := paymenttest.DefaultCapabilities()
			caps.PartialRefund = tt.partial
			p, _ := newAuto(paymenttest.WithCapabilities(caps))
			pay, _ := p.Pay(t.Context(), payReq("ORDER-1", payment.ScenarioQRCode, "10.00 CAD"))
			tt.setup(t, p, pay)
			before := len(p.Calls(payment.OpRefund))
			_, err := p.Refund(t.Context(), tt.req(pay))
			wantKind(t, err, tt.wantKind)
			if err != nil {
				wantCode(t, err, tt.wantCode)
			}
			if n := len(p.Calls(payment.OpRefund)) - before; n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
			checkPayment(t, p, pay, tt.wantStatus, tt.wantRefunded)
		})
	}
	t.Run("unsupported", func(t *testing.T) {
		caps := paymenttest.DefaultCapabilities()
		caps.Refund = false
		p, _ := newAuto(paymenttest.WithCapabilities(caps))
		_, err := p.Refund(t.Context(), refundReq("R-1", "PT1", "1.00 CAD"))
		wantKind(t, err, payment.KindUnsupported)
		_, err = p.InquireRefund(t.Context(), payment.RefundRef{RefundID: "RT1"})
		wantKind(t, err, payment.KindUnsupported)
		if n := len(p.Calls(payment.OpRefund)) + len(p.Calls(payment.OpInquireRefund)); n != 0 {
			t.Errorf("%d calls, want none", n)
		}
	})
}

// TestInquiryWithoutRefunds: a provider that tracks refunds only per refund
// reports a refunded payment as succeeded, and still never over-refunds.
func TestInquiryWithoutRefunds(t *testing.T) {
	caps := paymenttest.DefaultCapabilities()
	caps.InquiryShowsRefunds = false
	p, _ := newAuto(paymenttest.WithCapabilities(caps))
	pay := paid(t, p, "ORDER-1", "10.00 CAD")
	refund(t, p, pay, "10.00 CAD")
	got, err := p.Inquire(t.Context(), pay.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != payment.StatusSucceeded || !got.Refunded.Currency().IsZero() {
		t.Errorf("status %s refunded %v, want succeeded and no refunded amount", got.Status, got.Refunded)
	}
	_, err = p.Refund(t.Context(), refundReq("R-MORE", pay.PaymentID, "0.01 CAD"))
	wantKind(t, err, payment.KindFailed)
	wantCode(t, err, "ORDER_STATUS_INVALID")
}

func checkPayment(t *testing.T, p *paymenttest.Provider, pay *payment.Payment, status payment.Status, refunded string) {
	t.Helper()
	got, err := p.Inquire(t.Context(), pay.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != status || !got.Refunded.Equal(money.MustParse(refunded)) {
		t.Errorf("payment %s refunded %v, want %s refunded %s", got.Status, got.Refunded, status, refunded)
	}
}

func TestInquireRefund(t *testing.T) {
	p, _ := newAuto()
	pay := paid(t, p, "ORDER-1", "10.00 CAD")
	r, err := p.Refund(t.Context(), refundReq("R-1", pay.PaymentID, "1.00 CAD"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []payment.RefundRef{{RefundID: r.RefundID}, {RefundRequestID: "R-1"}} {
		got, err := p.InquireRefund(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got, amountCmp); diff != "" {
			t.Errorf("%+v (-refund +inquired):\n%s", ref, diff)
		}
	}
	for _, ref := range []payment.RefundRef{{RefundID: "RT404"}, {RefundRequestID: "R-404"}} {
		_, err := p.InquireRefund(t.Context(), ref)
		wantKind(t, err, payment.KindNotFound)
		wantCode(t, err, "REFUND_NOT_EXIST")
	}
	t.Run("by request ID unsupported", func(t *testing.T) {
		caps := paymenttest.DefaultCapabilities()
		caps.InquireRefundByRequestID = false
		p, _ := newAuto(paymenttest.WithCapabilities(caps))
		_, err := p.InquireRefund(t.Context(), payment.RefundRef{RefundRequestID: "R-1"})
		wantKind(t, err, payment.KindUnsupported)
	})
}

func TestConcurrentRefunds(t *testing.T) {
	p, _ := newAuto()
	pay := paid(t, p, "ORDER-1", "10.00 CAD")
	const n = 40 // 40 refunds of 1.00 against 10.00 paid
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = p.Refund(t.Context(), refundReq(fmt.Sprintf("R-%d", i), pay.PaymentID, "1.00 CAD"))
		}()
	}
	// The same refund, sent 16 times at once, is one refund.
	same := make([]string, 16)
	for i := range same {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := p.Refund(t.Context(), refundReq("R-SAME", pay.PaymentID, "0.50 CAD")); err == nil {
				same[i] = r.RefundID
			}
		}()
	}
	wg.Wait()

	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case payment.KindOf(err) == payment.KindFailed:
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	sameID := ""
	for _, id := range same {
		if id != "" && sameID != "" && id != sameID {
			t.Errorf("one refund request made refunds %s and %s", sameID, id)
		}
		if id != "" {
			sameID = id
		}
	}
	// Either the 0.50 refund came in before the payment was refunded in
	// full, and then only nine of the 1.00 refunds fit, or it came too late.
	want := int64(ok) * 100
	if sameID != "" {
		want += 50
	}
	if (ok != 10 || sameID != "") && (ok != 9 || sameID == "") {
		t.Errorf("%d refunds of 1.00 and the 0.50 refund %q succeeded", ok, sameID)
	}
	got, _ := p.Inquire(t.Context(), pay.Ref())
	if got.Refunded.Minor() != want {
		t.Errorf("refunded %v, the successful refunds add up to %d minor units", got.Refunded, want)
	}
	if c, _ := got.Refunded.Cmp(got.Amount); c > 0 {
		t.Errorf("refunded %v of %v", got.Refunded, got.Amount)
	}
}
