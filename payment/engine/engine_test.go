package engine_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/version"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/engine"
)

// toy is a driver for a tiny protocol: bodies are JSON, answers carry
// {"status","code","id","amount","state","url"}, and the envelope "signs"
// with an X-Sig header. It lets the engine's rules be tested without any
// real provider's details.
type toy struct{}

type toyAnswer struct {
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
	ID     string `json:"id,omitempty"`
	Amount string `json:"amount,omitempty"` // "10.00 USD"
	State  string `json:"state,omitempty"`
	URL    string `json:"url,omitempty"`
}

type toyEnvelope struct{}

func (toyEnvelope) Sign(h http.Header, uri string, body []byte, now time.Time) error {
	h.Set("X-Sig", "ok")
	return nil
}

func (toyEnvelope) Verify(uri string, h http.Header, body []byte) error {
	if h.Get("X-Sig") != "ok" {
		return errors.New("not signed")
	}
	return nil
}

var toyReasons = map[string]pd.Reason{"NOT_FOUND": pd.NotFound, "CONFLICT": pd.Conflict, "OVER": pd.OverRefund}

func (toy) Name() string { return "toy" }
func (toy) Capabilities() payment.Capabilities {
	return payment.Capabilities{Scenarios: []payment.Scenario{payment.ScenarioQRCode, payment.ScenarioInStoreScan},
		Methods: []payment.Method{payment.MethodAlipay}, InquireByRequestID: true, Cancel: true, Refund: true, PartialRefund: true,
		InquireRefundByRequestID: true}
}
func (toy) Envelope() pd.Envelope                             { return toyEnvelope{} }
func (toy) CheckPay(*payment.PayRequest) []payment.FieldError { return nil }
func (toy) CheckRefund(*payment.RefundRequest) []payment.FieldError {
	return nil
}

func enc(path string, v any) (pd.Request, error) {
	b, err := json.Marshal(v)
	return pd.Request{Path: path, Body: b}, err
}

func dec(a *pd.Answer) (toyAnswer, pd.Verdict, error) {
	var t toyAnswer
	if err := json.Unmarshal(a.Body, &t); err != nil {
		return t, pd.Verdict{}, err
	}
	return t, pd.Classify(payment.Result{Status: payment.ResultStatus(t.Status), Code: t.Code}, toyReasons), nil
}

func toyPayment(t toyAnswer) *payment.Payment {
	p := &payment.Payment{PaymentID: t.ID, Status: payment.Status(t.State)}
	if t.Amount != "" {
		p.Amount = money.MustParse(t.Amount)
	}
	if t.URL != "" {
		p.Action = &payment.Action{Kind: payment.ActionShowQR, QRCode: t.URL}
	}
	return p
}

func (toy) EncodePay(req *payment.PayRequest) (pd.Request, error) {
	return enc("/pay", req.PaymentRequestID)
}
func (toy) DecodePay(req *payment.PayRequest, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	t, v, err := dec(a)
	return toyPayment(t), v, err
}
func (toy) EncodeInquire(ref payment.Ref) (pd.Request, error) { return enc("/inquire", ref) }
func (toy) DecodeInquire(ref payment.Ref, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	t, v, err := dec(a)
	return toyPayment(t), v, err
}
func (toy) EncodeCancel(ref payment.Ref) (pd.Request, error) { return enc("/cancel", ref) }
func (toy) DecodeCancel(ref payment.Ref, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	t, v, err := dec(a)
	return toyPayment(t), v, err
}
func (toy) EncodeRefund(req *payment.RefundRequest) (pd.Request, error) {
	return enc("/refund", req.RefundRequestID)
}
func (toy) DecodeRefund(req *payment.RefundRequest, a *pd.Answer) (*payment.Refund, pd.Verdict, error) {
	t, v, err := dec(a)
	r := &payment.Refund{RefundID: t.ID, Status: payment.RefundStatus(t.State)}
	if t.Amount != "" {
		r.Amount = money.MustParse(t.Amount)
	}
	return r, v, err
}
func (toy) EncodeInquireRefund(ref payment.RefundRef) (pd.Request, error) {
	return enc("/inquire-refund", ref)
}
func (toy) DecodeInquireRefund(ref payment.RefundRef, a *pd.Answer) (*payment.Refund, pd.Verdict, error) {
	t, v, err := dec(a)
	return &payment.Refund{RefundID: t.ID, Status: payment.RefundStatus(t.State)}, v, err
}

