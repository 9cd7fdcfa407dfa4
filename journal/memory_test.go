package journal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/journaltest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

func TestMemoryConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) journal.Store { return journal.NewMemory() })
}

func TestMemoryAgesEntriesOnItsClockAndCleansUpSettledOnes(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	j := journal.NewMemory(journal.WithClock(clk))
	old, err := j.Begin(ctx, journaltest.PayEntry("p", "OLD", "h"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if _, err := j.Begin(ctx, journaltest.PayEntry("p", "NEW", "h")); err != nil {
		t.Fatal(err)
	}
	open, err := j.Open(ctx, journal.Query{MinAge: 30 * time.Second})
	if err != nil || len(open) != 1 || open[0].RequestID != "OLD" {
		t.Fatalf("Open(MinAge 30s) = %+v, %v", open, err)
	}
	if b, _ := j.Backlog(ctx); b.Open != 2 || b.OldestAge != time.Minute {
		t.Fatalf("Backlog = %+v", b)
	}
	if err := j.Settle(ctx, old, journal.Outcome{Status: "succeeded"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if n, err := j.Cleanup(ctx, 2*time.Hour); n != 0 || err != nil {
		t.Fatalf("Cleanup before the retention = %d, %v", n, err)
	}
	clk.Advance(time.Hour)
	if n, err := j.Cleanup(ctx, 2*time.Hour); n != 1 || err != nil || j.Len() != 1 {
		t.Fatalf("Cleanup = %d, %v; %d left", n, err, j.Len())
	}
}

func TestMarshalRequestNeverWritesASecret(t *testing.T) {
	pay := &payment.PayRequest{PaymentRequestID: "S-1", Scenario: payment.ScenarioCreditCard, Amount: money.MustParse("1.00 CAD"),
		PaymentCode: "286473829174627381", ProviderOptions: secretOptions{"auth-code-secret"},
		Card: &payment.Card{Number: "4111111111111111", CVV: "737", ExpMonth: 12, ExpYear: 2031, Holder: "A Holder"}}
	b, err := journal.MarshalRequest(journal.Request{Pay: pay})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"286473829174627381", "auth-code-secret", "4111111111111111", "737", "2031"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("%s written: %s", secret, b)
		}
	}
	back, err := journal.UnmarshalRequest(b)
	if err != nil || !back.Incomplete || back.Pay.Card.Holder != "A Holder" {
		t.Fatalf("UnmarshalRequest = %+v, %v", back, err)
	}
	if pay.PaymentCode == "" || pay.Card.Number == "" {
		t.Fatal("the caller's request was modified")
	}
}

type secretOptions struct{ AuthCode string }

func (secretOptions) ProviderName() string { return "p" }
