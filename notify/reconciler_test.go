package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// rworld is both simulators and journaled adapters (one attempt per call:
// the waits between attempts would wait on the fake clock) sharing one
// controllable clock, a memory journal, store and schedule, and a record of
// the events delivered.
type rworld struct {
	clk      *clock.Fake
	ap       *alphapaytest.Server
	wallet   *alipayplustest.Server
	apc      *alphapay.Client
	wc       *alipayplus.Client
	j        *journal.Memory
	store    *notify.MemoryStore
	schedule *notify.MemorySchedule
	logs     *syncBuf

	mu      sync.Mutex
	events  []payment.Event
	failing atomic.Int32
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRWorld(t *testing.T) *rworld {
	t.Helper()
	w := &rworld{clk: clock.NewFake(time.Now()), logs: &syncBuf{}}
	w.ap = alphapaytest.NewServer(alphapaytest.WithClock(w.clk))
	t.Cleanup(w.ap.Close)
	w.wallet = alipayplustest.NewServer(alipayplustest.WithClock(w.clk))
	t.Cleanup(w.wallet.Close)
	w.j = journal.NewMemory(journal.WithClock(w.clk))
	w.store = notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: w.clk})
	w.schedule = notify.NewMemorySchedule(notify.MemoryScheduleOptions{Clock: w.clk})
	once := payment.RetryPolicy{MaxAttempts: 1}
	ac := w.ap.Credentials()
	var err error
	w.apc, err = alphapay.New(alphapay.Config{BaseURL: ac.BaseURL, MerchantCode: ac.MerchantCode, PrivateKey: ac.MerchantPrivateKey,
		AlphaPayPublicKey: ac.AlphaPayPublicKey, Clock: w.clk, Retry: once, Journal: w.j})
	if err != nil {
		t.Fatal(err)
	}
	wc := w.wallet.Credentials()
	w.wc, err = alipayplus.New(alipayplus.Config{BaseURL: wc.BaseURL, PathPrefix: wc.Prefix, ClientID: wc.ClientID,
		PrivateKey: wc.MerchantPrivateKey, WalletPublicKey: wc.WalletPublicKey, Clock: w.clk, Retry: once, Journal: w.j})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *rworld) deliver(_ context.Context, e payment.Event) error {
	if w.failing.Load() > 0 {
		w.failing.Add(-1)
		return errors.New("database unavailable")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, e)
	return nil
}

func (w *rworld) delivered() []payment.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]payment.Event(nil), w.events...)
}

// reconciler returns a Reconciler of p on the world's journal, store and
// schedule, with a minute's JournalMinAge.
func (w *rworld) reconciler(p payment.Provider, pending notify.PendingSource) *notify.Reconciler {
	return &notify.Reconciler{
		Provider: p, Pending: pending, Journal: w.j, Deliver: w.deliver, Store: w.store, Schedule: w.schedule,
		JournalMinAge: time.Minute, Clock: w.clk, Logger: slog.New(slog.NewTextHandler(w.logs, nil)),
	}
}

func (w *rworld) open(t *testing.T) []journal.Record {
	t.Helper()
	recs, err := w.j.Open(context.Background(), journal.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func runOnce(t *testing.T, r *notify.Reconciler, want int) {
	t.Helper()
	n, err := r.RunOnce(context.Background())
	if n != want || err != nil {
		t.Fatalf("RunOnce = %d, %v; want %d, nil", n, err, want)
	}
}

func apPay(id string) *payment.PayRequest {
	return &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay,
		Amount: money.MustParse("19.99 CAD"), Description: "Journal"}
}

func walletPay(id string) *payment.PayRequest {
	return &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioCashier, Amount: money.MustParse("1500 IQD"),
		Description: "Journal", Device: &payment.Device{OS: payment.OSAndroid, TerminalType: payment.TerminalMiniApp}}
}

