package engine_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/engine"
)

// recorder is an Observer that keeps a copy of everything it is told, and
// marks the contexts it returns so that a test can see which context each
// method received.
type recorder struct {
	mu       sync.Mutex
	events   []string
	calls    []observe.Call
	attempts []observe.Attempt
	// ctxs: for each call to an End method, the marks its context carried.
	ctxs []string
}

type markKey struct{}

func mark(ctx context.Context, m string) context.Context {
	if old, ok := ctx.Value(markKey{}).(string); ok {
		m = old + "/" + m
	}
	return context.WithValue(ctx, markKey{}, m)
}

func marks(ctx context.Context) string {
	m, _ := ctx.Value(markKey{}).(string)
	return m
}

func (r *recorder) log(ev string) { r.events = append(r.events, ev) }

// logEnd logs an End method's event and the marks of its context.
func (r *recorder) logEnd(ctx context.Context, ev string) {
	r.log(ev)
	r.ctxs = append(r.ctxs, ev+"@"+marks(ctx))
}

func (r *recorder) CallStart(ctx context.Context, c *observe.Call) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log("call start " + c.Op)
	return mark(ctx, c.Op)
}

func (r *recorder) CallEnd(ctx context.Context, c *observe.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logEnd(ctx, "call end "+c.Op)
	r.calls = append(r.calls, *c)
}

func (r *recorder) AttemptStart(ctx context.Context, c *observe.Call, a *observe.Attempt) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log("attempt start " + c.Op)
	return mark(ctx, "attempt")
}

func (r *recorder) AttemptEnd(ctx context.Context, c *observe.Call, a *observe.Attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logEnd(ctx, "attempt end "+c.Op)
	r.attempts = append(r.attempts, *a)
}

func (r *recorder) NotificationStart(ctx context.Context, _ *observe.Notification) context.Context {
	return ctx
}
func (r *recorder) NotificationEnd(context.Context, *observe.Notification)              {}
func (r *recorder) ReconcileStart(ctx context.Context, _ *observe.Pass) context.Context { return ctx }
func (r *recorder) ReconcileEnd(context.Context, *observe.Pass)                         {}

// tracedToy is the toy driver whose provider names its answers with an
// X-Trace header.
type tracedToy struct{ toy }

func (tracedToy) TraceID(h http.Header) string { return h.Get("X-Trace") }

