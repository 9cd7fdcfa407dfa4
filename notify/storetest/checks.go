package storetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
)

// The rules, as the failures name them.
const (
	ruleNew            = "a key nobody claimed must be claimed new, with a token"
	ruleBusy           = "a claimed key must be busy for every client until it is completed or released"
	ruleDone           = "a completed key must be done for every client"
	ruleRelease        = "a released key must be claimable again, under a new token"
	ruleTokens         = "every claim must get a token of its own"
	ruleKeys           = "keys must be independent, whatever characters they hold"
	ruleCompleteTwice  = "completing twice must be harmless for the claim's owner (a retry after an unknown outcome)"
	ruleReleaseTwice   = "releasing twice must be harmless for the claim's owner"
	ruleNoUndo         = "a release must never undo a completed delivery"
	ruleLateRelease    = "a late holder must not release another's claim"
	ruleLateComplete   = "a late holder must not complete another's claim"
	ruleForged         = "only the claim's own token may complete or release it"
	ruleLateAlone      = "a delivery that outlived its claim must still be recorded when nobody took the key over"
	ruleLateAloneFree  = "a late holder may release its timed-out claim when nobody took the key over"
	ruleOneWinner      = "concurrent claims of one key from several clients must have exactly one winner"
	ruleOneTakeover    = "concurrent takeovers of an expired claim must have exactly one winner"
	ruleAnswered       = "concurrent claims must all be answered"
	ruleClaimExpires   = "a crashed delivery's claim must expire after the claim timeout"
	ruleDoneTTL        = "a done key must be forgotten after the done TTL"
	ruleDoneOutlives   = "a done key must be remembered past the claim timeout, for the done TTL"
	ruleContext        = "a store call with an ended context must fail with the context's error"
	ruleOutage         = "a store that cannot reach its server must return an error"
	ruleOutageNotAcked = "a store outage mid-delivery must never be acknowledged"
	ruleOutageClaim    = "a notification the store cannot claim must be neither delivered nor acknowledged"
)

func checkClaims(t *testing.T, maker HarnessMaker) {
	e := newEnv(t, maker, longConfig)
	a, b := e.client(), e.client()

	tok := e.expect(a, "k", notify.ClaimNew, ruleNew)
	e.expect(a, "k", notify.ClaimBusy, ruleBusy)
	e.expect(b, "k", notify.ClaimBusy, ruleBusy)
	e.ok(e.complete(a, "k", tok), ruleDone, "Complete by the owner")
	e.expect(a, "k", notify.ClaimDone, ruleDone)
	e.expect(b, "k", notify.ClaimDone, ruleDone)
	e.ok(e.complete(a, "k", tok), ruleCompleteTwice, "a second Complete by the owner")
	e.expect(b, "k", notify.ClaimDone, ruleCompleteTwice)
	e.notOwner(e.release(a, "k", tok), ruleNoUndo, "Release after the owner's Complete")
	e.expect(b, "k", notify.ClaimDone, ruleNoUndo)

	t1 := e.expect(a, "r", notify.ClaimNew, ruleNew)
	e.ok(e.release(a, "r", t1), ruleRelease, "Release by the owner")
	t2 := e.expect(b, "r", notify.ClaimNew, ruleRelease)
	if t1 != "" && t1 == t2 {
		t.Errorf("RULE BROKEN — %s: the claim after a release got the released claim's token %q", ruleTokens, t2)
	}
	e.ok(e.release(b, "r", t2), ruleRelease, "Release by the owner")
	e.ok(e.release(b, "r", t2), ruleReleaseTwice, "a second Release by the owner")
	e.expect(a, "r", notify.ClaimNew, ruleReleaseTwice)
}

// keys holds event keys as providers make them, and keys that would trip a
// store that builds commands or patterns from them.
var keys = []string{
	"alphapay:payment:2611221015304020147632479:succeeded",
	"alipayplus:refund:R-1:succeeded",
	"with space",
	"quote ' and \" and ; -- DROP TABLE x",
	"glob *?[a-z]\\",
	"ünïcødé 支付",
	"newline\nand\ttab",
	strings.Repeat("long", 128),
	"k", "K", "k ", // distinct from each other
}

