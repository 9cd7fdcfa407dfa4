package simulator_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/simulator"
)

// newLedger returns a ledger on a fake clock whose Settled calls are
// counted.
func newLedger(t *testing.T) (*simulator.Ledger, *clock.Fake, *int) {
	clk := clock.NewFake(t0)
	settled := new(int)
	l := simulator.NewLedger(simulator.LedgerConfig{Name: "toy", Clock: clk, IDLayout: "060102150405", IDDigits: 13,
		DeclineReason: "no", Settled: func(*simulator.Payment) { *settled++ }})
	return l, clk, settled
}

func add(l *simulator.Ledger, clk *clock.Fake, requestID, amount string) *simulator.Payment {
	p := &simulator.Payment{RequestID: requestID, Amount: usd(amount), Created: clk.Now(), Expires: clk.Now().Add(5 * time.Minute)}
	l.Lock()
	defer l.Unlock()
	l.AddLocked(p)
	return p
}

func TestLedgerCustomerControls(t *testing.T) {
	l, clk, settled := newLedger(t)
	p := add(l, clk, "L-1", "19.99")
	if len(p.ID) != 25 || !simulator.AllDigits(p.ID) || !strings.HasPrefix(p.ID, "261122101530") || p.Status != payment.StatusPending || !p.Refunded.IsZero() {
		t.Fatalf("added %+v", p)
	}
	if l.Orders("L-1") != 1 || l.Charges("L-1") != 0 {
		t.Errorf("orders %d charges %d", l.Orders("L-1"), l.Charges("L-1"))
	}
	if err := l.Complete(p.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := l.Payment(p.ID)
	if got.Status != payment.StatusSucceeded || !got.Paid.Equal(t0) || l.Charges("L-1") != 1 || *settled != 1 {
		t.Errorf("after Complete: %+v, charges %d, settled %d", got, l.Charges("L-1"), *settled)
	}
	for name, act := range map[string]func(string) error{"complete": l.Complete, "decline": l.Decline, "expire": l.Expire} {
		err := act(p.ID)
		if !errors.Is(err, simulator.ErrInvalidTransition) || err.Error() != "toy: "+name+": payment "+p.ID+" is succeeded: invalid transition" {
			t.Errorf("%s of a paid payment: %v", name, err)
		}
		if err := act("nope"); !errors.Is(err, simulator.ErrNotFound) || !strings.HasPrefix(err.Error(), "toy: "+name+": payment nope") {
			t.Errorf("%s of an unknown payment: %v", name, err)
		}
		if err := act(""); !errors.Is(err, simulator.ErrNotFound) {
			t.Errorf("%s of no payment ID: %v", name, err)
		}
	}
	if _, ok := l.Payment(""); ok {
		t.Errorf(`Payment("") found something`)
	}

	d := add(l, clk, "L-2", "5")
	if err := l.Decline(d.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Payment(d.ID); got.Status != payment.StatusFailed || got.FailReason != "no" || *settled != 2 || l.Charges("L-2") != 0 {
		t.Errorf("after Decline: %+v", got)
	}
	if err := l.Complete(d.ID); !errors.Is(err, simulator.ErrInvalidTransition) {
		t.Errorf("completing a declined payment: %v", err)
	}

	e := add(l, clk, "L-3", "5")
	clk.Advance(time.Minute)
	if err := l.Expire(e.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Payment(e.ID); got.Status != payment.StatusCancelled || !got.Closed.Equal(t0.Add(time.Minute)) {
		t.Errorf("after Expire: %+v", got)
	}
	if err := l.Expire(e.ID); err != nil {
		t.Errorf("expiring a cancelled payment: %v", err)
	}
	if err := l.Decline(e.ID); !errors.Is(err, simulator.ErrInvalidTransition) {
		t.Errorf("declining a cancelled payment: %v", err)
	}

	// FailOnComplete: the customer acted, the payment failed, no charge.
	f := &simulator.Payment{RequestID: "L-4", Amount: usd("0.01"), FailOnComplete: true}
	l.Lock()
	l.AddLocked(f)
	l.Unlock()
	if err := l.Complete(f.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.PaymentByRequestID("L-4"); got.Status != payment.StatusFailed || l.Charges("L-4") != 0 || !got.Paid.IsZero() {
		t.Errorf("FailOnComplete: %+v", got)
	}
}

// Expiry on the clock shows without any request, also in PaymentStatus.
func TestLedgerExpiry(t *testing.T) {
	l, clk, _ := newLedger(t)
	p := add(l, clk, "X-1", "1")
	clk.Advance(5 * time.Minute)
	if st, _ := l.PaymentStatus("X-1"); st != payment.StatusPending {
		t.Errorf("at the expiry time: %s", st)
	}
	clk.Advance(1)
	if st, ok := l.PaymentStatus("X-1"); !ok || st != payment.StatusCancelled {
		t.Errorf("after the expiry time: %s", st)
	}
	if got, _ := l.Payment(p.ID); !got.Closed.Equal(p.Expires) {
		t.Errorf("closed at %v, want the expiry time", got.Closed)
	}
	if err := l.Complete(p.ID); !errors.Is(err, simulator.ErrInvalidTransition) {
		t.Errorf("completing an expired payment: %v", err)
	}
	if st, ok := l.PaymentStatus("X-NONE"); ok || st != "" {
		t.Errorf("PaymentStatus of an unknown request = %q, %v", st, ok)
	}
}

func TestLedgerRefunds(t *testing.T) {
	l, clk, _ := newLedger(t)
	p := add(l, clk, "R-1", "19.99")
	if err := l.Complete(p.ID); err != nil {
		t.Fatal(err)
	}
	refund := func(requestID, amount string) (*simulator.Refund, error) {
		l.Lock()
		defer l.Unlock()
		r := &simulator.Refund{RequestID: requestID, Amount: usd(amount), Description: "why"}
		return r, l.AddRefundLocked(l.PaymentLocked(p.ID), r)
	}
	clk.Advance(time.Minute)
	r1, err := refund("RR-1", "5.00")
	if err != nil || r1.ID == "" || r1.PaymentID != p.ID || !r1.At.Equal(t0.Add(time.Minute)) {
		t.Fatalf("refund: %+v, %v", r1, err)
	}
	if st, _ := l.PaymentStatus("R-1"); st != payment.StatusPartiallyRefunded {
		t.Errorf("status %s", st)
	}
	if _, err := refund("RR-2", "15.00"); !errors.Is(err, simulator.ErrOverRefund) {
		t.Errorf("over-refund: %v", err)
	}
	if got, _ := l.Payment(p.ID); got.Refunded.String() != "5.00 USD" {
		t.Errorf("an over-refund changed the payment: %v", got.Refunded)
	}
	clk.Advance(time.Minute)
	if _, err := refund("", "14.99"); err != nil {
		t.Fatal(err)
	}
	if st, _ := l.PaymentStatus("R-1"); st != payment.StatusRefunded {
		t.Errorf("status %s", st)
	}
	rs := l.Refunds()
	if len(rs) != 2 || rs[0].ID != r1.ID || rs[1].RequestID != "" || rs[1].Amount.String() != "14.99 USD" {
		t.Errorf("Refunds %+v", rs)
	}
	if got, ok := l.RefundByRequestID("RR-1"); !ok || got.ID != r1.ID || got.Description != "why" {
		t.Errorf("RefundByRequestID %+v %v", got, ok)
	}
	if _, ok := l.RefundByRequestID(""); ok {
		t.Error("a refund without request ID is indexed")
	}
	if l.RefundCount("RR-1") != 1 || l.RefundCount("") != 0 || l.RefundCount("RR-2") != 0 {
		t.Errorf("RefundCount %d", l.RefundCount("RR-1"))
	}
	l.Lock()
	if l.RefundByIDLocked(r1.ID) != r1 || l.RefundByRequestIDLocked("RR-1") != r1 {
		t.Error("locked lookups")
	}
	l.Unlock()
}

// Payments lists every payment, oldest first; IDs are unique among
// payments and refunds under concurrent adds.
func TestLedgerPaymentsAndIDs(t *testing.T) {
	l, clk, _ := newLedger(t)
	first := add(l, clk, "P-1", "1")
	clk.Advance(time.Second)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			add(l, clk, "P-"+itoa(i+2), "1")
		}()
	}
	wg.Wait()
	ps := l.Payments()
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.ID] = true
	}
	if len(ps) != 51 || len(seen) != 51 || ps[0].ID != first.ID {
		t.Errorf("%d payments, %d IDs, first %s", len(ps), len(seen), ps[0].ID)
	}
	l.Lock()
	p := l.FindLocked("", "P-2")
	if p == nil || l.FindLocked(p.ID, "P-3") != p || l.FindLocked("", "") != nil || len(l.PaymentsLocked()) != 51 {
		t.Error("FindLocked: the ID wins over the request ID")
	}
	l.Unlock()
}

