package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

func checkOutcomes(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	t.Run("S or A answer is a success with the scenario's action", func(t *testing.T) {
		e := newEnv(t, maker)
		s := e.defaultScenario()
		p := e.pay(e.payRequest(s, 1234))
		if p.Status == payment.StatusPending && actionKind(p) != s.ActionKind() {
			t.Errorf("pending %s payment has action %q, want %q", s, actionKind(p), s.ActionKind())
		}
		if p.Provider != e.p.Name() {
			t.Errorf("Payment.Provider = %q, want %q", p.Provider, e.p.Name())
		}
	})

	t.Run("F answer is a failure with the provider's code, sent once", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		e.script(payment.OpPay, Fault{Kind: FaultResult, Status: payment.ResultFailed, Code: "CONFORMANCE_DECLINED"})
		_, err := e.p.Pay(e.ctx, req)
		kindIs(t, "RULE BROKEN — an F answer must be reported as failed", err, payment.KindFailed)
		var pe *payment.Error
		if errors.As(err, &pe) && pe.Result.Code != "CONFORMANCE_DECLINED" {
			t.Errorf("the error must carry the provider's code CONFORMANCE_DECLINED, has %q", pe.Result.Code)
		}
		if n := len(e.h.Requests(payment.OpPay)); n != 1 {
			t.Errorf("RULE BROKEN — an F answer must never be retried: %d requests sent", n)
		}
		if n := e.h.Charges(req.PaymentRequestID); n != 0 {
			t.Errorf("a failed pay charged %d times", n)
		}
	})

	t.Run("U answers are retried with the same request until the provider recovers", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		e.script(payment.OpPay, Repeat(Fault{Kind: FaultResult, Status: payment.ResultUnknown}, attempts()-1)...)
		p, err := e.p.Pay(e.ctx, req)
		if err != nil {
			t.Fatalf("RULE BROKEN — U answers must be retried; after %d U answers the provider recovered, yet Pay returned %v", attempts()-1, err)
		}
		reqs := e.h.Requests(payment.OpPay)
		if len(reqs) != attempts() {
			t.Errorf("%d requests sent, want %d", len(reqs), attempts())
		}
		sameBodies(t, reqs)
		if p.PaymentID == "" {
			t.Error("no PaymentID")
		}
	})

	t.Run("persistent U is an unknown outcome, never a failure", func(t *testing.T) {
		e := newEnv(t, maker)
		e.script(payment.OpPay, Repeat(Fault{Kind: FaultResult, Status: payment.ResultUnknown}, attempts())...)
		_, err := e.p.Pay(e.ctx, e.payRequest(e.defaultScenario(), 1234))
		neverFailed(t, err)
		kindIs(t, "RULE BROKEN — U answers that persist must be an unknown outcome", err, payment.KindUnknownOutcome)
		sameBodies(t, e.h.Requests(payment.OpPay))
	})

	for _, code := range []int{408, 429, 500, 502, 503, 504} {
		t.Run(fmt.Sprintf("HTTP %d is retried", code), func(t *testing.T) {
			e := newEnv(t, maker)
			e.script(payment.OpPay, Fault{Kind: FaultHTTPStatus, HTTPStatus: code})
			if _, err := e.p.Pay(e.ctx, e.payRequest(e.defaultScenario(), 1234)); err != nil {
				t.Fatalf("RULE BROKEN — HTTP %d must be retried; the retry would have succeeded, got %v", code, err)
			}
			sameBodies(t, e.h.Requests(payment.OpPay))
		})
	}

	t.Run("persistent HTTP 503 is an unknown outcome", func(t *testing.T) {
		e := newEnv(t, maker)
		e.script(payment.OpPay, Repeat(Fault{Kind: FaultHTTPStatus, HTTPStatus: 503}, attempts())...)
		_, err := e.p.Pay(e.ctx, e.payRequest(e.defaultScenario(), 1234))
		neverFailed(t, err)
		kindIs(t, "RULE BROKEN — a provider that never answers may still have acted", err, payment.KindUnknownOutcome)
	})

	t.Run("connection lost after the provider acted is an unknown outcome, never a failure", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		e.script(payment.OpPay, Repeat(Fault{Kind: FaultDropAfter}, attempts())...)
		_, err := e.p.Pay(e.ctx, req)
		neverFailed(t, err)
		kindIs(t, "RULE BROKEN — a lost answer must be an unknown outcome", err, payment.KindUnknownOutcome)
		sameBodies(t, e.h.Requests(payment.OpPay))
	})

	t.Run("connection lost before the request arrived is retried", func(t *testing.T) {
		e := newEnv(t, maker)
		e.script(payment.OpPay, Fault{Kind: FaultDropBefore})
		if _, err := e.p.Pay(e.ctx, e.payRequest(e.defaultScenario(), 1234)); err != nil {
			t.Fatalf("a lost connection must be retried with the same request; got %v", err)
		}
	})

	t.Run("refused connection is unavailable and charges nothing", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		e.script(payment.OpPay, Repeat(Fault{Kind: FaultRefuse}, attempts())...)
		_, err := e.p.Pay(e.ctx, req)
		kindIs(t, "RULE BROKEN — a request that provably never left must be reported as unavailable", err, payment.KindUnavailable)
		if n := e.h.Charges(req.PaymentRequestID); n != 0 {
			t.Errorf("charged %d times", n)
		}
	})

	for _, f := range []FaultKind{FaultNoSignature, FaultBadSignature, FaultTamperBody, FaultChangeAmount} {
		t.Run(fmt.Sprintf("answer with %v is not trusted", f), func(t *testing.T) {
			e := newEnv(t, maker)
			req := e.payRequest(e.defaultScenario(), 1234)
			e.script(payment.OpPay, Fault{Kind: f})
			_, err := e.p.Pay(e.ctx, req)
			neverFailed(t, err)
			kindIs(t, fmt.Sprintf("RULE BROKEN — an answer with %v must never be trusted", f), err, payment.KindUnknownOutcome)
			// The provider did act: settling the outcome finds the payment.
			p, err := e.resolve(req)
			if err != nil {
				t.Fatalf("RULE BROKEN — %s: Resolve after an untrusted answer: %v", ruleSettles, err)
			}
			if p.PaymentID == "" || !p.Amount.Equal(req.Amount) {
				t.Errorf("Resolve found %s, want a payment of %s", describe(p), req.Amount)
			}
		})
	}
}

