package conformance

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/payment"
)

// The model-based check drives an adapter through random operations, each
// meeting a random fault script drawn from a seed, and after every call
// compares what the adapter reported with the provider's books (Ledger).
// Its seeds:
//
//   - by default seeds 1 to DefaultModelSeeds run;
//   - PAYBRIDGE_CONFORMANCE_SEEDS=N (or -conformance.seeds=N) runs seeds 1 to N;
//   - PAYBRIDGE_CONFORMANCE_SEED=S (or -conformance.seed=S) runs seed S
//     alone: a failing seed prints this line to replay it.
var (
	seedFlag  = flag.Uint64("conformance.seed", 0, "run the conformance model check for this seed only")
	seedsFlag = flag.Int("conformance.seeds", 0, "run the conformance model check for seeds 1..N")
)

// DefaultModelSeeds is how many seeds the model-based check runs unless told
// otherwise; ModelSteps is how many operations each seed makes.
const (
	DefaultModelSeeds = 8
	ModelSteps        = 25
)

// modelSeeds returns the seeds to run.
func modelSeeds() ([]uint64, error) {
	one, many := *seedFlag, *seedsFlag
	if v := os.Getenv("PAYBRIDGE_CONFORMANCE_SEED"); v != "" && one == 0 {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("PAYBRIDGE_CONFORMANCE_SEED=%q: %v", v, err)
		}
		one = s
	}
	if one != 0 {
		return []uint64{one}, nil
	}
	if v := os.Getenv("PAYBRIDGE_CONFORMANCE_SEEDS"); v != "" && many == 0 {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("PAYBRIDGE_CONFORMANCE_SEEDS=%q: want a positive number", v)
		}
		many = n
	}
	if many <= 0 {
		many = DefaultModelSeeds
	}
	seeds := make([]uint64, many)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds, nil
}

func checkModel(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	seeds, err := modelSeeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) { runModel(t, maker, seed, ModelSteps) })
	}
}

// model is one seed's run: the adapter, what the calls reported so far, and
// the random source every choice comes from.
type model struct {
	t     *testing.T
	e     *env
	l     Ledger
	seed  uint64
	rng   *rand.Rand
	step  int
	where string   // the current step, for messages
	trace []string // every step so far, printed when a rule breaks

	pays    []*mPay
	refunds []*mRefund
}

// mPay is one payment request the model made, and what it knows of it from
// the adapter's answers alone.
type mPay struct {
	req     *payment.PayRequest
	id      string // the PaymentID, once a call returned it
	unknown bool   // the last pay or Resolve left it unknown
	// spent: a call reported it definitely failed, or unavailable before
	// anything existed under it. Nothing may ever be live or charged under
	// its request ID, and the model never re-sends it (a failed key is
	// spent; an unavailable one, the model gives up).
	spent bool
}

// mRefund is one refund request the model made.
type mRefund struct {
	rr      *payment.RefundRequest
	pay     *mPay
	id      string
	unknown bool
	spent   bool
}

// The faults the model draws. Retryable ones may come anywhere in a script;
// terminal ones (the engine stops at them) only last, so that every script
// is used up by the call it was made for.
var (
	modelRetryable = []Fault{fRefuse, fDropIn, fDropOut, fHTTP(408), fHTTP(429), fHTTP(500), fHTTP(503), fU}
	modelTerminal  = []Fault{fF, fF, fF, fNoSig, fBadSig, fTamper, fAmount, fForbidden}
)

// retryable reports whether the engine retries after f: a refused or lost
// connection, HTTP 408, 429 or 5xx, a U answer.
func retryable(f Fault) bool {
	switch f.Kind {
	case FaultRefuse, FaultDropBefore, FaultDropAfter:
		return true
	case FaultHTTPStatus:
		return f.HTTPStatus == 408 || f.HTTPStatus == 429 || f.HTTPStatus >= 500
	case FaultResult:
		return f.Status == payment.ResultUnknown
	}
	return false
}

