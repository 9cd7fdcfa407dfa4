package simulator

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// Errors of the customer controls, matched with errors.Is.
var (
	// ErrNotFound reports an unknown payment or refund ID.
	ErrNotFound = errors.New("not found")
	// ErrInvalidTransition reports a customer action the payment's status
	// does not allow, such as completing a cancelled payment.
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrOverRefund reports a refund that would take the refunds over the
	// payment's amount.
	ErrOverRefund = errors.New("the refunds would exceed the payment amount")
)

// Payment is one payment as a Ledger keeps it, in neutral terms; a
// simulator keeps its wire-only fields in Ext.
type Payment struct {
	ID, RequestID string
	// Amount is the payment's amount; Refunded the total refunded so far.
	Amount, Refunded money.Amount
	// Status is pending, succeeded, failed, cancelled, partially_refunded
	// or refunded.
	Status                              payment.Status
	Description, NotifyURL, RedirectURL string
	// FailReason says why a declined payment failed.
	FailReason string
	// FailOnComplete makes the customer's paying fail (Complete leaves
	// the payment failed, uncharged).
	FailOnComplete bool
	// Base is the URL the payment's links point at.
	Base string
	// Created and Expires are set by the simulator; Paid when the
	// customer pays, Closed when the payment is cancelled or expires.
	Created, Expires, Paid, Closed time.Time
	// Ext is the simulator's own data.
	Ext any
}

// IsPaid reports a payment that succeeded, refunds or not.
func (p *Payment) IsPaid() bool {
	switch p.Status {
	case payment.StatusSucceeded, payment.StatusPartiallyRefunded, payment.StatusRefunded:
		return true
	}
	return false
}

// Refund is one refund as a Ledger keeps it; it succeeds at once.
type Refund struct {
	// ID is the refund's ID, RequestID the merchant's refund request ID
	// ("" if it gave none) and PaymentID the refunded payment's ID.
	ID, RequestID, PaymentID string
	Amount                   money.Amount
	Description, NotifyURL   string
	// At is when the refund was made.
	At time.Time
}

// LedgerConfig configures a Ledger.
type LedgerConfig struct {
	// Name prefixes the errors.
	Name string
	// Clock drives expiry and every timestamp.
	Clock payment.Clock
	// IDLayout and IDDigits make IDs: the clock's time in IDLayout and
	// IDDigits random digits (at most 18), unique among payments and
	// refunds. The default is 14 digits of time and 18 random ones.
	IDLayout string
	IDDigits int
	// DeclineReason is the FailReason of a declined payment.
	DeclineReason string
	// Settled is called with the lock held when the customer ends a
	// pending payment (it succeeded or failed): the simulator notifies.
	Settled func(p *Payment)
}

// Ledger keeps a simulator's payments and refunds: the idempotency
// indexes by request ID, expiry on the clock, the customer controls and
// the counters. The simulator's own code takes the lock (Lock, Unlock) and
// calls the methods named ...Locked; every other method locks by itself.
type Ledger struct {
	cfg   LedgerConfig
	clock payment.Clock

	mu                 sync.Mutex
	payments           map[string]*Payment // by ID
	byRequestID        map[string]*Payment
	orders             map[string]int // by payment request ID
	charges            map[string]int // by payment request ID
	refunds            map[string]*Refund
	refundsByRequestID map[string]*Refund
}

// NewLedger returns an empty ledger.
func NewLedger(cfg LedgerConfig) *Ledger {
	if cfg.IDLayout == "" {
		cfg.IDLayout, cfg.IDDigits = "20060102150405", 18
	}
	cfg.IDDigits = min(cfg.IDDigits, 18)
	return &Ledger{
		cfg:                cfg,
		clock:              payment.OrSystem(cfg.Clock),
		payments:           map[string]*Payment{},
		byRequestID:        map[string]*Payment{},
		orders:             map[string]int{},
		charges:            map[string]int{},
		refunds:            map[string]*Refund{},
		refundsByRequestID: map[string]*Refund{},
	}
}

// Lock locks the ledger for the simulator's own code.
func (l *Ledger) Lock() { l.mu.Lock() }

// Unlock unlocks it.
func (l *Ledger) Unlock() { l.mu.Unlock() }

// refreshLocked cancels an unpaid payment whose expiry time has passed.
func (l *Ledger) refreshLocked(p *Payment) *Payment {
	if p != nil && p.Status == payment.StatusPending && !p.Expires.IsZero() && l.clock.Now().After(p.Expires) {
		p.Status = payment.StatusCancelled
		p.Closed = p.Expires
	}
	return p
}

// PaymentLocked finds a payment by ID, its expiry brought up to date.
func (l *Ledger) PaymentLocked(id string) *Payment { return l.refreshLocked(l.payments[id]) }