func checkIdempotency(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	t.Run("repeated pay returns the same payment and charges once", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		first := e.pay(req)
		again := e.pay(req)
		if again.PaymentID != first.PaymentID {
			t.Fatalf("RULE BROKEN — the same PaymentRequestID must return the same payment: %s then %s", first.PaymentID, again.PaymentID)
		}
		if first.Status == payment.StatusPending {
			if err := e.h.Complete(first.PaymentID); err != nil {
				t.Fatal(err)
			}
		}
		third := e.pay(req)
		if third.PaymentID != first.PaymentID {
			t.Errorf("after payment the same request returned %s, want %s", third.PaymentID, first.PaymentID)
		}
		if n := e.h.Charges(req.PaymentRequestID); n != 1 {
			t.Errorf("RULE BROKEN — one PaymentRequestID, %d charges", n)
		}
	})

	t.Run("16 concurrent pays create one payment and charge once", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		ids := make([]string, 16)
		errs := make([]error, 16)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := *req
				p, err := e.p.Pay(e.ctx, &r)
				errs[i] = err
				if err == nil {
					ids[i] = p.PaymentID
				}
			}()
		}
		wg.Wait()
		var id string
		for i := range ids {
			if errs[i] != nil {
				neverFailed(t, errs[i])
				continue
			}
			if id == "" {
				id = ids[i]
			} else if ids[i] != id {
				t.Fatalf("RULE BROKEN — concurrent pays with one PaymentRequestID returned %s and %s", id, ids[i])
			}
		}
		if id == "" {
			t.Fatalf("no pay succeeded: %v", errs[0])
		}
		p := e.inquire(&payment.Payment{PaymentID: id})
		if p.Status == payment.StatusPending {
			if err := e.h.Complete(id); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.h.Charges(req.PaymentRequestID); n != 1 {
			t.Errorf("RULE BROKEN — one PaymentRequestID, %d charges", n)
		}
	})

	t.Run("same PaymentRequestID with another amount is a conflict", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		e.pay(req)
		other := *req
		other.Amount = amount(1235, e.currency())
		_, err := e.p.Pay(e.ctx, &other)
		kindIs(t, "RULE BROKEN — reusing a PaymentRequestID with other content must be an idempotency conflict", err, payment.KindIdempotencyConflict)
	})

	if !caps.Refund {
		t.Run("refunds", func(t *testing.T) { t.Skip("provider does not refund") })
		return
	}

	t.Run("repeated refund returns the same refund", func(t *testing.T) {
		e := newEnv(t, maker)
		_, p := e.paid(1000)
		rr := &payment.RefundRequest{RefundRequestID: newID("CONF-R"), Payment: payment.Ref{PaymentID: p.PaymentID}, Amount: amount(refundMinor(caps, 1000), e.currency())}
		r1, err := e.p.Refund(e.ctx, rr)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := e.p.Refund(e.ctx, rr)
		if err != nil {
			t.Fatalf("RULE BROKEN — a repeated refund must return the same refund: %v", err)
		}
		if r1.RefundID != r2.RefundID {
			t.Errorf("RULE BROKEN — one RefundRequestID, two refunds: %s and %s", r1.RefundID, r2.RefundID)
		}
	})

	t.Run("same RefundRequestID with another amount is a conflict", func(t *testing.T) {
		if !caps.PartialRefund {
			t.Skip("provider refunds only in full")
		}
		e := newEnv(t, maker)
		_, p := e.paid(1000)
		rr := &payment.RefundRequest{RefundRequestID: newID("CONF-R"), Payment: payment.Ref{PaymentID: p.PaymentID}, Amount: amount(100, e.currency())}
		if _, err := e.p.Refund(e.ctx, rr); err != nil {
			t.Fatal(err)
		}
		rr2 := *rr
		rr2.Amount = amount(200, e.currency())
		_, err := e.p.Refund(e.ctx, &rr2)
		kindIs(t, "RULE BROKEN — reusing a RefundRequestID with another amount must be an idempotency conflict", err, payment.KindIdempotencyConflict)
	})

	t.Run("concurrent partial refunds never exceed the paid amount", func(t *testing.T) {
		if !caps.PartialRefund {
			t.Skip("provider refunds only in full")
		}
		e := newEnv(t, maker)
		_, p := e.paid(1000)
		const n, each = 8, 300
		var wg sync.WaitGroup
		var mu sync.Mutex
		refunded := int64(0)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.p.Refund(e.ctx, &payment.RefundRequest{RefundRequestID: newID("CONF-R"),
					Payment: payment.Ref{PaymentID: p.PaymentID}, Amount: amount(each, e.currency())})
				if err == nil {
					mu.Lock()
					refunded += each
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if refunded > 1000 {
			t.Errorf("RULE BROKEN — refunds of %d minor units succeeded on a payment of 1000", refunded)
		}
		if refunded == 0 {
			t.Error("no refund succeeded")
		}
	})
}

