package paymenttest_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// TestPayFaults checks, for each fault kind, the outcome of a pay call, the
// requests it sent, and whether the provider acted.
func TestPayFaults(t *testing.T) {
	U := result(payment.ResultUnknown, "")
	tests := []struct {
		name      string
		faults    []paymenttest.Fault
		wantKind  payment.Kind // 0: success
		wantCode  string       // the error's or the payment's result code
		wantCalls int
		wantOrder bool // the provider created the payment
	}{
		{"no fault", nil, 0, "SUCCESS", 1, true},

		{"F answer", []paymenttest.Fault{result(payment.ResultFailed, "")}, payment.KindFailed, "PROCESS_FAIL", 1, false},
		{"F answer with a code", []paymenttest.Fault{result(payment.ResultFailed, "RISK_REJECT")}, payment.KindFailed, "RISK_REJECT", 1, false},
		{"F REPEAT_REQ_INCONSISTENT", []paymenttest.Fault{result(payment.ResultFailed, "REPEAT_REQ_INCONSISTENT")}, payment.KindIdempotencyConflict, "REPEAT_REQ_INCONSISTENT", 1, false},
		{"F ORDER_NOT_EXIST", []paymenttest.Fault{result(payment.ResultFailed, "ORDER_NOT_EXIST")}, payment.KindNotFound, "ORDER_NOT_EXIST", 1, false},
		{"U on every attempt", times(4, U), payment.KindUnknownOutcome, "UNKNOWN_EXCEPTION", 4, false},
		{"U with a code on every attempt", times(4, result(payment.ResultUnknown, "REQUEST_TRAFFIC_EXCEED_LIMIT")), payment.KindUnknownOutcome, "REQUEST_TRAFFIC_EXCEED_LIMIT", 4, false},
		{"U, U, then an answer", times(2, U), 0, "SUCCESS", 3, true},
		// The U attempt may have been performed: the refusal may be about
		// what it did, so the engine concludes nothing.
		{"U, then F", []paymenttest.Fault{U, result(payment.ResultFailed, "")}, payment.KindUnknownOutcome, "PROCESS_FAIL", 2, false},
		// A refused connection performed nothing: the F stands.
		{"refused, then F", []paymenttest.Fault{fault(paymenttest.FaultRefuse), result(payment.ResultFailed, "")}, payment.KindFailed, "PROCESS_FAIL", 2, false},
		{"S answer", []paymenttest.Fault{result(payment.ResultSucceeded, "")}, 0, "SUCCESS", 1, true},
		{"A answer", []paymenttest.Fault{result(payment.ResultAccepted, "")}, 0, "ACCEPTED", 1, true},
		{"unrecognised result status on every attempt", times(4, result("X", "ODD")), payment.KindUnknownOutcome, "ODD", 4, false},
		{"unrecognised result status, then an answer", []paymenttest.Fault{result("X", "ODD")}, 0, "SUCCESS", 2, true},

		{"HTTP 503 on every attempt", times(4, paymenttest.Fault{Kind: paymenttest.FaultHTTPStatus, HTTPStatus: 503}), payment.KindUnknownOutcome, "", 4, false},
		{"HTTP status 0 means 503", times(4, fault(paymenttest.FaultHTTPStatus)), payment.KindUnknownOutcome, "", 4, false},
		{"HTTP 408, 429, 502, then an answer", []paymenttest.Fault{
			{Kind: paymenttest.FaultHTTPStatus, HTTPStatus: 408},
			{Kind: paymenttest.FaultHTTPStatus, HTTPStatus: 429},
			{Kind: paymenttest.FaultHTTPStatus, HTTPStatus: 502},
		}, 0, "SUCCESS", 4, true},
		{"HTTP 404 is not an API answer", []paymenttest.Fault{{Kind: paymenttest.FaultHTTPStatus, HTTPStatus: 404}}, payment.KindUnknownOutcome, "", 1, false},
		{"U, then HTTP 500 on every retry", append([]paymenttest.Fault{U}, times(3, fault(paymenttest.FaultHTTPStatus))...), payment.KindUnknownOutcome, "UNKNOWN_EXCEPTION", 4, false},

		{"delay", []paymenttest.Fault{{Kind: paymenttest.FaultDelay, Delay: 3 * time.Second}}, 0, "SUCCESS", 1, true},

		{"refused on every attempt", times(4, fault(paymenttest.FaultRefuse)), payment.KindUnavailable, "", 4, false},
		{"refused, then an answer", []paymenttest.Fault{fault(paymenttest.FaultRefuse)}, 0, "SUCCESS", 2, true},
		{"refused, dropped, refused, refused", []paymenttest.Fault{
			fault(paymenttest.FaultRefuse), fault(paymenttest.FaultDropBefore), fault(paymenttest.FaultRefuse), fault(paymenttest.FaultRefuse),
		}, payment.KindUnknownOutcome, "", 4, false},
		{"U, then refused on every retry", append([]paymenttest.Fault{U}, times(3, fault(paymenttest.FaultRefuse))...), payment.KindUnknownOutcome, "UNKNOWN_EXCEPTION", 4, false},

		{"dropped before acting on every attempt", times(4, fault(paymenttest.FaultDropBefore)), payment.KindUnknownOutcome, "", 4, false},
		{"dropped before acting, then an answer", []paymenttest.Fault{fault(paymenttest.FaultDropBefore)}, 0, "SUCCESS", 2, true},
		{"dropped after acting on every attempt", times(4, fault(paymenttest.FaultDropAfter)), payment.KindUnknownOutcome, "", 4, true},
		{"dropped after acting, then an answer", []paymenttest.Fault{fault(paymenttest.FaultDropAfter)}, 0, "SUCCESS", 2, true},

		{"unsigned answer", []paymenttest.Fault{fault(paymenttest.FaultNoSignature)}, payment.KindUnknownOutcome, "", 1, true},
		{"bad signature", []paymenttest.Fault{fault(paymenttest.FaultBadSignature)}, payment.KindUnknownOutcome, "", 1, true},
		{"tampered body", []paymenttest.Fault{fault(paymenttest.FaultTamperBody)}, payment.KindUnknownOutcome, "", 1, true},
		// The answer verified, so its result is kept on the error.
		{"changed amount", []paymenttest.Fault{fault(paymenttest.FaultChangeAmount)}, payment.KindUnknownOutcome, "SUCCESS", 1, true},
		// The last result a verified answer carried is kept on the error.
		{"U, then an unsigned answer", []paymenttest.Fault{U, fault(paymenttest.FaultNoSignature)}, payment.KindUnknownOutcome, "UNKNOWN_EXCEPTION", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clk := newAuto()
			p.Script(payment.OpPay, tt.faults...)
			req := qrReq("ORDER-1")
			pay, err := p.Pay(t.Context(), req)
			wantKind(t, err, tt.wantKind)
			if err == nil {
				if pay.Result.Code != tt.wantCode {
					t.Errorf("payment result %v, want code %s", pay.Result, tt.wantCode)
				}
				if pay.Status != payment.StatusPending || pay.Action == nil {
					t.Errorf("payment %s with action %v, want pending with an action", pay.Status, pay.Action)
				}
			} else {
				wantCode(t, err, tt.wantCode)
				if pay != nil {
					t.Errorf("got a payment with an error: %+v", pay)
				}
			}

			calls := p.Calls(payment.OpPay)
			if len(calls) != tt.wantCalls {
				t.Fatalf("%d calls, want %d", len(calls), tt.wantCalls)
			}
			for i, c := range calls {
				if !bytes.Equal(c.Payload, calls[0].Payload) {
					t.Errorf("attempt %d sent %s, attempt 1 sent %s", i+1, c.Payload, calls[0].Payload)
				}
				if c.RequestID != "ORDER-1" {
					t.Errorf("attempt %d: request ID %q", i+1, c.RequestID)
				}
				var want *paymenttest.Fault
				if i < len(tt.faults) {
					want = &tt.faults[i]
				}
				if (c.Fault == nil) != (want == nil) || (want != nil && *c.Fault != *want) {
					t.Errorf("attempt %d met fault %v, want %v", i+1, c.Fault, want)
				}
			}
			if n := len(clk.Waits()); tt.wantCalls > 1 && n < tt.wantCalls-1 {
				t.Errorf("%d waits on the clock for %d attempts", n, tt.wantCalls)
			}

			wantOrders := 0
			if tt.wantOrder {
				wantOrders = 1
			}
			if got := p.Orders("ORDER-1"); got != wantOrders {
				t.Errorf("Orders = %d, want %d", got, wantOrders)
			}
			if got := p.Charges("ORDER-1"); got != 0 {
				t.Errorf("Charges = %d, want 0", got)
			}
			// What really happened, as an inquiry shows it.
			got, ierr := p.Inquire(t.Context(), payment.Ref{PaymentRequestID: "ORDER-1"})
			if tt.wantOrder {
				if ierr != nil {
					t.Fatalf("inquire: %v", ierr)
				}
				if got.Status != payment.StatusPending {
					t.Errorf("inquired status %s, want pending", got.Status)
				}
				if pay != nil && got.PaymentID != pay.PaymentID {
					t.Errorf("inquired %s, pay returned %s", got.PaymentID, pay.PaymentID)
				}
			} else {
				wantKind(t, ierr, payment.KindNotFound)
			}
		})
	}
}

