package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
)

// PendingSource lists the payments a platform is still waiting on, from its
// own records.
type PendingSource interface {
	Pending(ctx context.Context) ([]payment.Ref, error)
}

// PendingFunc adapts a function to PendingSource.
type PendingFunc func(ctx context.Context) ([]payment.Ref, error)

// Pending calls f.
func (f PendingFunc) Pending(ctx context.Context) ([]payment.Ref, error) { return f(ctx) }

// Defaults of the Reconciler's settings.
const (
	DefaultBaseInterval  = 5 * time.Second
	DefaultMaxInterval   = 5 * time.Minute
	DefaultCallTimeout   = time.Minute
	DefaultJournalMinAge = 5 * time.Minute
)

// Reconciler settles what no notification settled: payments whose
// notification never came, and — with a Journal — calls whose answer a
// crash or an outage cut off. It emits the same events the Handler would,
// through the same Store, so an event reaches Deliver once whichever path
// sees it first.
//
// Its two sources:
//
//   - Pending, the platform's own list of payments it waits on: each is
//     inquired, and once it is no longer pending its event is delivered.
//   - Journal, the write-ahead journal the Provider's adapter writes
//     (Config.Journal): each entry open for longer than JournalMinAge is a
//     call whose outcome nobody knows. Where the provider inquires by
//     request ID (Alipay+ pays and refunds) an inquiry settles it: what the
//     provider does not know by then never reached it. Elsewhere the
//     identical request is replayed — payment.Resolve for a pay —, which
//     meets what the call made or makes it now, never a second one. A
//     cancel is settled by an inquiry, and replayed only while the payment
//     is still pending. The event of what was found — a payment in
//     whatever status, including pending, or a final refund — is
//     delivered, and only then is the entry settled. A definite answer
//     (the provider refused, or does not know the payment) settles the
//     entry without an event: the platform reads it with
//     journal.Store.Find. An entry journaled without the secret its replay
//     needs (a payment code, a card number) on a provider that cannot
//     inquire by request ID is logged at error level for a person, and
//     stays open.
//
// Each item is tried with a growing interval (BaseInterval doubling to
// MaxInterval). The Schedule keeps these intervals and a lease per item, so
// that Reconcilers of several instances sharing one Schedule (and one
// Store) take turns: one instance at a time inquires a payment or settles
// an entry, and a restarted instance picks up the intervals where they
// were. An item leaves the Schedule when it is settled, by any path: when
// the Reconciler settles it, and when it no longer appears in Pending or
// among the open entries.
//
// The fields must not change once RunOnce or Run has been called.
type Reconciler struct {
	// Provider is inquired, and replays through it are not journaled.
	Provider payment.Provider
	// Pending lists the payments to watch; a payment leaves the list when
	// the platform records its final state (from either path). Optional
	// when Journal is set.
	Pending PendingSource
	// Journal, if set, is the journal Provider's adapter writes: its open
	// entries of Provider are settled.
	Journal journal.Store
	// Deliver receives the events, as from the Handler.
	Deliver DeliverFunc
	// Store must be the Handler's store (default: a private MemoryStore).
	Store Store
	// Schedule keeps each item's next try and lease (default: a private
	// MemorySchedule). Instances that share a Store share a Schedule too.
	Schedule Schedule
	// StoreTimeout bounds each call to the Store and the Schedule (default
	// DefaultStoreTimeout).
	StoreTimeout time.Duration
	// BaseInterval and MaxInterval space the tries of one item: they double
	// from base to max (defaults DefaultBaseInterval, DefaultMaxInterval).
	// Run starts a pass every BaseInterval.
	BaseInterval, MaxInterval time.Duration
	// CallTimeout bounds the provider calls that settle one item (default
	// DefaultCallTimeout).
	CallTimeout time.Duration
	// LeaseTTL is how long an instance holds an item it began to settle;
	// it must outlast CallTimeout and the Deliver call, so that a crashed
	// instance's items go to another. Default: twice CallTimeout, at least
	// CallTimeout plus a minute.
	LeaseTTL time.Duration
	// JournalMinAge leaves younger entries to the calls that are still
	// under way. It must be longer than the longest call (the retry
	// policy's MaxElapsed plus the HTTP client's timeout and an inquiry):
	// an entry settled by inquiry is settled "not found" if the provider
	// does not know the payment by then. Default DefaultJournalMinAge.
	JournalMinAge time.Duration
	// Clock and Logger are optional.
	Clock  payment.Clock
	Logger *slog.Logger
	// Observer, if set, is told of every pass (package observe: the items
	// listed, settled and left — the backlog). The calls a pass makes run
	// in the pass's context, and the Provider's own Observer sees them as
	// the pass's children. Nil: nothing is observed, at no cost.
	Observer observe.Observer

	once sync.Once
	mu   sync.Mutex
	// notBefore remembers, per item listed in the last pass, when the
	// Schedule said it would be due at the earliest, so that items not due
	// cost no call to the Schedule. Items that leave the lists leave it.
	notBefore map[string]time.Time
}