// refundMinor is a refund amount the provider accepts: part of paid where
// partial refunds exist, all of it otherwise.
func refundMinor(caps payment.Capabilities, paid int64) int64 {
	if caps.PartialRefund {
		return paid / 4
	}
	return paid
}

func checkResolve(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	t.Run("an unknown pay resolves to the real payment without a second charge", func(t *testing.T) {
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		e.script(payment.OpPay, Repeat(Fault{Kind: FaultDropAfter}, attempts())...)
		if _, err := e.p.Pay(e.ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) {
			t.Fatalf("setup: Pay = %v, want an unknown outcome", err)
		}
		p, err := e.resolve(req)
		if err != nil {
			t.Fatalf("RULE BROKEN — %s: Resolve: %v", ruleSettles, err)
		}
		if p.PaymentRequestID != "" && p.PaymentRequestID != req.PaymentRequestID {
			t.Errorf("Resolve returned payment of request %s", p.PaymentRequestID)
		}
		if p.Status == payment.StatusPending {
			if err := e.h.Complete(p.PaymentID); err != nil {
				t.Fatalf("Complete(%s): %v — Resolve must return the payment the provider created", p.PaymentID, err)
			}
		}
		again := e.pay(req)
		if again.PaymentID != p.PaymentID {
			t.Errorf("RULE BROKEN — Resolve returned %s but the provider holds %s", p.PaymentID, again.PaymentID)
		}
		if n := e.h.Charges(req.PaymentRequestID); n != 1 {
			t.Errorf("RULE BROKEN — resolving an unknown pay charged %d times", n)
		}
	})

	t.Run("a pending payment completed by the customer is seen as succeeded", func(t *testing.T) {
		e := newEnv(t, maker)
		p := e.pay(e.payRequest(e.defaultScenario(), 1234))
		if p.Status != payment.StatusPending {
			t.Skipf("payments in %s do not wait for the customer", p.Scenario)
		}
		if err := e.h.Complete(p.PaymentID); err != nil {
			t.Fatal(err)
		}
		e.awaitFinal(t, "a payment the customer paid must be seen as succeeded", p.Ref(), payment.StatusSucceeded)
	})

	t.Run("an expired payment is seen as cancelled", func(t *testing.T) {
		e := newEnv(t, maker)
		p := e.pay(e.payRequest(e.defaultScenario(), 1234))
		if p.Status != payment.StatusPending {
			t.Skipf("payments in %s do not wait for the customer", p.Scenario)
		}
		if err := e.h.Expire(p.PaymentID); err != nil {
			t.Fatal(err)
		}
		e.awaitFinal(t, "an expired payment must be seen as cancelled", p.Ref(), payment.StatusCancelled)
	})

	t.Run("the context bounds AwaitFinal", func(t *testing.T) {
		e := newEnv(t, maker)
		p := e.pay(e.payRequest(e.defaultScenario(), 1234))
		if p.Status != payment.StatusPending {
			t.Skipf("payments in %s do not wait for the customer", p.Scenario)
		}
		// The poll clock never fires: AwaitFinal can only end with its
		// context. Every wait here is bounded, so a broken adapter fails
		// the check instead of hanging it.
		poll := &stuckClock{waiting: make(chan struct{}, 1)}
		ctx, cancel := ctxWithTimeout(waitLimit)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := payment.AwaitFinal(ctx, e.p, p.Ref(), payment.WithClock(poll))
			done <- err
		}()
		select {
		case <-poll.waiting:
		case err := <-done:
			t.Fatalf("AwaitFinal returned before waiting for a pending payment: %v", err)
		case <-time.After(waitLimit):
			t.Fatalf("AwaitFinal neither waited nor returned within %v", waitLimit)
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, payment.ErrUnknownOutcome) {
				t.Errorf("AwaitFinal after its context ended: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("RULE BROKEN — %s: AwaitFinal did not return within %v of its context ending", ruleBounded, waitLimit)
		}
	})
}

