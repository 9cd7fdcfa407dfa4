package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/signing"
)

// world is an AlphaPay simulator, an adapter and a notify handler on
// loopback, sharing one controllable clock.
type world struct {
	clk      *clock.Fake
	sim      *alphapaytest.Server
	client   *alphapay.Client
	handler  *notify.Handler
	srv      *httptest.Server
	mu       sync.Mutex
	events   []payment.Event
	outcomes []notify.Outcome
	fail     atomic.Int32 // deliver fails this many more times
	tel      *telemetry
	// deliverCtx is the telemetry mark of the context deliver last ran in.
	deliverCtx string
}

func newWorld(t *testing.T, opts ...notify.Option) *world {
	t.Helper()
	return newWorldWith(t, nil, opts...)
}

// newWorldWith is newWorld with options for the simulator.
func newWorldWith(t *testing.T, simOpts []alphapaytest.Option, opts ...notify.Option) *world {
	t.Helper()
	w := &world{clk: clock.NewFake(time.Now()), tel: &telemetry{}}
	w.sim = alphapaytest.NewServer(append([]alphapaytest.Option{alphapaytest.WithClock(w.clk)}, simOpts...)...)
	t.Cleanup(w.sim.Close)
	cr := w.sim.Credentials()
	c, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode, PrivateKey: cr.MerchantPrivateKey,
		AlphaPayPublicKey: cr.AlphaPayPublicKey, Clock: w.clk})
	if err != nil {
		t.Fatal(err)
	}
	w.client = c
	opts = append([]notify.Option{notify.WithClock(w.clk), notify.WithObserver(w.observe), notify.WithTelemetry(w.tel)}, opts...)
	w.handler = notify.NewHandler(c, w.deliver, opts...)
	mux := http.NewServeMux()
	mux.Handle("/notify/alphapay", w.handler)
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) deliver(ctx context.Context, e payment.Event) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, e)
	w.deliverCtx = telMark(ctx)
	if w.fail.Load() > 0 {
		w.fail.Add(-1)
		return errors.New("database unavailable")
	}
	return nil
}

func (w *world) observe(_ *http.Request, o notify.Outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.outcomes = append(w.outcomes, o)
}

func (w *world) delivered() []payment.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]payment.Event(nil), w.events...)
}

func (w *world) lastOutcome() notify.Outcome {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.outcomes[len(w.outcomes)-1]
}

func (w *world) pay(t *testing.T, id string) *payment.Payment {
	t.Helper()
	return w.payTo(t, id, "/notify/alphapay")
}

