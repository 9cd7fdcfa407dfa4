package notify_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/notify"
)

func mustKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestMemoryStoreClaimCompleteRelease(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	s := notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: clk, TTL: time.Hour, ClaimTimeout: time.Minute})
	ctx := context.Background()
	claim := func(want notify.Claim) notify.Token {
		t.Helper()
		got, tok, err := s.Claim(ctx, "k")
		if err != nil || got != want || (tok != "") != (want == notify.ClaimNew) {
			t.Fatalf("Claim = %v, %q, %v; want %v", got, tok, err, want)
		}
		return tok
	}
	tok := claim(notify.ClaimNew)
	claim(notify.ClaimBusy)
	if err := s.Release(ctx, "k", tok); err != nil {
		t.Fatal(err)
	}
	tok = claim(notify.ClaimNew) // a failed delivery does not block the retry
	if err := s.Complete(ctx, "k", tok); err != nil {
		t.Fatal(err)
	}
	claim(notify.ClaimDone)
	clk.Advance(time.Hour)
	claim(notify.ClaimNew) // forgotten after the TTL
	clk.Advance(time.Minute)
	claim(notify.ClaimNew) // an abandoned claim times out
}

// A delivery that outlives its claim timeout lets a second one in; the late
// first holder can then neither release nor complete the second one's
// claim. (Before claims had tokens, A's Release dropped B's claim and a
// third delivery C started while B was still delivering.)
func TestMemoryStoreLateHolderIsNotTheOwner(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	s := notify.NewMemoryStore(notify.MemoryStoreOptions{Clock: clk, ClaimTimeout: time.Minute})
	ctx := context.Background()
	_, a, _ := s.Claim(ctx, "k")
	clk.Advance(time.Minute) // A is slow
	c, b, _ := s.Claim(ctx, "k")
	if c != notify.ClaimNew || b == a {
		t.Fatalf("B's claim = %v, token %q (A's %q)", c, b, a)
	}
	if err := s.Release(ctx, "k", a); !errors.Is(err, notify.ErrNotOwner) {
		t.Fatalf("A's late Release = %v; want ErrNotOwner", err)
	}
	if err := s.Complete(ctx, "k", a); !errors.Is(err, notify.ErrNotOwner) {
		t.Fatalf("A's late Complete = %v; want ErrNotOwner", err)
	}
	if c, _, _ := s.Claim(ctx, "k"); c != notify.ClaimBusy {
		t.Fatalf("C's claim = %v while B is delivering; want busy", c)
	}
	if err := s.Complete(ctx, "k", b); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := s.Claim(ctx, "k"); c != notify.ClaimDone {
		t.Fatalf("after B completed: %v", c)
	}
}

func TestMemoryStoreIsBounded(t *testing.T) {
	s := notify.NewMemoryStore(notify.MemoryStoreOptions{Capacity: 100})
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		k := fmt.Sprint("k", i)
		_, tok, _ := s.Claim(ctx, k)
		_ = s.Complete(ctx, k, tok)
	}
	if n := s.Len(); n > 100 {
		t.Fatalf("store holds %d keys, capacity 100", n)
	}
	if c, _, _ := s.Claim(ctx, "k999"); c != notify.ClaimDone {
		t.Fatalf("the newest key was evicted: %v", c)
	}
}