// stuckClock is a clock whose waits never end; it signals each wait.
type stuckClock struct{ waiting chan struct{} }

func (c *stuckClock) Now() time.Time { return time.Now() }

func (c *stuckClock) After(time.Duration) <-chan time.Time {
	select {
	case c.waiting <- struct{}{}:
	default:
	}
	return make(chan time.Time)
}

func checkLifecycle(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	for _, s := range payment.Scenarios() {
		t.Run(string(s), func(t *testing.T) {
			if !caps.SupportsScenario(s) {
				t.Skipf("provider does not support scenario %s", s)
			}
			e := newEnv(t, maker)
			var seen []payment.Status
			observe := func(step string, st payment.Status) {
				t.Helper()
				if n := len(seen); n > 0 && !seen[n-1].CanBecome(st) {
					t.Errorf("RULE BROKEN — status moved backwards at %s: %s then %s", step, seen[n-1], st)
				}
				seen = append(seen, st)
			}
			req := e.payRequest(s, 1000)
			p := e.pay(req)
			observe("pay", p.Status)
			if p.Status == payment.StatusPending && actionKind(p) != s.ActionKind() {
				t.Errorf("pending %s payment has action %q, want %q", s, actionKind(p), s.ActionKind())
			}
			checkAction(t, p)
			if !p.Amount.Equal(req.Amount) {
				t.Errorf("Pay returned amount %s, want %s", p.Amount, req.Amount)
			}
			if p.Status == payment.StatusPending {
				if err := e.h.Complete(p.PaymentID); err != nil {
					t.Fatal(err)
				}
			}
			got := e.inquire(p)
			observe("inquire after complete", got.Status)
			if got.Status != payment.StatusSucceeded {
				t.Fatalf("after the customer paid, Inquire says %s", got.Status)
			}
			if !caps.Refund {
				return
			}
			ref := payment.Ref{PaymentID: p.PaymentID}
			if caps.PartialRefund {
				if _, err := e.p.Refund(e.ctx, &payment.RefundRequest{RefundRequestID: newID("CONF-R"), Payment: ref, Amount: amount(400, e.currency())}); err != nil {
					t.Fatalf("partial refund: %v", err)
				}
				got = e.inquire(p)
				observe("inquire after partial refund", got.Status)
				if want := refundedStatus(caps, payment.StatusPartiallyRefunded); got.Status != want {
					t.Errorf("after a partial refund, Inquire says %s, want %s", got.Status, want)
				}
			}
			rest := int64(1000)
			if caps.PartialRefund {
				rest = 600
			}
			r, err := e.p.Refund(e.ctx, &payment.RefundRequest{RefundRequestID: newID("CONF-R"), Payment: ref, Amount: amount(rest, e.currency())})
			if err != nil {
				t.Fatalf("refund of the rest: %v", err)
			}
			got = e.inquire(p)
			observe("inquire after full refund", got.Status)
			if want := refundedStatus(caps, payment.StatusRefunded); got.Status != want {
				t.Errorf("after refunding everything, Inquire says %s, want %s", got.Status, want)
			}
			rs, err := e.p.InquireRefund(e.ctx, payment.RefundRef{RefundID: r.RefundID})
			if err != nil || rs.RefundID != r.RefundID || !rs.Amount.Equal(amount(rest, e.currency())) {
				t.Errorf("InquireRefund = %+v, %v", rs, err)
			}
			_, err = e.p.Refund(e.ctx, &payment.RefundRequest{RefundRequestID: newID("CONF-R"), Payment: ref, Amount: amount(1, e.currency())})
			if err == nil {
				t.Error("RULE BROKEN — a refund beyond the paid amount succeeded")
			}
			definiteRefusal(t, err)
		})
	}
}

