package payment

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds the attempts of one call and spaces them out. It is the
// one retry policy every adapter uses (through paybridge's transport) and that
// Resolve uses between inquiries.
//
// A retry always re-sends the same request ID and the same body bytes, so it
// can never charge twice; the policy only decides how long to keep trying.
// The zero value means the defaults.
type RetryPolicy struct {
	// MaxAttempts is the most attempts of one call, the first included.
	// Default 4; 1 turns retries off.
	MaxAttempts int
	// BaseWait is the ceiling of the first wait; each later ceiling doubles,
	// up to MaxWait. The wait itself is drawn uniformly between zero and the
	// ceiling ("full jitter"), so that many clients recovering from the same
	// outage do not retry in step. Default 250ms.
	BaseWait time.Duration
	// MaxWait caps one wait. A provider's Retry-After is honoured as a
	// lower bound; if it asks for more than MaxWait the call stops retrying
	// rather than retry early. Default 5s.
	MaxWait time.Duration
	// MaxElapsed stops retrying once this much time has passed since the
	// first attempt (the context may end the call sooner). Default 30s.
	MaxElapsed time.Duration
}

// The defaults of RetryPolicy.
const (
	DefaultMaxAttempts = 4
	DefaultBaseWait    = 250 * time.Millisecond
	DefaultMaxWait     = 5 * time.Second
	DefaultMaxElapsed  = 30 * time.Second
)

// WithDefaults returns p with every zero field set to its default.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseWait <= 0 {
		p.BaseWait = DefaultBaseWait
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.MaxWait < p.BaseWait {
		p.MaxWait = p.BaseWait
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	return p
}

// Wait returns how long to wait before retry number retry (1 for the first
// retry) and whether to retry at all. retryAfter is the provider's
// Retry-After, or 0. elapsed is the time since the first attempt. jitter
// draws a number in [0, n); nil means math/rand/v2.
func (p RetryPolicy) Wait(retry int, retryAfter, elapsed time.Duration, jitter func(n int64) int64) (time.Duration, bool) {
	p = p.WithDefaults()
	if retry < 1 || retry >= p.MaxAttempts || retryAfter > p.MaxWait {
		return 0, false
	}
	ceiling := p.BaseWait
	for i := 1; i < retry && ceiling < p.MaxWait; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.MaxWait)
	if jitter == nil {
		jitter = rand.Int64N
	}
	wait := time.Duration(jitter(int64(ceiling) + 1))
	wait = max(wait, retryAfter)
	if elapsed+wait > p.MaxElapsed {
		return 0, false
	}
	return wait, true
}
