package clock

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestManualFiresOnlyWhenDue(t *testing.T) {
	f := NewFake(t0)
	a := f.After(2 * time.Second)
	b := f.After(1 * time.Second)
	f.Advance(time.Second)
	select {
	case got := <-b:
		if !got.Equal(t0.Add(time.Second)) {
			t.Fatalf("b fired at %v", got)
		}
	default:
		t.Fatal("b did not fire after 1s")
	}
	select {
	case <-a:
		t.Fatal("a fired early")
	default:
	}
	f.Advance(time.Second)
	select {
	case <-a:
	default:
		t.Fatal("a did not fire after 2s")
	}
	if f.Waiters() != 0 {
		t.Fatalf("waiters left: %d", f.Waiters())
	}
}

func TestAutoAdvancesAndRecords(t *testing.T) {
	f := NewAuto(t0)
	<-f.After(3 * time.Second)
	<-f.After(time.Second)
	if got := f.Now(); !got.Equal(t0.Add(4 * time.Second)) {
		t.Fatalf("now = %v", got)
	}
	if w := f.Waits(); len(w) != 2 || w[0] != 3*time.Second || w[1] != time.Second {
		t.Fatalf("waits = %v", w)
	}
}

func TestBlockUntilWaiters(t *testing.T) {
	f := NewFake(t0)
	done := make(chan struct{})
	go func() {
		<-f.After(time.Minute)
		close(done)
	}()
	f.BlockUntilWaiters(1)
	f.Advance(time.Minute)
	<-done
}

func TestZeroDurationFiresAtOnce(t *testing.T) {
	f := NewFake(t0)
	select {
	case <-f.After(0):
	default:
		t.Fatal("After(0) did not fire")
	}
}
