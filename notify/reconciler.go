package notify

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// PendingSource lists the payments a platform is still waiting on, from its
// own records.
type PendingSource interface {
	Pending(ctx context.Context) ([]payment.Ref, error)
}

// PendingFunc adapts a function to PendingSource.
type PendingFunc func(ctx context.Context) ([]payment.Ref, error)

// Pending calls f.
func (f PendingFunc) Pending(ctx context.Context) ([]payment.Ref, error) { return f(ctx) }

// Reconciler settles payments whose notification never came: it inquires
// the platform's pending payments, with a growing interval per payment, and
// emits the same events the Handler would — through the same Store, so an
// event reaches Deliver once whichever path sees it first.
type Reconciler struct {
	// Provider is inquired.
	Provider payment.Provider
	// Pending lists the payments to watch; a payment leaves the list when
	// the platform records its final state (from either path).
	Pending PendingSource
	// Deliver receives the events, as from the Handler.
	Deliver DeliverFunc
	// Store must be the Handler's store (default: a private MemoryStore).
	Store Store
	// StoreTimeout bounds each store call (default DefaultStoreTimeout).
	StoreTimeout time.Duration
	// BaseInterval and MaxInterval space the inquiries of one payment:
	// they double from base to max (defaults 5s and 5 min).
	BaseInterval, MaxInterval time.Duration
	// Clock and Logger are optional.
	Clock  payment.Clock
	Logger *slog.Logger

	once sync.Once
	mu   sync.Mutex
	due  map[string]backoff
}

type backoff struct {
	next  time.Time
	tries int
}

func (r *Reconciler) init() {
	r.once.Do(func() {
		r.Clock = payment.OrSystem(r.Clock)
		if r.Store == nil {
			r.Store = NewMemoryStore(MemoryStoreOptions{Clock: r.Clock})
		}
		if r.StoreTimeout <= 0 {
			r.StoreTimeout = DefaultStoreTimeout
		}
		if r.BaseInterval <= 0 {
			r.BaseInterval = 5 * time.Second
		}
		if r.MaxInterval < r.BaseInterval {
			r.MaxInterval = max(5*time.Minute, r.BaseInterval)
		}
		r.due = map[string]backoff{}
	})
}

// RunOnce inquires every pending payment that is due and delivers an event
// for each one that is no longer pending. It returns how many it settled.
// Inquiry errors are logged and retried on a later pass; a delivery error is
// returned after the pass.
func (r *Reconciler) RunOnce(ctx context.Context) (int, error) {
	r.init()
	refs, err := r.Pending.Pending(ctx)
	if err != nil {
		return 0, err
	}
	now := r.Clock.Now()
	settled := 0
	var errs []error
	for _, ref := range refs {
		if ctx.Err() != nil {
			break
		}
		key := ref.String()
		r.mu.Lock()
		b := r.due[key]
		r.mu.Unlock()
		if now.Before(b.next) {
			continue
		}
		p, err := r.Provider.Inquire(ctx, ref)
		if err == nil && p.Status != payment.StatusPending {
			ev := payment.Event{
				Key:      payment.EventKey(r.Provider.Name(), payment.EventPayment, p.PaymentID, string(p.Status)),
				Kind:     payment.EventPayment,
				Provider: r.Provider.Name(),
				Payment:  p,
				SentAt:   now,
			}
			if _, _, derr := deliverOnce(ctx, r.Store, r.StoreTimeout, r.Deliver, ev); derr != nil {
				errs = append(errs, derr)
			} else {
				settled++
				r.mu.Lock()
				delete(r.due, key)
				r.mu.Unlock()
				continue
			}
		}
		if err != nil && r.Logger != nil {
			r.Logger.Warn("paybridge: reconcile inquiry failed", "provider", r.Provider.Name(), "payment", key, "error", err.Error())
		}
		r.mu.Lock()
		b.tries++
		r.due[key] = backoff{next: now.Add(r.interval(b.tries)), tries: b.tries}
		r.mu.Unlock()
	}
	return settled, errors.Join(errs...)
}

func (r *Reconciler) interval(tries int) time.Duration {
	d := r.BaseInterval
	for i := 1; i < tries && d < r.MaxInterval; i++ {
		d *= 2
	}
	d = min(d, r.MaxInterval)
	// Jitter by up to a quarter so that many platforms do not poll in step.
	return d - time.Duration(rand.Int64N(int64(d)/4+1))
}

// Run calls RunOnce every BaseInterval until ctx ends, and returns ctx's
// error. Errors of a pass are logged.
func (r *Reconciler) Run(ctx context.Context) error {
	r.init()
	for {
		if _, err := r.RunOnce(ctx); err != nil && r.Logger != nil {
			r.Logger.Warn("paybridge: reconcile pass", "provider", r.Provider.Name(), "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.Clock.After(r.BaseInterval):
		}
	}
}