// Snapshots shows the payments as a simulator's own type.
func TestSnapshots(t *testing.T) {
	l, clk, _ := newLedger(t)
	p := add(l, clk, "S-1", "1")
	v := simulator.NewSnapshots(l, func(p *simulator.Payment) string { return p.RequestID + "/" + string(p.Status) })
	if got, ok := v.Payment(p.ID); !ok || got != "S-1/pending" {
		t.Errorf("Payment %q", got)
	}
	if got, ok := v.PaymentByRequestID("S-1"); !ok || got != "S-1/pending" {
		t.Errorf("PaymentByRequestID %q", got)
	}
	if _, ok := v.Payment("nope"); ok {
		t.Error("an unknown payment")
	}
	if got := v.Payments(); len(got) != 1 || got[0] != "S-1/pending" {
		t.Errorf("Payments %q", got)
	}
}

// The server's customer controls and books are the ledger's; a refund
// replayed under its request ID is made once.
func TestServerBooks(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	id := c.paid("B-1")
	refund := toyRequest{PaymentID: id, RefundRequestID: "BR-1", Amount: &toyAmount{"500", "USD"}}
	first := c.post(pathRefund, refund)
	again := c.post(pathRefund, refund)
	if first.Result.RefundID == "" || again.Result.RefundID != first.Result.RefundID {
		t.Fatalf("refund %s, replay %s", first.Body, again.Body)
	}
	if st, ok := srv.PaymentStatus("B-1"); !ok || st != payment.StatusPartiallyRefunded {
		t.Errorf("PaymentStatus %s", st)
	}
	if srv.RefundCount("BR-1") != 1 || len(srv.Refunds()) != 1 || srv.Orders("B-1") != 1 || srv.Charges("B-1") != 1 {
		t.Errorf("refunds %d/%d, orders %d, charges %d", srv.RefundCount("BR-1"), len(srv.Refunds()), srv.Orders("B-1"), srv.Charges("B-1"))
	}
	if r, ok := srv.RefundByRequestID("BR-1"); !ok || r.ID != first.Result.RefundID || r.PaymentID != id || r.Amount.String() != "5.00 USD" {
		t.Errorf("RefundByRequestID %+v", r)
	}
	d := c.pay("B-2")
	if srv.Decline(d) != nil || srv.Expire(c.pay("B-3")) != nil || srv.Complete(d) == nil {
		t.Error("Decline, Expire and Complete are the ledger's")
	}
}
