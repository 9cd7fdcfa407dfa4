package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
)

var errDown = errors.New("store down")

// paidUnnotified is a paid payment whose notification the simulator sends
// nowhere, so that the test alone decides which copies reach its handler.
func paidUnnotified(t *testing.T, w *world, id string) *payment.Payment {
	t.Helper()
	p, err := w.client.Pay(context.Background(), &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioQRCode,
		Method: payment.MethodAlipay, Amount: money.MustParse("5.00 CAD"), Description: "Store test", NotifyURL: "http://127.0.0.1:9/lost"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	return p
}

// faultyStore fails the calls it is told to, as a shared store does when
// its server is unreachable.
type faultyStore struct {
	notify.Store
	claim, complete, release atomic.Bool
	notOwner                 atomic.Bool // Complete answers ErrNotOwner
}

func (s *faultyStore) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	if s.claim.Load() {
		return 0, "", errDown
	}
	return s.Store.Claim(ctx, key)
}

func (s *faultyStore) Complete(ctx context.Context, key string, tok notify.Token) error {
	switch {
	case s.complete.Load():
		return errDown
	case s.notOwner.Load():
		return notify.ErrNotOwner
	}
	return s.Store.Complete(ctx, key, tok)
}

func (s *faultyStore) Release(ctx context.Context, key string, tok notify.Token) error {
	if s.release.Load() {
		return errDown
	}
	return s.Store.Release(ctx, key, tok)
}

// A store error never acknowledges a notification, whichever call failed
// and whether or not deliver took the event: the provider retries.
func TestStoreErrorsAreNeverAcknowledged(t *testing.T) {
	for i, tc := range []struct {
		name      string
		fail      func(*faultyStore)
		failDel   bool
		status    int
		delivered bool
		cause     error
	}{
		{"claim fails", func(s *faultyStore) { s.claim.Store(true) }, false, 503, false, errDown},
		{"complete fails after delivery", func(s *faultyStore) { s.complete.Store(true) }, false, 503, true, errDown},
		{"claim taken over during delivery", func(s *faultyStore) { s.notOwner.Store(true) }, false, 503, true, notify.ErrNotOwner},
		{"release fails after a failed delivery", func(s *faultyStore) { s.release.Store(true) }, true, 500, false, errDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			store := &faultyStore{Store: notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: w.clk})}
			var out notify.Outcome
			tel := &telemetry{}
			h := notify.NewHandler(w.client, w.deliver, notify.WithClock(w.clk), notify.WithStore(store),
				notify.WithObserver(func(_ *http.Request, o notify.Outcome) { out = o }), notify.WithTelemetry(tel))
			if tc.failDel {
				w.fail.Store(1)
			}
			tc.fail(store)
			p := paidUnnotified(t, w, fmt.Sprint("ORDER-S", i))
			req, err := w.sim.SignedNotification(p.PaymentID, "https://shop.example/")
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status || out.Acked || out.Delivered != tc.delivered ||
				!errors.Is(out.Err, notify.ErrStore) || !errors.Is(out.Err, tc.cause) {
				t.Fatalf("status %d, outcome %+v; want %d, not acknowledged, delivered %v, an ErrStore wrapping %v",
					rec.Code, out, tc.status, tc.delivered, tc.cause)
			}
			if n := tel.lastNotification(); n.Verdict != observe.VerdictStoreFailed || n.Acked || n.HTTPStatus != tc.status {
				t.Errorf("observed %+v; want a store failure", n)
			}
		})
	}
}

