package payment_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

type step struct {
	pay *payment.Payment
	err error
}

// scripted is a Provider whose Pay and Inquire answers are scripted; the last
// step repeats.
type scripted struct {
	mu        sync.Mutex
	caps      payment.Capabilities
	pays      []step
	inquiries []step
	payCalls  int
	inqCalls  int
}

func (s *scripted) Name() string                       { return "scripted" }
func (s *scripted) Capabilities() payment.Capabilities { return s.caps }
func next(steps []step, n int) (*payment.Payment, error) {
	if n >= len(steps) {
		n = len(steps) - 1
	}
	return steps[n].pay, steps[n].err
}
func (s *scripted) Pay(ctx context.Context, req *payment.PayRequest) (*payment.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.payCalls++
	return next(s.pays, s.payCalls-1)
}
func (s *scripted) Inquire(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inqCalls++
	return next(s.inquiries, s.inqCalls-1)
}
func (s *scripted) Cancel(context.Context, payment.Ref) (*payment.Payment, error) { return nil, nil }
func (s *scripted) Refund(context.Context, *payment.RefundRequest) (*payment.Refund, error) {
	return nil, nil
}
func (s *scripted) InquireRefund(context.Context, payment.RefundRef) (*payment.Refund, error) {
	return nil, nil
}

func kindErr(k payment.Kind) error { return &payment.Error{Op: "x", Provider: "scripted", Kind: k} }

var (
	t0      = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	usd10   = money.MustParse("10.00 USD")
	qr      = &payment.Action{Kind: payment.ActionShowQR, QRCode: "https://qr.example/P1"}
	pending = &payment.Payment{PaymentID: "P1", PaymentRequestID: "R1", Status: payment.StatusPending, Amount: usd10}
	paid    = &payment.Payment{PaymentID: "P1", PaymentRequestID: "R1", Status: payment.StatusSucceeded, Amount: usd10}
	req     = &payment.PayRequest{PaymentRequestID: "R1", Scenario: payment.ScenarioQRCode, Amount: usd10}
)

func withAction(p *payment.Payment, a *payment.Action) *payment.Payment {
	c := *p
	c.Action = a
	return &c
}

func TestResolveReplaysThePayWhereItCannotInquireByRequestID(t *testing.T) {
	p := &scripted{
		pays:      []step{{err: kindErr(payment.KindUnknownOutcome)}, {err: kindErr(payment.KindUnavailable)}, {pay: withAction(pending, qr)}},
		inquiries: []step{{pay: pending}},
	}
	got, err := payment.Resolve(context.Background(), p, req, payment.WithClock(clock.NewAuto(t0)))
	if err != nil || got.Status != payment.StatusPending || got.Action != qr {
		t.Fatalf("Resolve = %+v, %v; want pending with the replay's action", got, err)
	}
	if p.payCalls != 3 || p.inqCalls != 1 {
		t.Fatalf("pay calls %d, inquiries %d; want 3 and 1", p.payCalls, p.inqCalls)
	}
}

// A card payment's token comes from the pay answer, since inquiries do not
// carry it: Resolve keeps it from the replay of the same payment.
func TestResolveKeepsTheReplaysCardToken(t *testing.T) {
	card := *paid
	card.CardToken = "card_0123456789abcdef"
	p := &scripted{pays: []step{{pay: &card}}, inquiries: []step{{pay: paid}}}
	got, err := payment.Resolve(context.Background(), p, req)
	if err != nil || got.CardToken != card.CardToken {
		t.Fatalf("Resolve = %+v, %v; want the replay's card token", got, err)
	}
	other := card
	other.PaymentID = "P2"
	p = &scripted{pays: []step{{pay: &other}}, inquiries: []step{{pay: paid}}}
	if got, err := payment.Resolve(context.Background(), p, req); err != nil || got.CardToken != "" {
		t.Fatalf("Resolve = %+v, %v; took the token of another payment", got, err)
	}
}

// The replay only finds the payment; its status comes from the inquiry. A
// strict AlphaPay answers the replay of a paid order with U
// PAYMENT_IN_PROCESS and a fresh QR code, which must not make a paid and
// partly refunded payment look pending.
func TestResolveTakesTheStatusFromTheInquiryNotTheReplay(t *testing.T) {
	refunded := &payment.Payment{PaymentID: "P1", PaymentRequestID: "R1", Status: payment.StatusPartiallyRefunded, Amount: usd10}
	p := &scripted{pays: []step{{pay: withAction(pending, qr)}}, inquiries: []step{{pay: refunded}}}
	got, err := payment.Resolve(context.Background(), p, req)
	if err != nil || got.Status != payment.StatusPartiallyRefunded || got.Action != nil {
		t.Fatalf("Resolve = %+v, %v; want partially refunded and no action", got, err)
	}
}