// TestDelayUsesTheClock: the answer of a delayed attempt comes Delay later
// on the provider's clock, and the provider acts then.
func TestDelayUsesTheClock(t *testing.T) {
	p, clk := newManual()
	p.Script(payment.OpPay, paymenttest.Fault{Kind: paymenttest.FaultDelay, Delay: time.Minute})
	done := make(chan *payment.Payment)
	go func() {
		pay, err := p.Pay(context.Background(), qrReq("ORDER-1"))
		if err != nil {
			t.Error(err)
		}
		done <- pay
	}()
	clk.BlockUntilWaiters(1)
	if n := p.Orders("ORDER-1"); n != 0 {
		t.Fatalf("Orders = %d before the delay passed", n)
	}
	clk.Advance(time.Minute)
	pay := <-done
	if pay == nil {
		t.Fatal("no payment")
	}
	if want := start.Add(time.Minute); !pay.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt %v, want %v", pay.CreatedAt, want)
	}
}

// TestDelayBeyondTheContext: the caller stops waiting, the provider acts
// anyway, and the outcome is unknown.
func TestDelayBeyondTheContext(t *testing.T) {
	p, clk := newManual()
	p.Script(payment.OpPay, paymenttest.Fault{Kind: paymenttest.FaultDelay, Delay: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		clk.BlockUntilWaiters(1)
		cancel()
	}()
	_, err := p.Pay(ctx, qrReq("ORDER-1"))
	wantKind(t, err, payment.KindUnknownOutcome)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not wrap context.Canceled", err)
	}
	if n := p.Orders("ORDER-1"); n != 1 {
		t.Errorf("Orders = %d, want 1: the provider had the request", n)
	}
}

