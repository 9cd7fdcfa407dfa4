package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/payment"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// recorder is a test server whose answers are scripted per attempt; the last
// script entry repeats.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	script []func(w http.ResponseWriter, r *http.Request)
	srv    *httptest.Server
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.bodies = append(rec.bodies, body)
	rec.sigs = append(rec.sigs, r.Header.Get("X-Sig"))
	n := len(rec.bodies) - 1
	if n >= len(rec.script) {
		n = len(rec.script) - 1
	}
	f := rec.script[n]
	rec.mu.Unlock()
	f(w, r)
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.bodies)
}

func newRecorder(t *testing.T, script ...func(w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{script: script}
	rec.srv = httptest.NewServer(rec)
	t.Cleanup(rec.srv.Close)
	return rec
}

func answer(status string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Trusted", "yes")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": status, "code": "CODE_" + status})
	}
}

func httpStatus(code int, retryAfter string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
	}
}

func untrusted(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"status":"S"}`)) }

// dropAfterRead reads the request and closes the connection without a word:
// the provider may have acted.
func dropAfterRead(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

var inspect Inspect = func(a *Answer) (payment.Result, bool) {
	var v struct{ Status, Code string }
	_ = json.Unmarshal(a.Body, &v)
	r := payment.Result{Status: payment.ResultStatus(v.Status), Code: v.Code}
	return r, v.Status == "U"
}

type harness struct {
	clk    *clock.Fake
	signed []time.Time
	mu     sync.Mutex
	logs   *bytes.Buffer
}

func (h *harness) client(t *testing.T, base string, policy payment.RetryPolicy, mutate ...func(*Config)) *Client {
	t.Helper()
	h.logs = &bytes.Buffer{}
	cfg := Config{
		Provider: "test",
		BaseURL:  base,
		Retry:    policy,
		Clock:    h.clk,
		Logger:   slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sign: func(hdr http.Header, uri string, body []byte, now time.Time) error {
			h.mu.Lock()
			h.signed = append(h.signed, now)
			n := len(h.signed)
			h.mu.Unlock()
			hdr.Set("X-Sig", "SECRET-SIG-"+now.Format(time.RFC3339Nano)+"-"+string(rune('a'+n)))
			return nil
		},
		Verify: func(a *Answer) error {
			if a.Header.Get("X-Trusted") != "yes" {
				return errors.New("no signature")
			}
			return nil
		},
		Jitter: func(n int64) int64 { return n - 1 }, // always the ceiling: predictable waits
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var body = []byte(`{"paymentRequestId":"R1","amount":{"currency":"CAD","value":"1999"}}`)

func call() Call {
	return Call{Op: "pay", RequestID: "R1", Path: "/api/v2.0/payments/pay", Body: body, Inspect: inspect}
}

func fast() payment.RetryPolicy {
	return payment.RetryPolicy{MaxAttempts: 3, BaseWait: 100 * time.Millisecond, MaxWait: 5 * time.Second}
}

func TestSuccessIsOneAttempt(t *testing.T) {
	rec := newRecorder(t, answer("S"))
	h := &harness{clk: clock.NewAuto(t0)}
	a, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	if err != nil {
		t.Fatal(err)
	}
	if a.Result.Code != "CODE_S" || a.Attempts != 1 || rec.count() != 1 || a.URI != "/api/v2.0/payments/pay" {
		t.Fatalf("answer %+v after %d requests", a, rec.count())
	}
	if !bytes.Equal(rec.bodies[0], body) {
		t.Fatalf("body sent %q", rec.bodies[0])
	}
}

func TestUnknownResultIsRetriedWithIdenticalBodyAndFreshSignature(t *testing.T) {
	rec := newRecorder(t, answer("U"), answer("U"), answer("S"))
	h := &harness{clk: clock.NewAuto(t0)}
	a, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	if err != nil {
		t.Fatal(err)
	}
	if a.Result.Status != "S" || a.Attempts != 3 || rec.count() != 3 {
		t.Fatalf("answer %+v after %d requests", a, rec.count())
	}
	for i, b := range rec.bodies {
		if !bytes.Equal(b, body) {
			t.Errorf("attempt %d sent a different body: %q", i+1, b)
		}
	}
	if rec.sigs[0] == rec.sigs[1] || rec.sigs[1] == rec.sigs[2] {
		t.Errorf("attempts reused a signature: %q", rec.sigs)
	}
	if len(h.signed) != 3 || !h.signed[1].After(h.signed[0]) || !h.signed[2].After(h.signed[1]) {
		t.Errorf("each attempt must be signed at its own time: %v", h.signed)
	}
	if w := h.clk.Waits(); len(w) != 2 || w[0] != 100*time.Millisecond || w[1] != 200*time.Millisecond {
		t.Errorf("backoff waits %v, want [100ms 200ms]", w)
	}
}

func TestFailedResultIsNeverRetried(t *testing.T) {
	rec := newRecorder(t, answer("F"))
	h := &harness{clk: clock.NewAuto(t0)}
	a, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	if err != nil || a.Result.Status != "F" || rec.count() != 1 {
		t.Fatalf("F: %+v, %v after %d requests", a, err, rec.count())
	}
}

func TestPersistentUnknownBecomesUnknownOutcomeWithTheResult(t *testing.T) {
	rec := newRecorder(t, answer("U"))
	h := &harness{clk: clock.NewAuto(t0)}
	_, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	var pe *payment.Error
	if !errors.As(err, &pe) || pe.Kind != payment.KindUnknownOutcome {
		t.Fatalf("err = %v", err)
	}
	if pe.Result.Code != "CODE_U" || pe.Op != "pay" || pe.RequestID != "R1" || pe.Provider != "test" {
		t.Fatalf("error lacks details: %+v", pe)
	}
	if rec.count() != 3 {
		t.Fatalf("%d requests, want 3", rec.count())
	}
}

func TestRetryableHTTPStatuses(t *testing.T) {
	for _, code := range []int{408, 429, 500, 502, 503, 504} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			rec := newRecorder(t, httpStatus(code, ""), answer("S"))
			h := &harness{clk: clock.NewAuto(t0)}
			a, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
			if err != nil || a.Attempts != 2 {
				t.Fatalf("%v, %v", a, err)
			}
			rec2 := newRecorder(t, httpStatus(code, ""))
			_, err = h.client(t, rec2.srv.URL, fast()).Do(context.Background(), call())
			if !errors.Is(err, payment.ErrUnknownOutcome) || rec2.count() != 3 {
				t.Fatalf("persistent %d: %v after %d requests", code, err, rec2.count())
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	rec := newRecorder(t, httpStatus(503, "2"), answer("S"))
	h := &harness{clk: clock.NewAuto(t0)}
	c := h.client(t, rec.srv.URL, payment.RetryPolicy{MaxAttempts: 3, BaseWait: 10 * time.Millisecond})
	if _, err := c.Do(context.Background(), call()); err != nil {
		t.Fatal(err)
	}
	if w := h.clk.Waits(); len(w) != 1 || w[0] != 2*time.Second {
		t.Fatalf("waits %v, want [2s]", w)
	}
	// A Retry-After beyond MaxWait: stop rather than retry early.
	rec2 := newRecorder(t, httpStatus(429, "3600"))
	_, err := h.client(t, rec2.srv.URL, fast()).Do(context.Background(), call())
	if !errors.Is(err, payment.ErrUnknownOutcome) || rec2.count() != 1 {
		t.Fatalf("Retry-After 3600: %v after %d requests", err, rec2.count())
	}
}

func TestOtherHTTPStatusIsUnknownWithoutRetry(t *testing.T) {
	rec := newRecorder(t, httpStatus(404, ""))
	h := &harness{clk: clock.NewAuto(t0)}
	_, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	if !errors.Is(err, payment.ErrUnknownOutcome) || rec.count() != 1 || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("404: %v after %d requests", err, rec.count())
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	h := &harness{clk: clock.NewAuto(t0)}
	_, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	if !errors.Is(err, payment.ErrUnknownOutcome) || rec.count() != 1 {
		t.Fatalf("redirect: %v after %d requests", err, rec.count())
	}
}

func TestConnectionDroppedAfterTheRequestIsUnknownOutcome(t *testing.T) {
	rec := newRecorder(t, dropAfterRead)
	h := &harness{clk: clock.NewAuto(t0)}
	_, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	if !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("err = %v", err)
	}
	if rec.count() != 3 {
		t.Fatalf("%d requests, want 3 (dropped connections are retried)", rec.count())
	}
	rec2 := newRecorder(t, dropAfterRead, answer("S"))
	if a, err := h.client(t, rec2.srv.URL, fast()).Do(context.Background(), call()); err != nil || a.Attempts != 2 {
		t.Fatalf("recovery after a drop: %v, %v", a, err)
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h := &harness{clk: clock.NewAuto(t0)}
	_, err = h.client(t, "http://"+addr, fast()).Do(context.Background(), call())
	if !errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("err = %v; want unavailable", err)
	}
	if len(h.signed) != 3 {
		t.Fatalf("%d attempts, want 3", len(h.signed))
	}
}

func TestUntrustedAnswersAreUnknownAndNotRetried(t *testing.T) {
	rec := newRecorder(t, untrusted)
	h := &harness{clk: clock.NewAuto(t0)}
	_, err := h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	if !errors.Is(err, payment.ErrUnknownOutcome) || rec.count() != 1 || !strings.Contains(err.Error(), "untrusted") {
		t.Fatalf("untrusted: %v after %d requests", err, rec.count())
	}
	big := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Trusted", "yes")
		_, _ = w.Write(bytes.Repeat([]byte("x"), 2048))
	})
	_, err = h.client(t, big.srv.URL, fast(), func(c *Config) { c.MaxAnswerBytes = 1024 }).Do(context.Background(), call())
	if !errors.Is(err, payment.ErrUnknownOutcome) || big.count() != 1 {
		t.Fatalf("oversized: %v after %d requests", err, big.count())
	}
}

func TestContextCancelledDuringBackoffReturnsPromptly(t *testing.T) {
	rec := newRecorder(t, httpStatus(503, ""))
	h := &harness{clk: clock.NewFake(t0)}
	c := h.client(t, rec.srv.URL, fast())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(ctx, call())
		done <- err
	}()
	h.clk.BlockUntilWaiters(1) // the call is in its backoff wait; the clock will never move
	cancel()
	err := <-done
	if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want unknown outcome wrapping context.Canceled", err)
	}
	if rec.count() != 1 {
		t.Fatalf("%d requests", rec.count())
	}
}

func TestContextDoneBeforeSendingIsUnavailable(t *testing.T) {
	rec := newRecorder(t, answer("S"))
	h := &harness{clk: clock.NewAuto(t0)}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.client(t, rec.srv.URL, fast()).Do(ctx, call())
	if !errors.Is(err, payment.ErrUnavailable) || rec.count() != 0 {
		t.Fatalf("err %v after %d requests", err, rec.count())
	}
}

func TestDeadlineAgainstAHangingServer(t *testing.T) {
	release := make(chan struct{})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	h := &harness{clk: clock.NewAuto(t0)}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.client(t, rec.srv.URL, fast()).Do(ctx, call())
	if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
}

func TestLogsCarryNoSignatureOrBody(t *testing.T) {
	rec := newRecorder(t, answer("U"), httpStatus(500, ""), untrusted)
	h := &harness{clk: clock.NewAuto(t0)}
	_, _ = h.client(t, rec.srv.URL, fast()).Do(context.Background(), call())
	logs := h.logs.String()
	if !strings.Contains(logs, "attempt") {
		t.Fatalf("no attempt logged: %s", logs)
	}
	for _, secret := range []string{"SECRET-SIG", "1999", "paymentRequestId"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

func TestNewRefusesInsecureURLs(t *testing.T) {
	sign := func(http.Header, string, []byte, time.Time) error { return nil }
	verify := func(*Answer) error { return nil }
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for _, tc := range []struct {
		url    string
		client *http.Client
		ok     bool
	}{
		{"https://openapi.alphapay.ca", nil, true},
		{"http://127.0.0.1:8080", nil, true},
		{"http://localhost:8080/api", nil, true},
		{"http://[::1]:8080", nil, true},
		{"http://openapi.alphapay.ca", nil, false},
		{"http://10.0.0.1", nil, false},
		{"https://openapi.alphapay.ca", insecure, false},
		{"https://127.0.0.1:8443", insecure, true},
		{"ftp://x", nil, false},
		{"/relative", nil, false},
		{"https://user:pw@host", nil, false},
	} {
		_, err := New(Config{BaseURL: tc.url, HTTPClient: tc.client, Sign: sign, Verify: verify})
		if (err == nil) != tc.ok {
			t.Errorf("New(%q) err = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	if d := parseRetryAfter("3", t0); d != 3*time.Second {
		t.Errorf("seconds: %v", d)
	}
	if d := parseRetryAfter(t0.Add(10*time.Second).Format(http.TimeFormat), t0); d != 10*time.Second {
		t.Errorf("date: %v", d)
	}
	if d := parseRetryAfter("soon", t0); d != 0 {
		t.Errorf("garbage: %v", d)
	}
}
