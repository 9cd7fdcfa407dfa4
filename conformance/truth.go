package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// The rules the fault, sequence and model checks enforce. Every failure
// names one, after "RULE BROKEN — ", so that a reader of a failing run
// knows which promise of docs/semantics.md the adapter broke.
const (
	ruleNeverFailed       = "nothing may be reported as failed when the provider might have taken the money"
	ruleRefusalAfterMaybe = "an F answer after an attempt that may have been performed must be an unknown outcome, never a definite failure"
	ruleNeverUnavailable  = "a request that may have reached the provider must never be reported as unavailable"
	ruleUnavailable       = "a request that provably never left must be reported as unavailable"
	ruleNoFalseSuccess    = "a call may succeed only on a trusted answer that says so"
	ruleRetried           = "U answers, lost connections, refused connections and HTTP 408/429/5xx must be retried with the same request"
	ruleDefinite          = "an F answer that no earlier attempt may have caused must be a definite failure carrying the provider's code"
	ruleOnce              = "an F answer or an untrusted answer must never be retried"
	ruleBooks             = "what a call reports must match the provider's books"
	ruleTwice             = "one request ID must never charge or refund twice"
	ruleSettles           = "every unknown outcome must settle to what the provider really did"
	ruleBounded           = "the context bounds every call"
)

// waitLimit bounds every wait the suite starts on an adapter's behalf
// (Resolve, AwaitFinal, settling an unknown outcome): an adapter that
// misreads a status fails the check that waited, with its rule, and never
// hangs the test binary.
const waitLimit = 3 * time.Second

// pollFast keeps Resolve and AwaitFinal quick on the suite's self-advancing
// clock, and keeps that clock from drifting far from the simulator's.
var pollFast = payment.WithPollInterval(2*time.Millisecond, 10*time.Millisecond)

// bounded returns a context for one wait, ending at waitLimit or with the
// check's own context.
func (e *env) bounded() (context.Context, context.CancelFunc) {
	return context.WithTimeout(e.ctx, waitLimit)
}

// resolve runs payment.Resolve for req, bounded by waitLimit.
func (e *env) resolve(req *payment.PayRequest) (*payment.Payment, error) {
	ctx, cancel := e.bounded()
	defer cancel()
	return payment.Resolve(ctx, e.p, req, payment.WithClock(e.clock), pollFast)
}

// awaitFinal runs payment.AwaitFinal for ref, bounded by waitLimit, and
// fails the check with rule unless the payment ends in want.
func (e *env) awaitFinal(t *testing.T, rule string, ref payment.Ref, want payment.Status) *payment.Payment {
	t.Helper()
	ctx, cancel := e.bounded()
	defer cancel()
	got, err := payment.AwaitFinal(ctx, e.p, ref, payment.WithClock(e.clock), pollFast)
	switch {
	case err != nil && ctx.Err() != nil:
		t.Errorf("RULE BROKEN — %s: after %v the payment was still %s (AwaitFinal: %v)", rule, waitLimit, describe(got), err)
	case err != nil:
		t.Errorf("RULE BROKEN — %s: AwaitFinal: %v", rule, err)
	case got.Status != want:
		t.Errorf("RULE BROKEN — %s: AwaitFinal = %s, want %s", rule, describe(got), want)
	}
	return got
}

// ledger returns the harness's Ledger, or nil.
func (e *env) ledger() Ledger {
	l, _ := e.h.(Ledger)
	return l
}

// sent returns how many requests of op the provider has seen.
func (e *env) sent(op string) int { return len(e.h.Requests(op)) }

// requestsSince returns the requests of op after the first n.
func (e *env) requestsSince(op string, n int) []Request {
	reqs := e.h.Requests(op)
	if n > len(reqs) {
		return nil
	}
	return reqs[n:]
}

// visible is what an inquiry can show of the provider's status st: a
// provider whose inquiry does not show refunds reports a refunded payment
// as succeeded.
func visible(caps payment.Capabilities, st payment.Status) payment.Status {
	if !caps.InquiryShowsRefunds && (st == payment.StatusPartiallyRefunded || st == payment.StatusRefunded) {
		return payment.StatusSucceeded
	}
	return st
}

// live reports whether a payment in status st holds or may still take the
// customer's money.
func live(st payment.Status) bool {
	return st != payment.StatusFailed && st != payment.StatusCancelled
}

// definite reports whether err says definitely that nothing happened: a
// refusal of any kind (failed, not found, conflict, invalid, unsupported).
func definite(err error) bool {
	switch payment.KindOf(err) {
	case payment.KindFailed, payment.KindNotFound, payment.KindIdempotencyConflict,
		payment.KindInvalidRequest, payment.KindUnsupported:
		return true
	}
	return false
}

