// Package handlertest runs notify.Handlers on real, signed AlphaPay
// notifications from the simulator: the acceptance test of a shared store
// (many duplicates over several instances, one delivery) and the handler
// benchmarks that compare the stores.
package handlertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// Provider is an AlphaPay simulator and a client of it, whose payments'
// notifications the simulator sends nowhere: the test alone decides which
// copies reach which handler.
type Provider struct {
	Sim    *alphapaytest.Server
	Client *alphapay.Client
}

// NewProvider starts a simulator, closed when tb ends.
func NewProvider(tb testing.TB) *Provider {
	tb.Helper()
	sim := alphapaytest.NewServer()
	tb.Cleanup(sim.Close)
	cr := sim.Credentials()
	c, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode, PrivateKey: cr.MerchantPrivateKey,
		AlphaPayPublicKey: cr.AlphaPayPublicKey})
	if err != nil {
		tb.Fatal(err)
	}
	return &Provider{Sim: sim, Client: c}
}

// Paid makes a payment and completes it, as its customer would.
func (p *Provider) Paid(tb testing.TB, requestID string) *payment.Payment {
	tb.Helper()
	pay, err := p.Client.Pay(context.Background(), &payment.PayRequest{PaymentRequestID: requestID, Scenario: payment.ScenarioQRCode,
		Method: payment.MethodAlipay, Amount: money.MustParse("19.99 CAD"), Description: "Handler test", NotifyURL: "http://127.0.0.1:9/nowhere"})
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Sim.Complete(pay.PaymentID); err != nil {
		tb.Fatal(err)
	}
	return pay
}

// Signed is the payment's notification, signed for target.
func (p *Provider) Signed(tb testing.TB, paymentID, target string) *http.Request {
	tb.Helper()
	r, err := p.Sim.SignedNotification(paymentID, target)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// DeliveredOnce is the acceptance test of a shared store: n copies of one
// signed notification arrive at once, spread over one Handler per store —
// each store a separate client, as each instance of a platform has its own
// — and exactly one reaches deliver. The delivery is held until every other
// copy has been answered, so the copies really overlap it; they are
// answered busy (409), the provider's cue to retry. A copy sent afterwards,
// to another instance, is acknowledged as a duplicate.
func DeliveredOnce(t *testing.T, stores []notify.Store, n int) {
	t.Helper()
	p := NewProvider(t)
	pay := p.Paid(t, "ORDER-ONCE-"+strconv.FormatInt(time.Now().UnixNano(), 36))

	var calls, answered atomic.Int32
	allAnswered := make(chan struct{})
	var once sync.Once
	deliver := func(ctx context.Context, e payment.Event) error {
		calls.Add(1)
		t := time.NewTimer(30 * time.Second)
		defer t.Stop()
		select {
		case <-allAnswered:
			return nil
		case <-t.C:
			return fmt.Errorf("handlertest: the other copies were not answered within 30s")
		}
	}
	observe := func(*http.Request, notify.Outcome) {
		if answered.Add(1) == int32(n-1) {
			once.Do(func() { close(allAnswered) })
		}
	}
	urls := make([]string, len(stores))
	for i, s := range stores {
		h := notify.NewHandler(p.Client, deliver, notify.WithStore(s), notify.WithObserver(observe))
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls[i] = srv.URL + "/notify/alphapay"
	}
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = p.Signed(t, pay.PaymentID, urls[i%len(urls)])
	}

	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], errs[i] = post(reqs[i])
		}()
	}
	wg.Wait()

	count := map[int]int{}
	for i, s := range statuses {
		if errs[i] != nil {
			t.Errorf("copy %d: %v", i, errs[i])
		}
		count[s]++
	}
	if c := calls.Load(); c != 1 {
		t.Errorf("deliver ran %d times for %d concurrent copies over %d instances; want once", c, n, len(stores))
	}
	if count[200] != 1 || count[409] != n-1 {
		t.Errorf("answers %v; want one 200 (the delivery) and %d 409 (busy)", count, n-1)
	}
	// The provider's later retry, at another instance: a duplicate.
	late := p.Signed(t, pay.PaymentID, urls[len(urls)-1])
	if s, err := post(late); s != 200 || err != nil || calls.Load() != 1 {
		t.Errorf("a later copy: %d, %v, %d deliveries; want 200 and still one delivery", s, err, calls.Load())
	}
}

// client bounds each copy's round trip: a handler that hangs fails the
// test instead of stalling it.
var client = &http.Client{Timeout: 60 * time.Second}

func post(r *http.Request) (int, error) {
	resp, err := client.Do(r)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// Benchmark measures a Handler with store on one signed AlphaPay
// notification, calling ServeHTTP directly (no network between provider
// and handler, so that the store's share shows):
//
//   - new: a first delivery — verify, parse, Claim, deliver, Complete,
//     acknowledge; each iteration's event key is made unique;
//   - duplicate: a re-delivery — verify, parse, Claim finds it done,
//     acknowledge;
//   - new-parallel: new, from GOMAXPROCS goroutines, as an instance under
//     load serves notifications.
func Benchmark(b *testing.B, store notify.Store) {
	p := NewProvider(b)
	pay := p.Paid(b, "ORDER-BENCH-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	req := p.Signed(b, pay.PaymentID, "https://shop.example/notify/alphapay")
	body, err := io.ReadAll(req.Body)
	if err != nil {
		b.Fatal(err)
	}
	deliver := func(context.Context, payment.Event) error { return nil }
	src := &uniqueKeys{Source: p.Client, run: strconv.FormatInt(time.Now().UnixNano(), 36)}
	serve := func(b *testing.B, h http.Handler, r *http.Request, w *recorder) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		w.reset()
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
	b.Run("new", func(b *testing.B) {
		h := notify.NewHandler(src, deliver, notify.WithStore(store))
		r, w := req.Clone(context.Background()), newRecorder()
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, r, w)
		}
	})
	b.Run("duplicate", func(b *testing.B) {
		h := notify.NewHandler(p.Client, deliver, notify.WithStore(store))
		r, w := req.Clone(context.Background()), newRecorder()
		serve(b, h, r, w) // the first delivery
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, r, w)
		}
	})
	b.Run("new-parallel", func(b *testing.B) {
		h := notify.NewHandler(src, deliver, notify.WithStore(store))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r, w := req.Clone(context.Background()), newRecorder()
			for pb.Next() {
				serve(b, h, r, w)
			}
		})
	})
}

// uniqueKeys makes every parsed event's key unique, so that one signed
// notification, verified and parsed for real each time, is a new event to
// the store each time.
type uniqueKeys struct {
	notify.Source
	run string
	seq atomic.Int64
}

func (u *uniqueKeys) ParseNotification(body []byte) (payment.Event, error) {
	ev, err := u.Source.ParseNotification(body)
	ev.Key += ":" + u.run + ":" + strconv.FormatInt(u.seq.Add(1), 10)
	return ev, err
}

// recorder is an http.ResponseWriter that keeps the status only, so that
// the benchmark measures the handler.
type recorder struct {
	h      http.Header
	status int
}

func newRecorder() *recorder { return &recorder{h: http.Header{}} }

func (w *recorder) Header() http.Header         { return w.h }
func (w *recorder) WriteHeader(s int)           { w.status = s }
func (w *recorder) Write(p []byte) (int, error) { return len(p), nil }
func (w *recorder) reset()                      { clear(w.h); w.status = 0 }
