package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
)

// notifyTarget is the notify URL the notifications are signed for; the
// handler is called directly, so its host is never dialled.
const notifyTarget = "http://merchant.example/notify/paybridge"

// discardWriter is an http.ResponseWriter that keeps the status and
// reuses one header map, so that the benchmark measures the handler only.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(s int)   { w.status = s }
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}
func (w *discardWriter) reset() {
	clear(w.h)
	w.status, w.n = 0, 0
}

// replayable is one signed notification request whose body can be read
// again and again.
type replayable struct {
	r    *http.Request
	body []byte
	rd   *bytes.Reader
	rc   io.ReadCloser
}

func newReplayable(tb testing.TB, r *http.Request) *replayable {
	tb.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		tb.Fatal(err)
	}
	rd := bytes.NewReader(body)
	return &replayable{r: r, body: body, rd: rd, rc: io.NopCloser(rd)}
}

func (p *replayable) next() *http.Request {
	p.rd.Reset(p.body)
	p.r.Body = p.rc
	return p.r
}

// sentAt is the notification's signed time, for a handler clock that
// never finds it stale.
func sentAt(tb testing.TB, r *http.Request) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339Nano, r.Header.Get("Request-Time"))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// notifySet is what benchNotify needs from one provider.
type notifySet struct {
	src notify.Source
	req *http.Request // a signed payment notification to notifyTarget
	// verify is one RSA verification of the notification's signature,
	// over its string to sign (the Verify sub-benchmark).
	verify func() error
	// baseline is a minimal hand-written handler for the same
	// notification.
	baseline http.Handler
}

// benchNotify measures one provider's notification handling:
//
//   - Handler: verify + parse + de-duplicate + deliver + acknowledge a new
//     event (the store's clock leaps past its TTL between calls, so the
//     same signed notification is a new event every time);
//   - HandlerDuplicate: the same for an event already delivered (the
//     provider's re-delivery): verified, parsed, found done, acknowledged;
//   - Baseline: a minimal hand-written handler doing the same (read, check
//     the headers, verify, decode the fields a merchant acts on,
//     de-duplicate with a map, acknowledge);
//   - Verify: one RSA verification of the same signature, alone;
//   - Interleaved: the four alternated, timed each.
func benchNotify(b *testing.B, ns notifySet) {
	clock := fixedClock{sentAt(b, ns.req)}
	delivered := 0
	deliver := func(context.Context, payment.Event) error { delivered++; return nil }
	rp := newReplayable(b, ns.req)

	run := func(b *testing.B, h http.Handler, wantDelivered func(n int) bool) {
		w := &discardWriter{h: http.Header{}}
		delivered = 0
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			w.reset()
			h.ServeHTTP(w, rp.next())
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
			n++
		}
		if !wantDelivered(n) {
			b.Fatalf("%d deliveries in %d calls", delivered, n)
		}
	}
	b.Run("Handler", func(b *testing.B) {
		store := notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: &leapingClock{}})
		h := notify.NewHandler(ns.src, deliver, notify.WithStore(store), notify.WithClock(clock))
		run(b, h, func(n int) bool { return delivered == n })
	})
	b.Run("HandlerDuplicate", func(b *testing.B) {
		h := newNotifyHandler(b, ns, deliver)
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, rp.next()) // the first delivery
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
		run(b, h, func(int) bool { return delivered == 0 })
	})
	// The four interleaved, in a rotating order, for time ratios that
	// machine load weighs on alike (see benchInterleaved): metrics
	// handler-ns, duplicate-ns, baseline-ns (the hand-written handler) and
	// verify-ns, the medians of their times.
	b.Run("Interleaved", func(b *testing.B) {
		store := notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: &leapingClock{}})
		fresh := notify.NewHandler(ns.src, deliver, notify.WithStore(store), notify.WithClock(clock))
		dup := newNotifyHandler(b, ns, deliver)
		w := &discardWriter{h: http.Header{}}
		dup.ServeHTTP(w, rp.next())
		serve := func(h http.Handler) func() error {
			return func() error {
				w.reset()
				h.ServeHTTP(w, rp.next())
				if w.status != http.StatusOK {
					return fmt.Errorf("status %d", w.status)
				}
				return nil
			}
		}
		calls := []struct {
			unit string
			f    func() error
		}{{"handler-ns", serve(fresh)}, {"duplicate-ns", serve(dup)}, {"baseline-ns", serve(ns.baseline)}, {"verify-ns", ns.verify}}
		t := newTimings(len(calls), false)
		for b.Loop() {
			t.round(func(k int) {
				if err := calls[k].f(); err != nil {
					b.Fatal(err)
				}
			})
		}
		for k, c := range calls {
			b.ReportMetric(t.median(k), c.unit)
		}
	})
	b.Run("Baseline", func(b *testing.B) {
		run(b, ns.baseline, func(int) bool { return true })
	})
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := ns.verify(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// newNotifyHandler is a Handler with the default store whose clock is the
// notification's signing time, so that it is never stale.
func newNotifyHandler(tb testing.TB, ns notifySet, deliver notify.DeliverFunc) *notify.Handler {
	return notify.NewHandler(ns.src, deliver, notify.WithClock(fixedClock{sentAt(tb, ns.req)}))
}

// notificationVerifier returns one RSA verification of a notification
// signed over "POST <uri>\n<fields>.<body>".
func notificationVerifier(tb testing.TB, r *http.Request, publicPEM string, fields ...string) func() error {
	tb.Helper()
	pub, err := signing.ParsePublicKey(publicPEM)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := signing.ParseHeader(r.Header.Get("Signature"))
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	msg := signing.Message(http.MethodPost, r.URL.RequestURI(), body, fields...)
	sig := h.Signature
	if err := signing.Verify(pub, msg, sig); err != nil {
		tb.Fatal(err)
	}
	return func() error { return signing.Verify(pub, msg, sig) }
}
