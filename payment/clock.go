package payment

import "time"

// Clock tells the time and waits. Adapters, the retry policy, Resolve and
// AwaitFinal take one so that tests can control time instead of sleeping;
// nil means the system clock.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has passed,
	// like time.After.
	After(d time.Duration) <-chan time.Time
}

// SystemClock returns the real clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// OrSystem returns c, or the system clock if c is nil.
func OrSystem(c Clock) Clock {
	if c == nil {
		return systemClock{}
	}
	return c
}