// payTo pays with the notify URL at uri (path and query) on the world's
// server.
func (w *world) payTo(t *testing.T, id, uri string) *payment.Payment {
	t.Helper()
	p, err := w.client.Pay(context.Background(), &payment.PayRequest{
		PaymentRequestID: id, Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay,
		Amount: money.MustParse("19.99 CAD"), Description: "Green tea x2", NotifyURL: w.srv.URL + uri,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEndToEndNotificationIsDeliveredOnceAndAcknowledged(t *testing.T) {
	w := newWorld(t)
	p := w.pay(t, "ORDER-N1")
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.sim.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	d := w.sim.Deliveries()
	if !d[0].Acked || d[0].StatusCode != 200 {
		t.Fatalf("delivery %+v not acknowledged", d[0])
	}
	ev := w.delivered()
	if len(ev) != 1 || ev[0].Kind != payment.EventPayment || ev[0].Payment.PaymentID != p.PaymentID ||
		ev[0].Payment.Status != payment.StatusSucceeded || !ev[0].Payment.Amount.Equal(p.Amount) {
		t.Fatalf("delivered %+v", ev)
	}
	// A re-delivery of the same notification is acknowledged, not delivered.
	req, err := w.sim.SignedNotification(p.PaymentID, w.srv.URL+"/notify/alphapay")
	if err != nil {
		t.Fatal(err)
	}
	resp := post(t, req)
	if resp.StatusCode != 200 || len(w.delivered()) != 1 || !w.lastOutcome().Duplicate {
		t.Fatalf("duplicate: status %d, %d deliveries", resp.StatusCode, len(w.delivered()))
	}

	// Telemetry saw both, and deliver ran in the notification's context.
	notes := w.tel.notifications()
	key := ev[0].Key
	want := []observe.Notification{
		{Provider: "alphapay", Verdict: observe.VerdictDelivered, HTTPStatus: 200, Acked: true, EventKind: payment.EventPayment, EventKey: key, Status: "succeeded"},
		{Provider: "alphapay", Verdict: observe.VerdictDuplicate, HTTPStatus: 200, Acked: true, EventKind: payment.EventPayment, EventKey: key, Status: "succeeded"},
	}
	if diff := cmp.Diff(want, notes, cmpopts.IgnoreFields(observe.Notification{}, "Start", "Duration")); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
	if w.deliverCtx != "notification alphapay" {
		t.Errorf("deliver ran in a context marked %q, not the notification's", w.deliverCtx)
	}
}

func TestFailedDeliveryIsNotAcknowledgedAndTheRetrySucceeds(t *testing.T) {
	w := newWorld(t)
	w.fail.Store(2)
	p := w.pay(t, "ORDER-N2")
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.sim.AwaitDeliveries(ctx, 3); err != nil { // AlphaPay's three immediate tries
		t.Fatal(err)
	}
	d := w.sim.Deliveries()
	if d[0].Acked || d[1].Acked || !d[2].Acked {
		t.Fatalf("acknowledgements %v %v %v; want only the third", d[0].Acked, d[1].Acked, d[2].Acked)
	}
	if d[0].StatusCode != 500 {
		t.Fatalf("a failed delivery answered %d", d[0].StatusCode)
	}
	if n := len(w.delivered()); n != 3 {
		t.Fatalf("deliver called %d times, want 3 (2 failures, then the one that stuck)", n)
	}
	var verdicts []observe.Verdict
	for _, n := range w.tel.notifications() {
		verdicts = append(verdicts, n.Verdict)
	}
	want := []observe.Verdict{observe.VerdictDeliverFailed, observe.VerdictDeliverFailed, observe.VerdictDelivered}
	if diff := cmp.Diff(want, verdicts); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
}

// paidBody pays id with the notify URL at uri, completes the payment and
// returns the body of its notification, for tests that sign it themselves.
func (w *world) paidBody(t *testing.T, id, uri string) []byte {
	t.Helper()
	p := w.payTo(t, id, uri)
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	req, err := w.sim.SignedNotification(p.PaymentID, w.srv.URL+uri)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// signed builds a notification with the given body, signed by key over path
// at time at.
func signed(t *testing.T, url, path, merchant, keyPEM string, at time.Time, body []byte) *http.Request {
	t.Helper()
	return signedAs(t, url, path, path, merchant, keyPEM, at.Format("2006-01-02T15:04:05-07:00"), body)
}

// signedAs builds a notification to url+target with the given body and
// Request-Time header ts, signed by key over uri.
func signedAs(t *testing.T, url, target, uri, merchant, keyPEM, ts string, body []byte) *http.Request {
	t.Helper()
	key, err := signing.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	nonce := "0123456789abcdef0123456789abcdef"
	sig, err := signing.Sign(key, signing.Message("POST", uri, body, merchant, ts, nonce))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", url+target, bytes.NewReader(body))
	req.Header.Set("Merchant-Code", merchant)
	req.Header.Set("Request-Time", ts)
	req.Header.Set("Nonce", nonce)
	req.Header.Set("Signature", signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
	return req
}

func post(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestRejectedNotificationsNeverReachDeliver(t *testing.T) {
	w := newWorld(t, notify.WithMaxBytes(2048))
	other := alphapaytest.NewServer(alphapaytest.WithKeys(genKey(t), genKey(t)))
	defer other.Close()
	p := w.pay(t, "ORDER-N3")
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = w.sim.AwaitDeliveries(ctx, 1)
	before := len(w.delivered())

	cr := w.sim.Credentials()
	path := "/notify/alphapay"
	good, err := w.sim.SignedNotification(p.PaymentID, w.srv.URL+path)
	if err != nil {
		t.Fatal(err)
	}
	goodBody, _ := io.ReadAll(good.Body)
	now := w.clk.Now()
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		status int
		err    error
		reason string // the observed reason
	}{
		{"signed with another key", func() *http.Request {
			return signed(t, w.srv.URL, path, cr.MerchantCode, other.Credentials().AlphaPayPrivateKey, now, goodBody)
		}, 401, notify.ErrBadSignature, "bad_signature"},
		{"tampered body", func() *http.Request {
			r := signed(t, w.srv.URL, path, cr.MerchantCode, cr.AlphaPayPrivateKey, now, goodBody)
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(goodBody, []byte("1999"), []byte("2999"), 1)))
			return r
		}, 401, notify.ErrBadSignature, "bad_signature"},
		{"signed for another path", func() *http.Request {
			r := signed(t, w.srv.URL, "/notify/other", cr.MerchantCode, cr.AlphaPayPrivateKey, now, goodBody)
			r.URL.Path = path
			return r
		}, 401, notify.ErrBadSignature, "bad_signature"},
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest("POST", w.srv.URL+path, bytes.NewReader(goodBody))
			return r
		}, 401, notify.ErrBadSignature, "bad_signature"},
		{"stale", func() *http.Request {
			return signed(t, w.srv.URL, path, cr.MerchantCode, cr.AlphaPayPrivateKey, now.Add(-6*time.Minute), goodBody)
		}, 400, notify.ErrStale, "stale"},
		{"from the future", func() *http.Request {
			return signed(t, w.srv.URL, path, cr.MerchantCode, cr.AlphaPayPrivateKey, now.Add(6*time.Minute), goodBody)
		}, 400, notify.ErrFuture, "future"},
		{"oversized", func() *http.Request {
			big := append(bytes.TrimSuffix(goodBody, []byte("}")), []byte(`,"pad":"`+strings.Repeat("x", 4096)+`"}`)...)
			return signed(t, w.srv.URL, path, cr.MerchantCode, cr.AlphaPayPrivateKey, now, big)
		}, 413, notify.ErrTooLarge, "too_large"},
		{"malformed", func() *http.Request {
			return signed(t, w.srv.URL, path, cr.MerchantCode, cr.AlphaPayPrivateKey, now, []byte(`{"paymentId":`))
		}, 400, notify.ErrUndecodable, "undecodable"},
		{"GET", func() *http.Request {
			r, _ := http.NewRequest("GET", w.srv.URL+path, nil)
			return r
		}, 405, notify.ErrMethod, "method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, tc.req())
			out := w.lastOutcome()
			if resp.StatusCode != tc.status || !errors.Is(out.Err, tc.err) || out.Acked {
				t.Fatalf("status %d, outcome %+v; want %d and %v", resp.StatusCode, out, tc.status, tc.err)
			}
			if n := w.tel.lastNotification(); n.Verdict != observe.VerdictRejected || n.Reason != tc.reason || n.HTTPStatus != tc.status || n.Acked {
				t.Errorf("observed %+v; want rejected, %s", n, tc.reason)
			}
		})
	}
	if n := len(w.delivered()); n != before {
		t.Fatalf("deliver was called %d times for rejected notifications", n-before)
	}

	t.Run("unknown event is acknowledged but not delivered", func(t *testing.T) {
		resp := post(t, signed(t, w.srv.URL, path, cr.MerchantCode, cr.AlphaPayPrivateKey, now, []byte(`{"kind":"settlement"}`)))
		out := w.lastOutcome()
		if resp.StatusCode != 200 || !out.Acked || !errors.Is(out.Err, notify.ErrUnknownEvent) || len(w.delivered()) != before {
			t.Fatalf("status %d, outcome %+v", resp.StatusCode, out)
		}
		if n := w.tel.lastNotification(); n.Verdict != observe.VerdictUnknownEvent || !n.Acked {
			t.Errorf("observed %+v", n)
		}
	})
}