func TestResolveInquiresByRequestIDAndReplaysOnlyWhenNotFound(t *testing.T) {
	p := &scripted{
		caps:      payment.Capabilities{InquireByRequestID: true},
		inquiries: []step{{err: kindErr(payment.KindUnknownOutcome)}, {err: kindErr(payment.KindNotFound)}, {pay: pending}},
		pays:      []step{{pay: withAction(pending, qr)}},
	}
	got, err := payment.Resolve(context.Background(), p, req, payment.WithClock(clock.NewAuto(t0)))
	if err != nil || got.Status != payment.StatusPending || got.Action != qr {
		t.Fatalf("Resolve = %+v, %v", got, err)
	}
	if p.inqCalls != 3 || p.payCalls != 1 {
		t.Fatalf("inquiries %d, pays %d; want 3 and 1", p.inqCalls, p.payCalls)
	}

	found := &scripted{caps: payment.Capabilities{InquireByRequestID: true}, inquiries: []step{{pay: paid}}}
	if got, err := payment.Resolve(context.Background(), found, req); err != nil || got.Status != payment.StatusSucceeded || found.payCalls != 0 {
		t.Fatalf("found by inquiry: %+v, %v, %d pays", got, err, found.payCalls)
	}
}

// An inquiry by request ID shows no action; a pending payment must come
// back with one, so Resolve re-sends the identical request to get it.
func TestResolveReturnsTheActionOfAPendingPayment(t *testing.T) {
	p := &scripted{
		caps:      payment.Capabilities{InquireByRequestID: true},
		inquiries: []step{{pay: pending}},
		pays:      []step{{pay: withAction(pending, qr)}},
	}
	got, err := payment.Resolve(context.Background(), p, req)
	if err != nil || got.Action != qr || p.payCalls != 1 {
		t.Fatalf("Resolve = %+v, %v after %d pays; want the action", got, err, p.payCalls)
	}
}

// The same PaymentRequestID already paid at another amount is a conflict,
// whether Resolve learns it by inquiry or by replay.
func TestResolveComparesAmountAndCurrency(t *testing.T) {
	for name, other := range map[string]money.Amount{
		"amount":   money.MustParse("100.00 USD"),
		"currency": money.MustParse("10.00 CAD"),
	} {
		t.Run(name, func(t *testing.T) {
			was := &payment.Payment{PaymentID: "P1", PaymentRequestID: "R1", Status: payment.StatusSucceeded, Amount: other}
			p := &scripted{caps: payment.Capabilities{InquireByRequestID: true}, inquiries: []step{{pay: was}}}
			got, err := payment.Resolve(context.Background(), p, req)
			if !errors.Is(err, payment.ErrIdempotencyConflict) {
				t.Fatalf("Resolve = %+v, %v; want an idempotency conflict", got, err)
			}
		})
	}
}

func TestResolveReturnsADefiniteErrorAtOnce(t *testing.T) {
	p := &scripted{pays: []step{{err: kindErr(payment.KindFailed)}}}
	_, err := payment.Resolve(context.Background(), p, req, payment.WithClock(clock.NewAuto(t0)))
	if !errors.Is(err, payment.ErrFailed) || p.payCalls != 1 {
		t.Fatalf("err %v after %d calls", err, p.payCalls)
	}
}

func TestResolveStopsWhenTheContextEnds(t *testing.T) {
	p := &scripted{pays: []step{{err: kindErr(payment.KindUnknownOutcome)}}}
	clk := clock.NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := payment.Resolve(ctx, p, req, payment.WithClock(clk))
		done <- err
	}()
	clk.BlockUntilWaiters(1) // Resolve is waiting between attempts
	cancel()
	err := <-done
	if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want unknown outcome wrapping context.Canceled", err)
	}
}

// An unknown outcome must not also match the kind of the last attempt's
// error: a caller testing ErrUnavailable first would read "nothing happened".
func TestResolveGivingUpMatchesOnlyUnknownOutcome(t *testing.T) {
	p := &scripted{pays: []step{{err: kindErr(payment.KindUnavailable)}}}
	clk := clock.NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := payment.Resolve(ctx, p, req, payment.WithClock(clk))
		done <- err
	}()
	clk.BlockUntilWaiters(1)
	cancel()
	err := <-done
	if !errors.Is(err, payment.ErrUnknownOutcome) || errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("err = %v: must be an unknown outcome and nothing else", err)
	}
}