func runModel(t *testing.T, maker HarnessMaker, seed uint64, steps int) {
	e := newEnv(t, maker)
	l := e.ledger()
	if l == nil {
		t.Skip("harness has no Ledger (implement conformance.Ledger to run the model-based check)")
	}
	m := &model{t: t, e: e, l: l, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x5eed_c0ffee))}
	defer func() {
		if t.Failed() {
			t.Logf("the steps of seed %d:\n%s", seed, strings.Join(m.trace, "\n"))
			t.Errorf("replay with -conformance.seed=%d (or PAYBRIDGE_CONFORMANCE_SEED=%d)", seed, seed)
		}
	}()
	for m.step = 1; m.step <= steps; m.step++ {
		m.once()
		m.invariants()
		if t.Failed() {
			return
		}
	}
	m.where = fmt.Sprintf("seed %d, settling", seed)
	m.settleAll()
}

// fail reports a broken rule at the current step.
func (m *model) fail(rule, format string, args ...any) {
	m.t.Helper()
	m.t.Errorf("%s: RULE BROKEN — %s: %s", m.where, rule, fmt.Sprintf(format, args...))
}

// note records a step for the trace.
func (m *model) note(format string, args ...any) {
	m.where = fmt.Sprintf("seed %d, step %d", m.seed, m.step)
	m.trace = append(m.trace, fmt.Sprintf("step %2d: %s", m.step, fmt.Sprintf(format, args...)))
}

// action is one kind of step; pick returns its run function, or nil when
// the model has nothing it could act on.
type action struct {
	weight int
	pick   func(m *model) func()
}

var actions = []action{
	{4, (*model).payNew},
	{2, (*model).payReplay},
	{2, (*model).inquire},
	{1, (*model).cancel},
	{3, (*model).refundNew},
	{1, (*model).refundReplay},
	{1, (*model).inquireRefund},
	{3, (*model).complete},
	{1, (*model).decline},
	{1, (*model).resolve},
}

// once makes one random step.
func (m *model) once() {
	var runs []func()
	var weights []int
	total := 0
	for _, a := range actions {
		if run := a.pick(m); run != nil {
			runs = append(runs, run)
			weights = append(weights, a.weight)
			total += a.weight
		}
	}
	n := m.rng.IntN(total)
	for i, w := range weights {
		if n < w {
			runs[i]()
			return
		}
		n -= w
	}
}