// A notify URL with a query: AlphaPay may sign its path and query or its
// path alone (the documentation says "the path of the notify URL"). Both
// verify; a forged signature over either form, or a signature whose query
// does not match the URL's, does not.
func TestNotifyURLWithAQueryVerifiesEitherSignedForm(t *testing.T) {
	const uri = "/notify/alphapay?shop=1"
	for name, pathOnly := range map[string]bool{"signed over path and query": false, "signed over the path alone": true} {
		t.Run(name, func(t *testing.T) {
			w := newWorldWith(t, []alphapaytest.Option{alphapaytest.WithNotifyPathOnly(pathOnly)})
			p := w.payTo(t, "ORDER-Q", uri)
			if err := w.sim.Complete(p.PaymentID); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := w.sim.AwaitDeliveries(ctx, 1); err != nil {
				t.Fatal(err)
			}
			if d := w.sim.Deliveries(); !d[0].Acked {
				t.Fatalf("the simulator's notification was not acknowledged: %+v", d[0])
			}
			if ev := w.delivered(); len(ev) != 1 || ev[0].Payment.PaymentID != p.PaymentID {
				t.Fatalf("delivered %+v", ev)
			}
		})
	}

	w := newWorld(t)
	body := w.paidBody(t, "ORDER-Q-FORGED", uri)
	cr := w.sim.Credentials()
	forger := genKey(t)
	ts := w.clk.Now().Format("2006-01-02T15:04:05-07:00")
	for _, tc := range []struct {
		name, signedURI, key string
	}{
		{"forged over path and query", uri, forger},
		{"forged over the path", "/notify/alphapay", forger},
		{"signed for another query", "/notify/alphapay?shop=2", cr.AlphaPayPrivateKey},
		{"signed for another path", "/notify/other", cr.AlphaPayPrivateKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, signedAs(t, w.srv.URL, uri, tc.signedURI, cr.MerchantCode, tc.key, ts, body))
			out := w.lastOutcome()
			if resp.StatusCode != 401 || !errors.Is(out.Err, notify.ErrBadSignature) || out.Acked {
				t.Fatalf("status %d, outcome %+v; want 401 and ErrBadSignature", resp.StatusCode, out)
			}
		})
	}
	for _, signedURI := range []string{uri, "/notify/alphapay"} {
		resp := post(t, signedAs(t, w.srv.URL, uri, signedURI, cr.MerchantCode, cr.AlphaPayPrivateKey, ts, body))
		if out := w.lastOutcome(); resp.StatusCode != 200 || out.Err != nil {
			t.Fatalf("genuine notification signed over %s: status %d, outcome %+v", signedURI, resp.StatusCode, out)
		}
	}
}