func TestHangEndsWithTheContext(t *testing.T) {
	p, _ := newManual()
	p.Script(payment.OpPay, fault(paymenttest.FaultHang))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := p.Pay(ctx, qrReq("ORDER-1"))
	wantKind(t, err, payment.KindUnknownOutcome)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	if n := len(p.Calls(payment.OpPay)); n != 1 {
		t.Errorf("%d calls, want 1: a hang is not retried", n)
	}
	if n := p.Orders("ORDER-1"); n != 0 {
		t.Errorf("Orders = %d, want 0: the provider did not act", n)
	}
}

func TestContextEndsDuringRetryWait(t *testing.T) {
	tests := []struct {
		name     string
		fault    paymenttest.Fault
		wantKind payment.Kind
		wantCode string
	}{
		{"after a U answer", result(payment.ResultUnknown, ""), payment.KindUnknownOutcome, "UNKNOWN_EXCEPTION"},
		{"after a dropped connection", fault(paymenttest.FaultDropBefore), payment.KindUnknownOutcome, ""},
		{"after a refused connection", fault(paymenttest.FaultRefuse), payment.KindUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clk := newManual()
			p.Script(payment.OpPay, tt.fault)
			ctx, cancel := context.WithCancel(t.Context())
			go func() {
				clk.BlockUntilWaiters(1) // the backoff before the first retry
				cancel()
			}()
			_, err := p.Pay(ctx, qrReq("ORDER-1"))
			wantKind(t, err, tt.wantKind)
			wantCode(t, err, tt.wantCode)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v does not wrap context.Canceled", err)
			}
			if n := len(p.Calls(payment.OpPay)); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func TestContextDoneBeforeTheFirstAttempt(t *testing.T) {
	p, _ := newAuto()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := p.Pay(ctx, qrReq("ORDER-1"))
	wantKind(t, err, payment.KindUnavailable)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not wrap context.Canceled", err)
	}
	if n := len(p.Calls(payment.OpPay)); n != 0 {
		t.Errorf("%d calls, want none", n)
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Run("MaxAttempts", func(t *testing.T) {
		p, _ := newAuto(paymenttest.WithRetry(payment.RetryPolicy{MaxAttempts: 2}))
		p.Script(payment.OpPay, times(4, result(payment.ResultUnknown, ""))...)
		_, err := p.Pay(t.Context(), qrReq("ORDER-1"))
		wantKind(t, err, payment.KindUnknownOutcome)
		if n := len(p.Calls(payment.OpPay)); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
	t.Run("one attempt", func(t *testing.T) {
		p, clk := newAuto(paymenttest.WithRetry(payment.RetryPolicy{MaxAttempts: 1}))
		p.Script(payment.OpPay, fault(paymenttest.FaultRefuse))
		_, err := p.Pay(t.Context(), qrReq("ORDER-1"))
		wantKind(t, err, payment.KindUnavailable)
		if n := len(clk.Waits()); n != 0 {
			t.Errorf("%d waits, want none", n)
		}
	})
	t.Run("waits are jittered exponential backoff on the clock", func(t *testing.T) {
		p, clk := newAuto(paymenttest.WithRetry(payment.RetryPolicy{MaxAttempts: 5, BaseWait: time.Second, MaxWait: 3 * time.Second}))
		p.Script(payment.OpPay, times(5, result(payment.ResultUnknown, ""))...)
		_, err := p.Pay(t.Context(), qrReq("ORDER-1"))
		wantKind(t, err, payment.KindUnknownOutcome)
		waits := clk.Waits()
		ceilings := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}
		if len(waits) != len(ceilings) {
			t.Fatalf("waits %v, want %d", waits, len(ceilings))
		}
		for i, w := range waits {
			if w < 0 || w > ceilings[i] {
				t.Errorf("wait %d is %v, want at most %v", i+1, w, ceilings[i])
			}
		}
	})
	t.Run("stops when the time is up", func(t *testing.T) {
		// Any wait but one of at most 1ns (odds of about 1 in 2e12) passes
		// MaxElapsed, so the policy says stop after the first attempt.
		p, _ := newAuto(paymenttest.WithRetry(payment.RetryPolicy{BaseWait: time.Hour, MaxWait: time.Hour, MaxElapsed: time.Nanosecond}))
		p.Script(payment.OpPay, times(2, result(payment.ResultUnknown, ""))...)
		_, err := p.Pay(t.Context(), qrReq("ORDER-1"))
		wantKind(t, err, payment.KindUnknownOutcome)
		if n := len(p.Calls(payment.OpPay)); n != 1 {
			t.Errorf("%d calls, want 1", n)
		}
	})
}

// TestFaultsOnEveryOperation: faults are per operation, and every operation
// follows the same outcome rules.
func TestFaultsOnEveryOperation(t *testing.T) {
	t.Run("inquire: U then an answer", func(t *testing.T) {
		p, _ := newAuto()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		p.Script(payment.OpInquire, result(payment.ResultUnknown, ""))
		got, err := p.Inquire(t.Context(), pay.Ref())
		wantKind(t, err, 0)
		if got.PaymentID != pay.PaymentID {
			t.Errorf("inquired %s, want %s", got.PaymentID, pay.PaymentID)
		}
		if n := len(p.Calls(payment.OpInquire)); n != 2 {
			t.Errorf("%d inquire calls, want 2", n)
		}
		if n := len(p.Calls(payment.OpPay)); n != 1 {
			t.Errorf("%d pay calls, want 1", n)
		}
	})
	t.Run("cancel: dropped after acting", func(t *testing.T) {
		p, _ := newAuto()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		p.Script(payment.OpCancel, times(4, fault(paymenttest.FaultDropAfter))...)
		_, err := p.Cancel(t.Context(), pay.Ref())
		wantKind(t, err, payment.KindUnknownOutcome)
		got, err := p.Inquire(t.Context(), pay.Ref())
		wantKind(t, err, 0)
		if got.Status != payment.StatusCancelled {
			t.Errorf("status %s, want cancelled", got.Status)
		}
	})
	t.Run("cancel: F", func(t *testing.T) {
		p, _ := newAuto()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		p.Script(payment.OpCancel, result(payment.ResultFailed, "SYSTEM_BUSY"))
		_, err := p.Cancel(t.Context(), pay.Ref())
		wantKind(t, err, payment.KindFailed)
		got, _ := p.Inquire(t.Context(), pay.Ref())
		if got.Status != payment.StatusPending {
			t.Errorf("status %s, want pending: an F answer changes nothing", got.Status)
		}
	})
	t.Run("refund: dropped after acting, then the retry meets the refund", func(t *testing.T) {
		p, _ := newAuto()
		pay := paid(t, p, "ORDER-1", "10.00 CAD")
		p.Script(payment.OpRefund, fault(paymenttest.FaultDropAfter))
		r, err := p.Refund(t.Context(), refundReq("REFUND-1", pay.PaymentID, "4.00 CAD"))
		wantKind(t, err, 0)
		got, _ := p.Inquire(t.Context(), pay.Ref())
		if got.Status != payment.StatusPartiallyRefunded || !got.Refunded.Equal(r.Amount) {
			t.Errorf("payment %s refunded %v, want partially refunded 4.00 CAD", got.Status, got.Refunded)
		}
	})
	t.Run("refund: bad signature", func(t *testing.T) {
		p, _ := newAuto()
		pay := paid(t, p, "ORDER-1", "10.00 CAD")
		p.Script(payment.OpRefund, fault(paymenttest.FaultBadSignature))
		_, err := p.Refund(t.Context(), refundReq("REFUND-1", pay.PaymentID, "10.00 CAD"))
		wantKind(t, err, payment.KindUnknownOutcome)
		r, err := p.InquireRefund(t.Context(), payment.RefundRef{RefundRequestID: "REFUND-1"})
		wantKind(t, err, 0)
		if r.Status != payment.RefundSucceeded {
			t.Errorf("refund %s, want succeeded: the provider acted", r.Status)
		}
	})
	t.Run("cancel: a refusal after a lost attempt is an unknown outcome", func(t *testing.T) {
		p, _ := newAuto()
		pay := paid(t, p, "ORDER-1", "10.00 CAD")
		p.Script(payment.OpCancel, fault(paymenttest.FaultDropBefore))
		_, err := p.Cancel(t.Context(), pay.Ref())
		wantKind(t, err, payment.KindUnknownOutcome)
		wantCode(t, err, "ORDER_PAID")
	})
	t.Run("refund: a changed amount contradicts the request", func(t *testing.T) {
		p, _ := newAuto()
		pay := paid(t, p, "ORDER-1", "10.00 CAD")
		p.Script(payment.OpRefund, fault(paymenttest.FaultChangeAmount))
		_, err := p.Refund(t.Context(), refundReq("REFUND-1", pay.PaymentID, "4.00 CAD"))
		wantKind(t, err, payment.KindUnknownOutcome)
		checkRefunded(t, p, pay, "4.00 CAD")
	})
	t.Run("inquire: a changed amount has nothing to contradict", func(t *testing.T) {
		p, _ := newAuto()
		pay, _ := p.Pay(t.Context(), qrReq("ORDER-1"))
		p.Script(payment.OpInquire, fault(paymenttest.FaultChangeAmount))
		got, err := p.Inquire(t.Context(), pay.Ref())
		wantKind(t, err, 0)
		if want := money.MustParse("20.00 CAD"); !got.Amount.Equal(want) {
			t.Errorf("amount %v, want the changed %v", got.Amount, want)
		}
	})
	t.Run("inquire-refund: refused", func(t *testing.T) {
		p, _ := newAuto()
		p.Script(payment.OpInquireRefund, times(4, fault(paymenttest.FaultRefuse))...)
		_, err := p.InquireRefund(t.Context(), payment.RefundRef{RefundID: "RT1"})
		wantKind(t, err, payment.KindUnavailable)
	})
}

// TestUnknownFaultKind: scripting a fault that cannot happen is an error,
// and queues nothing.
func TestUnknownFaultKind(t *testing.T) {
	for _, k := range []paymenttest.FaultKind{0, 99} {
		p, _ := newAuto()
		if err := p.Script(payment.OpPay, fault(paymenttest.FaultDropAfter), fault(k)); !errors.Is(err, paymenttest.ErrBadFault) {
			t.Errorf("Script(fault %d) = %v, want ErrBadFault", k, err)
		}
		if _, err := p.Pay(t.Context(), qrReq("ORDER-1")); err != nil {
			t.Errorf("Pay after a refused Script: %v", err)
		}
		if c := p.Calls(payment.OpPay); len(c) != 1 || c[0].Fault != nil {
			t.Errorf("calls %+v: want one, without a fault", c)
		}
	}
}

func TestFaultString(t *testing.T) {
	tests := []struct {
		f    paymenttest.Fault
		want string
	}{
		{result(payment.ResultFailed, ""), "result F PROCESS_FAIL"},
		{result(payment.ResultUnknown, "X"), "result U X"},
		{fault(paymenttest.FaultHTTPStatus), "http-status 503"},
		{paymenttest.Fault{Kind: paymenttest.FaultDelay, Delay: time.Second}, "delay 1s"},
		{fault(paymenttest.FaultDropAfter), "drop-after"},
		{fault(0), "FaultKind(0)"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func checkRefunded(t *testing.T, p *paymenttest.Provider, pay *payment.Payment, refunded string) {
	t.Helper()
	got, err := p.Inquire(t.Context(), pay.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if !got.Refunded.Equal(money.MustParse(refunded)) {
		t.Errorf("refunded %v, want %s: the provider acted", got.Refunded, refunded)
	}
}