// mutating reports whether op changes something at the provider.
func mutating(op string) bool {
	return op == payment.OpPay || op == payment.OpCancel || op == payment.OpRefund
}

// statesAmount reports whether op's request names an amount the answer can
// be checked against.
func statesAmount(op string) bool { return op == payment.OpPay || op == payment.OpRefund }

// allOps are the operations, in the order the checks run them.
var allOps = []string{payment.OpPay, payment.OpInquire, payment.OpCancel, payment.OpRefund, payment.OpInquireRefund}

// opExcluded returns why caps exclude op, or "".
func opExcluded(caps payment.Capabilities, op string) string {
	switch op {
	case payment.OpCancel:
		if !caps.Cancel {
			return "provider does not cancel"
		}
	case payment.OpRefund, payment.OpInquireRefund:
		if !caps.Refund {
			return "provider does not refund"
		}
	}
	return ""
}

// subject is one prepared call of an operation: what it acts on, what it
// returned, and how the provider's books show its effect.
type subject struct {
	e  *env
	op string

	req *payment.PayRequest    // pay: the request; else the request that created the payment
	pay *payment.Payment       // the payment acted on (all ops but pay)
	rr  *payment.RefundRequest // refund: the request; inquire-refund: the refund's request
	ref *payment.Refund        // inquire-refund: the refund inquired

	gotPayment *payment.Payment
	gotRefund  *payment.Refund

	before book // the books before the call
}

// book is what the provider's books say about a subject.
type book struct {
	known   bool           // the harness has a Ledger
	of      string         // what was read: "payment", "refund" or both
	found   bool           // a payment exists under the request ID
	status  payment.Status // its status
	refunds int            // refunds made under the subject's refund request ID
	charges int            // charges under the payment request ID
}

func (b book) String() string {
	if !b.known {
		return "no ledger"
	}
	var parts []string
	if strings.Contains(b.of, "payment") {
		if b.found {
			parts = append(parts, "payment "+string(b.status))
		} else {
			parts = append(parts, "no payment")
		}
		parts = append(parts, fmt.Sprintf("%d charge(s)", b.charges))
	}
	if strings.Contains(b.of, "refund") {
		parts = append(parts, fmt.Sprintf("%d refund(s) under the refund request ID", b.refunds))
	}
	return strings.Join(parts, ", ")
}

// books reads what the provider holds about the payment of req and the
// refund of rr (either may be nil).
func (e *env) books(req *payment.PayRequest, rr *payment.RefundRequest) book {
	var b book
	if req != nil {
		b.charges = e.h.Charges(req.PaymentRequestID)
	}
	l := e.ledger()
	if l == nil {
		return b
	}
	b.known = true
	if req != nil {
		b.of = "payment"
		b.status, b.found = l.PaymentStatus(req.PaymentRequestID)
	}
	if rr != nil {
		b.of += "refund"
		b.refunds = l.RefundCount(rr.RefundRequestID)
	}
	return b
}

// subject prepares what op acts on: nothing for pay; a pending payment for
// inquire and cancel; a paid payment for refund; a refunded one for
// inquire-refund.
func (e *env) subject(op string) *subject {
	e.t.Helper()
	s := &subject{e: e, op: op}
	switch op {
	case payment.OpPay:
		s.req = e.payRequest(e.defaultScenario(), 1234)
	case payment.OpInquire, payment.OpCancel:
		s.req = e.payRequest(e.defaultScenario(), 1234)
		s.pay = e.pay(s.req)
		if op == payment.OpCancel && s.pay.Status != payment.StatusPending {
			e.t.Skipf("payments in %s do not wait for the customer", s.req.Scenario)
		}
	case payment.OpRefund, payment.OpInquireRefund:
		s.req, s.pay = e.paid(1000)
		s.rr = &payment.RefundRequest{RefundRequestID: newID("CONF-R"), Payment: payment.Ref{PaymentID: s.pay.PaymentID},
			Amount: amount(refundMinor(e.caps, 1000), e.currency())}
		if op == payment.OpInquireRefund {
			r, err := e.p.Refund(e.ctx, s.rr)
			if err != nil {
				e.t.Fatalf("setup: Refund: %v", err)
			}
			s.ref = r
		}
	}
	s.before = s.books()
	return s
}

func (s *subject) books() book { return s.e.books(s.req, s.rr) }