func (r *Reconciler) init() {
	r.once.Do(func() {
		r.Clock = payment.OrSystem(r.Clock)
		if r.Store == nil {
			r.Store = NewMemoryStore(MemoryStoreOptions{Clock: r.Clock})
		}
		if r.Schedule == nil {
			r.Schedule = NewMemorySchedule(MemoryScheduleOptions{Clock: r.Clock})
		}
		if r.StoreTimeout <= 0 {
			r.StoreTimeout = DefaultStoreTimeout
		}
		if r.BaseInterval <= 0 {
			r.BaseInterval = DefaultBaseInterval
		}
		if r.MaxInterval < r.BaseInterval {
			r.MaxInterval = max(DefaultMaxInterval, r.BaseInterval)
		}
		if r.CallTimeout <= 0 {
			r.CallTimeout = DefaultCallTimeout
		}
		if r.LeaseTTL <= 0 {
			r.LeaseTTL = max(2*r.CallTimeout, r.CallTimeout+time.Minute)
		}
		if r.JournalMinAge <= 0 {
			r.JournalMinAge = DefaultJournalMinAge
		}
		r.notBefore = map[string]time.Time{}
	})
}

// item is one thing to settle: a pending payment or an open journal entry.
type item struct {
	key   string
	ref   payment.Ref
	entry *journal.Record
}

// ErrNeedsPerson is logged for an open journal entry the Reconciler cannot
// settle: its request was journaled without a secret its replay needs, and
// the provider cannot inquire by request ID.
var ErrNeedsPerson = errors.New("notify: the call cannot be settled without its secret: a person must look it up at the provider")