// step is what the toy server does with one request.
type step struct {
	answer   *toyAnswer // signed 200 answer
	unsigned bool
	status   int    // an HTTP status without a body
	drop     bool   // close the connection without answering (after reading the request)
	trace    string // an X-Trace header on the answer (tracedToy reads it)
}

// server answers each request with the next step of its path's script; the
// last step repeats. It counts requests per path.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	script map[string][]step
	seen   map[string]int
}

func newServer(t *testing.T, script map[string][]step) *server {
	s := &server{script: script, seen: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := s.seen[r.URL.Path]
	s.seen[r.URL.Path]++
	steps := s.script[r.URL.Path]
	s.mu.Unlock()
	if len(steps) == 0 {
		http.NotFound(w, r)
		return
	}
	st := steps[min(n, len(steps)-1)]
	if st.trace != "" {
		w.Header().Set("X-Trace", st.trace)
	}
	switch {
	case st.drop:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	case st.status != 0:
		w.WriteHeader(st.status)
	default:
		if !st.unsigned {
			w.Header().Set("X-Sig", "ok")
		}
		_ = json.NewEncoder(w).Encode(st.answer)
	}
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[path]
}

var fast = payment.RetryPolicy{MaxAttempts: 3, BaseWait: time.Millisecond, MaxWait: time.Millisecond}

func newProvider(t *testing.T, url string, hc *http.Client) *engine.Provider {
	t.Helper()
	p, err := engine.New(toy{}, engine.Config{BaseURL: url, HTTPClient: hc, Retry: fast, Clock: clock.NewAuto(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	usd10   = money.MustParse("10.00 USD")
	payReq  = &payment.PayRequest{PaymentRequestID: "R1", Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay, Amount: usd10}
	refReq  = &payment.RefundRequest{RefundRequestID: "RF1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1.00 USD")}
	pending = &toyAnswer{Status: "S", Code: "ACCEPT", ID: "P1", State: "pending", Amount: "10.00 USD", URL: "https://qr/1"}
)

func kind(err error) string { return payment.KindOf(err).String() }

// Item 1: an attempt that may have been performed makes any later F
// inconclusive for an operation that changes something.
func TestARefusalAfterAMaybePerformedAttemptIsUnknown(t *testing.T) {
	for name, first := range map[string]step{
		"dropped": {drop: true},
		"503":     {status: 503},
		"U":       {answer: &toyAnswer{Status: "U", Code: "UNKNOWN"}},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, map[string][]step{"/refund": {first, {answer: &toyAnswer{Status: "F", Code: "EXIST_PROCESSING_REFUND"}}}})
			_, err := newProvider(t, s.URL, nil).Refund(context.Background(), refReq)
			if !errors.Is(err, payment.ErrUnknownOutcome) || errors.Is(err, payment.ErrFailed) {
				t.Fatalf("Refund = %v (kind %s); want an unknown outcome", err, kind(err))
			}
			var pe *payment.Error
			if errors.As(err, &pe) && pe.Result.Code != "EXIST_PROCESSING_REFUND" {
				t.Errorf("the error should carry the refusal's code, has %+v", pe.Result)
			}
		})
	}
	t.Run("a first-attempt refusal is definite", func(t *testing.T) {
		s := newServer(t, map[string][]step{"/refund": {{answer: &toyAnswer{Status: "F", Code: "OVER"}}}})
		_, err := newProvider(t, s.URL, nil).Refund(context.Background(), refReq)
		if !errors.Is(err, payment.ErrFailed) || s.count("/refund") != 1 {
			t.Fatalf("Refund = %v after %d requests; want failed, sent once", err, s.count("/refund"))
		}
	})
	t.Run("reads are not performed: a later not-found is definite", func(t *testing.T) {
		s := newServer(t, map[string][]step{"/inquire": {{drop: true}, {answer: &toyAnswer{Status: "F", Code: "NOT_FOUND"}}}})
		_, err := newProvider(t, s.URL, nil).Inquire(context.Background(), payment.Ref{PaymentID: "P1"})
		if !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("Inquire = %v; want not found", err)
		}
	})
}