// ByRequestIDLocked finds a payment by request ID, its expiry brought up
// to date.
func (l *Ledger) ByRequestIDLocked(requestID string) *Payment {
	return l.refreshLocked(l.byRequestID[requestID])
}

// FindLocked finds a payment by ID, or else by request ID (the ID wins).
func (l *Ledger) FindLocked(id, requestID string) *Payment {
	switch {
	case id != "":
		return l.PaymentLocked(id)
	case requestID != "":
		return l.ByRequestIDLocked(requestID)
	}
	return nil
}

// NewIDLocked returns a new payment or refund ID.
func (l *Ledger) NewIDLocked() string {
	width := len(l.cfg.IDLayout) + l.cfg.IDDigits
	limit := int64(1)
	for range l.cfg.IDDigits {
		limit *= 10
	}
	for {
		id := l.clock.Now().Format(l.cfg.IDLayout) + fmt.Sprintf("%0*d", l.cfg.IDDigits, rand.Int64N(limit))
		if l.payments[id] == nil && l.refunds[id] == nil && len(id) == width {
			return id
		}
	}
}

// AddLocked records a new payment under a new ID, pending, with nothing
// refunded, and counts it as an order of its request ID.
func (l *Ledger) AddLocked(p *Payment) {
	p.ID = l.NewIDLocked()
	p.Status = payment.StatusPending
	p.Refunded, _ = money.FromMinor(0, p.Amount.Currency())
	l.payments[p.ID] = p
	l.byRequestID[p.RequestID] = p
	l.orders[p.RequestID]++
}

// CompleteLocked is the customer paying a pending payment: it succeeds,
// with one charge, or fails with FailOnComplete; then Settled.
func (l *Ledger) CompleteLocked(p *Payment) {
	if p.FailOnComplete {
		p.Status = payment.StatusFailed
	} else {
		p.Status = payment.StatusSucceeded
		p.Paid = l.clock.Now()
		l.charges[p.RequestID]++
	}
	if l.cfg.Settled != nil {
		l.cfg.Settled(p)
	}
}

// CancelLocked cancels a payment now.
func (l *Ledger) CancelLocked(p *Payment) {
	p.Status = payment.StatusCancelled
	p.Closed = l.clock.Now()
}

// AddRefundLocked refunds r.Amount of the paid payment p, which the caller
// checked: it gives r an ID and its time, indexes it by its request ID and
// updates the payment. It returns ErrOverRefund, and changes nothing, if
// the refunds would exceed the payment's amount.
func (l *Ledger) AddRefundLocked(p *Payment, r *Refund) error {
	total, err := p.Refunded.Add(r.Amount)
	if err != nil {
		return ErrOverRefund
	}
	if c, err := total.Cmp(p.Amount); err != nil || c > 0 {
		return ErrOverRefund
	}
	r.ID = l.NewIDLocked()
	r.PaymentID = p.ID
	r.At = l.clock.Now()
	l.refunds[r.ID] = r
	if r.RequestID != "" {
		l.refundsByRequestID[r.RequestID] = r
	}
	p.Refunded = total
	p.Status = payment.StatusPartiallyRefunded
	if total.Equal(p.Amount) {
		p.Status = payment.StatusRefunded
	}
	return nil
}

// RefundByIDLocked finds a refund by ID.
func (l *Ledger) RefundByIDLocked(id string) *Refund { return l.refunds[id] }

// RefundByRequestIDLocked finds a refund by request ID.
func (l *Ledger) RefundByRequestIDLocked(requestID string) *Refund {
	return l.refundsByRequestID[requestID]
}

// PaymentsLocked returns every payment, oldest first.
func (l *Ledger) PaymentsLocked() []*Payment {
	out := make([]*Payment, 0, len(l.payments))
	for _, p := range l.payments {
		out = append(out, l.refreshLocked(p))
	}
	slices.SortFunc(out, func(a, b *Payment) int { return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID)) })
	return out
}

// RefundsLocked returns every refund, oldest first.
func (l *Ledger) RefundsLocked() []*Refund {
	out := make([]*Refund, 0, len(l.refunds))
	for _, r := range l.refunds {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *Refund) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
	return out
}

// pendingLocked returns the payment if it exists and awaits the customer.
func (l *Ledger) pendingLocked(op, id string) (*Payment, error) {
	p := l.PaymentLocked(id)
	if p == nil {
		return nil, fmt.Errorf("%s: %s: payment %s: %w", l.cfg.Name, op, id, ErrNotFound)
	}
	if p.Status != payment.StatusPending {
		return nil, fmt.Errorf("%s: %s: payment %s is %s: %w", l.cfg.Name, op, id, p.Status, ErrInvalidTransition)
	}
	return p, nil
}