// refundedStatus is what Inquire must say after refunds: the refund status
// where the provider's inquiry shows refunds, Succeeded where it does not.
func refundedStatus(caps payment.Capabilities, s payment.Status) payment.Status {
	if caps.InquiryShowsRefunds {
		return s
	}
	return payment.StatusSucceeded
}

// definiteRefusal checks the answer to an over-refund: the provider said
// no, so the error must say so definitely (failed or invalid), never leave
// it unknown.
func definiteRefusal(t *testing.T, err error) {
	t.Helper()
	if k := payment.KindOf(err); err != nil && k != payment.KindFailed && k != payment.KindInvalidRequest {
		t.Errorf("an over-refund must be refused definitely (failed or invalid request), got kind %q: %v", k.String(), err)
	}
}

func checkAction(t *testing.T, p *payment.Payment) {
	t.Helper()
	if p.Status != payment.StatusPending || p.Action == nil {
		return
	}
	a := p.Action
	switch a.Kind {
	case payment.ActionShowQR:
		if a.QRCode == "" && a.QRImage == "" {
			t.Error("a show-QR action with neither QRCode nor QRImage")
		}
		if a.QRImage != "" && !strings.HasPrefix(a.QRImage, "data:image/") {
			t.Errorf("QRImage is not a data URI: %.40q", a.QRImage)
		}
	case payment.ActionRedirect:
		if !strings.HasPrefix(a.URL, "http://") && !strings.HasPrefix(a.URL, "https://") {
			t.Errorf("redirect action URL %q is not absolute", a.URL)
		}
	case payment.ActionInvokeSDK:
		if len(a.SDKParams) == 0 {
			t.Error("an SDK action without parameters")
		}
	}
}