func checkKeys(t *testing.T, maker HarnessMaker) {
	e := newEnv(t, maker, longConfig)
	a, b := e.client(), e.client()
	toks := make([]notify.Token, len(keys))
	seen := map[notify.Token]string{}
	for i, k := range keys {
		toks[i] = e.expect(a, k, notify.ClaimNew, ruleKeys)
		if other, ok := seen[toks[i]]; ok && toks[i] != "" {
			t.Errorf("RULE BROKEN — %s: %q and %q got the same token", ruleTokens, other, k)
		}
		seen[toks[i]] = k
	}
	// Every other key is completed, the rest released: each must keep its
	// own state.
	for i, k := range keys {
		if i%2 == 0 {
			e.ok(e.complete(a, k, toks[i]), ruleKeys, fmt.Sprintf("Complete(%q)", k))
		} else {
			e.ok(e.release(a, k, toks[i]), ruleKeys, fmt.Sprintf("Release(%q)", k))
		}
	}
	for i, k := range keys {
		want := notify.ClaimDone
		if i%2 == 1 {
			want = notify.ClaimNew
		}
		e.expect(b, k, want, ruleKeys)
	}
}

func checkOwners(t *testing.T, maker HarnessMaker) {
	e := newEnv(t, maker, longConfig)
	a, b, c := e.client(), e.client(), e.client()

	// A's delivery outlives its claim; B takes the key over.
	ta := e.expect(a, "k", notify.ClaimNew, ruleNew)
	e.expireAll()
	tb := e.expect(b, "k", notify.ClaimNew, ruleClaimExpires)
	if ta != "" && ta == tb {
		t.Errorf("RULE BROKEN — %s: the takeover got the late holder's token %q", ruleTokens, tb)
	}
	e.notOwner(e.release(a, "k", ta), ruleLateRelease, "the late holder's Release")
	e.expect(c, "k", notify.ClaimBusy, ruleLateRelease)
	e.notOwner(e.complete(a, "k", ta), ruleLateComplete, "the late holder's Complete")
	e.expect(c, "k", notify.ClaimBusy, ruleLateComplete)

	for _, forged := range []notify.Token{"forged", ""} {
		e.notOwner(e.complete(c, "k", forged), ruleForged, fmt.Sprintf("Complete with token %q", forged))
		e.notOwner(e.release(c, "k", forged), ruleForged, fmt.Sprintf("Release with token %q", forged))
	}
	e.expect(c, "k", notify.ClaimBusy, ruleForged)

	e.ok(e.complete(b, "k", tb), ruleDone, "Complete by the owner that took over")
	e.expect(c, "k", notify.ClaimDone, ruleDone)
	e.notOwner(e.complete(a, "k", ta), ruleLateComplete, "the late holder's Complete after the new owner's")
	e.notOwner(e.release(a, "k", ta), ruleNoUndo, "the late holder's Release after the new owner's Complete")
	e.expect(c, "k", notify.ClaimDone, ruleNoUndo)

	// A's delivery outlives its claim, and nobody takes the key over.
	tl := e.expect(a, "alone", notify.ClaimNew, ruleNew)
	e.expireAll()
	e.ok(e.complete(a, "alone", tl), ruleLateAlone, "the late holder's Complete")
	e.expect(b, "alone", notify.ClaimDone, ruleLateAlone)

	tr := e.expect(a, "alone-release", notify.ClaimNew, ruleNew)
	e.expireAll()
	e.ok(e.release(a, "alone-release", tr), ruleLateAloneFree, "the late holder's Release")
	e.expect(b, "alone-release", notify.ClaimNew, ruleLateAloneFree)
}

