package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// Run runs every check as a subtest of t, each on a fresh Harness from
// maker, skipping (with the reason) what the provider's Capabilities exclude
// or the harness cannot simulate. All failures are reported in one run.
func Run(t *testing.T, maker HarnessMaker) {
	t.Helper()
	probe := newEnv(t, maker)
	caps := probe.caps
	probe.h.Close()

	checks := []struct {
		group string
		run   func(t *testing.T, maker HarnessMaker, caps payment.Capabilities)
	}{
		{"outcomes", checkOutcomes},
		{"faults", checkFaults},
		{"sequences", checkSequences},
		{"model", checkModel},
		{"idempotency", checkIdempotency},
		{"resolve", checkResolve},
		{"lifecycle", checkLifecycle},
		{"cancel", checkCancel},
		{"validation", checkValidation},
		{"money", checkMoney},
		{"context", checkContext},
		{"secrets", checkSecrets},
		{"notifications", checkNotifications},
	}
	for _, c := range checks {
		t.Run(c.group, func(t *testing.T) { c.run(t, maker, caps) })
	}
}

// env is one check's world: a fresh harness, its provider, and the logs the
// adapter wrote.
type env struct {
	t     *testing.T
	h     Harness
	p     payment.Provider
	caps  payment.Capabilities
	logs  *syncBuffer
	clock payment.Clock
	ctx   context.Context
}

// The suite's retry policy: enough attempts to see retries, waits short
// enough to keep the suite fast.
var suiteRetry = payment.RetryPolicy{MaxAttempts: 3, BaseWait: time.Millisecond, MaxWait: 20 * time.Millisecond, MaxElapsed: 30 * time.Second}

func newEnv(t *testing.T, maker HarnessMaker) *env {
	t.Helper()
	logs := &syncBuffer{}
	clk := clock.NewAuto(time.Now())
	h := maker(t, Options{
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retry:  suiteRetry,
		Clock:  clk,
	})
	t.Cleanup(h.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	p := h.Provider()
	return &env{t: t, h: h, p: p, caps: p.Capabilities(), logs: logs, clock: clk, ctx: ctx}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// script applies faults or skips the check if the harness cannot.
func (e *env) script(op string, faults ...Fault) {
	e.t.Helper()
	if err := e.h.Script(op, faults...); err != nil {
		if errors.Is(err, ErrFaultUnsupported) {
			e.t.Skipf("harness cannot simulate %v: %v", faults[0].Kind, err)
		}
		e.t.Fatalf("Script(%s): %v", op, err)
	}
}

func newID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// currency picks the currency the suite pays in.
func (e *env) currency() money.Currency {
	if len(e.caps.Currencies) > 0 {
		return e.caps.Currencies[0]
	}
	return money.USD
}

func amount(minor int64, c money.Currency) money.Amount {
	a, err := money.FromMinor(minor, c)
	if err != nil {
		panic(err) // only ever called with small positive constants
	}
	return a
}

// The suite's card: a test number and a CVV that must never appear in logs
// or errors.
const (
	testCardNumber = "4111111111111111"
	testCardCVV    = "737"
)

// defaultScenario is the first supported scenario, preferring one whose
// payments wait for the customer.
func (e *env) defaultScenario() payment.Scenario {
	for _, s := range e.caps.Scenarios {
		if s.ActionKind() != payment.ActionNone {
			return s
		}
	}
	if len(e.caps.Scenarios) == 0 {
		e.t.Skip("provider supports no scenario")
	}
	return e.caps.Scenarios[0]
}

// payRequest builds a valid request for scenario s under e's capabilities.
func (e *env) payRequest(s payment.Scenario, minor int64) *payment.PayRequest {
	req := &payment.PayRequest{
		PaymentRequestID: newID("CONF"),
		Scenario:         s,
		Amount:           amount(minor, e.currency()),
		Description:      "conformance",
		NotifyURL:        "http://127.0.0.1:9/conformance/notify", // loopback discard port: a simulator's notifications go nowhere
		RedirectURL:      "https://merchant.example/done",
	}
	if len(e.caps.Methods) > 0 {
		for _, m := range e.caps.Methods {
			if e.caps.SupportsMethodIn(m, s) {
				req.Method = m
				break
			}
		}
	}
	switch s {
	case payment.ScenarioInStoreScan:
		req.PaymentCode = "28763443825664394"
	case payment.ScenarioMiniProgram, payment.ScenarioNativeJSAPI:
		req.Customer = &payment.Customer{AppID: "wx-conformance", PayerID: "payer-conformance"}
	case payment.ScenarioApp:
		req.Device = &payment.Device{OS: payment.OSAndroid, Version: "14"}
	case payment.ScenarioCreditCard:
		req.Card = &payment.Card{Number: testCardNumber, ExpMonth: 12, ExpYear: 2031, CVV: testCardCVV, Holder: "Conformance Test"}
	}
	return req
}

// pay creates a payment that must succeed.
func (e *env) pay(req *payment.PayRequest) *payment.Payment {
	e.t.Helper()
	p, err := e.p.Pay(e.ctx, req)
	if err != nil {
		e.t.Fatalf("Pay(%s): %v", req.Scenario, err)
	}
	if p.PaymentID == "" {
		e.t.Fatalf("Pay(%s) returned no PaymentID", req.Scenario)
	}
	return p
}

// paid creates a payment and completes it as the customer.
func (e *env) paid(minor int64) (*payment.PayRequest, *payment.Payment) {
	e.t.Helper()
	req := e.payRequest(e.defaultScenario(), minor)
	p := e.pay(req)
	if p.Status == payment.StatusPending {
		if err := e.h.Complete(p.PaymentID); err != nil {
			e.t.Fatalf("Complete: %v", err)
		}
	}
	return req, p
}

func (e *env) inquire(p *payment.Payment) *payment.Payment {
	e.t.Helper()
	got, err := e.p.Inquire(e.ctx, payment.Ref{PaymentID: p.PaymentID})
	if err != nil {
		e.t.Fatalf("Inquire: %v", err)
	}
	return got
}

func kindIs(t *testing.T, rule string, err error, want payment.Kind) {
	t.Helper()
	switch got := payment.KindOf(err); {
	case err == nil:
		t.Errorf("%s: the call succeeded, want an error of kind %q", rule, want.String())
	case got != want:
		t.Errorf("%s: got %v (kind %q), want kind %q", rule, err, got.String(), want.String())
	}
}

// neverFailed is the rule the whole suite exists for.
func neverFailed(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, payment.ErrFailed) {
		t.Errorf("RULE BROKEN — nothing may be reported as failed when the provider might have taken the money: %v", err)
	}
}

func actionKind(p *payment.Payment) payment.ActionKind {
	if p.Action == nil {
		return payment.ActionNone
	}
	return p.Action.Kind
}

func sameBodies(t *testing.T, reqs []Request) {
	t.Helper()
	for i := 1; i < len(reqs); i++ {
		if !bytes.Equal(reqs[i].Body, reqs[0].Body) {
			t.Errorf("RULE BROKEN — a retry must re-send the same request ID and identical body bytes; attempt %d sent\n%s\nattempt 1 sent\n%s",
				i+1, reqs[i].Body, reqs[0].Body)
			return
		}
	}
}

func attempts() int { return suiteRetry.MaxAttempts }

func ctxWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func describe(p *payment.Payment) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s %s %s", p.PaymentID, p.Status, p.Amount)
}