func checkCancel(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	if !caps.Cancel {
		t.Skip("provider does not cancel")
	}
	t.Run("cancelling a pending payment cancels it", func(t *testing.T) {
		e := newEnv(t, maker)
		p := e.pay(e.payRequest(e.defaultScenario(), 1234))
		if p.Status != payment.StatusPending {
			t.Skip("payment not pending")
		}
		c, err := e.p.Cancel(e.ctx, p.Ref())
		if err != nil || c.Status != payment.StatusCancelled {
			t.Fatalf("Cancel = %s, %v", describe(c), err)
		}
		if got := e.inquire(p); got.Status != payment.StatusCancelled {
			t.Errorf("after cancel, Inquire says %s", got.Status)
		}
		if err := e.h.Complete(p.PaymentID); err == nil {
			if got := e.inquire(p); got.Status != payment.StatusCancelled {
				t.Errorf("RULE BROKEN — a cancelled payment became %s", got.Status)
			}
		}
	})
	t.Run("cancelling a paid payment reverses it or fails, per capabilities", func(t *testing.T) {
		e := newEnv(t, maker)
		_, p := e.paid(1234)
		c, err := e.p.Cancel(e.ctx, p.Ref())
		if caps.CancelPaid {
			if err != nil || c.Status != payment.StatusCancelled {
				t.Errorf("Cancel of a paid payment = %s, %v; capabilities say it reverses", describe(c), err)
			}
			return
		}
		kindIs(t, "cancelling a paid payment must fail when the provider cannot reverse it", err, payment.KindFailed)
		if got := e.inquire(p); got.Status != payment.StatusSucceeded {
			t.Errorf("after a refused cancel, Inquire says %s", got.Status)
		}
	})
	t.Run("a declined payment is failed and stays failed", func(t *testing.T) {
		e := newEnv(t, maker)
		p := e.pay(e.payRequest(e.defaultScenario(), 1234))
		if p.Status != payment.StatusPending {
			t.Skip("payment not pending")
		}
		if err := e.h.Decline(p.PaymentID); err != nil {
			t.Fatal(err)
		}
		if got := e.inquire(p); got.Status != payment.StatusFailed {
			t.Errorf("after the customer declined, Inquire says %s", got.Status)
		}
	})
}