// call runs the operation once under ctx and returns its error.
func (s *subject) call(ctx context.Context) error {
	var err error
	p := s.e.p
	switch s.op {
	case payment.OpPay:
		s.gotPayment, err = p.Pay(ctx, s.req)
	case payment.OpInquire:
		s.gotPayment, err = p.Inquire(ctx, payment.Ref{PaymentID: s.pay.PaymentID})
	case payment.OpCancel:
		s.gotPayment, err = p.Cancel(ctx, payment.Ref{PaymentID: s.pay.PaymentID})
	case payment.OpRefund:
		s.gotRefund, err = p.Refund(ctx, s.rr)
	case payment.OpInquireRefund:
		s.gotRefund, err = p.InquireRefund(ctx, payment.RefundRef{RefundID: s.ref.RefundID})
	}
	return err
}

// result describes what the call returned, for messages.
func (s *subject) result(err error) string {
	switch {
	case err != nil:
		return fmt.Sprintf("%v (kind %q)", err, payment.KindOf(err).String())
	case s.gotRefund != nil:
		return fmt.Sprintf("success: refund %s %s %s", s.gotRefund.RefundID, s.gotRefund.Status, s.gotRefund.Amount)
	}
	return "success: payment " + describe(s.gotPayment)
}

// acted reports whether the provider's books show the operation done, and
// whether they can tell.
func (s *subject) acted() (done, known bool) {
	b := s.books()
	if !b.known {
		return false, false
	}
	switch s.op {
	case payment.OpPay:
		return b.found, true
	case payment.OpCancel:
		return b.status == payment.StatusCancelled, true
	case payment.OpRefund:
		return b.refunds > 0, true
	}
	return false, true
}

// checkTwice fails the check if the books show a second charge or refund.
func (s *subject) checkTwice(t *testing.T) {
	t.Helper()
	b := s.books()
	if b.charges > 1 {
		t.Errorf("RULE BROKEN — %s: payment request %s was charged %d times", ruleTwice, s.req.PaymentRequestID, b.charges)
	}
	if b.refunds > 1 {
		t.Errorf("RULE BROKEN — %s: refund request %s refunded %d times", ruleTwice, s.rr.RefundRequestID, b.refunds)
	}
}

// checkSuccess compares a successful call with the provider's books.
func (s *subject) checkSuccess(t *testing.T) {
	t.Helper()
	b := s.books()
	caps := s.e.caps
	switch s.op {
	case payment.OpPay:
		if s.gotPayment == nil || s.gotPayment.PaymentID == "" {
			t.Errorf("RULE BROKEN — %s: Pay succeeded without a PaymentID", ruleBooks)
			return
		}
		if !s.gotPayment.Amount.Equal(s.req.Amount) {
			t.Errorf("RULE BROKEN — %s: Pay returned %s, want %s", ruleBooks, s.gotPayment.Amount, s.req.Amount)
		}
		if b.known && (!b.found || s.gotPayment.Status != visible(caps, b.status)) {
			t.Errorf("RULE BROKEN — %s: Pay reported %s, the provider holds %s", ruleBooks, describe(s.gotPayment), b)
		}
	case payment.OpInquire:
		if b.known && s.gotPayment != nil && s.gotPayment.Status != visible(caps, b.status) {
			t.Errorf("RULE BROKEN — %s: Inquire reported %s, the provider holds %s", ruleBooks, describe(s.gotPayment), b)
		}
	case payment.OpCancel:
		if b.known && b.status != payment.StatusCancelled {
			t.Errorf("RULE BROKEN — %s: Cancel reported success, the provider holds %s", ruleBooks, b)
		}
	case payment.OpRefund:
		if s.gotRefund == nil || s.gotRefund.RefundID == "" {
			t.Errorf("RULE BROKEN — %s: Refund succeeded without a RefundID", ruleBooks)
			return
		}
		if !s.gotRefund.Amount.Equal(s.rr.Amount) {
			t.Errorf("RULE BROKEN — %s: Refund returned %s, want %s", ruleBooks, s.gotRefund.Amount, s.rr.Amount)
		}
		if b.known && b.refunds != 1 {
			t.Errorf("RULE BROKEN — %s: Refund reported refund %s, the provider holds %s", ruleBooks, s.gotRefund.RefundID, b)
		}
	case payment.OpInquireRefund:
		if s.gotRefund == nil || s.gotRefund.RefundID != s.ref.RefundID {
			t.Errorf("RULE BROKEN — %s: InquireRefund(%s) returned %+v", ruleBooks, s.ref.RefundID, s.gotRefund)
		}
	}
}

