// Package clock provides a controllable clock for tests and simulators. It
// satisfies payment.Clock.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Fake is a clock that moves only when told to. It is safe for concurrent
// use.
//
// In manual mode (NewFake) After registers a waiter that fires when Advance
// moves the clock past its deadline. In auto mode (NewAuto) After moves the
// clock forward by d at once and fires immediately, which lets a test run
// through any number of backoff waits instantly while Waits records what was
// asked for.
type Fake struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     time.Time
	auto    bool
	waiters []waiter
	waits   []time.Duration
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a manual fake clock set to start.
func NewFake(start time.Time) *Fake {
	f := &Fake{now: start}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// NewAuto returns a fake clock set to start that advances itself on every
// After call.
func NewAuto(start time.Time) *Fake {
	f := NewFake(start)
	f.auto = true
	return f
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After returns a channel that receives the fake time once d has passed.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- f.now
		return ch
	}
	if f.auto {
		f.now = f.now.Add(d)
		ch <- f.now
		f.fireLocked()
		return ch
	}
	f.waiters = append(f.waiters, waiter{at: f.now.Add(d), ch: ch})
	f.cond.Broadcast()
	return ch
}

// Advance moves the clock forward by d and fires every waiter that is due,
// in deadline order.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.fireLocked()
}

// Set moves the clock to t (forward or back) and fires due waiters.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
	f.fireLocked()
}

func (f *Fake) fireLocked() {
	sort.SliceStable(f.waiters, func(i, j int) bool { return f.waiters[i].at.Before(f.waiters[j].at) })
	keep := f.waiters[:0]
	for _, w := range f.waiters {
		if !w.at.After(f.now) {
			w.ch <- f.now
			continue
		}
		keep = append(keep, w)
	}
	f.waiters = keep
}

// Waiters returns how many After channels are waiting to fire.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// BlockUntilWaiters blocks until at least n After calls are waiting. Tests
// use it to know a goroutine has reached its wait before advancing the clock,
// without sleeping.
func (f *Fake) BlockUntilWaiters(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.waiters) < n {
		f.cond.Wait()
	}
}

// Waits returns every duration After was called with, in order.
func (f *Fake) Waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}