func checkValidation(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	t.Run("invalid requests are rejected before anything is sent", func(t *testing.T) {
		e := newEnv(t, maker)
		s := e.defaultScenario()
		cases := map[string]func(*payment.PayRequest){
			"no PaymentRequestID":        func(r *payment.PayRequest) { r.PaymentRequestID = "" },
			"PaymentRequestID too long":  func(r *payment.PayRequest) { r.PaymentRequestID = strings.Repeat("x", 65) },
			"no amount":                  func(r *payment.PayRequest) { r.Amount = money.Amount{} },
			"zero amount":                func(r *payment.PayRequest) { r.Amount = amount(0, e.currency()) },
			"relative notify URL":        func(r *payment.PayRequest) { r.NotifyURL = "/notify" },
			"unknown scenario":           func(r *payment.PayRequest) { r.Scenario = "teleport" },
			"unknown method":             func(r *payment.PayRequest) { r.Method = "barter" },
			"card data outside the card": func(r *payment.PayRequest) { r.Card = &payment.Card{Token: "t"} },
		}
		if caps.MaxAmountDigits > 0 && caps.MaxAmountDigits < 18 {
			cases["amount over the provider's digits"] = func(r *payment.PayRequest) {
				big := int64(1)
				for i := 0; i < caps.MaxAmountDigits; i++ {
					big *= 10
				}
				r.Amount = amount(big, e.currency())
			}
		}
		for name, mutate := range cases {
			req := e.payRequest(s, 1234)
			mutate(req)
			_, err := e.p.Pay(e.ctx, req)
			k := payment.KindOf(err)
			if k != payment.KindInvalidRequest && k != payment.KindUnsupported {
				t.Errorf("%s: Pay = %v, want an invalid request", name, err)
			}
		}
		for _, s := range payment.Scenarios() {
			if caps.SupportsScenario(s) {
				continue
			}
			req := e.payRequest(s, 1234)
			if _, err := e.p.Pay(e.ctx, req); !errors.Is(err, payment.ErrUnsupported) && !errors.Is(err, payment.ErrInvalidRequest) {
				t.Errorf("unsupported scenario %s: Pay = %v, want unsupported", s, err)
			}
		}
		if _, err := e.p.Refund(e.ctx, &payment.RefundRequest{}); payment.KindOf(err) != payment.KindInvalidRequest && payment.KindOf(err) != payment.KindUnsupported {
			t.Errorf("empty refund: %v", err)
		}
		if _, err := e.p.Inquire(e.ctx, payment.Ref{}); !errors.Is(err, payment.ErrInvalidRequest) {
			t.Errorf("empty inquiry: %v", err)
		}
		for _, op := range []string{payment.OpPay, payment.OpRefund, payment.OpInquire} {
			if n := len(e.h.Requests(op)); n != 0 {
				t.Errorf("RULE BROKEN — invalid requests must never leave the process: the provider saw %d %s requests", n, op)
			}
		}
	})
}

func checkMoney(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	currencies := caps.Currencies
	if len(currencies) == 0 {
		currencies = []money.Currency{money.JPY, money.USD, money.KWD}
	}
	for _, c := range currencies {
		t.Run("amounts round-trip exactly in "+c.Code(), func(t *testing.T) {
			e := newEnv(t, maker)
			req := e.payRequest(e.defaultScenario(), 1234)
			req.Amount = amount(1234, c)
			p := e.pay(req)
			if !p.Amount.Equal(req.Amount) {
				t.Errorf("Pay returned %s, want %s", p.Amount, req.Amount)
			}
			if got := e.inquire(p); !got.Amount.Equal(req.Amount) {
				t.Errorf("Inquire returned %s, want %s", got.Amount, req.Amount)
			}
		})
	}
	t.Run("an unsupported currency fails locally", func(t *testing.T) {
		if len(caps.Currencies) == 0 {
			t.Skip("provider accepts every currency")
		}
		var c money.Currency
		for _, candidate := range []money.Currency{money.JPY, money.KWD, money.EUR, money.USD, money.CAD} {
			if !caps.SupportsCurrency(candidate) {
				c = candidate
				break
			}
		}
		e := newEnv(t, maker)
		req := e.payRequest(e.defaultScenario(), 1234)
		req.Amount = amount(1234, c)
		_, err := e.p.Pay(e.ctx, req)
		kindIs(t, "an unsupported currency must fail locally", err, payment.KindUnsupported)
		if n := len(e.h.Requests(payment.OpPay)); n != 0 {
			t.Errorf("the provider saw %d requests", n)
		}
	})
}