// Item 2: a U answer followed by a proxy's 403 is no success: the outcome
// is decided on all attempts, never on an earlier answer alone.
func TestAStaleUnknownAnswerIsNeverASuccess(t *testing.T) {
	s := newServer(t, map[string][]step{"/cancel": {{answer: &toyAnswer{Status: "U", Code: "UNKNOWN"}}, {status: 403}}})
	got, err := newProvider(t, s.URL, nil).Cancel(context.Background(), payment.Ref{PaymentID: "P1"})
	if !errors.Is(err, payment.ErrUnknownOutcome) || got != nil {
		t.Fatalf("Cancel = %+v, %v; want an unknown outcome", got, err)
	}
}

func TestOutcomeTable(t *testing.T) {
	done := &toyAnswer{Status: "S", ID: "P1", State: "cancelled"}
	cases := []struct {
		name     string
		steps    []step
		want     string // kind, or "" for success
		requests int
	}{
		{"S", []step{{answer: done}}, "", 1},
		{"U, U, S", []step{{answer: &toyAnswer{Status: "U"}}, {answer: &toyAnswer{Status: "U"}}, {answer: done}}, "", 3},
		{"dropped, U, S", []step{{drop: true}, {answer: &toyAnswer{Status: "U"}}, {answer: done}}, "", 3},
		{"persistent U", []step{{answer: &toyAnswer{Status: "U"}}}, "unknown outcome", 3},
		{"persistent 503", []step{{status: 503}}, "unknown outcome", 3},
		{"429 then S", []step{{status: 429}, {answer: done}}, "", 2},
		{"404 is not an API answer", []step{{status: 404}}, "unknown outcome", 1},
		{"unsigned S", []step{{answer: done, unsigned: true}}, "unknown outcome", 1},
		{"unsigned F", []step{{answer: &toyAnswer{Status: "F", Code: "ACCESS_DENIED"}, unsigned: true}}, "unknown outcome", 1},
		{"F", []step{{answer: &toyAnswer{Status: "F", Code: "ORDER_PAID"}}}, "failed", 1},
		{"F not found", []step{{answer: &toyAnswer{Status: "F", Code: "NOT_FOUND"}}}, "not found", 1},
		{"dropped then F", []step{{drop: true}, {answer: &toyAnswer{Status: "F", Code: "ORDER_PAID"}}}, "unknown outcome", 2},
		{"S cancelling into another state", []step{{answer: &toyAnswer{Status: "S", ID: "P1", State: "succeeded"}}}, "unknown outcome", 1},
		{"S about another payment", []step{{answer: &toyAnswer{Status: "S", ID: "P2", State: "cancelled"}}}, "unknown outcome", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newServer(t, map[string][]step{"/cancel": c.steps})
			_, err := newProvider(t, s.URL, nil).Cancel(context.Background(), payment.Ref{PaymentID: "P1"})
			if got := ""; err != nil {
				got = kind(err)
				if got != c.want {
					t.Errorf("Cancel = %v (kind %s), want %q", err, got, c.want)
				}
			} else if c.want != "" {
				t.Errorf("Cancel succeeded, want %q", c.want)
			}
			if n := s.count("/cancel"); n != c.requests {
				t.Errorf("%d requests, want %d", n, c.requests)
			}
		})
	}
}