// Request-Time as ISO 8601 (AlphaPay, with or without a fraction, Z or a
// colon in the offset) or as Unix time digits (Alipay's official Go SDK):
// the signature covers the header as sent, and every form verifies. A
// genuine notification whose time cannot be read is ErrBadTimestamp, not a
// bad signature; a forged one is still ErrBadSignature.
func TestNotificationTimestampForms(t *testing.T) {
	w := newWorld(t)
	const path = "/notify/alphapay"
	body := w.paidBody(t, "ORDER-TS", path)
	cr := w.sim.Credentials()
	forger := genKey(t)
	now := w.clk.Now()
	for name, ts := range map[string]string{
		"RFC 3339 seconds":        now.Format("2006-01-02T15:04:05-07:00"),
		"RFC 3339 milliseconds Z": now.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		"ISO 8601 basic offset":   now.In(time.FixedZone("", 8*3600)).Format("2006-01-02T15:04:05-0700"),
		"Unix seconds":            strconv.FormatInt(now.Unix(), 10),
		"Unix milliseconds":       strconv.FormatInt(now.UnixMilli(), 10),
		"Unix nanoseconds":        strconv.FormatInt(now.UnixNano(), 10),
	} {
		t.Run(name, func(t *testing.T) {
			resp := post(t, signedAs(t, w.srv.URL, path, path, cr.MerchantCode, cr.AlphaPayPrivateKey, ts, body))
			if out := w.lastOutcome(); resp.StatusCode != 200 || out.Err != nil || !out.Acked {
				t.Fatalf("Request-Time %s: status %d, outcome %+v", ts, resp.StatusCode, out)
			}
		})
	}
	stale := strconv.FormatInt(now.Add(-10*time.Minute).UnixMilli(), 10)
	resp := post(t, signedAs(t, w.srv.URL, path, path, cr.MerchantCode, cr.AlphaPayPrivateKey, stale, body))
	if out := w.lastOutcome(); resp.StatusCode != 400 || !errors.Is(out.Err, notify.ErrStale) {
		t.Fatalf("stale Unix milliseconds: status %d, outcome %+v", resp.StatusCode, out)
	}
	for _, ts := range []string{"yesterday", "2026-11-22 10:15:30", "2026-11-22T10:15:30", "12345", "+1763800000000"} {
		t.Run("unreadable "+ts, func(t *testing.T) {
			resp := post(t, signedAs(t, w.srv.URL, path, path, cr.MerchantCode, cr.AlphaPayPrivateKey, ts, body))
			out := w.lastOutcome()
			if resp.StatusCode != 400 || !errors.Is(out.Err, notify.ErrBadTimestamp) || errors.Is(out.Err, notify.ErrBadSignature) || out.Acked {
				t.Fatalf("signed: status %d, outcome %+v; want 400 and ErrBadTimestamp", resp.StatusCode, out)
			}
			resp = post(t, signedAs(t, w.srv.URL, path, path, cr.MerchantCode, forger, ts, body))
			out = w.lastOutcome()
			if resp.StatusCode != 401 || !errors.Is(out.Err, notify.ErrBadSignature) || errors.Is(out.Err, notify.ErrBadTimestamp) {
				t.Fatalf("forged: status %d, outcome %+v; want 401 and ErrBadSignature", resp.StatusCode, out)
			}
		})
	}
}

func genKey(t *testing.T) string {
	t.Helper()
	return string(signing.PrivateKeyPEM(mustKey(t)))
}