func checkContext(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	t.Run("a deadline against a hanging provider returns in time as an unknown outcome", func(t *testing.T) {
		e := newEnv(t, maker)
		e.script(payment.OpPay, Fault{Kind: FaultHang})
		const deadline = 300 * time.Millisecond
		ctx, cancel := ctxWithTimeout(deadline)
		defer cancel()
		start := time.Now()
		_, err := e.p.Pay(ctx, e.payRequest(e.defaultScenario(), 1234))
		if d := time.Since(start); d > deadline+2*time.Second {
			t.Errorf("Pay returned %v after a %v deadline", d, deadline)
		}
		neverFailed(t, err)
		kindIs(t, "RULE BROKEN — a request that may have left must be an unknown outcome when the context ends", err, payment.KindUnknownOutcome)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the error should wrap the context's error: %v", err)
		}
	})
}

// SecretLister may be implemented by a Harness to name further secrets
// (private keys, credentials) that must never appear in logs or errors.
type SecretLister interface {
	Secrets() []string
}

func checkSecrets(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	t.Run("no secret appears in logs or errors", func(t *testing.T) {
		e := newEnv(t, maker)
		var errs []string
		note := func(err error) {
			if err != nil {
				errs = append(errs, err.Error())
			}
		}
		if caps.SupportsScenario(payment.ScenarioCreditCard) {
			req := e.payRequest(payment.ScenarioCreditCard, 1234)
			_, err := e.p.Pay(e.ctx, req)
			note(err)
			bad := e.payRequest(payment.ScenarioCreditCard, 1234)
			bad.Card.ExpMonth = 13
			_, err = e.p.Pay(e.ctx, bad)
			note(err)
			e.script(payment.OpPay, Repeat(Fault{Kind: FaultResult, Status: payment.ResultUnknown}, attempts())...)
			_, err = e.p.Pay(e.ctx, e.payRequest(payment.ScenarioCreditCard, 1234))
			note(err)
		}
		req := e.payRequest(e.defaultScenario(), 1234)
		e.script(payment.OpPay, Fault{Kind: FaultTamperBody})
		_, err := e.p.Pay(e.ctx, req)
		note(err)
		_, err = e.p.Inquire(e.ctx, payment.Ref{PaymentID: "CONF-NO-SUCH-PAYMENT"})
		note(err)

		secrets := []string{testCardNumber, "cvv\":\"" + testCardCVV, "CVV " + testCardCVV}
		for _, op := range []string{payment.OpPay, payment.OpInquire} {
			for _, r := range e.h.Requests(op) {
				if sig := r.Header.Get("Signature"); sig != "" {
					if i := strings.LastIndex(sig, "signature="); i >= 0 {
						sig = sig[i+len("signature="):]
					}
					if len(sig) > 24 {
						secrets = append(secrets, sig[:24])
					}
				}
			}
		}
		if sl, ok := e.h.(SecretLister); ok {
			secrets = append(secrets, sl.Secrets()...)
		}
		logs := e.logs.String()
		for _, s := range secrets {
			if s == "" {
				continue
			}
			if strings.Contains(logs, s) {
				t.Errorf("RULE BROKEN — a secret (%.6s…) appears in the adapter's logs", s)
			}
			for _, msg := range errs {
				if strings.Contains(msg, s) {
					t.Errorf("RULE BROKEN — a secret (%.6s…) appears in an error: %.80s", s, msg)
				}
			}
		}
	})
}