func TestPayCrossChecksTheAnswer(t *testing.T) {
	cases := map[string]struct {
		answers []step
		want    string
	}{
		"pending with its action":          {[]step{{answer: pending}}, ""},
		"another amount":                   {[]step{{answer: &toyAnswer{Status: "S", ID: "P1", State: "pending", Amount: "11.00 USD", URL: "u"}}}, "unknown outcome"},
		"another currency":                 {[]step{{answer: &toyAnswer{Status: "S", ID: "P1", State: "pending", Amount: "10.00 CAD", URL: "u"}}}, "unknown outcome"},
		"no payment ID":                    {[]step{{answer: &toyAnswer{Status: "S", State: "pending", URL: "u"}}}, "unknown outcome"},
		"pending without the action (S)":   {[]step{{answer: &toyAnswer{Status: "S", ID: "P1", State: "pending"}}}, "unknown outcome"},
		"an invalid status":                {[]step{{answer: &toyAnswer{Status: "S", ID: "P1", State: "bogus"}}, {answer: pending}}, "unknown outcome"},
		"conflict on the first attempt":    {[]step{{answer: &toyAnswer{Status: "F", Code: "CONFLICT"}}}, "idempotency conflict"},
		"conflict after a maybe-performed": {[]step{{status: 502}, {answer: &toyAnswer{Status: "F", Code: "CONFLICT"}}}, "unknown outcome"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, map[string][]step{"/pay": c.answers})
			got, err := newProvider(t, s.URL, nil).Pay(context.Background(), payReq)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("Pay = %v", err)
			case c.want == "":
				if got.Status != payment.StatusPending || got.Action == nil || !got.Amount.Equal(usd10) || got.PaymentRequestID != "R1" || got.Provider != "toy" {
					t.Errorf("Pay = %+v", got)
				}
			case kind(err) != c.want:
				t.Errorf("Pay = %+v, %v (kind %s); want %s", got, err, kind(err), c.want)
			}
		})
	}
}

// A pay answer that does not say where the payment is (a repeat
// acknowledged without details) is completed by an inquiry; a payment
// nobody can pay (pending, no action) is never a success.
func TestPayWithoutAStatusIsInquired(t *testing.T) {
	ack := &toyAnswer{Status: "S", ID: "P1"}
	for name, c := range map[string]struct {
		inquiry *toyAnswer
		want    payment.Status
		kind    string
	}{
		"paid":                   {&toyAnswer{Status: "S", ID: "P1", State: "succeeded", Amount: "10.00 USD"}, payment.StatusSucceeded, ""},
		"pending without action": {&toyAnswer{Status: "S", ID: "P1", State: "pending"}, "", "unknown outcome"},
		"another amount":         {&toyAnswer{Status: "S", ID: "P1", State: "succeeded", Amount: "99.00 USD"}, "", "unknown outcome"},
		"inquiry fails":          {&toyAnswer{Status: "F", Code: "NOT_FOUND"}, "", "unknown outcome"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, map[string][]step{"/pay": {{answer: ack}}, "/inquire": {{answer: c.inquiry}}})
			got, err := newProvider(t, s.URL, nil).Pay(context.Background(), payReq)
			if c.kind != "" {
				if kind(err) != c.kind {
					t.Fatalf("Pay = %+v, %v; want %s", got, err, c.kind)
				}
				return
			}
			if err != nil || got.Status != c.want || got.PaymentRequestID != "R1" {
				t.Fatalf("Pay = %+v, %v; want %s", got, err, c.want)
			}
		})
	}
}

func TestRefusedConnectionIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = newProvider(t, "http://"+addr, nil).Refund(context.Background(), refReq)
	if !errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("Refund = %v; want unavailable", err)
	}
}

// Item 6: a TLS record error while reading the answer comes after the
// request was written: it may have been performed. The same error during
// the handshake proves nothing was sent.
func TestTLSRecordErrors(t *testing.T) {
	t.Run("after the request was written", func(t *testing.T) {
		var got atomic.Int32
		s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.Add(1)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			if tc, ok := conn.(*tls.Conn); ok {
				// Plain bytes where a TLS record belongs.
				_, _ = tc.NetConn().Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
			}
			conn.Close()
		}))
		defer s.Close()
		_, err := newProvider(t, s.URL, s.Client()).Refund(context.Background(), refReq)
		if !errors.Is(err, payment.ErrUnknownOutcome) || got.Load() == 0 {
			t.Fatalf("Refund = %v after %d requests; want an unknown outcome", err, got.Load())
		}
	})
	t.Run("during the handshake", func(t *testing.T) {
		s := httptest.NewServer(http.NotFoundHandler()) // plain HTTP
		defer s.Close()
		url := strings.Replace(s.URL, "http://", "https://", 1)
		_, err := newProvider(t, url, nil).Refund(context.Background(), refReq)
		if !errors.Is(err, payment.ErrUnavailable) {
			t.Fatalf("Refund = %v; want unavailable", err)
		}
	})
}