// A pay whose answer was lost after AlphaPay made the payment stays open in
// the journal; the Reconciler replays it once the entry is old enough,
// delivers the payment it meets and settles the entry — one order, one
// charge.
func TestReconcilerSettlesAnOpenPayByReplayingIt(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	w.ap.Script(alphapaytest.PathPay, alphapaytest.Fault{DropAfter: true})
	if _, err := w.apc.Pay(ctx, apPay("J-AP-1")); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("Pay = %v", err)
	}
	r := w.reconciler(w.apc, nil)
	tel := &telemetry{}
	r.Observer = tel
	runOnce(t, r, 0) // younger than JournalMinAge: the call may still be under way
	if len(w.open(t)) != 1 {
		t.Fatal("the entry is not open")
	}
	if p := tel.lastPass(); p.Journal != 0 || p.Backlog() != 0 {
		t.Errorf("a pass listed a young entry: %+v", p)
	}
	w.clk.Advance(time.Minute)
	runOnce(t, r, 1)
	if p := tel.lastPass(); p.Journal != 1 || p.SettledJournal != 1 || p.OpenJournal() != 0 || p.Pending != 0 {
		t.Errorf("the settling pass %+v", p)
	}
	ev := w.delivered()
	if len(ev) != 1 || ev[0].Payment.Status != payment.StatusPending || ev[0].Payment.PaymentRequestID != "J-AP-1" ||
		!strings.HasSuffix(ev[0].Key, ":pending") {
		t.Fatalf("delivered %+v", ev)
	}
	recs, _ := w.j.Find(ctx, alphapay.Name, payment.OpPay, "J-AP-1")
	if len(recs) != 1 || recs[0].IsOpen() || recs[0].Outcome.By != journal.ByReconciler || recs[0].Outcome.PaymentID != ev[0].Payment.PaymentID {
		t.Fatalf("entry %+v", recs)
	}
	if n := w.ap.Orders("J-AP-1"); n != 1 {
		t.Fatalf("%d orders", n)
	}
	if w.schedule.Len() != 0 {
		t.Fatalf("the settled entry is still scheduled")
	}
	// The customer pays; the charge is the one order's.
	if err := w.ap.Complete(ev[0].Payment.PaymentID); err != nil {
		t.Fatal(err)
	}
	if n := w.ap.Charges("J-AP-1"); n != 1 {
		t.Fatalf("%d charges", n)
	}
}

