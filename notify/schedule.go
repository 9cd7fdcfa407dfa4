package notify

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Lease is the answer of Schedule.Acquire.
type Lease struct {
	// Token is set when the caller now holds the key: only its holder's
	// Defer acts on the key. It is empty when the key was not due or is
	// held by another.
	Token Token
	// Tries is how many times the key was tried before (what Defer
	// recorded last), for the holder's backoff.
	Tries int
	// Wait is, when the lease was not granted, how long until the key may
	// be due again — the rest of its wait or of another holder's lease —
	// as far as the schedule can tell; zero when it cannot.
	Wait time.Duration
	// Busy reports, when the lease was not granted, that another holds it
	// now (rather than that the key waits): the holder may defer the key
	// long before its lease would end.
	Busy bool
}

// Held reports whether the caller holds the key.
func (l Lease) Held() bool { return l.Token != "" }

// Schedule is the Reconciler's memory of when to look at each pending
// payment or open journal entry next, and of which instance is looking at
// it now. A shared schedule (redisstore.NewSchedule, pgstore.NewSchedule)
// lets several instances run Reconcilers on the same payments: one at a
// time inquires a payment, and the backoff survives a restart.
//
// A key is absent, leased (to one token, until the lease's time) or waiting
// (until its wait is over), and keeps how many times it was tried. Every
// method is atomic, also across the clients of a shared schedule:
//
//   - Acquire(key, ttl): an absent key, or one whose wait is over and whose
//     lease, if any, has expired, becomes leased under a fresh token for
//     ttl; the answer carries the token and the tries. Otherwise the answer
//     has no token (and, where the schedule can tell, the Wait).
//   - Defer(key, token, tries, wait): a key leased under token — even if
//     the lease's time has passed, as long as nobody took it over — waits
//     for wait and keeps tries. Otherwise ErrNotOwner, and nothing changes.
//   - Forget(key): the key becomes absent.
//
// A key that is neither acquired nor forgotten — its payment settled while
// the Reconciler that would have forgotten it was down — expires by itself
// some time after its wait (the schedule's idle TTL), so a schedule holds
// only the keys of recent passes. Package notify/storetest checks a
// schedule against this contract (RunSchedule).
type Schedule interface {
	// Acquire leases key for ttl if it is due and not held.
	Acquire(ctx context.Context, key string, ttl time.Duration) (Lease, error)
	// Defer ends token's lease on key and makes the key due after wait.
	Defer(ctx context.Context, key string, token Token, tries int, wait time.Duration) error
	// Forget removes key.
	Forget(ctx context.Context, key string) error
}

// DefaultIdleTTL is how long a schedule keeps a key after its wait is over
// if nobody acquires or forgets it.
const DefaultIdleTTL = time.Hour

// MemoryScheduleOptions configures NewMemorySchedule.
type MemoryScheduleOptions struct {
	// IdleTTL is how long a key is kept after its wait is over, if nobody
	// acquires it again. Default DefaultIdleTTL.
	IdleTTL time.Duration
	// Clock defaults to the system clock.
	Clock payment.Clock
}

// MemorySchedule is a Schedule in the process, for a platform that runs
// one Reconciler per provider. It is safe for concurrent use.
type MemorySchedule struct {
	opts MemoryScheduleOptions

	mu    sync.Mutex
	keys  map[string]*slot
	calls int // since the last purge
}

type slot struct {
	token      Token
	leaseUntil time.Time
	dueAt      time.Time
	tries      int
	expires    time.Time
}

// NewMemorySchedule returns an empty MemorySchedule.
func NewMemorySchedule(opts MemoryScheduleOptions) *MemorySchedule {
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = DefaultIdleTTL
	}
	opts.Clock = payment.OrSystem(opts.Clock)
	return &MemorySchedule{opts: opts, keys: map[string]*slot{}}
}

// Acquire implements Schedule.
func (s *MemorySchedule) Acquire(ctx context.Context, key string, ttl time.Duration) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return Lease{}, fmt.Errorf("notify: acquire %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock.Now()
	s.purgeLocked(now)
	sl := s.keys[key]
	if sl != nil && !now.Before(sl.expires) {
		sl = nil
	}
	if sl != nil {
		busy := sl.token != "" && now.Before(sl.leaseUntil)
		until := sl.dueAt
		if busy && sl.leaseUntil.After(until) {
			until = sl.leaseUntil
		}
		if now.Before(until) {
			return Lease{Wait: until.Sub(now), Busy: busy}, nil
		}
	} else {
		sl = &slot{}
		s.keys[key] = sl
	}
	sl.token, sl.leaseUntil = NewToken(), now.Add(ttl)
	sl.expires = maxTime(sl.expires, sl.leaseUntil.Add(s.opts.IdleTTL))
	return Lease{Token: sl.token, Tries: sl.tries}, nil
}

// Defer implements Schedule.
func (s *MemorySchedule) Defer(ctx context.Context, key string, token Token, tries int, wait time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: defer %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock.Now()
	sl := s.keys[key]
	if sl == nil || sl.token == "" || sl.token != token {
		return fmt.Errorf("notify: defer %q: %w", key, ErrNotOwner)
	}
	sl.token, sl.leaseUntil = "", time.Time{}
	sl.dueAt, sl.tries = now.Add(wait), tries
	sl.expires = sl.dueAt.Add(s.opts.IdleTTL)
	return nil
}

// Forget implements Schedule.
func (s *MemorySchedule) Forget(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: forget %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, key)
	return nil
}

// Len returns how many keys the schedule holds.
func (s *MemorySchedule) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}

// purgeLocked drops expired keys once every as many calls as it holds keys
// (at least 64), so that the map stays as small as the keys in use at an
// amortized constant cost per call.
func (s *MemorySchedule) purgeLocked(now time.Time) {
	s.calls++
	if s.calls < max(64, len(s.keys)) {
		return
	}
	s.calls = 0
	for k, sl := range s.keys {
		if !now.Before(sl.expires) {
			delete(s.keys, k)
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var _ Schedule = (*MemorySchedule)(nil)