func checkConcurrency(t *testing.T, maker HarnessMaker) {
	const n = 100
	e := newEnv(t, maker, longConfig)
	clients := make([]notify.Store, n)
	for i := range clients {
		clients[i] = e.client()
	}
	// race claims key from the first m clients at once.
	race := func(key func(i int) string, m int) (claims []notify.Claim, errs []error) {
		claims, errs = make([]notify.Claim, m), make([]error, m)
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for i := range m {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				claims[i], _, errs[i] = e.claim(clients[i], key(i))
			}()
		}
		close(gate)
		wg.Wait()
		return claims, errs
	}
	tally := func(claims []notify.Claim, errs []error) (news, busy int, first error) {
		failed := 0
		for i, c := range claims {
			switch {
			case errs[i] != nil:
				failed++
				first = errs[i]
			case c == notify.ClaimNew:
				news++
			case c == notify.ClaimBusy:
				busy++
			}
		}
		if failed > 0 {
			t.Errorf("RULE BROKEN — %s: %d of %d claims failed; one: %v", ruleAnswered, failed, len(claims), first)
		}
		return news, busy, first
	}

	news, busy, _ := tally(race(func(int) string { return "k" }, n))
	if news != 1 || busy != n-1 {
		t.Errorf("RULE BROKEN — %s: %d clients claimed one key at once: %d new, %d busy; want 1 new, %d busy", ruleOneWinner, n, news, busy, n-1)
	}

	// The claim holder crashed; half the clients race to take over.
	e.expireAll()
	news, busy, _ = tally(race(func(int) string { return "k" }, n/2))
	if news != 1 || busy != n/2-1 {
		t.Errorf("RULE BROKEN — %s: %d clients took over an expired claim at once: %d new, %d busy; want 1 new", ruleOneTakeover, n/2, news, busy)
	}

	news, _, _ = tally(race(func(i int) string { return fmt.Sprint("key-", i) }, n))
	if news != n {
		t.Errorf("RULE BROKEN — %s: %d clients claimed %d different keys at once: %d new", ruleKeys, n, n, news)
	}
}

func checkExpiry(t *testing.T, maker HarnessMaker) {
	t.Run("crashed claim", func(t *testing.T) {
		e := newEnv(t, maker, shortConfig)
		a, b := e.client(), e.client()
		start := time.Now()
		e.expect(a, "k", notify.ClaimNew, ruleNew)
		// The holder crashed: no Complete, no Release.
		e.expiresAfter(b, "k", start, e.cfg.ClaimTimeout, notify.ClaimBusy, ruleClaimExpires)
	})
	t.Run("done TTL", func(t *testing.T) {
		e := newEnv(t, maker, shortConfig)
		a, b := e.client(), e.client()
		tok := e.expect(a, "k", notify.ClaimNew, ruleNew)
		start := time.Now()
		e.ok(e.complete(a, "k", tok), ruleDone, "Complete by the owner")
		e.expiresAfter(b, "k", start, e.cfg.DoneTTL, notify.ClaimDone, ruleDoneTTL)
	})
	t.Run("done outlives the claim timeout", func(t *testing.T) {
		e := newEnv(t, maker, Config{ClaimTimeout: shortConfig.ClaimTimeout, DoneTTL: longConfig.DoneTTL})
		a, b := e.client(), e.client()
		start := time.Now()
		tok := e.expect(a, "k", notify.ClaimNew, ruleNew)
		// A claim taken with k's shows, on a server's clock, when the
		// claim timeout has passed.
		e.expect(a, "sentinel", notify.ClaimNew, ruleNew)
		e.ok(e.complete(a, "k", tok), ruleDone, "Complete by the owner")
		e.expiresAfter(b, "sentinel", start, e.cfg.ClaimTimeout, notify.ClaimBusy, ruleClaimExpires)
		e.expect(b, "k", notify.ClaimDone, ruleDoneOutlives)
	})
}