func TestReconcilerSettlesAnOpenRefundByReplayingIt(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	p, err := w.apc.Pay(ctx, apPay("J-AP-2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ap.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	w.ap.Script(alphapaytest.PathRefund, alphapaytest.Fault{DropAfter: true})
	req := &payment.RefundRequest{RefundRequestID: "J-AP-2-R", Payment: p.Ref(), Amount: money.MustParse("5.00 CAD")}
	if _, err := w.apc.Refund(ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("Refund = %v", err)
	}
	w.clk.Advance(time.Minute)
	runOnce(t, w.reconciler(w.apc, nil), 1)
	ev := w.delivered()
	if len(ev) != 1 || ev[0].Kind != payment.EventRefund || ev[0].Refund.Status != payment.RefundSucceeded || ev[0].Refund.RefundRequestID != "J-AP-2-R" {
		t.Fatalf("delivered %+v", ev)
	}
	if n := w.ap.RefundCount("J-AP-2-R"); n != 1 {
		t.Fatalf("%d refunds", n)
	}
	if len(w.open(t)) != 0 {
		t.Fatal("entry still open")
	}
}

// Alipay+ inquires by request ID: an open pay it knows is delivered as it
// is; one it does not know never reached it, and is settled "not found"
// without sending anything.
func TestReconcilerSettlesAnOpenPayByInquiryWhereItCan(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	w.wallet.Script(alipayplustest.PathPay, alipayplustest.Fault{DropAfter: true})
	if _, err := w.wc.Pay(ctx, walletPay("J-W-1")); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("Pay = %v", err)
	}
	// A crash between Begin and the first byte: the entry is all there is.
	if _, err := w.j.Begin(ctx, journal.Entry{Provider: alipayplus.Name, Op: payment.OpPay, RequestID: "J-W-2", BodyHash: "h",
		Request: journal.Request{Pay: walletPay("J-W-2")}}); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(time.Minute)
	pays := len(w.wallet.Requests(alipayplustest.PathPay))
	runOnce(t, w.reconciler(w.wc, nil), 2)
	if n := len(w.wallet.Requests(alipayplustest.PathPay)); n != pays {
		t.Fatalf("%d pays sent; an inquiry settles both", n-pays)
	}
	ev := w.delivered()
	if len(ev) != 1 || ev[0].Payment.PaymentRequestID != "J-W-1" || ev[0].Payment.Status != payment.StatusPending {
		t.Fatalf("delivered %+v", ev)
	}
	recs, _ := w.j.Find(ctx, alipayplus.Name, payment.OpPay, "J-W-2")
	if len(recs) != 1 || recs[0].IsOpen() || recs[0].Outcome.Kind != payment.KindNotFound {
		t.Fatalf("J-W-2: %+v", recs)
	}
	if w.wallet.Orders("J-W-2") != 0 {
		t.Fatal("the reconciler created the payment")
	}
}

// An entry kept without its secret, on a provider that cannot inquire by
// request ID, is for a person: logged at error level, left open, retried
// at the longest interval.
func TestReconcilerReportsAnEntryItCannotSettle(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	req := &payment.PayRequest{PaymentRequestID: "J-AP-SCAN", Scenario: payment.ScenarioInStoreScan,
		Amount: money.MustParse("1.00 CAD"), Description: "Scan", PaymentCode: "286473829174627381"}
	w.ap.Script(alphapaytest.PathPay, alphapaytest.Fault{DropAfter: true})
	if _, err := w.apc.Pay(ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("Pay = %v", err)
	}
	w.clk.Advance(time.Minute)
	r := w.reconciler(w.apc, nil)
	r.MaxInterval = time.Hour
	runOnce(t, r, 0)
	if !strings.Contains(w.logs.String(), "level=ERROR") || !strings.Contains(w.logs.String(), "needs a person") ||
		strings.Contains(w.logs.String(), "286473829174627381") {
		t.Fatalf("log:\n%s", w.logs)
	}
	if len(w.open(t)) != 1 {
		t.Fatal("the entry was settled")
	}
	before := len(w.ap.Requests(alphapaytest.PathPay))
	w.clk.Advance(30 * time.Minute)
	runOnce(t, r, 0)
	if len(w.ap.Requests(alphapaytest.PathPay)) != before || strings.Count(w.logs.String(), "needs a person") != 1 {
		t.Fatal("tried again before the longest interval")
	}
}

func TestReconcilerSettlesAnOpenCancel(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	p, err := w.apc.Pay(ctx, apPay("J-AP-C"))
	if err != nil {
		t.Fatal(err)
	}
	w.ap.Script(alphapaytest.PathCancel, alphapaytest.Fault{DropAfter: true})
	if _, err := w.apc.Cancel(ctx, p.Ref()); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("Cancel = %v", err)
	}
	w.clk.Advance(time.Minute)
	runOnce(t, w.reconciler(w.apc, nil), 1)
	if ev := w.delivered(); len(ev) != 1 || ev[0].Payment.Status != payment.StatusCancelled {
		t.Fatalf("delivered %+v", ev)
	}
}

// The entry is settled only once its event is delivered: a failing deliver
// leaves it open, and a later pass settles it.
func TestReconcilerSettlesAnEntryOnlyOnceItsEventIsDelivered(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	w.ap.Script(alphapaytest.PathPay, alphapaytest.Fault{DropAfter: true})
	if _, err := w.apc.Pay(ctx, apPay("J-AP-D")); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("Pay = %v", err)
	}
	w.clk.Advance(time.Minute)
	r := w.reconciler(w.apc, nil)
	w.failing.Store(1)
	if n, err := r.RunOnce(ctx); n != 0 || !errors.Is(err, notify.ErrDeliver) {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if len(w.open(t)) != 1 {
		t.Fatal("settled without a delivery")
	}
	w.clk.Advance(notify.DefaultBaseInterval)
	runOnce(t, r, 1)
	if len(w.open(t)) != 0 || len(w.delivered()) != 1 || w.ap.Orders("J-AP-D") != 1 {
		t.Fatalf("open %d, delivered %d, orders %d", len(w.open(t)), len(w.delivered()), w.ap.Orders("J-AP-D"))
	}
}

// pendingSet is a platform's list of pending payments.
type pendingSet struct {
	mu   sync.Mutex
	refs map[string]payment.Ref
}

func newPendingSet(refs ...payment.Ref) *pendingSet {
	s := &pendingSet{refs: map[string]payment.Ref{}}
	for _, r := range refs {
		s.refs[r.String()] = r
	}
	return s
}