// Item 9: a client that skips TLS verification, hidden inside any
// RoundTripper, never carries a request to a non-loopback host.
func TestUnverifiedTLSIsRefusedWhateverTheTransport(t *testing.T) {
	var got atomic.Int32
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer s.Close()
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, s.Listener.Addr().String())
		},
	}
	hc := &http.Client{Transport: wrapped{tr}}
	_, err := newProvider(t, "https://pay.example", hc).Refund(context.Background(), refReq)
	if !errors.Is(err, payment.ErrUnavailable) || !errors.Is(err, engine.ErrInsecureURL) || got.Load() != 0 {
		t.Fatalf("Refund = %v, %d requests reached the server; want unavailable, insecure, none", err, got.Load())
	}
}

type wrapped struct{ http.RoundTripper }

// Item 9: a failed call must not empty the shared connection pool.
func TestAFailedCallKeepsTheConnectionPool(t *testing.T) {
	s := newServer(t, map[string][]step{"/cancel": {{status: 503}}, "/inquire": {{answer: &toyAnswer{Status: "S", ID: "P1", State: "pending"}}}})
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	p := newProvider(t, s.URL, &http.Client{Transport: tr})
	if _, err := p.Inquire(context.Background(), payment.Ref{PaymentID: "P1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Cancel(context.Background(), payment.Ref{PaymentID: "P1"}); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("Cancel = %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := p.Inquire(context.Background(), payment.Ref{PaymentID: "P1"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connections dialled, want 1: the failed call closed the pool", n)
	}
}

func TestAnUnknownOutcomeEndsWithTheContext(t *testing.T) {
	s := newServer(t, map[string][]step{"/refund": {{answer: &toyAnswer{Status: "U"}}}})
	clk := clock.NewFake(time.Now())
	p, err := engine.New(toy{}, engine.Config{BaseURL: s.URL, Clock: clk,
		Retry: payment.RetryPolicy{MaxAttempts: 5, BaseWait: time.Second, MaxWait: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Refund(ctx, refReq)
		done <- err
	}()
	clk.BlockUntilWaiters(1)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Refund = %v; want an unknown outcome wrapping the context's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Refund did not return after its context ended")
	}
}

func TestNewRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	for _, u := range []string{"http://pay.example", "ftp://127.0.0.1", "https://u:p@pay.example", "https://pay.example?x=1", "::"} {
		if _, err := engine.New(toy{}, engine.Config{BaseURL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if _, err := engine.New(toy{}, engine.Config{BaseURL: "https://pay.example", HTTPClient: insecure}); !errors.Is(err, engine.ErrInsecureURL) {
		t.Errorf("New with InsecureSkipVerify = %v", err)
	}
	if _, err := engine.New(toy{}, engine.Config{BaseURL: "http://127.0.0.1:1"}); err != nil {
		t.Errorf("loopback refused: %v", err)
	}
}

func ExampleKindOf() {
	fmt.Println(engine.KindOf(pd.OverRefund).String(), "/", engine.KindOf(pd.Conflict).String(), "/", engine.KindOf(pd.NotFound).String())
	// Output: failed / idempotency conflict / not found
}

// A retry after an HTTP error travels on the same connection (the error's
// body is drained), and every attempt carries the fixed headers and its own
// signature.
func TestARetryReusesTheConnection(t *testing.T) {
	var mu sync.Mutex
	var headers []http.Header
	n := 0
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		headers = append(headers, r.Header.Clone())
		n++
		first := n == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(strings.Repeat("busy ", 200)))
			return
		}
		w.Header().Set("X-Sig", "ok")
		_ = json.NewEncoder(w).Encode(&toyAnswer{Status: "S", ID: "P1", State: "cancelled"})
	}))
	defer s.Close()
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	p := newProvider(t, s.URL, &http.Client{Transport: tr})
	if _, err := p.Cancel(context.Background(), payment.Ref{PaymentID: "P1"}); err != nil {
		t.Fatal(err)
	}
	if d := dials.Load(); d != 1 || len(headers) != 2 {
		t.Fatalf("%d dials, %d requests; want 1 and 2", d, len(headers))
	}
	for i, h := range headers {
		if h.Get("Content-Type") != "application/json; charset=UTF-8" || h.Get("Accept") != "application/json" ||
			h.Get("User-Agent") != version.UserAgent+" (toy)" || h.Get("X-Sig") != "ok" {
			t.Errorf("attempt %d headers: %v", i+1, h)
		}
	}
}
