package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// The shop's orders live in memory: a real shop keeps them in its database,
// and the rules below are what it must keep there too.
//
//   - An order's ID is the payment's PaymentRequestID, chosen before paying
//     and never changed: a retry re-sends it, so the provider charges once.
//   - The payment's state changes only through payment.Merge, whichever of
//     the pay answer, a notification, an inquiry or Resolve comes first.
//   - A refund's RefundRequestID is recorded before the refund is sent, so a
//     refund whose outcome was unknown is retried under the same ID.

// Order is one purchase.
type Order struct {
	ID      string // the PaymentRequestID
	Wallet  string
	Product string
	Amount  money.Amount
	// Payment is the payment as last merged; nil until the provider
	// answered.
	Payment *payment.Payment
	// Unknown is set while a pay's outcome is unknown and being settled.
	Unknown bool
	Refunds []RefundRecord
}

// RefundRecord is one refund of an order.
type RefundRecord struct {
	RequestID string
	Amount    money.Amount
	// Status is the refund's status, or "unknown" while its outcome is.
	Status string
	Err    string
}

// Status is the order's status for people.
func (o Order) Status() string {
	switch {
	case o.Unknown:
		return "confirming with the provider"
	case o.Payment == nil:
		return "new"
	}
	return string(o.Payment.Status)
}

// Refunded sums the succeeded refunds: the shop's own books, because not
// every provider's inquiry reports refunds (Capabilities.InquiryShowsRefunds).
func (o Order) Refunded() money.Amount {
	total, _ := money.FromMinor(0, o.Amount.Currency())
	for _, r := range o.Refunds {
		if r.Status == string(payment.RefundSucceeded) {
			total, _ = total.Add(r.Amount)
		}
	}
	return total
}

// orders is the in-memory order table. Every change is broadcast, so that
// waiting for one (tests, a long poll) needs no polling.
type orders struct {
	mu      sync.Mutex
	byID    map[string]*Order
	seq     int
	changed chan struct{}
}

func newOrders() *orders {
	return &orders{byID: map[string]*Order{}, changed: make(chan struct{})}
}

// create adds an order with a fresh ID.
func (s *orders) create(wallet, product string, amount money.Amount) Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	o := &Order{ID: fmt.Sprintf("SHOP-%d-%04d", startID, s.seq), Wallet: wallet, Product: product, Amount: amount}
	s.byID[o.ID] = o
	s.broadcastLocked()
	return *o
}

func (s *orders) get(id string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[id]
	if !ok {
		return Order{}, false
	}
	return o.copy(), true
}

func (o *Order) copy() Order {
	c := *o
	c.Refunds = append([]RefundRecord(nil), o.Refunds...)
	return c
}

// update applies f to the order under the lock.
func (s *orders) update(id string, f func(*Order) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[id]
	if !ok {
		return fmt.Errorf("no order %s", id)
	}
	if err := f(o); err != nil {
		return err
	}
	s.broadcastLocked()
	return nil
}

// merge applies a provider's view of a payment to its order: the one place
// where a payment's state changes.
func (s *orders) merge(p *payment.Payment) error {
	return s.update(p.PaymentRequestID, func(o *Order) error {
		merged, err := payment.Merge(o.Payment, p)
		if err != nil {
			return err // a late, older view: payment.ErrRegression
		}
		o.Payment, o.Unknown = merged, false
		return nil
	})
}

// list returns the orders, newest first.
func (s *orders) list() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, 0, len(s.byID))
	for _, o := range s.byID {
		out = append(out, o.copy())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out
}

// pending lists the references of a wallet's pending payments, for its
// reconciler. byRequestID says whether the provider can look a payment up
// by its request ID alone.
func (s *orders) pending(wallet string, byRequestID bool) []payment.Ref {
	s.mu.Lock()
	defer s.mu.Unlock()
	var refs []payment.Ref
	for _, o := range s.byID {
		if o.Wallet != wallet || o.Payment == nil || o.Payment.Status != payment.StatusPending {
			continue
		}
		if o.Payment.PaymentID != "" || byRequestID {
			refs = append(refs, o.Payment.Ref())
		}
	}
	return refs
}

func (s *orders) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor waits until the order satisfies done, or ctx ends.
func (s *orders) waitFor(ctx context.Context, id string, done func(Order) bool) (Order, error) {
	for {
		s.mu.Lock()
		o, ok := s.byID[id]
		var c Order
		if ok {
			c = o.copy()
		}
		changed := s.changed
		s.mu.Unlock()
		if !ok {
			return Order{}, errors.New("no order " + id)
		}
		if done(c) {
			return c, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return c, ctx.Err()
		}
	}
}
