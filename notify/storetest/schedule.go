package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
)

// ScheduleConfig is what a check asks of the schedule a harness makes.
type ScheduleConfig struct {
	// IdleTTL is how long a key is kept after its wait is over.
	IdleTTL time.Duration
}

// ScheduleHarness is one schedule, fresh for one check.
type ScheduleHarness interface {
	// NewClient returns a new client of the harness's schedule, configured
	// with the harness's ScheduleConfig, with connections of its own where
	// the schedule has any. The harness closes its clients in Close.
	NewClient(ctx context.Context) (notify.Schedule, error)
	// Advance lets d pass for the schedule and reports true, if it runs on
	// a clock the harness controls; a schedule on a server's clock returns
	// false, and the suite lets real time pass, polling with a bounded
	// deadline.
	Advance(d time.Duration) bool
	// Close releases what the harness holds.
	Close()
}

// ScheduleMaker returns a fresh harness for one check, whose schedule
// nobody else uses. RunSchedule calls it once per check.
type ScheduleMaker func(t *testing.T, cfg ScheduleConfig) ScheduleHarness

// The rules of notify.Schedule the checks name when they fail.
const (
	ruleAcquireNew     = "Acquire leases an absent key, with no tries"
	ruleAcquireHeld    = "Acquire of a held key grants nothing"
	ruleAcquireWaiting = "Acquire of a key that waits grants nothing until its wait is over"
	ruleAcquireDue     = "Acquire leases a key whose wait is over, with the tries Defer recorded"
	ruleLeaseExpires   = "a lease expires after its TTL, and another may acquire the key"
	ruleDeferOwner     = "Defer acts only for the lease's holder: another token gets ErrNotOwner"
	ruleDeferLate      = "a holder whose lease expired may still Defer while nobody took the key over"
	ruleDeferTaken     = "a holder whose lease was taken over gets ErrNotOwner from Defer"
	ruleForget         = "Forget makes a key absent: due at once, with no tries"
	ruleOneLease       = "of clients acquiring one key at once, exactly one gets the lease"
	ruleIdle           = "a key nobody acquires or forgets is forgotten after its wait and the idle TTL"
	ruleWait           = "an Acquire that grants nothing says how long the key will not be due, at most its wait"
	ruleLeaseBusy      = "an Acquire that grants nothing says whether another holds the key (Busy) or it waits"
	ruleScheduleCtx    = "a schedule call honours its context"
)

// Lease and wait times of the checks on a server's clock: short enough to
// keep the suite fast, long enough for a loaded machine.
const (
	shortLease = 300 * time.Millisecond
	longLease  = time.Minute
)

// RunSchedule runs every schedule check as a subtest of t, each on a fresh
// harness from maker.
func RunSchedule(t *testing.T, maker ScheduleMaker) {
	t.Helper()
	for _, c := range []struct {
		name string
		run  func(t *testing.T, e *senv)
	}{
		{"acquire", checkAcquire},
		{"defer", checkDefer},
		{"lease expiry", checkLeaseExpiry},
		{"forget", checkForget},
		{"concurrency", checkScheduleConcurrency},
		{"idle", checkIdle},
		{"keys", checkScheduleKeys},
		{"context", checkScheduleContext},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := maker(t, ScheduleConfig{IdleTTL: 2 * shortLease})
			t.Cleanup(h.Close)
			c.run(t, &senv{t: t, h: h, fake: h.Advance(0)})
		})
	}
}

type senv struct {
	t    *testing.T
	h    ScheduleHarness
	fake bool
}

func (e *senv) client() notify.Schedule {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	s, err := e.h.NewClient(ctx)
	if err != nil {
		e.t.Fatalf("harness: NewClient: %v", err)
	}
	return s
}

func callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

func (e *senv) acquire(s notify.Schedule, key string, ttl time.Duration) notify.Lease {
	e.t.Helper()
	ctx, cancel := callCtx()
	defer cancel()
	l, err := s.Acquire(ctx, key, ttl)
	if err != nil {
		e.t.Fatalf("Acquire(%q): %v", key, err)
	}
	return l
}

func (e *senv) deferKey(s notify.Schedule, key string, tok notify.Token, tries int, wait time.Duration) error {
	e.t.Helper()
	ctx, cancel := callCtx()
	defer cancel()
	return s.Defer(ctx, key, tok, tries, wait)
}

func (e *senv) forget(s notify.Schedule, key string) {
	e.t.Helper()
	ctx, cancel := callCtx()
	defer cancel()
	if err := s.Forget(ctx, key); err != nil {
		e.t.Fatalf("Forget(%q): %v", key, err)
	}
}

// held acquires key and fails, naming rule, unless the lease is granted
// with tries.
func (e *senv) held(s notify.Schedule, key string, ttl time.Duration, tries int, rule string) notify.Token {
	e.t.Helper()
	l := e.acquire(s, key, ttl)
	if !l.Held() || l.Tries != tries {
		e.t.Errorf("RULE BROKEN — %s: Acquire(%q) = %+v, want held with %d tries", rule, key, l, tries)
	}
	return l.Token
}