func observedProvider(t *testing.T, url string, d pd.Driver, o observe.Observer, hc *http.Client) *engine.Provider {
	t.Helper()
	p, err := engine.New(d, engine.Config{BaseURL: url, HTTPClient: hc, Retry: fast, Clock: clock.NewAuto(time.Now()), Observer: o,
		Jitter: func(n int64) int64 { return n - 1 }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A pay answered 503, then U, then S: one call, three attempts, each
// classified with its retry reason, and the call's record complete.
func TestObserverSeesEveryCallAndAttempt(t *testing.T) {
	s := newServer(t, map[string][]step{"/pay": {{status: 503, trace: "t-1"}, {answer: &toyAnswer{Status: "U", Code: "UNKNOWN"}}, {answer: pending, trace: "t-3"}}})
	rec := &recorder{}
	p := observedProvider(t, s.URL, tracedToy{}, rec, nil)
	got, err := p.Pay(mark(context.Background(), "caller"), payReq)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := []string{"call start pay",
		"attempt start pay", "attempt end pay", "attempt start pay", "attempt end pay", "attempt start pay", "attempt end pay",
		"call end pay"}
	if diff := cmp.Diff(wantEvents, rec.events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// Trace context flows: the call's context is a child of the caller's,
	// each attempt's a child of the call's.
	wantCtxs := []string{"attempt end pay@caller/pay/attempt", "attempt end pay@caller/pay/attempt", "attempt end pay@caller/pay/attempt",
		"call end pay@caller/pay"}
	if diff := cmp.Diff(wantCtxs, rec.ctxs); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
	ignoreTimes := cmpopts.IgnoreFields(observe.Attempt{}, "Start", "Duration", "Backoff")
	wantAttempts := []observe.Attempt{
		{Number: 1, Outcome: observe.AttemptHTTPError, HTTPStatus: 503, ProviderRequestID: "t-1", MayHaveBeenSent: true, RetryReason: "http_503"},
		{Number: 2, Outcome: observe.AttemptPending, HTTPStatus: 200, ResultStatus: "U", ResultCode: "UNKNOWN", MayHaveBeenSent: true, RetryReason: observe.RetryPending},
		{Number: 3, Outcome: observe.AttemptDone, HTTPStatus: 200, ResultStatus: "S", ResultCode: "ACCEPT", ProviderRequestID: "t-3", MayHaveBeenSent: true},
	}
	if diff := cmp.Diff(wantAttempts, rec.attempts, ignoreTimes); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	for i, a := range rec.attempts[:2] {
		if a.Backoff <= 0 {
			t.Errorf("attempt %d: backoff %v before a retry", i+1, a.Backoff)
		}
	}
	c := rec.calls[0]
	wantCall := observe.Call{Provider: "toy", Op: "pay", RequestID: "R1", Scenario: payment.ScenarioQRCode, Attempts: 3,
		Status: string(got.Status), ResultStatus: "S", ResultCode: "ACCEPT", HTTPStatus: 200, ProviderRequestID: "t-3", MayHaveBeenSent: true}
	if diff := cmp.Diff(wantCall, c, cmpopts.IgnoreFields(observe.Call{}, "Start", "Duration")); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
	if c.Duration <= 0 {
		t.Errorf("the call took %v on a clock that moved with each backoff", c.Duration)
	}
}

// A call refused before anything is sent is observed too, with its kind and
// no attempt.
func TestObserverSeesARequestRefusedBeforeSending(t *testing.T) {
	rec := &recorder{}
	p := observedProvider(t, "http://127.0.0.1:1", toy{}, rec, nil)
	bad := *payReq
	bad.PaymentRequestID = ""
	if _, err := p.Pay(context.Background(), &bad); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Fatalf("Pay = %v", err)
	}
	if _, err := p.Pay(context.Background(), nil); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Fatalf("Pay(nil) = %v", err)
	}
	if len(rec.attempts) != 0 || len(rec.calls) != 2 {
		t.Fatalf("%d attempts, %d calls", len(rec.attempts), len(rec.calls))
	}
	for _, c := range rec.calls {
		if c.Kind != payment.KindInvalidRequest || c.Attempts != 0 || c.MayHaveBeenSent {
			t.Errorf("call %+v", c)
		}
	}
}

// A nested call (the inquiry that completes a pay acknowledged without a
// status) is a call of its own, in the pay's context.
func TestObserverSeesTheInquiryInsideAPay(t *testing.T) {
	s := newServer(t, map[string][]step{
		"/pay":     {{answer: &toyAnswer{Status: "S", ID: "P1"}}},
		"/inquire": {{answer: &toyAnswer{Status: "S", ID: "P1", State: "succeeded", Amount: "10.00 USD"}}},
	})
	rec := &recorder{}
	if _, err := observedProvider(t, s.URL, toy{}, rec, nil).Pay(context.Background(), payReq); err != nil {
		t.Fatal(err)
	}
	want := []string{"attempt end pay@pay/attempt", "attempt end inquire@pay/inquire/attempt", "call end inquire@pay/inquire", "call end pay@pay"}
	if diff := cmp.Diff(want, rec.ctxs); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
	if pay := rec.calls[1]; pay.Op != "pay" || pay.Status != "succeeded" || pay.Attempts != 1 {
		t.Errorf("pay %+v", pay)
	}
}

// The HTTP status and the provider's request ID reach *payment.Error, and
// its message, once.
func TestErrorCarriesHTTPStatusAndProviderRequestID(t *testing.T) {
	s := newServer(t, map[string][]step{"/cancel": {{status: 503, trace: "gw-1"}, {status: 502}}})
	_, err := observedProvider(t, s.URL, tracedToy{}, nil, nil).Cancel(context.Background(), payment.Ref{PaymentID: "P1"})
	var pe *payment.Error
	if !errors.As(err, &pe) || pe.Kind != payment.KindUnknownOutcome {
		t.Fatalf("Cancel = %v", err)
	}
	if pe.HTTPStatus != 502 || pe.ProviderRequestID != "gw-1" {
		t.Errorf("HTTPStatus %d, ProviderRequestID %q; want the last answer's 502 and the last ID sent", pe.HTTPStatus, pe.ProviderRequestID)
	}
	msg := err.Error()
	if !strings.HasSuffix(msg, "(HTTP 502, provider request ID gw-1)") || strings.Count(msg, "502") != 1 {
		t.Errorf("message %q", msg)
	}
	if !strings.Contains(msg, "3 attempt(s): bad gateway") {
		t.Errorf("message %q does not name the status", msg)
	}

	// A refusal carries HTTP 200, which the message leaves out.
	s = newServer(t, map[string][]step{"/cancel": {{answer: &toyAnswer{Status: "F", Code: "ORDER_PAID"}, trace: "r-9"}}})
	_, err = observedProvider(t, s.URL, tracedToy{}, nil, nil).Cancel(context.Background(), payment.Ref{PaymentID: "P1"})
	if !errors.As(err, &pe) || pe.HTTPStatus != 200 || pe.ProviderRequestID != "r-9" {
		t.Fatalf("Cancel = %v (%+v)", err, pe)
	}
	if want := "toy: cancel P1: failed: ORDER_PAID (F) (provider request ID r-9)"; err.Error() != want {
		t.Errorf("message %q\nwant    %q", err.Error(), want)
	}

	// An ID that is no short printable token is dropped: the answer may be
	// anyone's.
	for _, id := range []string{"a b", strings.Repeat("x", 65), "a\x7fb"} {
		s = newServer(t, map[string][]step{"/cancel": {{answer: &toyAnswer{Status: "F", Code: "ORDER_PAID"}, trace: id}}})
		_, err = observedProvider(t, s.URL, tracedToy{}, nil, nil).Cancel(context.Background(), payment.Ref{PaymentID: "P1"})
		if !errors.As(err, &pe) || pe.ProviderRequestID != "" {
			t.Errorf("ID %q: Cancel = %v", id, err)
		}
	}
}

func TestUserAgentNamesPaybridgeItsVersionAndTheProvider(t *testing.T) {
	p, err := engine.New(toy{}, engine.Config{BaseURL: "https://pay.example", UserAgent: "myshop/1.2"})
	if err != nil {
		t.Fatal(err)
	}
	if ua := p.UserAgent(); !strings.HasPrefix(ua, "paybridge/") || !strings.HasSuffix(ua, " (toy) myshop/1.2") {
		t.Errorf("User-Agent %q", ua)
	}
	if _, err := engine.New(toy{}, engine.Config{BaseURL: "https://pay.example", UserAgent: "x\r\nX-Evil: 1"}); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("a user agent with a line break: %v", err)
	}
}

// cannedTransport answers every request with the same signed answer, in
// memory: allocations per call are then the engine's and net/http's
// client side only, and the same on every run.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"X-Sig": {"ok"}}, Body: io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r}, nil
}

// Without an Observer the engine does nothing for observation: an observed
// call costs exactly one allocation more (the call's record, which holds
// the attempts' too) with an Observer that does nothing, so the nil path
// allocates none of it.
func TestNoObserverCostsNoAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not counted exactly under the race detector")
	}
	hc := &http.Client{Transport: cannedTransport{[]byte(`{"status":"S","id":"P1","state":"succeeded"}`)}}
	ref := payment.Ref{PaymentID: "P1"}
	allocs := func(o observe.Observer) float64 {
		p := observedProvider(t, "http://127.0.0.1:1", toy{}, o, hc)
		return testing.AllocsPerRun(200, func() {
			if _, err := p.Inquire(context.Background(), ref); err != nil {
				t.Fatal(err)
			}
		})
	}
	off, noop := allocs(nil), allocs(observe.Base{})
	t.Logf("allocations per Inquire: %v without an Observer, %v with a no-op one", off, noop)
	if noop-off != 1 {
		t.Errorf("an observed call costs %v allocations more than an unobserved one; want 1", noop-off)
	}
}