// oneOf picks a random element of xs, or nil.
func oneOf[T any](m *model, xs []*T, keep func(*T) bool) *T {
	var c []*T
	for _, x := range xs {
		if keep(x) {
			c = append(c, x)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[m.rng.IntN(len(c))]
}

// faults draws a fault script for one call: none for a third of the calls;
// else one to MaxAttempts faults, retryable but for the last, which is a
// terminal fault half the time; rarely a hang alone.
func (m *model) faults() []Fault {
	n := attempts()
	switch m.rng.IntN(40) {
	case 0:
		return []Fault{fHang}
	case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10:
		return nil
	}
	l := 1 + m.rng.IntN(n)
	out := make([]Fault, l)
	for i := range out {
		if i == l-1 && m.rng.IntN(2) == 0 {
			out[i] = modelTerminal[m.rng.IntN(len(modelTerminal))]
		} else {
			out[i] = modelRetryable[m.rng.IntN(len(modelRetryable))]
		}
	}
	return out
}

// expect is what the outcome table allows for a call meeting a script.
type expect struct {
	success, unknown, unavailable, definite bool
	// maybe: an attempt before the one that decided may have been
	// performed.
	maybe bool
	// scriptedF: the deciding answer is the script's F.
	scriptedF bool
}

// expectFor applies the outcome table of docs/semantics.md to a script:
// faults meet the first attempts, and the provider answers the rest itself.
func expectFor(op string, faults []Fault, attempts int) expect {
	var x expect
	for i, f := range faults {
		if i == len(faults)-1 && !retryable(f) {
			break // the deciding answer itself
		}
		if f.Kind != FaultRefuse {
			x.maybe = true
		}
	}
	mut := mutating(op)
	var last Fault
	if len(faults) > 0 {
		last = faults[len(faults)-1]
	}
	switch {
	case len(faults) == 0 || (retryable(last) && len(faults) < attempts):
		// The provider's own answer decides: S, or its own F, which is an
		// unknown outcome after a maybe-performed attempt of a mutating
		// call. (A provider may also stay unsure: unknown.)
		x.success, x.unknown = true, true
		x.definite = !(x.maybe && mut)
	case retryable(last):
		// Every attempt met a fault.
		x.unknown, x.unavailable = x.maybe, !x.maybe
	case last.Kind == FaultResult && last.Status == payment.ResultFailed:
		x.scriptedF = true
		x.unknown, x.definite = x.maybe && mut, !(x.maybe && mut)
	case last.Kind == FaultChangeAmount:
		// The provider answered, and the harness changed the amount the
		// answer names, if it names one. An answer naming no amount is
		// the provider's own (its F, or the answer to an operation whose
		// request names no amount); an answer to a pay or refund naming
		// the changed amount must never be trusted.
		x.unknown = true
		x.definite = !(x.maybe && mut)
		x.success = !statesAmount(op)
	default:
		// An untrusted answer, a proxy's 403, a hang.
		x.unknown = true
	}
	return x
}

// call scripts faults for op, makes the call with do and checks the
// outcome against the table; it returns what the table allowed, for the
// ledger checks, and the call's error.
func (m *model) call(op, what string, do func(ctx context.Context) (string, error)) (expect, error) {
	faults := m.faults()
	if err := m.e.h.Script(op, faults...); err != nil {
		if !errors.Is(err, ErrFaultUnsupported) {
			m.t.Fatalf("Script(%s): %v", op, err)
		}
		faults = nil // nothing was queued
	}
	ctx := m.e.ctx
	if len(faults) == 1 && faults[0].Kind == FaultHang {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(m.e.ctx, hangDeadline)
		defer cancel()
	}
	n0 := m.e.sent(op)
	got, err := do(ctx)
	reqs := m.e.requestsSince(op, n0)
	if err != nil {
		got = fmt.Sprintf("%v (kind %q)", err, payment.KindOf(err).String())
	}
	m.note("%s %s, faults %s → %s", op, what, describeFaults(faults), got)
	sameBodies(m.t, reqs)

	x := expectFor(op, faults, attempts())
	k := payment.KindOf(err)
	switch {
	case err == nil && !x.success:
		m.fail(ruleNoFalseSuccess, "%s after %s succeeded", op, describeFaults(faults))
	case err == nil:
	case definite(err) && !x.definite && mutating(op) && x.maybe:
		m.fail(ruleRefusalAfterMaybe, "%s after %s returned %s", op, describeFaults(faults), got)
	case definite(err) && !x.definite:
		m.fail(ruleNeverFailed, "%s after %s returned %s", op, describeFaults(faults), got)
	case definite(err) && x.scriptedF && (k != payment.KindFailed || errorCode(err) != confDeclined):
		m.fail(ruleDefinite, "%s after %s returned %s; want kind failed with code %s", op, describeFaults(faults), got, confDeclined)
	case k == payment.KindUnavailable && !x.unavailable:
		m.fail(ruleNeverUnavailable, "%s after %s returned %s", op, describeFaults(faults), got)
	case k == payment.KindUnknownOutcome && !x.unknown && x.unavailable:
		m.fail(ruleUnavailable, "%s after %s returned %s", op, describeFaults(faults), got)
	case k == payment.KindUnknownOutcome && !x.unknown:
		m.fail(ruleDefinite, "%s after %s returned %s", op, describeFaults(faults), got)
	case !definite(err) && k != payment.KindUnavailable && k != payment.KindUnknownOutcome:
		m.fail(ruleNeverFailed, "%s after %s returned an error of no known kind: %v", op, describeFaults(faults), err)
	}
	return x, err
}

// booksOf reads the ledger for a payment request and a refund request
// (either may be nil).
func (m *model) booksOf(p *mPay, r *mRefund) book {
	var req *payment.PayRequest
	var rr *payment.RefundRequest
	if p != nil {
		req = p.req
	}
	if r != nil {
		rr = r.rr
	}
	return m.e.books(req, rr)
}

// artificial reports whether a definite failure is the script's F meeting
// something the provider already holds live: the simulator answers a
// scripted F without looking, as no real provider would, so the books
// cannot judge it.
func artificial(x expect, held bool) bool { return x.scriptedF && held }

func (m *model) payNew() func() {
	return func() {
		p := &mPay{req: m.e.payRequest(m.e.defaultScenario(), int64(500+m.rng.IntN(1500)))}
		m.pays = append(m.pays, p)
		m.pay(p, "new "+p.req.PaymentRequestID)
	}
}

func (m *model) payReplay() func() {
	p := oneOf(m, m.pays, func(p *mPay) bool { return !p.spent })
	if p == nil {
		return nil
	}
	return func() { m.pay(p, "replay "+p.req.PaymentRequestID) }
}

func (m *model) pay(p *mPay, what string) {
	before := m.booksOf(p, nil)
	var got *payment.Payment
	x, err := m.call(payment.OpPay, what, func(ctx context.Context) (string, error) {
		var err error
		got, err = m.e.p.Pay(ctx, p.req)
		return "success: " + describe(got), err
	})
	after := m.booksOf(p, nil)
	caps := m.e.caps
	switch {
	case err == nil:
		p.id, p.unknown = got.PaymentID, false
		if !after.found || !payStatusAgrees(caps, got.Status, after.status) || !got.Amount.Equal(p.req.Amount) {
			m.fail(ruleBooks, "Pay reported %s, the provider holds %s", describe(got), after)
		}
	case errors.Is(err, payment.ErrUnknownOutcome):
		p.unknown = true
	case definite(err):
		if artificial(x, before.found && live(before.status)) {
			return
		}
		if after.found && live(after.status) {
			m.fail(ruleNeverFailed, "Pay reported %s, yet the provider holds %s", payment.KindOf(err).String(), after)
		}
		// The key is spent: an application never re-sends it, nor
		// resolves it.
		p.spent, p.unknown = true, false
	case errors.Is(err, payment.ErrUnavailable):
		if after.found != before.found || after.status != before.status {
			m.fail(ruleUnavailable, "Pay reported unavailable, yet the provider's books changed from %s to %s", before, after)
		}
		if !before.found {
			// Nothing happened, so the model may give the key up: nothing
			// may then ever be charged under it.
			p.spent, p.unknown = true, false
		}
	}
}

// payStatusAgrees reports whether a pay answer's status agrees with the
// books. A pay answer is the provider's answer to a repeat, which may lag:
// it may say succeeded after refunds the books show, and under a strict
// reading of AlphaPay (a repeat answered U PAYMENT_IN_PROCESS) pending for
// a paid payment. It may never say paid for a payment the books do not
// show paid. Inquire and Resolve must say exactly what the books say.
func payStatusAgrees(caps payment.Capabilities, got, books payment.Status) bool {
	return got == visible(caps, books) ||
		(got == payment.StatusSucceeded && (books == payment.StatusPartiallyRefunded || books == payment.StatusRefunded)) ||
		(got == payment.StatusPending && books.Paid())
}

// withID picks a payment whose PaymentID the model knows.
func (m *model) withID(keep func(*mPay) bool) *mPay {
	return oneOf(m, m.pays, func(p *mPay) bool { return p.id != "" && (keep == nil || keep(p)) })
}

func (m *model) inquire() func() {
	p := oneOf(m, m.pays, func(p *mPay) bool { return p.id != "" || m.e.caps.InquireByRequestID })
	if p == nil {
		return nil
	}
	return func() {
		ref := payment.Ref{PaymentID: p.id}
		if p.id == "" {
			ref = payment.Ref{PaymentRequestID: p.req.PaymentRequestID}
		}
		var got *payment.Payment
		_, err := m.call(payment.OpInquire, ref.String(), func(ctx context.Context) (string, error) {
			var err error
			got, err = m.e.p.Inquire(ctx, ref)
			return "success: " + describe(got), err
		})
		after := m.booksOf(p, nil)
		switch {
		case err == nil && (!after.found || got.Status != visible(m.e.caps, after.status)):
			m.fail(ruleBooks, "Inquire reported %s, the provider holds %s", describe(got), after)
		case errors.Is(err, payment.ErrNotFound) && after.found:
			m.fail(ruleBooks, "Inquire reported not found, the provider holds %s", after)
		}
	}
}

func (m *model) cancel() func() {
	if !m.e.caps.Cancel {
		return nil
	}
	p := m.withID(nil)
	if p == nil {
		return nil
	}
	return func() {
		before := m.booksOf(p, nil)
		_, err := m.call(payment.OpCancel, p.id, func(ctx context.Context) (string, error) {
			got, err := m.e.p.Cancel(ctx, payment.Ref{PaymentID: p.id})
			return "success: " + describe(got), err
		})
		after := m.booksOf(p, nil)
		cancelledNow := after.status == payment.StatusCancelled && before.status != payment.StatusCancelled
		switch {
		case err == nil && after.status != payment.StatusCancelled:
			m.fail(ruleBooks, "Cancel reported success, the provider holds %s", after)
		case err != nil && definite(err) && cancelledNow:
			m.fail(ruleNeverFailed, "Cancel reported %s, yet the provider cancelled the payment", payment.KindOf(err).String())
		case errors.Is(err, payment.ErrUnavailable) && cancelledNow:
			m.fail(ruleUnavailable, "Cancel reported unavailable, yet the provider cancelled the payment")
		}
	}
}

func (m *model) refundNew() func() {
	if !m.e.caps.Refund {
		return nil
	}
	p := m.withID(nil)
	if p == nil {
		return nil
	}
	return func() {
		paid := p.req.Amount.Minor()
		minor := paid
		if m.e.caps.PartialRefund {
			minor = 1 + m.rng.Int64N(paid/2)
		}
		r := &mRefund{pay: p, rr: &payment.RefundRequest{RefundRequestID: newID("CONF-R"),
			Payment: payment.Ref{PaymentID: p.id}, Amount: amount(minor, p.req.Amount.Currency())}}
		m.refunds = append(m.refunds, r)
		m.refund(r, "new "+r.rr.RefundRequestID+" of "+r.rr.Amount.String())
	}
}

func (m *model) refundReplay() func() {
	r := oneOf(m, m.refunds, func(r *mRefund) bool { return !r.spent })
	if r == nil {
		return nil
	}
	return func() { m.refund(r, "replay "+r.rr.RefundRequestID) }
}

func (m *model) refund(r *mRefund, what string) {
	before := m.booksOf(r.pay, r)
	var got *payment.Refund
	x, err := m.call(payment.OpRefund, what, func(ctx context.Context) (string, error) {
		var err error
		got, err = m.e.p.Refund(ctx, r.rr)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("success: refund %s %s %s", got.RefundID, got.Status, got.Amount), nil
	})
	after := m.booksOf(r.pay, r)
	switch {
	case err == nil:
		r.id, r.unknown = got.RefundID, false
		if after.refunds != 1 || !got.Amount.Equal(r.rr.Amount) {
			m.fail(ruleBooks, "Refund reported refund %s of %s, the provider holds %s", got.RefundID, got.Amount, after)
		}
	case errors.Is(err, payment.ErrUnknownOutcome):
		r.unknown = true
	case definite(err):
		if artificial(x, before.refunds > 0) {
			return
		}
		if after.refunds > 0 {
			m.fail(ruleNeverFailed, "Refund reported %s, yet the provider holds %s", payment.KindOf(err).String(), after)
		}
		r.spent, r.unknown = true, false
	case errors.Is(err, payment.ErrUnavailable):
		if after.refunds != before.refunds {
			m.fail(ruleUnavailable, "Refund reported unavailable, yet the provider's books changed from %s to %s", before, after)
		}
		if before.refunds == 0 {
			r.spent, r.unknown = true, false // given up: nothing may ever be refunded under it
		}
	}
}

func (m *model) inquireRefund() func() {
	byRequest := m.e.caps.InquireRefundByRequestID
	r := oneOf(m, m.refunds, func(r *mRefund) bool { return r.id != "" || byRequest })
	if r == nil {
		return nil
	}
	return func() {
		ref := payment.RefundRef{RefundID: r.id}
		if r.id == "" {
			ref = payment.RefundRef{RefundRequestID: r.rr.RefundRequestID}
		}
		var got *payment.Refund
		_, err := m.call(payment.OpInquireRefund, ref.String(), func(ctx context.Context) (string, error) {
			var err error
			got, err = m.e.p.InquireRefund(ctx, ref)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("success: refund %s %s", got.RefundID, got.Status), nil
		})
		after := m.booksOf(r.pay, r)
		switch {
		case err == nil && after.refunds != 1:
			m.fail(ruleBooks, "InquireRefund found refund %s, the provider holds %s", got.RefundID, after)
		case errors.Is(err, payment.ErrNotFound) && after.refunds > 0:
			m.fail(ruleBooks, "InquireRefund reported not found, the provider holds %s", after)
		}
	}
}

// customer picks a payment the provider holds pending and acts on it as
// the customer.
func (m *model) customer(name string, act func(string) error) func() {
	p := m.withID(func(p *mPay) bool {
		st, ok := m.l.PaymentStatus(p.req.PaymentRequestID)
		return ok && st == payment.StatusPending
	})
	if p == nil {
		return nil
	}
	return func() {
		err := act(p.id)
		m.note("the customer: %s %s → %v", name, p.id, err)
		if err != nil {
			m.t.Errorf("%s: the harness could not %s pending payment %s: %v", m.where, name, p.id, err)
		}
	}
}

func (m *model) complete() func() { return m.customer("complete", m.e.h.Complete) }
func (m *model) decline() func()  { return m.customer("decline", m.e.h.Decline) }

// resolve settles an unknown pay midway, as an application would.
func (m *model) resolve() func() {
	p := oneOf(m, m.pays, func(p *mPay) bool { return p.unknown })
	if p == nil {
		return nil
	}
	return func() {
		m.note("Resolve %s", p.req.PaymentRequestID)
		if got := settlePay(m.t, m.e, p.req); got != nil {
			p.id, p.unknown = got.PaymentID, false
		}
	}
}

// invariants are checked after every step, over everything the model made.
func (m *model) invariants() {
	for _, p := range m.pays {
		b := m.booksOf(p, nil)
		if b.charges > 1 {
			m.fail(ruleTwice, "payment request %s was charged %d times", p.req.PaymentRequestID, b.charges)
		}
		if p.spent && (b.charges > 0 || (b.found && live(b.status))) {
			m.fail(ruleNeverFailed, "a pay of %s was reported as failed, and now the provider holds %s", p.req.PaymentRequestID, b)
		}
	}
	for _, r := range m.refunds {
		b := m.booksOf(r.pay, r)
		if b.refunds > 1 {
			m.fail(ruleTwice, "refund request %s refunded %d times", r.rr.RefundRequestID, b.refunds)
		}
		if r.spent && b.refunds > 0 {
			m.fail(ruleNeverFailed, "refund %s was reported as failed, and now the provider holds %s", r.rr.RefundRequestID, b)
		}
	}
}

// settleAll settles every unknown outcome left, as an application would,
// and checks that every payment the model knows reads as the books say.
func (m *model) settleAll() {
	for _, p := range m.pays {
		if p.unknown {
			if got := settlePay(m.t, m.e, p.req); got != nil {
				p.id, p.unknown = got.PaymentID, false
			}
		}
	}
	for _, r := range m.refunds {
		if r.unknown {
			settleRefund(m.t, m.e, r.rr)
		}
	}
	for _, p := range m.pays {
		if p.id == "" {
			continue
		}
		ctx, cancel := m.e.bounded()
		got, err := m.e.p.Inquire(ctx, payment.Ref{PaymentID: p.id})
		cancel()
		b := m.booksOf(p, nil)
		if err != nil {
			m.fail(ruleSettles, "Inquire(%s) at the end: %v", p.id, err)
		} else if got.Status != visible(m.e.caps, b.status) {
			m.fail(ruleSettles, "Inquire(%s) at the end says %s, the provider holds %s", p.id, got.Status, b)
		}
	}
	m.invariants()
}