// Complete is the customer paying: a pending payment succeeds, with one
// charge (or fails, uncharged, with FailOnComplete: Complete still returns
// nil, the customer acted). It returns an error wrapping ErrNotFound or
// ErrInvalidTransition otherwise (an expired payment is cancelled).
func (l *Ledger) Complete(paymentID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, err := l.pendingLocked("complete", paymentID)
	if err != nil {
		return err
	}
	l.CompleteLocked(p)
	return nil
}

// Decline is the customer refusing to pay: a pending payment fails.
func (l *Ledger) Decline(paymentID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, err := l.pendingLocked("decline", paymentID)
	if err != nil {
		return err
	}
	p.Status = payment.StatusFailed
	p.FailReason = l.cfg.DeclineReason
	if l.cfg.Settled != nil {
		l.cfg.Settled(p)
	}
	return nil
}

// Expire cancels a pending payment now, whatever the clock says.
// Expiring a cancelled payment does nothing; any other status is
// ErrInvalidTransition.
func (l *Ledger) Expire(paymentID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p := l.PaymentLocked(paymentID); p != nil && p.Status == payment.StatusCancelled {
		return nil
	}
	p, err := l.pendingLocked("expire", paymentID)
	if err != nil {
		return err
	}
	l.CancelLocked(p)
	return nil
}

// Payment returns a copy of the payment with this ID.
func (l *Ledger) Payment(id string) (Payment, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return deref(l.PaymentLocked(id))
}

// PaymentByRequestID returns a copy of the payment with this request ID.
func (l *Ledger) PaymentByRequestID(requestID string) (Payment, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return deref(l.ByRequestIDLocked(requestID))
}

// Payments returns a copy of every payment, oldest first.
func (l *Ledger) Payments() []Payment {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Payment
	for _, p := range l.PaymentsLocked() {
		out = append(out, *p)
	}
	return out
}

func deref[T any](p *T) (T, bool) {
	if p == nil {
		var zero T
		return zero, false
	}
	return *p, true
}

// Refunds returns a copy of every refund, oldest first.
func (l *Ledger) Refunds() []Refund {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Refund
	for _, r := range l.RefundsLocked() {
		out = append(out, *r)
	}
	return out
}

// RefundByRequestID returns a copy of the refund made under a refund
// request ID.
func (l *Ledger) RefundByRequestID(refundRequestID string) (Refund, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return deref(l.refundsByRequestID[refundRequestID])
}

// PaymentStatus returns the status of the payment created under
// paymentRequestID, and false if there is none. An unpaid payment past its
// expiry time is cancelled, as an inquiry would see it.
func (l *Ledger) PaymentStatus(paymentRequestID string) (payment.Status, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.ByRequestIDLocked(paymentRequestID)
	if p == nil {
		return "", false
	}
	return p.Status, true
}

// RefundCount returns how many refunds were made under refundRequestID. It
// counts the refunds themselves, not the index by request ID, so a refund
// made twice under one ID shows as 2.
func (l *Ledger) RefundCount(refundRequestID string) int {
	if refundRequestID == "" {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.refunds {
		if r.RequestID == refundRequestID {
			n++
		}
	}
	return n
}

// Orders returns how many payments were created for a request ID; with
// correct idempotency it is never more than 1.
func (l *Ledger) Orders(paymentRequestID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.orders[paymentRequestID]
}

// Charges returns how many times money was taken for a request ID.
func (l *Ledger) Charges(paymentRequestID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.charges[paymentRequestID]
}

// Snapshots shows a Ledger's payments as a simulator does, converted by a
// function called with the ledger locked: embedded in the simulator's
// server, it gives it Payment, PaymentByRequestID and Payments.
type Snapshots[T any] struct {
	ledger *Ledger
	of     func(*Payment) T
}

// NewSnapshots returns the payments of l as of shows them.
func NewSnapshots[T any](l *Ledger, of func(*Payment) T) Snapshots[T] {
	return Snapshots[T]{ledger: l, of: of}
}

func (v Snapshots[T]) show(p *Payment) (T, bool) {
	if p == nil {
		var zero T
		return zero, false
	}
	return v.of(p), true
}

// Payment returns the payment with the provider's payment ID.
func (v Snapshots[T]) Payment(paymentID string) (T, bool) {
	v.ledger.Lock()
	defer v.ledger.Unlock()
	return v.show(v.ledger.PaymentLocked(paymentID))
}

// PaymentByRequestID returns the payment with the merchant's payment
// request ID.
func (v Snapshots[T]) PaymentByRequestID(paymentRequestID string) (T, bool) {
	v.ledger.Lock()
	defer v.ledger.Unlock()
	return v.show(v.ledger.ByRequestIDLocked(paymentRequestID))
}

// Payments returns every payment, oldest first.
func (v Snapshots[T]) Payments() []T {
	v.ledger.Lock()
	defer v.ledger.Unlock()
	var out []T
	for _, p := range v.ledger.PaymentsLocked() {
		out = append(out, v.of(p))
	}
	return out
}
