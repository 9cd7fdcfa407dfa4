// Package storetest checks a notify.Store against the contract documented
// on notify.Store: claims, owner tokens, concurrent claims from several
// clients, expiry of crashed claims and done keys, the context, and the
// store's behaviour — and the Handler's — when its server goes away.
//
// A store's whole conformance test is one call, with a HarnessMaker that
// gives each check a store of its own (on a real server, a key prefix or a
// table of its own is enough):
//
//	func TestConformance(t *testing.T) {
//		srv := testserver.StartRedis(t)
//		storetest.Run(t, func(t *testing.T, cfg storetest.Config) storetest.Harness {
//			return newHarness(t, srv, cfg)
//		})
//	}
//
// Every failure names the rule it breaks ("RULE BROKEN — …"), and all are
// reported in one run.
//
// RunSchedule does the same for a notify.Schedule, the Reconciler's leases
// and intervals: leases and their owners, expiry of a crashed holder's
// lease, waits and tries, Forget, concurrent instances, the idle TTL and
// the context.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
)

// Config is what a check asks of the store a harness makes.
type Config struct {
	// ClaimTimeout is how long a claim holds without Complete or Release.
	ClaimTimeout time.Duration
	// DoneTTL is how long a done key is remembered.
	DoneTTL time.Duration
}

// Harness is one store, fresh for one check, and the means to act on its
// time and its server.
type Harness interface {
	// NewClient returns a new client of the harness's store, configured
	// with the harness's Config — with its own connections where the store
	// has any, as another instance of a platform would have. The harness
	// closes its clients in Close.
	NewClient(ctx context.Context) (notify.Store, error)
	// ExpireAll makes every claim and done key the store holds expire now,
	// as if its time had passed; keys written afterwards get their full
	// time. The suite uses it to let a claim time out without waiting.
	ExpireAll(ctx context.Context) error
	// Advance lets d pass for the store and reports true, if the store runs
	// on a clock the harness controls. A store on a server's clock returns
	// false; the suite then lets real time pass, polling with a bounded
	// deadline, and asks for a Config with short times.
	Advance(d time.Duration) bool
	// Outage makes the store unreachable for every client made so far, as
	// a crashed server or a lost network would: stop the server, cut the
	// connections, or close the clients. Their calls must fail from then
	// on. A harness that cannot returns an error wrapping
	// errors.ErrUnsupported, and the outage checks are skipped.
	Outage(ctx context.Context) error
	// Close releases what the harness holds: clients, keys, tables.
	Close()
}

// HarnessMaker returns a fresh harness for one check, whose store nobody
// else uses, configured with cfg. Run calls it once per check.
type HarnessMaker func(t *testing.T, cfg Config) Harness

// The configurations the checks ask for. Short times are for checks that
// let a real server's clock run: short enough to keep the suite fast, long
// enough that a loaded machine answers within them.
var (
	longConfig  = Config{ClaimTimeout: time.Minute, DoneTTL: time.Hour}
	shortConfig = Config{ClaimTimeout: 300 * time.Millisecond, DoneTTL: 300 * time.Millisecond}
)

// Bounds of the suite's waits; a wait that runs out fails with a message.
const (
	callTimeout = 10 * time.Second // one store call
	pollLimit   = 15 * time.Second // letting real time pass, beyond the time itself
	pollEvery   = 10 * time.Millisecond
	// expirySlack absorbs a server clock's millisecond rounding when the
	// suite checks that a key did not expire early.
	expirySlack = 5 * time.Millisecond
)

// Run runs every check as a subtest of t, each on a fresh harness from
// maker. All failures are reported in one run.
func Run(t *testing.T, maker HarnessMaker) {
	t.Helper()
	for _, c := range []struct {
		name string
		run  func(t *testing.T, maker HarnessMaker)
	}{
		{"claims", checkClaims},
		{"keys", checkKeys},
		{"owners", checkOwners},
		{"concurrency", checkConcurrency},
		{"expiry", checkExpiry},
		{"context", checkContext},
		{"outage", checkOutage},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, maker) })
	}
}

// env is one check's world: a harness and the clients made of it.
type env struct {
	t   *testing.T
	h   Harness
	cfg Config
	// fake reports whether the harness controls the store's clock.
	fake bool
}

func newEnv(t *testing.T, maker HarnessMaker, cfg Config) *env {
	t.Helper()
	h := maker(t, cfg)
	t.Cleanup(h.Close)
	return &env{t: t, h: h, cfg: cfg, fake: h.Advance(0)}
}

// client returns a new client of the store, or fails the check.
func (e *env) client() notify.Store {
	e.t.Helper()
	var s notify.Store
	err := e.do("NewClient", func(ctx context.Context) (err error) {
		s, err = e.h.NewClient(ctx)
		return err
	})
	if err != nil {
		e.t.Fatalf("harness: NewClient: %v", err)
	}
	return s
}

// do runs one call with a bounded context, turning a panic into a failure
// and a call that outlives its context into a fatal one.
func (e *env) do(what string, f func(ctx context.Context) error) error {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return e.doCtx(ctx, what, f)
}