func TestPublicURIBehindAProxy(t *testing.T) {
	w := newWorld(t)
	p := w.pay(t, "ORDER-N4")
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	// The provider signed /notify/alphapay; a proxy forwards it to /internal/hook.
	behind := notify.NewHandler(w.client, w.deliver, notify.WithClock(w.clk), notify.WithPublicURI("/notify/alphapay"))
	naive := notify.NewHandler(w.client, w.deliver, notify.WithClock(w.clk))
	for name, h := range map[string]http.Handler{"with the public URI": behind, "without": naive} {
		req, err := w.sim.SignedNotification(p.PaymentID, "https://shop.example/notify/alphapay")
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Path, req.RequestURI = "/internal/hook", "/internal/hook"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := map[string]int{"with the public URI": 200, "without": 401}[name]
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", name, rec.Code, want)
		}
	}
}

func TestConcurrentDuplicatesAreDeliveredOnce(t *testing.T) {
	w := newWorld(t)
	p := w.pay(t, "ORDER-N5")
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	const n = 100
	var calls atomic.Int32
	var answered atomic.Int32
	gate := make(chan struct{})
	// deliver blocks until every other copy has been answered, so the copies
	// really are concurrent with the one delivery.
	h := notify.NewHandler(w.client, func(ctx context.Context, e payment.Event) error {
		calls.Add(1)
		<-gate
		return nil
	}, notify.WithClock(w.clk), notify.WithObserver(func(*http.Request, notify.Outcome) {
		if answered.Add(1) == n-1 {
			close(gate)
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	reqs := make([]*http.Request, n)
	for i := range reqs {
		r, err := w.sim.SignedNotification(p.PaymentID, srv.URL+"/")
		if err != nil {
			t.Fatal(err)
		}
		reqs[i] = r
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = post(t, reqs[i]).StatusCode
		}()
	}
	wg.Wait()
	if c := calls.Load(); c != 1 {
		t.Fatalf("deliver called %d times for %d concurrent copies", c, n)
	}
	ok := 0
	for _, s := range statuses {
		if s == 200 {
			ok++
		}
	}
	if ok < 1 {
		t.Fatal("no copy was acknowledged")
	}
}

func TestReconcilerSettlesAPaymentWhoseNotificationWasLost(t *testing.T) {
	w := newWorld(t)
	// The notify URL points nowhere: the notification is lost.
	p, err := w.client.Pay(context.Background(), &payment.PayRequest{PaymentRequestID: "ORDER-N6", Scenario: payment.ScenarioQRCode,
		Method: payment.MethodAlipay, Amount: money.MustParse("5.00 CAD"), Description: "Lost notification", NotifyURL: "http://127.0.0.1:9/lost"})
	if err != nil {
		t.Fatal(err)
	}
	pending := map[string]payment.Ref{p.PaymentID: p.Ref()}
	var mu sync.Mutex
	rec := &notify.Reconciler{
		Provider: w.client,
		Pending: notify.PendingFunc(func(context.Context) ([]payment.Ref, error) {
			mu.Lock()
			defer mu.Unlock()
			var out []payment.Ref
			for _, r := range pending {
				out = append(out, r)
			}
			return out, nil
		}),
		Deliver: func(ctx context.Context, e payment.Event) error {
			mu.Lock()
			delete(pending, e.Payment.PaymentID)
			mu.Unlock()
			return w.deliver(ctx, e)
		},
		Clock:    w.clk,
		Observer: w.tel,
	}
	ctx := context.Background()
	if n, err := rec.RunOnce(ctx); n != 0 || err != nil {
		t.Fatalf("a pending payment was settled: %d, %v", n, err)
	}
	if p := w.tel.lastPass(); p.Provider != "alphapay" || p.Pending != 1 || p.Settled != 0 || p.Backlog() != 1 || !p.Complete || p.Errors != 0 {
		t.Errorf("first pass %+v", p)
	}
	if err := w.sim.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	if n, _ := rec.RunOnce(ctx); n != 0 {
		t.Fatal("the reconciler did not wait out its backoff")
	}
	w.clk.Advance(10 * time.Second)
	n, err := rec.RunOnce(ctx)
	if n != 1 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if p := w.tel.lastPass(); p.Pending != 1 || p.Settled != 1 || p.Backlog() != 0 || p.Journal != 0 {
		t.Errorf("settling pass %+v", p)
	}
	if w.deliverCtx != "pass alphapay" {
		t.Errorf("the reconciler delivered in a context marked %q, not the pass's", w.deliverCtx)
	}
	ev := w.delivered()
	if len(ev) != 1 || ev[0].Payment.Status != payment.StatusSucceeded || ev[0].Key != fmt.Sprintf("alphapay:payment:%s:succeeded", p.PaymentID) {
		t.Fatalf("delivered %+v", ev)
	}
}
