package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/engine"
)

func journaledProvider(t *testing.T, url string, j journal.Journal) *engine.Provider {
	t.Helper()
	p, err := engine.New(toy{}, engine.Config{BaseURL: url, Retry: fast, Clock: clock.NewAuto(time.Now()), Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// only returns the one entry the journal holds for op and id.
func only(t *testing.T, j journal.Store, op, id string) journal.Record {
	t.Helper()
	recs, err := j.Find(context.Background(), "toy", op, id)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Find(%s %s) = %d records, %v; want 1", op, id, len(recs), err)
	}
	return recs[0]
}

func TestJournalSettlesKnownOutcomesAndKeepsUnknownOnesOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("an answered pay is settled with the payment", func(t *testing.T) {
		j := journal.NewMemory()
		s := newServer(t, map[string][]step{"/pay": {{answer: pending}}})
		if _, err := journaledProvider(t, s.URL, j).Pay(ctx, payReq); err != nil {
			t.Fatal(err)
		}
		r := only(t, j, payment.OpPay, "R1")
		if r.IsOpen() || r.Outcome.PaymentID != "P1" || r.Outcome.Status != "pending" || r.Outcome.By != journal.ByCall || r.Outcome.Kind != 0 {
			t.Fatalf("record %+v, outcome %+v", r, r.Outcome)
		}
		if r.Request.Pay == nil || r.Request.Pay.PaymentRequestID != "R1" || !r.Request.Pay.Amount.Equal(usd10) || r.Request.Incomplete {
			t.Fatalf("request kept %+v", r.Request)
		}
	})
	t.Run("a pay whose answers never came stays open", func(t *testing.T) {
		j := journal.NewMemory()
		s := newServer(t, map[string][]step{"/pay": {{drop: true}}})
		_, err := journaledProvider(t, s.URL, j).Pay(ctx, payReq)
		if !errors.Is(err, payment.ErrUnknownOutcome) {
			t.Fatalf("Pay = %v", err)
		}
		open, err := j.Open(ctx, journal.Query{Provider: "toy"})
		if err != nil || len(open) != 1 || open[0].RequestID != "R1" || open[0].Op != payment.OpPay {
			t.Fatalf("Open = %+v, %v", open, err)
		}
		if b, _ := j.Backlog(ctx); b.Open != 1 {
			t.Fatalf("Backlog = %+v", b)
		}
	})
	t.Run("a refusal is settled with its kind and code", func(t *testing.T) {
		j := journal.NewMemory()
		s := newServer(t, map[string][]step{"/refund": {{answer: &toyAnswer{Status: "F", Code: "OVER"}}}})
		if _, err := journaledProvider(t, s.URL, j).Refund(ctx, refReq); !errors.Is(err, payment.ErrFailed) {
			t.Fatalf("Refund = %v", err)
		}
		r := only(t, j, payment.OpRefund, "RF1")
		if r.IsOpen() || r.Outcome.Kind != payment.KindFailed || r.Outcome.Code != "OVER" {
			t.Fatalf("outcome %+v", r.Outcome)
		}
	})
	t.Run("a refusal after a maybe-performed attempt stays open", func(t *testing.T) {
		j := journal.NewMemory()
		s := newServer(t, map[string][]step{"/refund": {{drop: true}, {answer: &toyAnswer{Status: "F", Code: "OVER"}}}})
		if _, err := journaledProvider(t, s.URL, j).Refund(ctx, refReq); !errors.Is(err, payment.ErrUnknownOutcome) {
			t.Fatalf("Refund = %v", err)
		}
		if r := only(t, j, payment.OpRefund, "RF1"); !r.IsOpen() {
			t.Fatalf("settled: %+v", r.Outcome)
		}
	})
	t.Run("a call that provably never left is settled unavailable", func(t *testing.T) {
		j := journal.NewMemory()
		s := newServer(t, nil)
		url := s.URL
		s.Close()
		if _, err := journaledProvider(t, url, j).Cancel(ctx, payment.Ref{PaymentID: "P1"}); !errors.Is(err, payment.ErrUnavailable) {
			t.Fatalf("Cancel = %v", err)
		}
		r := only(t, j, payment.OpCancel, "P1")
		if r.IsOpen() || r.Outcome.Kind != payment.KindUnavailable || r.Request.Cancel == nil || r.Request.Cancel.PaymentID != "P1" {
			t.Fatalf("record %+v", r)
		}
	})
	t.Run("sending it again reopens the entry, and its answer settles it", func(t *testing.T) {
		j := journal.NewMemory()
		done := &toyAnswer{Status: "S", ID: "RF-1", State: "succeeded", Amount: "1.00 USD"}
		s := newServer(t, map[string][]step{"/refund": {{drop: true}, {drop: true}, {drop: true}, {answer: done}}})
		p := journaledProvider(t, s.URL, j)
		if _, err := p.Refund(ctx, refReq); !errors.Is(err, payment.ErrUnknownOutcome) {
			t.Fatalf("Refund = %v", err)
		}
		first := only(t, j, payment.OpRefund, "RF1")
		if _, err := p.Refund(ctx, refReq); err != nil {
			t.Fatal(err)
		}
		r := only(t, j, payment.OpRefund, "RF1")
		if r.ID != first.ID || r.IsOpen() || r.Outcome.RefundID != "RF-1" || r.Outcome.Status != "succeeded" {
			t.Fatalf("record %+v, outcome %+v", r, r.Outcome)
		}
	})
	t.Run("unjournaled calls leave no entry", func(t *testing.T) {
		j := journal.NewMemory()
		s := newServer(t, map[string][]step{"/pay": {{answer: pending}}})
		if _, err := journaledProvider(t, s.URL, j).Pay(journal.Unjournaled(ctx), payReq); err != nil {
			t.Fatal(err)
		}
		if j.Len() != 0 {
			t.Fatalf("%d entries", j.Len())
		}
	})
}

// failingJournal fails Begin or Settle.
type failingJournal struct {
	*journal.Memory
	begin, settle error
}

func (f failingJournal) Begin(ctx context.Context, e journal.Entry) (journal.ID, error) {
	if f.begin != nil {
		return "", f.begin
	}
	return f.Memory.Begin(ctx, e)
}

func (f failingJournal) Settle(ctx context.Context, id journal.ID, o journal.Outcome) error {
	if f.settle != nil {
		return f.settle
	}
	return f.Memory.Settle(ctx, id, o)
}

func TestAJournalThatCannotRecordStopsTheCallBeforeItIsSent(t *testing.T) {
	s := newServer(t, map[string][]step{"/pay": {{answer: pending}}})
	down := errors.New("journal database down")
	_, err := journaledProvider(t, s.URL, failingJournal{Memory: journal.NewMemory(), begin: down}).Pay(context.Background(), payReq)
	if !errors.Is(err, payment.ErrUnavailable) || !errors.Is(err, down) {
		t.Fatalf("Pay = %v; want unavailable wrapping the journal's error", err)
	}
	if n := s.count("/pay"); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestAJournalThatCannotSettleLeavesTheCallsResultAndTheEntryOpen(t *testing.T) {
	j := failingJournal{Memory: journal.NewMemory(), settle: errors.New("journal database down")}
	s := newServer(t, map[string][]step{"/pay": {{answer: pending}}})
	got, err := journaledProvider(t, s.URL, j).Pay(context.Background(), payReq)
	if err != nil || got.PaymentID != "P1" {
		t.Fatalf("Pay = %+v, %v", got, err)
	}
	if r := only(t, j.Memory, payment.OpPay, "R1"); !r.IsOpen() {
		t.Fatal("settled")
	}
}

func TestJournalKeepsNoSecret(t *testing.T) {
	j := journal.NewMemory()
	s := newServer(t, map[string][]step{"/pay": {{answer: &toyAnswer{Status: "S", ID: "P1", State: "succeeded", Amount: "10.00 USD"}}}})
	req := &payment.PayRequest{PaymentRequestID: "R2", Scenario: payment.ScenarioInStoreScan, Amount: usd10, PaymentCode: "286473829174627381"}
	if _, err := journaledProvider(t, s.URL, j).Pay(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	r := only(t, j, payment.OpPay, "R2")
	if !r.Request.Incomplete || r.Request.Pay.PaymentCode != "" {
		t.Fatalf("kept %+v", r.Request)
	}
}