func (e *env) doCtx(ctx context.Context, what string, f func(ctx context.Context) error) error {
	e.t.Helper()
	type result struct {
		err   error
		panic any
		stack []byte
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: p, stack: debug.Stack()}
			}
		}()
		done <- result{err: f(ctx)}
	}()
	limit := callTimeout + 5*time.Second
	grace := time.NewTimer(limit)
	defer grace.Stop()
	select {
	case r := <-done:
		if r.panic != nil {
			e.t.Errorf("RULE BROKEN — a store must never panic: %s panicked: %v\n%s", what, r.panic, r.stack)
			return fmt.Errorf("storetest: %s panicked: %v", what, r.panic)
		}
		return r.err
	case <-grace.C:
		// Errorf, not Fatalf: do also runs on the concurrency check's
		// goroutines.
		e.t.Errorf("RULE BROKEN — a store call must end with its context: %s did not return within %s", what, limit)
		return fmt.Errorf("storetest: %s hung", what)
	}
}

// claim calls s.Claim.
func (e *env) claim(s notify.Store, key string) (notify.Claim, notify.Token, error) {
	e.t.Helper()
	var c notify.Claim
	var tok notify.Token
	err := e.do("Claim", func(ctx context.Context) (err error) {
		c, tok, err = s.Claim(ctx, key)
		return err
	})
	return c, tok, err
}

// complete calls s.Complete.
func (e *env) complete(s notify.Store, key string, tok notify.Token) error {
	e.t.Helper()
	return e.do("Complete", func(ctx context.Context) error { return s.Complete(ctx, key, tok) })
}

// release calls s.Release.
func (e *env) release(s notify.Store, key string, tok notify.Token) error {
	e.t.Helper()
	return e.do("Release", func(ctx context.Context) error { return s.Release(ctx, key, tok) })
}

// expect claims key and fails the check, naming rule, unless the answer is
// want — with a token exactly when want is ClaimNew. It returns the token.
func (e *env) expect(s notify.Store, key string, want notify.Claim, rule string) notify.Token {
	e.t.Helper()
	got, tok, err := e.claim(s, key)
	switch {
	case err != nil:
		e.t.Fatalf("Claim(%q): %v (checking: %s)", key, err, rule)
	case got != want:
		e.t.Errorf("RULE BROKEN — %s: Claim(%q) = %v, want %v", rule, key, got, want)
	case want == notify.ClaimNew && tok == "":
		e.t.Errorf("RULE BROKEN — %s: Claim(%q) = new without a token", rule, key)
	case want != notify.ClaimNew && tok != "":
		e.t.Errorf("RULE BROKEN — %s: Claim(%q) = %v with a token %q: only a new claim has one", rule, key, got, tok)
	}
	return tok
}

// ok fails the check, naming rule, if err is not nil.
func (e *env) ok(err error, rule, call string) {
	e.t.Helper()
	if err != nil {
		e.t.Errorf("RULE BROKEN — %s: %s = %v, want nil", rule, call, err)
	}
}

// notOwner fails the check, naming rule, unless err wraps
// notify.ErrNotOwner.
func (e *env) notOwner(err error, rule, call string) {
	e.t.Helper()
	if !errors.Is(err, notify.ErrNotOwner) {
		e.t.Errorf("RULE BROKEN — %s: %s = %v, want an error wrapping notify.ErrNotOwner", rule, call, err)
	}
}

// expireAll makes every key the store holds expire.
func (e *env) expireAll() {
	e.t.Helper()
	if err := e.do("ExpireAll", e.h.ExpireAll); err != nil {
		e.t.Fatalf("harness: ExpireAll: %v", err)
	}
}

// expiresAfter checks that key, written at start to last d, is answered
// as before (was) until d has passed and is claimable new after. On a
// harness clock it checks both edges exactly; on a server's clock it
// polls until the key is new, with a bounded deadline, and then checks
// that at least d had passed. It returns the new claim's token.
func (e *env) expiresAfter(s notify.Store, key string, start time.Time, d time.Duration, was notify.Claim, rule string) notify.Token {
	e.t.Helper()
	if e.fake {
		e.h.Advance(d - time.Millisecond)
		e.expect(s, key, was, rule+" — and not before")
		e.h.Advance(time.Millisecond)
		return e.expect(s, key, notify.ClaimNew, rule)
	}
	limit := d + pollLimit
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		c, tok, err := e.claim(s, key)
		if err != nil {
			e.t.Fatalf("Claim(%q): %v (checking: %s)", key, err, rule)
		}
		elapsed := time.Since(start)
		switch {
		case c == notify.ClaimNew:
			if elapsed < d-expirySlack {
				e.t.Errorf("RULE BROKEN — %s — and not before: %q was new again after %s, before its %s", rule, key, elapsed, d)
			}
			return tok
		case c != was:
			e.t.Errorf("RULE BROKEN — %s: Claim(%q) = %v while waiting for it to expire, want %v", rule, key, c, was)
			return ""
		case elapsed > limit:
			e.t.Errorf("RULE BROKEN — %s: %q still %v %s after it was written, with a time of %s", rule, key, c, elapsed.Round(time.Millisecond), d)
			return ""
		}
		<-tick.C
	}
}