// settle settles an unknown outcome of a mutating call as an application
// would, bounded, and checks that what it learns is the provider's truth.
func (s *subject) settle(t *testing.T) {
	t.Helper()
	e := s.e
	switch s.op {
	case payment.OpPay:
		settlePay(t, e, s.req)
	case payment.OpCancel:
		ctx, cancel := e.bounded()
		defer cancel()
		got, err := e.p.Inquire(ctx, payment.Ref{PaymentID: s.pay.PaymentID})
		if err != nil {
			t.Errorf("RULE BROKEN — %s: after an unknown cancel, Inquire: %v", ruleSettles, err)
			return
		}
		if b := s.books(); b.known && got.Status != visible(e.caps, b.status) {
			t.Errorf("RULE BROKEN — %s: after an unknown cancel, Inquire says %s, the provider holds %s", ruleSettles, got.Status, b)
		}
	case payment.OpRefund:
		settleRefund(t, e, s.rr)
	}
	s.checkTwice(t)
}

// settlePay resolves an unknown pay and compares the payment found with the
// provider's books.
func settlePay(t *testing.T, e *env, req *payment.PayRequest) *payment.Payment {
	t.Helper()
	got, err := e.resolve(req)
	b := e.books(req, nil)
	switch {
	case err != nil && definite(err):
		// The provider refused the replay (a closed order): nothing may be
		// live under the request ID.
		if b.known && b.found && live(b.status) {
			t.Errorf("RULE BROKEN — %s: Resolve(%s) = %v, the provider holds %s", ruleSettles, req.PaymentRequestID, err, b)
		}
		return nil
	case err != nil:
		t.Errorf("RULE BROKEN — %s: Resolve(%s) did not settle within %v: %v", ruleSettles, req.PaymentRequestID, waitLimit, err)
		return nil
	case b.known && (!b.found || got.Status != visible(e.caps, b.status)):
		t.Errorf("RULE BROKEN — %s: Resolve(%s) = %s, the provider holds %s", ruleSettles, req.PaymentRequestID, describe(got), b)
	case b.charges > 1:
		t.Errorf("RULE BROKEN — %s: payment request %s was charged %d times", ruleTwice, req.PaymentRequestID, b.charges)
	}
	return got
}

// settleRefund settles an unknown refund: by inquiring its request ID where
// the provider can, else by re-sending the identical refund, which the
// provider answers with the existing refund. Either way the books must
// agree.
func settleRefund(t *testing.T, e *env, rr *payment.RefundRequest) *payment.Refund {
	t.Helper()
	ctx, cancel := e.bounded()
	defer cancel()
	var got *payment.Refund
	var err error
	how := "re-sending the refund"
	for {
		if e.caps.InquireRefundByRequestID {
			how = "InquireRefund by request ID"
			got, err = e.p.InquireRefund(ctx, payment.RefundRef{RefundRequestID: rr.RefundRequestID})
		} else {
			got, err = e.p.Refund(ctx, rr)
		}
		k := payment.KindOf(err)
		if (k != payment.KindUnknownOutcome && k != payment.KindUnavailable) || ctx.Err() != nil {
			break
		}
		select { // the provider is still unsure: ask again, as Resolve would
		case <-ctx.Done():
		case <-e.clock.After(5 * time.Millisecond):
		}
	}
	b := e.books(nil, rr)
	switch {
	case err == nil && b.known && b.refunds != 1:
		t.Errorf("RULE BROKEN — %s: %s found refund %s, the provider holds %s", ruleSettles, how, got.RefundID, b)
	case err == nil && !got.Amount.Currency().IsZero() && !got.Amount.Equal(rr.Amount):
		t.Errorf("RULE BROKEN — %s: %s found a refund of %s, want %s", ruleSettles, how, got.Amount, rr.Amount)
	case err != nil && definite(err):
		if b.known && b.refunds != 0 {
			t.Errorf("RULE BROKEN — %s: %s: %v, but the provider holds %s", ruleSettles, how, err, b)
		}
		return nil
	case err != nil:
		t.Errorf("RULE BROKEN — %s: %s did not settle the refund within %v: %v", ruleSettles, how, waitLimit, err)
	}
	return got
}

// describeFaults names a script, such as "[dropped after, result F]".
func describeFaults(faults []Fault) string {
	parts := make([]string, len(faults))
	for i, f := range faults {
		switch f.Kind {
		case FaultResult:
			parts[i] = "result " + string(f.Status)
		case FaultHTTPStatus:
			parts[i] = fmt.Sprintf("HTTP %d", f.HTTPStatus)
		default:
			parts[i] = f.Kind.String()
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// errorCode returns the provider's result code an error carries.
func errorCode(err error) string {
	var pe *payment.Error
	if errors.As(err, &pe) {
		return pe.Result.Code
	}
	return ""
}
