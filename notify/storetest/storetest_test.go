package storetest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/storetest"
)

// memHarness runs the suite on notify.MemoryStore: one store on a fake
// clock, which every client shares, as the instances of one process would.
// An outage unplugs it.
type memHarness struct {
	clk   *clock.Fake
	cfg   storetest.Config
	store notify.Store
	down  atomic.Bool
	// For the broken stores: each client a store of its own, or a wrapper
	// around what the client would get.
	perClient bool
	outer     func(notify.Store) notify.Store
}

func newMemHarness(cfg storetest.Config) *memHarness {
	h := &memHarness{clk: clock.NewFake(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)), cfg: cfg}
	h.store = h.newStore()
	return h
}

func (h *memHarness) newStore() notify.Store {
	return notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: h.clk, ClaimTimeout: h.cfg.ClaimTimeout, TTL: h.cfg.DoneTTL})
}

func (h *memHarness) NewClient(context.Context) (notify.Store, error) {
	s := h.store
	if h.perClient {
		s = h.newStore()
	}
	var c notify.Store = &pluggable{Store: s, down: &h.down}
	if h.outer != nil {
		c = h.outer(c)
	}
	return c, nil
}

func (h *memHarness) ExpireAll(context.Context) error {
	h.clk.Advance(max(h.cfg.ClaimTimeout, h.cfg.DoneTTL))
	return nil
}

func (h *memHarness) Advance(d time.Duration) bool {
	h.clk.Advance(d)
	return true
}

func (h *memHarness) Outage(context.Context) error {
	h.down.Store(true)
	return nil
}

func (h *memHarness) Close() {}

var errUnplugged = errors.New("memory store unplugged")

// pluggable fails every call once unplugged, as a store whose server went
// away.
type pluggable struct {
	notify.Store
	down *atomic.Bool
}

func (p *pluggable) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	if p.down.Load() {
		return 0, "", errUnplugged
	}
	return p.Store.Claim(ctx, key)
}

func (p *pluggable) Complete(ctx context.Context, key string, tok notify.Token) error {
	if p.down.Load() {
		return errUnplugged
	}
	return p.Store.Complete(ctx, key, tok)
}

func (p *pluggable) Release(ctx context.Context, key string, tok notify.Token) error {
	if p.down.Load() {
		return errUnplugged
	}
	return p.Store.Release(ctx, key, tok)
}

func TestMemoryStorePassesTheSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) storetest.Harness { return newMemHarness(cfg) })
}

// brokenStores each break one rule, and the suite must name it.
var brokenStores = map[string]struct {
	make    func(h *memHarness)
	mustSay string
}{
	"per-process memory store": {
		func(h *memHarness) { h.perClient = true },
		"concurrent claims of one key from several clients must have exactly one winner"},
	"release ignores the owner": {
		func(h *memHarness) {
			h.store = &ownerBlind{Store: h.store, release: true, last: map[string]notify.Token{}}
		},
		"a late holder must not release another's claim"},
	"complete ignores the owner": {
		func(h *memHarness) {
			h.store = &ownerBlind{Store: h.store, complete: true, last: map[string]notify.Token{}}
		},
		"a late holder must not complete another's claim"},
	"claims never expire": {
		func(h *memHarness) { h.store = &neverExpires{Store: h.store, held: map[string]bool{}} },
		"a crashed delivery's claim must expire after the claim timeout"},
	"done keys never expire": {
		func(h *memHarness) { h.store = &doneForever{Store: h.store, done: map[string]bool{}} },
		"a done key must be forgotten after the done TTL"},
	"an outage answered as success": {
		func(h *memHarness) { h.outer = func(s notify.Store) notify.Store { return swallow{s} } },
		"a store outage mid-delivery must never be acknowledged"},
}

// TestSuiteCatchesBrokenStores proves the suite can fail: each broken store
// runs the whole suite in a child test process, which must fail with a
// message naming the rule it broke.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	if os.Getenv("STORETEST_BROKEN") != "" {
		t.Skip("running as the child")
	}
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	for name, b := range brokenStores {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStoreChild$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_BROKEN="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a broken store (err %v):\n%s", err, tail(out))
			}
			if !strings.Contains(string(out), "RULE BROKEN — "+b.mustSay) {
				t.Fatalf("the suite failed without naming the rule %q:\n%s", b.mustSay, tail(out))
			}
		})
	}
}

