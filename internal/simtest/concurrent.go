package simtest

import (
	"sync"
	"sync/atomic"
	"testing"
)

// Concurrently runs f(0) … f(n-1) at once and waits for them all.
func Concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

// CheckConcurrentPays sends 16 identical pay requests at once; pay sends
// one and returns the payment ID answered (it checks the answer's result
// itself). It fails t unless all name the same payment and one order was
// made.
func CheckConcurrentPays(t *testing.T, pay func(i int) (paymentID string), orders func() int) {
	t.Helper()
	ids := make([]string, 16)
	Concurrently(len(ids), func(i int) { ids[i] = pay(i) })
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent identical pays answered different payments: %v", ids)
		}
	}
	if n := orders(); n != 1 {
		t.Fatalf("Orders = %d, want 1", n)
	}
}

// CheckConcurrentRefunds sends 16 different refunds of 3.00 of a paid
// 19.99 payment at once; refund sends refund i and reports whether it
// succeeded (it fails t on an answer that is neither a success nor the
// protocol's refusal of the amount). It fails t unless exactly 6 did.
func CheckConcurrentRefunds(t *testing.T, refund func(i int) (ok bool)) {
	t.Helper()
	var succeeded atomic.Int32
	Concurrently(16, func(i int) {
		if refund(i) {
			succeeded.Add(1)
		}
	})
	if n := succeeded.Load(); n != 6 { // 6 × 3.00 = 18.00 <= 19.99 < 21.00
		t.Errorf("%d refunds of 3.00 succeeded on 19.99, want 6", n)
	}
}