func TestAwaitFinalPollsUntilThePaymentLeavesPending(t *testing.T) {
	p := &scripted{inquiries: []step{{pay: pending}, {err: kindErr(payment.KindUnknownOutcome)}, {pay: pending}, {pay: paid}}}
	clk := clock.NewAuto(t0)
	got, err := payment.AwaitFinal(context.Background(), p, pending.Ref(), payment.WithClock(clk),
		payment.WithPollInterval(time.Second, 4*time.Second))
	if err != nil || got != paid {
		t.Fatalf("AwaitFinal = %v, %v", got, err)
	}
	if p.inqCalls != 4 {
		t.Fatalf("%d inquiries, want 4", p.inqCalls)
	}
	ceilings := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	for i, w := range clk.Waits() {
		if w < ceilings[i]/2 || w > ceilings[i] {
			t.Errorf("wait %d = %v, want between %v and %v", i+1, w, ceilings[i]/2, ceilings[i])
		}
	}
}

func TestAwaitFinalReturnsTheLastPaymentWhenTheContextEnds(t *testing.T) {
	p := &scripted{inquiries: []step{{pay: pending}}}
	clk := clock.NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	type res struct {
		p   *payment.Payment
		err error
	}
	done := make(chan res, 1)
	go func() {
		got, err := payment.AwaitFinal(ctx, p, pending.Ref(), payment.WithClock(clk))
		done <- res{got, err}
	}()
	clk.BlockUntilWaiters(1)
	cancel()
	r := <-done
	if r.p != pending || !errors.Is(r.err, payment.ErrUnknownOutcome) || !errors.Is(r.err, context.Canceled) {
		t.Fatalf("AwaitFinal = %v, %v", r.p, r.err)
	}
}

func TestAwaitFinalReturnsADefiniteErrorAtOnce(t *testing.T) {
	p := &scripted{inquiries: []step{{err: kindErr(payment.KindNotFound)}}}
	if _, err := payment.AwaitFinal(context.Background(), p, pending.Ref()); !errors.Is(err, payment.ErrNotFound) || p.inqCalls != 1 {
		t.Fatalf("err %v after %d inquiries", err, p.inqCalls)
	}
}

// When the provider accepts the identical request (a replay) and its
// inquiry then names another amount, the answers contradict each other:
// Resolve keeps asking instead of calling it a conflict.
func TestResolveTreatsAContradictingInquiryAsUnknown(t *testing.T) {
	was := &payment.Payment{PaymentID: "P1", PaymentRequestID: "R1", Status: payment.StatusSucceeded, Amount: money.MustParse("20.00 USD")}
	p := &scripted{pays: []step{{pay: withAction(pending, qr)}}, inquiries: []step{{pay: was}, {pay: paid}}}
	got, err := payment.Resolve(context.Background(), p, req, payment.WithClock(clock.NewAuto(t0)))
	if err != nil || got.Status != payment.StatusSucceeded || p.inqCalls != 2 {
		t.Fatalf("Resolve = %+v, %v after %d inquiries; want the second, consistent answer", got, err, p.inqCalls)
	}
}

func TestWithMaxPollsBoundsTheRounds(t *testing.T) {
	clk := clock.NewAuto(t0)
	p := &scripted{caps: payment.Capabilities{InquireByRequestID: true}, inquiries: []step{{err: kindErr(payment.KindUnavailable)}}}
	_, err := payment.Resolve(context.Background(), p, req, payment.WithClock(clk), payment.WithMaxPolls(2))
	if !errors.Is(err, payment.ErrUnknownOutcome) || errors.Is(err, payment.ErrUnavailable) || p.inqCalls != 2 {
		t.Fatalf("Resolve = %v after %d inquiries; want unknown after 2", err, p.inqCalls)
	}
	if n := len(clk.Waits()); n != 1 {
		t.Fatalf("%d waits; the last round is not waited after", n)
	}
	p = &scripted{inquiries: []step{{pay: pending}}}
	got, err := payment.AwaitFinal(context.Background(), p, payment.Ref{PaymentID: "P1"}, payment.WithClock(clk), payment.WithMaxPolls(1))
	if !errors.Is(err, payment.ErrUnknownOutcome) || got != pending || p.inqCalls != 1 {
		t.Fatalf("AwaitFinal = %+v, %v after %d inquiries", got, err, p.inqCalls)
	}
}