// TestBrokenStoreChild runs the suite on the broken store its parent names;
// it is expected to fail.
func TestBrokenStoreChild(t *testing.T) {
	name := os.Getenv("STORETEST_BROKEN")
	if name == "" {
		t.Skip("run by TestSuiteCatchesBrokenStores")
	}
	b, ok := brokenStores[name]
	if !ok {
		t.Fatalf("no broken store %q", name)
	}
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) storetest.Harness {
		h := newMemHarness(cfg)
		b.make(h)
		return h
	})
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 3000 {
		s = "…" + s[len(s)-3000:]
	}
	return s
}

// ownerBlind completes or releases with the key's latest token, whoever
// calls: the bug tokens exist to prevent.
type ownerBlind struct {
	notify.Store
	release, complete bool
	mu                sync.Mutex
	last              map[string]notify.Token
}

func (s *ownerBlind) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	c, tok, err := s.Store.Claim(ctx, key)
	if c == notify.ClaimNew {
		s.mu.Lock()
		s.last[key] = tok
		s.mu.Unlock()
	}
	return c, tok, err
}

func (s *ownerBlind) latest(key string, tok notify.Token) notify.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.last[key]; ok {
		return t
	}
	return tok
}

func (s *ownerBlind) Complete(ctx context.Context, key string, tok notify.Token) error {
	if s.complete {
		tok = s.latest(key, tok)
	}
	return s.Store.Complete(ctx, key, tok)
}

func (s *ownerBlind) Release(ctx context.Context, key string, tok notify.Token) error {
	if s.release {
		tok = s.latest(key, tok)
	}
	return s.Store.Release(ctx, key, tok)
}

// neverExpires keeps a claim until it is completed or released: a crashed
// delivery blocks its key for good.
type neverExpires struct {
	notify.Store
	mu   sync.Mutex
	held map[string]bool
}

func (s *neverExpires) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[key] {
		return notify.ClaimBusy, "", nil
	}
	c, tok, err := s.Store.Claim(ctx, key)
	if c == notify.ClaimNew {
		s.held[key] = true
	}
	return c, tok, err
}

func (s *neverExpires) Complete(ctx context.Context, key string, tok notify.Token) error {
	s.mu.Lock()
	delete(s.held, key)
	s.mu.Unlock()
	return s.Store.Complete(ctx, key, tok)
}

func (s *neverExpires) Release(ctx context.Context, key string, tok notify.Token) error {
	s.mu.Lock()
	delete(s.held, key)
	s.mu.Unlock()
	return s.Store.Release(ctx, key, tok)
}

// doneForever never forgets a done key.
type doneForever struct {
	notify.Store
	mu   sync.Mutex
	done map[string]bool
}

func (s *doneForever) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	s.mu.Lock()
	done := s.done[key]
	s.mu.Unlock()
	if done {
		return notify.ClaimDone, "", nil
	}
	return s.Store.Claim(ctx, key)
}

func (s *doneForever) Complete(ctx context.Context, key string, tok notify.Token) error {
	err := s.Store.Complete(ctx, key, tok)
	if err == nil {
		s.mu.Lock()
		s.done[key] = true
		s.mu.Unlock()
	}
	return err
}

// swallow hides its store's failures: a claim it cannot make is reported
// done, a completion or release it cannot make succeeded.
type swallow struct{ notify.Store }

func (s swallow) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	c, tok, err := s.Store.Claim(ctx, key)
	if err != nil {
		return notify.ClaimDone, "", nil
	}
	return c, tok, nil
}

func (s swallow) Complete(ctx context.Context, key string, tok notify.Token) error {
	_ = s.Store.Complete(ctx, key, tok)
	return nil
}

func (s swallow) Release(ctx context.Context, key string, tok notify.Token) error {
	_ = s.Store.Release(ctx, key, tok)
	return nil
}

