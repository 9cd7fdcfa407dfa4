package notify_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
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
	claim := func(want notify.Claim) {
		t.Helper()
		if got, err := s.Claim(ctx, "k"); err != nil || got != want {
			t.Fatalf("Claim = %v, %v; want %v", got, err, want)
		}
	}
	claim(notify.ClaimNew)
	claim(notify.ClaimBusy)
	_ = s.Release(ctx, "k")
	claim(notify.ClaimNew) // a failed delivery does not block the retry
	_ = s.Complete(ctx, "k")
	claim(notify.ClaimDone)
	clk.Advance(time.Hour)
	claim(notify.ClaimNew) // forgotten after the TTL
	clk.Advance(time.Minute)
	claim(notify.ClaimNew) // an abandoned claim times out
}

func TestMemoryStoreIsBounded(t *testing.T) {
	s := notify.NewMemoryStore(notify.MemoryStoreOptions{Capacity: 100})
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		k := fmt.Sprint("k", i)
		_, _ = s.Claim(ctx, k)
		_ = s.Complete(ctx, k)
	}
	if n := s.Len(); n > 100 {
		t.Fatalf("store holds %d keys, capacity 100", n)
	}
	if c, _ := s.Claim(ctx, "k999"); c != notify.ClaimDone {
		t.Fatalf("the newest key was evicted: %v", c)
	}
}
