package payment_test

import (
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
)

func maxJitter(n int64) int64  { return n - 1 }
func zeroJitter(n int64) int64 { return 0 }

func TestRetryPolicyDefaults(t *testing.T) {
	p := payment.RetryPolicy{}.WithDefaults()
	if p.MaxAttempts != 4 || p.BaseWait != 250*time.Millisecond || p.MaxWait != 5*time.Second || p.MaxElapsed != 30*time.Second {
		t.Fatalf("defaults = %+v", p)
	}
}

func TestRetryPolicyFullJitterCeilingsDoubleUpToMaxWait(t *testing.T) {
	p := payment.RetryPolicy{MaxAttempts: 10, BaseWait: 100 * time.Millisecond, MaxWait: time.Second, MaxElapsed: time.Hour}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		got, ok := p.Wait(i+1, 0, 0, maxJitter)
		if !ok || got != w*time.Millisecond {
			t.Errorf("retry %d: wait %v, %v; want %v", i+1, got, ok, w*time.Millisecond)
		}
		if low, _ := p.Wait(i+1, 0, 0, zeroJitter); low != 0 {
			t.Errorf("retry %d: full jitter must reach zero, got %v", i+1, low)
		}
	}
}

func TestRetryPolicyBoundsAttempts(t *testing.T) {
	p := payment.RetryPolicy{MaxAttempts: 3}
	if _, ok := p.Wait(2, 0, 0, zeroJitter); !ok {
		t.Fatal("retry 2 of 3 attempts refused")
	}
	if _, ok := p.Wait(3, 0, 0, zeroJitter); ok {
		t.Fatal("a fourth attempt was allowed")
	}
	if _, ok := (payment.RetryPolicy{MaxAttempts: 1}).Wait(1, 0, 0, zeroJitter); ok {
		t.Fatal("MaxAttempts 1 still retries")
	}
}

func TestRetryPolicyHonoursRetryAfter(t *testing.T) {
	p := payment.RetryPolicy{BaseWait: 100 * time.Millisecond, MaxWait: 5 * time.Second}
	got, ok := p.Wait(1, 2*time.Second, 0, zeroJitter)
	if !ok || got != 2*time.Second {
		t.Fatalf("Retry-After 2s: wait %v, %v", got, ok)
	}
	if _, ok := p.Wait(1, 6*time.Second, 0, zeroJitter); ok {
		t.Fatal("a Retry-After beyond MaxWait must stop retrying, not retry early")
	}
}

func TestRetryPolicyStopsAtMaxElapsed(t *testing.T) {
	p := payment.RetryPolicy{MaxElapsed: time.Second, BaseWait: 500 * time.Millisecond}
	if _, ok := p.Wait(1, 0, 900*time.Millisecond, maxJitter); ok {
		t.Fatal("waiting past MaxElapsed was allowed")
	}
	if _, ok := p.Wait(1, 0, 100*time.Millisecond, maxJitter); !ok {
		t.Fatal("a wait inside MaxElapsed was refused")
	}
}