// A delivery whose Complete failed leaves its claim behind; once the claim
// times out, the provider's retry delivers the event again and is
// acknowledged — the recovery of a store outage mid-delivery.
func TestStoreOutageMidDeliveryRecoversAfterTheClaimTimeout(t *testing.T) {
	w := newWorld(t)
	store := &faultyStore{Store: notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: w.clk, ClaimTimeout: time.Minute})}
	h := notify.NewHandler(w.client, w.deliver, notify.WithClock(w.clk), notify.WithStore(store))
	p := paidUnnotified(t, w, "ORDER-S-RECOVER")
	serve := func() int {
		req, err := w.sim.SignedNotification(p.PaymentID, "https://shop.example/")
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	store.complete.Store(true)
	if c := serve(); c != 503 {
		t.Fatalf("outage: %d", c)
	}
	store.complete.Store(false)
	if c := serve(); c != 409 {
		t.Fatalf("retry within the claim timeout: %d; want 409 (busy)", c)
	}
	w.clk.Advance(time.Minute)
	if c := serve(); c != 200 {
		t.Fatalf("retry after the claim timeout: %d", c)
	}
	if c := serve(); c != 200 || len(w.delivered()) != 2 {
		t.Fatalf("duplicate: %d, %d deliveries; want 200 and 2 (the one the store lost, then the one it recorded)", c, len(w.delivered()))
	}
}

// blockingStore answers only when its context ends, as a store whose server
// stopped answering.
type blockingStore struct{ notify.Store }

func (blockingStore) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	<-ctx.Done()
	return 0, "", ctx.Err()
}

func TestStoreCallsAreBounded(t *testing.T) {
	w := newWorld(t)
	var out notify.Outcome
	h := notify.NewHandler(w.client, w.deliver, notify.WithClock(w.clk), notify.WithStore(blockingStore{}),
		notify.WithStoreTimeout(20*time.Millisecond), notify.WithObserver(func(_ *http.Request, o notify.Outcome) { out = o }))
	p := paidUnnotified(t, w, "ORDER-S-HANG")
	req, err := w.sim.SignedNotification(p.PaymentID, "https://shop.example/")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req) // returns only because the store call is bounded
	if rec.Code != 503 || !errors.Is(out.Err, notify.ErrStore) || !errors.Is(out.Err, context.DeadlineExceeded) {
		t.Fatalf("status %d, outcome %+v", rec.Code, out)
	}
}

// The provider hanging up after deliver took the event must not keep the
// store from recording it.
func TestDeliveryIsRecordedWhenTheProviderHangsUp(t *testing.T) {
	w := newWorld(t)
	store := notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: w.clk})
	ctx, hangUp := context.WithCancel(context.Background())
	defer hangUp()
	h := notify.NewHandler(w.client, func(ctx context.Context, e payment.Event) error {
		hangUp()
		return nil
	}, notify.WithClock(w.clk), notify.WithStore(store))
	p := paidUnnotified(t, w, "ORDER-S-HANGUP")
	req, err := w.sim.SignedNotification(p.PaymentID, "https://shop.example/")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.WithContext(ctx))
	key := "alphapay:payment:" + p.PaymentID + ":succeeded"
	if c, _, err := store.Claim(context.Background(), key); c != notify.ClaimDone {
		t.Fatalf("after the provider hung up: %v, %v; want done", c, err)
	}
}

// deadlineStore records the deadline of each Complete's context.
type deadlineStore struct {
	notify.Store
	complete time.Time
}

func (s *deadlineStore) Complete(ctx context.Context, key string, tok notify.Token) error {
	s.complete, _ = ctx.Deadline()
	return s.Store.Complete(ctx, key, tok)
}

// Complete gets the whole store timeout from the moment deliver returned,
// however long deliver took: a slow delivery must not leave it no time.
func TestCompleteGetsItsTimeAfterDelivery(t *testing.T) {
	w := newWorld(t)
	store := &deadlineStore{Store: notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: w.clk})}
	const timeout = time.Hour
	var delivered time.Time
	h := notify.NewHandler(w.client, func(context.Context, payment.Event) error {
		// Let the clock move on (no sleep: a spin until it reads later).
		for start := time.Now(); !time.Now().After(start); {
		}
		delivered = time.Now()
		return nil
	}, notify.WithClock(w.clk), notify.WithStore(store), notify.WithStoreTimeout(timeout))
	p := paidUnnotified(t, w, "ORDER-S-SLOW")
	req, err := w.sim.SignedNotification(p.PaymentID, "https://shop.example/")
	if err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	if store.complete.Before(delivered.Add(timeout)) {
		t.Fatalf("Complete's deadline is %s before deliver returned plus the store timeout",
			delivered.Add(timeout).Sub(store.complete))
	}
}