// RunOnce tries every item that is due — pending payments, open journal
// entries — and delivers an event for each one it settles. It returns how
// many it settled. Errors of inquiries are logged and retried on a later
// pass; errors of the sources, the Schedule and deliveries are returned
// after the pass.
func (r *Reconciler) RunOnce(ctx context.Context) (int, error) {
	r.init()
	var pass *observe.Pass
	if r.Observer != nil {
		pass = &observe.Pass{Provider: r.Provider.Name(), Start: r.Clock.Now()}
		ctx = r.Observer.ReconcileStart(ctx, pass)
	}
	items, complete, errs := r.list(ctx)
	r.sweep(ctx, items, complete)
	settled := 0
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		ok, err := r.try(ctx, it)
		if ok {
			settled++
			if pass != nil && it.entry != nil {
				pass.SettledJournal++
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if pass != nil {
		for _, it := range items {
			if it.entry != nil {
				pass.Journal++
			} else {
				pass.Pending++
			}
		}
		pass.Settled, pass.Errors, pass.Complete = settled, len(errs), complete
		pass.Duration = r.Clock.Now().Sub(pass.Start)
		r.Observer.ReconcileEnd(ctx, pass)
	}
	return settled, errors.Join(errs...)
}

// list gathers the items of both sources. complete reports that every
// source answered: only then may items missing from the lists be
// forgotten.
func (r *Reconciler) list(ctx context.Context) (items []item, complete bool, errs []error) {
	name := r.Provider.Name()
	complete = true
	if r.Pending != nil {
		refs, err := r.Pending.Pending(ctx)
		if err != nil {
			complete = false
			errs = append(errs, fmt.Errorf("notify: reconcile: pending payments: %w", err))
		}
		for _, ref := range refs {
			items = append(items, item{key: name + ":payment:" + ref.String(), ref: ref})
		}
	}
	if r.Journal != nil {
		recs, err := r.Journal.Open(ctx, journal.Query{Provider: name, MinAge: r.JournalMinAge})
		if err != nil {
			complete = false
			errs = append(errs, fmt.Errorf("notify: reconcile: journal: %w", err))
		}
		for i := range recs {
			items = append(items, item{key: name + ":journal:" + string(recs[i].ID), entry: &recs[i]})
		}
	}
	return items, complete, errs
}

// sweep forgets the items of the last pass that are no longer listed —
// settled by another path: a notification, the platform, another instance
// — so that the Schedule holds only items in play.
func (r *Reconciler) sweep(ctx context.Context, items []item, complete bool) {
	listed := make(map[string]bool, len(items))
	for _, it := range items {
		listed[it.key] = true
	}
	r.mu.Lock()
	var gone []string
	for k := range r.notBefore {
		if !listed[k] && complete {
			gone = append(gone, k)
			delete(r.notBefore, k)
		}
	}
	for k := range listed {
		if _, ok := r.notBefore[k]; !ok {
			r.notBefore[k] = time.Time{}
		}
	}
	r.mu.Unlock()
	for _, k := range gone {
		sctx, cancel := context.WithTimeout(ctx, r.StoreTimeout)
		if err := r.Schedule.Forget(sctx, k); err != nil {
			r.warn("paybridge: reconcile: forgetting a settled item", "item", k, "error", err.Error())
		}
		cancel()
	}
}

// try settles one item if it is due and this instance gets its lease.
func (r *Reconciler) try(ctx context.Context, it item) (bool, error) {
	now := r.Clock.Now()
	r.mu.Lock()
	nb := r.notBefore[it.key]
	r.mu.Unlock()
	if now.Before(nb) {
		return false, nil
	}
	sctx, cancel := context.WithTimeout(ctx, r.StoreTimeout)
	lease, err := r.Schedule.Acquire(sctx, it.key, r.LeaseTTL)
	cancel()
	if err != nil {
		return false, fmt.Errorf("notify: reconcile: schedule: %w", err)
	}
	if !lease.Held() {
		wait := lease.Wait
		if lease.Busy {
			// The holder defers the item as soon as its try ends, long
			// before its lease would: look again at the next pass.
			wait = min(wait, r.BaseInterval)
		}
		r.setNotBefore(it.key, now.Add(wait))
		return false, nil
	}
	cctx, cancel := context.WithTimeout(ctx, r.CallTimeout)
	var settled bool
	if it.entry != nil {
		settled, err = r.settleEntry(cctx, it.entry)
	} else {
		settled, err = r.settlePayment(cctx, it.ref)
	}
	cancel()
	// The schedule learns how it ended even if ctx ended meanwhile.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.StoreTimeout)
	defer cancel()
	if settled {
		r.setNotBefore(it.key, time.Time{})
		if ferr := r.Schedule.Forget(fctx, it.key); ferr != nil {
			r.warn("paybridge: reconcile: forgetting a settled item", "item", it.key, "error", ferr.Error())
		}
		return true, err
	}
	tries := lease.Tries + 1
	wait := r.interval(tries)
	if errors.Is(err, ErrNeedsPerson) {
		wait, err = r.MaxInterval, nil
	}
	if derr := r.Schedule.Defer(fctx, it.key, lease.Token, tries, wait); derr != nil && !errors.Is(derr, ErrNotOwner) {
		err = errors.Join(err, fmt.Errorf("notify: reconcile: schedule: %w", derr))
	}
	r.setNotBefore(it.key, r.Clock.Now().Add(wait))
	return false, err
}

func (r *Reconciler) setNotBefore(key string, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.notBefore[key]; ok {
		r.notBefore[key] = t
	}
}

// settlePayment inquires a pending payment and delivers its event once it
// is no longer pending.
func (r *Reconciler) settlePayment(ctx context.Context, ref payment.Ref) (bool, error) {
	p, err := r.Provider.Inquire(ctx, ref)
	if err != nil {
		r.warn("paybridge: reconcile inquiry failed", "payment", ref.String(), "error", err.Error())
		return false, nil
	}
	if p.Status == payment.StatusPending {
		return false, nil
	}
	if _, _, err := deliverOnce(ctx, r.Store, r.StoreTimeout, r.Deliver, r.paymentEvent(p)); err != nil {
		return false, err
	}
	return true, nil
}

func (r *Reconciler) paymentEvent(p *payment.Payment) payment.Event {
	name := r.Provider.Name()
	return payment.Event{
		Key:      payment.EventKey(name, payment.EventPayment, p.PaymentID, string(p.Status)),
		Kind:     payment.EventPayment,
		Provider: name,
		Payment:  p,
		SentAt:   r.Clock.Now(),
	}
}

func (r *Reconciler) refundEvent(rf *payment.Refund) payment.Event {
	name := r.Provider.Name()
	return payment.Event{
		Key:      payment.EventKey(name, payment.EventRefund, rf.RefundID, string(rf.Status)),
		Kind:     payment.EventRefund,
		Provider: name,
		Refund:   rf,
		SentAt:   r.Clock.Now(),
	}
}

// settleEntry finds out how an open call ended, delivers what it found and
// settles the entry. It reports whether the entry is settled.
func (r *Reconciler) settleEntry(ctx context.Context, e *journal.Record) (bool, error) {
	// The Reconciler's own calls are the entry's: they are not journaled
	// again, so the entry stays open until what they found is delivered.
	ctx = journal.Unjournaled(ctx)
	var (
		ev  *payment.Event
		o   journal.Outcome
		err error
	)
	switch e.Op {
	case payment.OpPay:
		ev, o, err = r.settlePay(ctx, e)
	case payment.OpRefund:
		ev, o, err = r.settleRefund(ctx, e)
	case payment.OpCancel:
		ev, o, err = r.settleCancel(ctx, e)
	default:
		err = fmt.Errorf("notify: reconcile: journal entry %s: operation %q", e.ID, e.Op)
	}
	switch {
	case errors.Is(err, ErrNeedsPerson):
		if r.Logger != nil {
			r.Logger.Error("paybridge: journal entry needs a person", "provider", r.Provider.Name(), "op", e.Op,
				"request_id", e.RequestID, "started_at", e.StartedAt, "error", err.Error())
		}
		return false, err
	case err != nil && retryable(err):
		r.warn("paybridge: reconcile: journal entry still unknown", "op", e.Op, "request_id", e.RequestID, "error", err.Error())
		return false, nil
	case err != nil:
		// A definite answer: the call did not happen as asked. Nothing to
		// deliver; the platform reads the outcome with Find.
		o = journal.Outcome{Kind: payment.KindOf(err)}
		var pe *payment.Error
		if errors.As(err, &pe) {
			o.Code = pe.Result.Code
		}
		if o.Kind == 0 {
			return false, err
		}
	case ev == nil:
		return false, nil // found, but not final yet (a refund in process)
	default:
		claim, _, derr := deliverOnce(ctx, r.Store, r.StoreTimeout, r.Deliver, *ev)
		if derr != nil {
			return false, derr
		}
		if claim == ClaimBusy {
			return false, nil // another path is delivering it; look again later
		}
	}
	o.By = journal.ByReconciler
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.StoreTimeout)
	defer cancel()
	if err := r.Journal.Settle(sctx, e.ID, o); err != nil {
		return false, fmt.Errorf("notify: reconcile: journal: %w", err)
	}
	if r.Logger != nil {
		r.Logger.Info("paybridge: journal entry settled", "provider", r.Provider.Name(), "op", e.Op,
			"request_id", e.RequestID, "status", o.Status, "kind", kindName(o.Kind))
	}
	return true, nil
}

func kindName(k payment.Kind) string {
	if k == 0 {
		return ""
	}
	return k.String()
}

// retryable reports whether err leaves the question open.
func retryable(err error) bool {
	k := payment.KindOf(err)
	return k == payment.KindUnknownOutcome || k == payment.KindUnavailable
}

// settlePay finds the payment an open pay created, if any. Where the
// provider inquires by request ID the inquiry says it all: a payment it
// does not know, older than any call can last, was never created. Elsewhere
// (AlphaPay) payment.Resolve replays the identical request, which meets the
// payment made before or makes it now — never a second one.
func (r *Reconciler) settlePay(ctx context.Context, e *journal.Record) (*payment.Event, journal.Outcome, error) {
	req := e.Request.Pay
	var p *payment.Payment
	var err error
	switch {
	case r.Provider.Capabilities().InquireByRequestID:
		p, err = r.Provider.Inquire(ctx, payment.Ref{PaymentRequestID: e.RequestID})
		if err == nil && req != nil && !p.Amount.Currency().IsZero() && !p.Amount.Equal(req.Amount) {
			err = &payment.Error{Op: "reconcile", Provider: r.Provider.Name(), Kind: payment.KindIdempotencyConflict, RequestID: e.RequestID,
				Err: fmt.Errorf("payment %s under this PaymentRequestID is of %s, not %s", p.PaymentID, p.Amount, req.Amount)}
		}
	case req != nil && !e.Request.Incomplete:
		p, err = payment.Resolve(ctx, r.Provider, req, payment.WithMaxPolls(1), payment.WithClock(r.Clock))
	default:
		return nil, journal.Outcome{}, fmt.Errorf("%w (pay %s)", ErrNeedsPerson, e.RequestID)
	}
	if err != nil {
		return nil, journal.Outcome{}, err
	}
	if p.PaymentRequestID == "" {
		p.PaymentRequestID = e.RequestID
	}
	ev := r.paymentEvent(p)
	return &ev, journal.Outcome{PaymentID: p.PaymentID, Status: string(p.Status)}, nil
}

// settleRefund finds the refund an open refund made, as settlePay does:
// by an inquiry where the provider has one by request ID, by replaying the
// identical request elsewhere. A refund still in process stays open.
func (r *Reconciler) settleRefund(ctx context.Context, e *journal.Record) (*payment.Event, journal.Outcome, error) {
	req := e.Request.Refund
	var rf *payment.Refund
	var err error
	switch {
	case r.Provider.Capabilities().InquireRefundByRequestID:
		rf, err = r.Provider.InquireRefund(ctx, payment.RefundRef{RefundRequestID: e.RequestID})
	case req != nil && !e.Request.Incomplete:
		rf, err = r.Provider.Refund(ctx, req)
	default:
		return nil, journal.Outcome{}, fmt.Errorf("%w (refund %s)", ErrNeedsPerson, e.RequestID)
	}
	if err != nil {
		return nil, journal.Outcome{}, err
	}
	if rf.Status == payment.RefundPending {
		return nil, journal.Outcome{}, nil
	}
	if rf.RefundRequestID == "" {
		rf.RefundRequestID = e.RequestID
	}
	ev := r.refundEvent(rf)
	return &ev, journal.Outcome{PaymentID: rf.PaymentID, RefundID: rf.RefundID, Status: string(rf.Status)}, nil
}

func (r *Reconciler) settleCancel(ctx context.Context, e *journal.Record) (*payment.Event, journal.Outcome, error) {
	ref := e.Request.Cancel
	if ref == nil {
		return nil, journal.Outcome{}, fmt.Errorf("%w (cancel %s)", ErrNeedsPerson, e.RequestID)
	}
	p, err := r.Provider.Inquire(ctx, *ref)
	if err != nil {
		return nil, journal.Outcome{}, err
	}
	if p.Status == payment.StatusPending {
		// Still open: closing it is what was asked, and closing an unpaid
		// payment twice is harmless.
		if p, err = r.Provider.Cancel(ctx, *ref); err != nil {
			return nil, journal.Outcome{}, err
		}
	}
	// Any other status says whether the cancel happened (cancelled) or not
	// (paid, failed…): a paid payment is not reversed behind the
	// platform's back; its event tells the platform where it is.
	ev := r.paymentEvent(p)
	return &ev, journal.Outcome{PaymentID: p.PaymentID, Status: string(p.Status)}, nil
}

func (r *Reconciler) warn(msg string, args ...any) {
	if r.Logger != nil {
		r.Logger.Warn(msg, append([]any{"provider", r.Provider.Name()}, args...)...)
	}
}

func (r *Reconciler) interval(tries int) time.Duration {
	d := r.BaseInterval
	for i := 1; i < tries && d < r.MaxInterval; i++ {
		d *= 2
	}
	d = min(d, r.MaxInterval)
	// Jitter by up to a quarter so that many platforms do not poll in step.
	return d - time.Duration(rand.Int64N(int64(d)/4+1))
}

// Run calls RunOnce every BaseInterval until ctx ends, and returns ctx's
// error. Errors of a pass are logged.
func (r *Reconciler) Run(ctx context.Context) error {
	r.init()
	for {
		if _, err := r.RunOnce(ctx); err != nil && r.Logger != nil {
			r.Logger.Warn("paybridge: reconcile pass", "provider", r.Provider.Name(), "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.Clock.After(r.BaseInterval):
		}
	}
}