func (s *pendingSet) Pending(context.Context) ([]payment.Ref, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []payment.Ref
	for _, r := range s.refs {
		out = append(out, r)
	}
	return out, nil
}

func (s *pendingSet) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refs, id)
}

// Payments settled by another path leave the schedule: it holds only what
// the platform still waits on (issue #11: it used to grow forever).
func TestReconcilerScheduleIsBoundedByWhatIsPending(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	var refs []payment.Ref
	for _, id := range []string{"B-1", "B-2", "B-3"} {
		p, err := w.apc.Pay(ctx, apPay(id))
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, p.Ref())
	}
	pending := newPendingSet(refs...)
	r := w.reconciler(w.apc, pending)
	runOnce(t, r, 0)
	if n := w.schedule.Len(); n != 3 {
		t.Fatalf("schedule holds %d, want 3", n)
	}
	// Two are settled by their notifications; the platform stops listing them.
	pending.remove(refs[0].String())
	pending.remove(refs[1].String())
	runOnce(t, r, 0)
	if n := w.schedule.Len(); n != 1 {
		t.Fatalf("schedule holds %d after two settled elsewhere, want 1", n)
	}
}

// Two instances share a schedule: a payment is inquired by one of them per
// interval, and an instance that restarts keeps the interval it reached.
func TestReconcilersShareLeasesAndTheBackoffSurvivesARestart(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	p, err := w.apc.Pay(ctx, apPay("L-1"))
	if err != nil {
		t.Fatal(err)
	}
	pending := newPendingSet(p.Ref())
	a, b := w.reconciler(w.apc, pending), w.reconciler(w.apc, pending)
	inquiries := func() int { return len(w.ap.Requests(alphapaytest.PathInquiry)) }
	var wg sync.WaitGroup
	for _, r := range []*notify.Reconciler{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.RunOnce(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := inquiries(); n != 1 {
		t.Fatalf("%d inquiries by two instances at once, want 1", n)
	}
	// b restarts: a new Reconciler on the same schedule waits out the
	// interval a reached.
	b = w.reconciler(w.apc, pending)
	runOnce(t, b, 0)
	if n := inquiries(); n != 1 {
		t.Fatalf("the restarted instance inquired before the interval: %d", n)
	}
	w.clk.Advance(notify.DefaultBaseInterval)
	runOnce(t, b, 0)
	runOnce(t, a, 0)
	if n := inquiries(); n != 2 {
		t.Fatalf("%d inquiries after one interval, want 2", n)
	}
	// The second try doubled the interval: one base interval later neither
	// instance inquires.
	w.clk.Advance(notify.DefaultBaseInterval)
	runOnce(t, a, 0)
	runOnce(t, b, 0)
	if n := inquiries(); n != 2 {
		t.Fatalf("inquired again before the doubled interval: %d", n)
	}
	// The customer pays; the next due pass settles it and delivers its
	// event, once: the platform stops listing it.
	if err := w.ap.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(2 * notify.DefaultBaseInterval)
	runOnce(t, a, 1)
	pending.remove(p.PaymentID)
	runOnce(t, b, 0)
	if len(w.delivered()) != 1 || w.schedule.Len() != 0 {
		t.Fatalf("delivered %d, scheduled %d", len(w.delivered()), w.schedule.Len())
	}
}

// An instance that crashed holding a lease holds it until LeaseTTL: then
// another takes the payment over.
func TestACrashedInstancesLeaseExpires(t *testing.T) {
	w := newRWorld(t)
	ctx := context.Background()
	p, err := w.apc.Pay(ctx, apPay("L-2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ap.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	r := w.reconciler(w.apc, newPendingSet(p.Ref()))
	r.LeaseTTL = 2 * time.Minute
	// The crashed instance took the lease and never came back.
	if l, err := w.schedule.Acquire(ctx, "alphapay:payment:"+p.PaymentID, r.LeaseTTL); err != nil || !l.Held() {
		t.Fatalf("Acquire = %+v, %v", l, err)
	}
	runOnce(t, r, 0)
	w.clk.Advance(r.LeaseTTL)
	runOnce(t, r, 1)
}