// notHeld acquires key and fails, naming rule, if the lease is granted.
func (e *senv) notHeld(s notify.Schedule, key string, ttl time.Duration, rule string) notify.Lease {
	e.t.Helper()
	l := e.acquire(s, key, ttl)
	if l.Held() {
		e.t.Errorf("RULE BROKEN — %s: Acquire(%q) granted %+v", rule, key, l)
	}
	return l
}

// dueAfter checks that key, made to wait (or leased) at start for d, is
// not granted before d has passed and is granted after, with tries. On a
// harness clock it checks both edges exactly; on a server's clock it polls
// with a bounded deadline.
func (e *senv) dueAfter(s notify.Schedule, key string, start time.Time, d time.Duration, tries int, rule string) notify.Token {
	e.t.Helper()
	if e.fake {
		e.h.Advance(d - time.Millisecond)
		e.notHeld(s, key, longLease, rule+" — and not before")
		e.h.Advance(time.Millisecond)
		return e.held(s, key, longLease, tries, rule)
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		l := e.acquire(s, key, longLease)
		elapsed := time.Since(start)
		switch {
		case l.Held():
			if elapsed < d-expirySlack {
				e.t.Errorf("RULE BROKEN — %s — and not before: %q granted after %s, before its %s", rule, key, elapsed, d)
			}
			if l.Tries != tries {
				e.t.Errorf("RULE BROKEN — %s: %q granted with %d tries, want %d", rule, key, l.Tries, tries)
			}
			return l.Token
		case elapsed > d+pollLimit:
			e.t.Fatalf("RULE BROKEN — %s: %q still not granted %s after it began to wait %s", rule, key, elapsed.Round(time.Millisecond), d)
		}
		<-tick.C
	}
}

func checkAcquire(t *testing.T, e *senv) {
	a, b := e.client(), e.client()
	e.held(a, "k", longLease, 0, ruleAcquireNew)
	if l := e.notHeld(a, "k", longLease, ruleAcquireHeld); !l.Busy || l.Wait <= 0 || l.Wait > longLease {
		t.Errorf("RULE BROKEN — %s: Acquire of a held key = %+v, want Busy with the rest of the lease as Wait", ruleLeaseBusy, l)
	}
	e.notHeld(b, "k", longLease, ruleAcquireHeld+" (another client)")
	e.held(b, "k2", longLease, 0, ruleAcquireNew+" (another key)")
}

func checkDefer(t *testing.T, e *senv) {
	a, b := e.client(), e.client()
	tok := e.held(a, "k", longLease, 0, ruleAcquireNew)
	if err := e.deferKey(b, "k", "not-the-token", 1, 0); !errors.Is(err, notify.ErrNotOwner) {
		t.Errorf("RULE BROKEN — %s: Defer with another token = %v", ruleDeferOwner, err)
	}
	if err := e.deferKey(a, "k", tok, 3, longLease); err != nil {
		t.Fatalf("Defer by the holder: %v", err)
	}
	l := e.notHeld(b, "k", longLease, ruleAcquireWaiting)
	if l.Busy {
		t.Errorf("RULE BROKEN — %s: a waiting key is not Busy: %+v", ruleLeaseBusy, l)
	}
	if l.Wait <= 0 || l.Wait > longLease {
		t.Errorf("RULE BROKEN — %s: Wait = %s for a key waiting %s", ruleWait, l.Wait, longLease)
	}
	if err := e.deferKey(a, "k", tok, 4, 0); !errors.Is(err, notify.ErrNotOwner) {
		t.Errorf("RULE BROKEN — %s: a second Defer of an ended lease = %v", ruleDeferOwner, err)
	}
	// A key whose wait is over is due again, with its tries.
	wait := shortLease
	if e.fake {
		wait = longLease
	}
	tok = e.held(a, "k2", longLease, 0, ruleAcquireNew)
	start := time.Now()
	if err := e.deferKey(a, "k2", tok, 3, wait); err != nil {
		t.Fatalf("Defer by the holder: %v", err)
	}
	e.dueAfter(b, "k2", start, wait, 3, ruleAcquireDue)
}