func checkContext(t *testing.T, maker HarnessMaker) {
	e := newEnv(t, maker, longConfig)
	a := e.client()
	tok := e.expect(a, "k", notify.ClaimNew, ruleNew)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	for _, tc := range []struct {
		ctx  context.Context
		want error
	}{{canceled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		for _, call := range []struct {
			name string
			f    func(ctx context.Context) error
		}{
			{"Claim", func(ctx context.Context) error { _, _, err := a.Claim(ctx, "other"); return err }},
			{"Complete", func(ctx context.Context) error { return a.Complete(ctx, "k", tok) }},
			{"Release", func(ctx context.Context) error { return a.Release(ctx, "k", tok) }},
		} {
			if err := e.doCtx(tc.ctx, call.name, call.f); !errors.Is(err, tc.want) {
				t.Errorf("RULE BROKEN — %s: %s with an ended context = %v, want an error wrapping %v", ruleContext, call.name, err, tc.want)
			}
		}
	}
}

func checkOutage(t *testing.T, maker HarnessMaker) {
	t.Run("store calls fail", func(t *testing.T) {
		e := newEnv(t, maker, longConfig)
		a := e.client()
		tok := e.expect(a, "k", notify.ClaimNew, ruleNew)
		e.outage()
		if c, _, err := e.claim(a, "other"); err == nil {
			t.Errorf("RULE BROKEN — %s: Claim during an outage = %v, nil", ruleOutage, c)
		}
		if err := e.complete(a, "k", tok); err == nil {
			t.Errorf("RULE BROKEN — %s: Complete during an outage = nil", ruleOutage)
		}
		if err := e.release(a, "k", tok); err == nil {
			t.Errorf("RULE BROKEN — %s: Release during an outage = nil", ruleOutage)
		}
	})
	t.Run("handler", func(t *testing.T) {
		e := newEnv(t, maker, longConfig)
		a := e.client()
		delivered := 0
		var outageErr error
		var out notify.Outcome
		h := notify.NewHandler(stubSource{}, func(ctx context.Context, ev payment.Event) error {
			delivered++
			// Mid-delivery, the store goes away.
			outageErr = e.h.Outage(ctx)
			return nil
		}, notify.WithStore(a), notify.WithStoreTimeout(callTimeout),
			notify.WithObserver(func(_ *http.Request, o notify.Outcome) { out = o }))
		serve := func() *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			_ = e.do("Handler.ServeHTTP", func(ctx context.Context) error {
				h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "POST", "/notify", strings.NewReader("P-1")))
				return nil
			})
			return rec
		}

		rec := serve()
		if errors.Is(outageErr, errors.ErrUnsupported) {
			t.Skipf("the harness cannot simulate an outage: %v", outageErr)
		} else if outageErr != nil {
			t.Fatalf("harness: Outage: %v", outageErr)
		}
		if rec.Body.String() == stubAck || out.Acked || rec.Code < 500 || !out.Delivered || !errors.Is(out.Err, notify.ErrStore) {
			t.Errorf("RULE BROKEN — %s: answered %d %q, outcome %+v; want a 5xx, not acknowledged, delivered, an error wrapping notify.ErrStore",
				ruleOutageNotAcked, rec.Code, rec.Body, out)
		}
		// The provider's retry reaches a store that is still away.
		rec = serve()
		if rec.Body.String() == stubAck || out.Acked || rec.Code < 500 || delivered != 1 || !errors.Is(out.Err, notify.ErrStore) {
			t.Errorf("RULE BROKEN — %s: answered %d %q after %d deliveries, outcome %+v; want a 5xx, not acknowledged, not delivered again",
				ruleOutageClaim, rec.Code, rec.Body, delivered, out)
		}
	})
}

// outage takes the store away, or skips the check if the harness cannot.
func (e *env) outage() {
	e.t.Helper()
	err := e.do("Outage", e.h.Outage)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		e.t.Skipf("the harness cannot simulate an outage: %v", err)
	case err != nil:
		e.t.Fatalf("harness: Outage: %v", err)
	}
}

const stubAck = "ACK"

// stubSource is a notify.Source whose notifications need no signature: the
// body is the payment's ID. The outage check uses it to see what the
// Handler answers when the store fails.
type stubSource struct{}

func (stubSource) Name() string { return "storetest" }

func (stubSource) VerifyNotification(http.Header, string, []byte) (time.Time, error) {
	return time.Now(), nil
}

func (stubSource) ParseNotification(body []byte) (payment.Event, error) {
	id := string(body)
	return payment.Event{
		Key:      payment.EventKey("storetest", payment.EventPayment, id, string(payment.StatusSucceeded)),
		Kind:     payment.EventPayment,
		Provider: "storetest",
		Payment:  &payment.Payment{Provider: "storetest", PaymentID: id, Status: payment.StatusSucceeded},
	}, nil
}

func (stubSource) Acknowledgement() (int, string, []byte) {
	return http.StatusOK, "text/plain", []byte(stubAck)
}