// memScheduleHarness runs the schedule checks on notify.MemorySchedule on a
// fake clock, shared by every client.
type memScheduleHarness struct {
	clk *clock.Fake
	cfg storetest.ScheduleConfig
	s   notify.Schedule
	// For a broken schedule: each client a schedule of its own.
	perClient bool
}

func newMemScheduleHarness(cfg storetest.ScheduleConfig) *memScheduleHarness {
	h := &memScheduleHarness{clk: clock.NewFake(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)), cfg: cfg}
	h.s = h.newSchedule()
	return h
}

func (h *memScheduleHarness) newSchedule() notify.Schedule {
	return notify.NewMemorySchedule(notify.MemoryScheduleOptions{Clock: h.clk, IdleTTL: h.cfg.IdleTTL})
}

func (h *memScheduleHarness) NewClient(context.Context) (notify.Schedule, error) {
	s := h.s
	if h.perClient {
		s = h.newSchedule()
	}
	return s, nil
}
func (h *memScheduleHarness) Advance(d time.Duration) bool {
	h.clk.Advance(d)
	return true
}
func (h *memScheduleHarness) Close() {}

func TestMemorySchedulePassesTheSuite(t *testing.T) {
	storetest.RunSchedule(t, func(t *testing.T, cfg storetest.ScheduleConfig) storetest.ScheduleHarness {
		return newMemScheduleHarness(cfg)
	})
}

// brokenSchedules each break one rule, and the suite must name it.
var brokenSchedules = map[string]struct {
	make    func(h *memScheduleHarness)
	mustSay string
}{
	"per-process memory schedule": {
		func(h *memScheduleHarness) { h.perClient = true },
		"of clients acquiring one key at once, exactly one gets the lease"},
	"defer ignores the token": {
		func(h *memScheduleHarness) { h.s = &tokenBlind{Schedule: h.s, last: map[string]notify.Token{}} },
		"Defer acts only for the lease's holder"},
}

func TestSuiteCatchesBrokenSchedules(t *testing.T) {
	if os.Getenv("STORETEST_BROKEN_SCHEDULE") != "" {
		t.Skip("running as the child")
	}
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	for name, b := range brokenSchedules {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenScheduleChild$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_BROKEN_SCHEDULE="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a broken schedule (err %v):\n%s", err, tail(out))
			}
			if !strings.Contains(string(out), "RULE BROKEN — "+b.mustSay) {
				t.Fatalf("the suite failed without naming the rule %q:\n%s", b.mustSay, tail(out))
			}
		})
	}
}

// TestBrokenScheduleChild runs the schedule suite on the broken schedule
// its parent names; it is expected to fail.
func TestBrokenScheduleChild(t *testing.T) {
	name := os.Getenv("STORETEST_BROKEN_SCHEDULE")
	if name == "" {
		t.Skip("run by TestSuiteCatchesBrokenSchedules")
	}
	b, ok := brokenSchedules[name]
	if !ok {
		t.Fatalf("no broken schedule %q", name)
	}
	storetest.RunSchedule(t, func(t *testing.T, cfg storetest.ScheduleConfig) storetest.ScheduleHarness {
		h := newMemScheduleHarness(cfg)
		b.make(h)
		return h
	})
}

// tokenBlind defers with the key's latest token, whoever calls.
type tokenBlind struct {
	notify.Schedule
	mu   sync.Mutex
	last map[string]notify.Token
}

func (s *tokenBlind) Acquire(ctx context.Context, key string, ttl time.Duration) (notify.Lease, error) {
	l, err := s.Schedule.Acquire(ctx, key, ttl)
	if l.Held() {
		s.mu.Lock()
		s.last[key] = l.Token
		s.mu.Unlock()
	}
	return l, err
}

func (s *tokenBlind) Defer(ctx context.Context, key string, _ notify.Token, tries int, wait time.Duration) error {
	s.mu.Lock()
	tok := s.last[key]
	s.mu.Unlock()
	return s.Schedule.Defer(ctx, key, tok, tries, wait)
}