func checkLeaseExpiry(t *testing.T, e *senv) {
	a, b := e.client(), e.client()
	ttl := shortLease
	if e.fake {
		ttl = longLease
	}
	start := time.Now()
	tokA := e.held(a, "k", ttl, 0, ruleAcquireNew)
	// The holder crashed; b takes the key once the lease expired.
	tokB := e.dueAfter(b, "k", start, ttl, 0, ruleLeaseExpires)
	if err := e.deferKey(a, "k", tokA, 1, 0); !errors.Is(err, notify.ErrNotOwner) {
		t.Errorf("RULE BROKEN — %s: Defer = %v", ruleDeferTaken, err)
	}
	if err := e.deferKey(b, "k", tokB, 1, longLease); err != nil {
		t.Errorf("RULE BROKEN — %s: the new holder's Defer = %v", ruleDeferOwner, err)
	}
	// A lease that expired without anyone taking it over is still its
	// holder's to defer.
	start = time.Now()
	tok := e.held(a, "late", ttl, 0, ruleAcquireNew)
	e.held(a, "sentinel", ttl, 0, ruleAcquireNew)
	e.dueAfter(b, "sentinel", start, ttl, 0, ruleLeaseExpires)
	if err := e.deferKey(a, "late", tok, 1, longLease); err != nil {
		t.Errorf("RULE BROKEN — %s: Defer = %v", ruleDeferLate, err)
	}
	e.notHeld(b, "late", longLease, ruleAcquireWaiting)
}

func checkForget(t *testing.T, e *senv) {
	a, b := e.client(), e.client()
	tok := e.held(a, "k", longLease, 0, ruleAcquireNew)
	if err := e.deferKey(a, "k", tok, 5, longLease); err != nil {
		t.Fatal(err)
	}
	e.forget(b, "k")
	e.held(b, "k", longLease, 0, ruleForget)
	e.forget(b, "k") // a held key
	e.held(a, "k", longLease, 0, ruleForget)
	e.forget(a, "never-seen")
}

func checkScheduleConcurrency(t *testing.T, e *senv) {
	const n = 20
	clients := make([]notify.Schedule, n)
	for i := range clients {
		clients[i] = e.client()
	}
	race := func(k int) (held int, tok notify.Token) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := callCtx()
				defer cancel()
				l, err := clients[i].Acquire(ctx, "k", longLease)
				if err != nil {
					t.Errorf("Acquire: %v", err)
					return
				}
				if l.Held() {
					mu.Lock()
					held++
					tok = l.Token
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return held, tok
	}
	held, tok := race(n)
	if held != 1 {
		t.Fatalf("RULE BROKEN — %s: %d of %d clients got the lease", ruleOneLease, held, n)
	}
	// The holder makes the key due at once; the clients race again.
	if err := e.deferKey(clients[0], "k", tok, 1, 0); err != nil {
		t.Fatal(err)
	}
	if held, _ := race(n / 2); held != 1 {
		t.Errorf("RULE BROKEN — %s: %d of %d clients got the lease of a key due again", ruleOneLease, held, n/2)
	}
}

func checkIdle(t *testing.T, e *senv) {
	a := e.client()
	idle := 2 * shortLease
	tok := e.held(a, "k", longLease, 0, ruleAcquireNew)
	if err := e.deferKey(a, "k", tok, 2, 0); err != nil {
		t.Fatal(err)
	}
	tok = e.held(a, "k", longLease, 2, ruleAcquireDue)
	start := time.Now()
	if err := e.deferKey(a, "k", tok, 2, 0); err != nil {
		t.Fatal(err)
	}
	// A sentinel made to wait the idle TTL from now shows, on a server's
	// clock, when k's idle TTL has passed; k itself is not touched until
	// then, since an Acquire would keep it.
	stok := e.held(a, "sentinel", longLease, 0, ruleAcquireNew)
	if err := e.deferKey(a, "sentinel", stok, 1, idle); err != nil {
		t.Fatal(err)
	}
	e.dueAfter(a, "sentinel", start, idle, 1, ruleAcquireDue)
	if e.fake {
		e.h.Advance(time.Millisecond)
	}
	e.held(a, "k", longLease, 0, ruleIdle)
}

func checkScheduleKeys(t *testing.T, e *senv) {
	a := e.client()
	for _, k := range []string{"alphapay:payment:2611221015304020147632479", "{braces}:x}", "ünïcödé", strings.Repeat("k", 300), "a b\tc"} {
		tok := e.held(a, k, longLease, 0, ruleAcquireNew+fmt.Sprintf(" (key %.20q)", k))
		if err := e.deferKey(a, k, tok, 7, 0); err != nil {
			t.Errorf("Defer(%.20q): %v", k, err)
		}
		e.held(a, k, longLease, 7, ruleAcquireDue+fmt.Sprintf(" (key %.20q)", k))
	}
}

func checkScheduleContext(t *testing.T, e *senv) {
	a := e.client()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Acquire(ctx, "k", longLease); !errors.Is(err, context.Canceled) {
		t.Errorf("RULE BROKEN — %s: Acquire = %v", ruleScheduleCtx, err)
	}
	if err := a.Defer(ctx, "k", "t", 1, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("RULE BROKEN — %s: Defer = %v", ruleScheduleCtx, err)
	}
	if err := a.Forget(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("RULE BROKEN — %s: Forget = %v", ruleScheduleCtx, err)
	}
	e.held(a, "k", longLease, 0, ruleAcquireNew+" (after calls whose context had ended)")
}
