package notify

import (
	"context"
	"sync"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Claim is the answer of Store.Claim.
type Claim int

// The claims.
const (
	// ClaimNew: the caller now owns the delivery of the key.
	ClaimNew Claim = iota + 1
	// ClaimDone: the key was delivered before; acknowledge without
	// delivering.
	ClaimDone
	// ClaimBusy: another delivery of the key is under way; answer so that
	// the provider retries later.
	ClaimBusy
)

// Store de-duplicates events by Event.Key across deliveries, retries and —
// with a shared implementation — across the instances of a platform.
//
// A shared store implements the three methods atomically:
//
//   - Redis: Claim is SET key "busy" NX PX <claim timeout>; if that fails,
//     GET tells done from busy. Complete is SET key "done" PX <ttl>. Release
//     is DEL key only if its value is still "busy" (a small Lua script).
//   - SQL: a table (key PRIMARY KEY, state, expires_at). Claim is INSERT …
//     ON CONFLICT DO UPDATE SET state='busy', expires_at=… WHERE
//     expires_at < now() RETURNING state — no row returned means another
//     holder; then SELECT state. Complete is UPDATE … SET state='done',
//     expires_at=now()+ttl. Release is DELETE … WHERE state='busy'.
//
// The claim timeout must outlast a delivery, and the done TTL the provider's
// retry window (AlphaPay retries for 24 hours).
type Store interface {
	// Claim marks key as being delivered, unless it is already done or
	// being delivered.
	Claim(ctx context.Context, key string) (Claim, error)
	// Complete marks key as delivered.
	Complete(ctx context.Context, key string) error
	// Release drops a claim after a failed delivery, so that a retry can
	// deliver the key.
	Release(ctx context.Context, key string) error
}

// MemoryStoreOptions configures NewMemoryStore.
type MemoryStoreOptions struct {
	// Capacity bounds how many keys are kept; the oldest done keys are
	// dropped first when it is reached. Default 100,000.
	Capacity int
	// TTL is how long a done key is remembered. Default 48 hours, beyond
	// the providers' retry windows.
	TTL time.Duration
	// ClaimTimeout frees a claim whose holder never completed or released
	// it (a crashed delivery). Default 5 minutes.
	ClaimTimeout time.Duration
	// Clock defaults to the system clock.
	Clock payment.Clock
}

// MemoryStore is a bounded in-memory Store with expiry, for a platform that
// runs one instance. It is safe for concurrent use.
type MemoryStore struct {
	opts    MemoryStoreOptions
	mu      sync.Mutex
	entries map[string]*entry
	order   []string // insertion order, for eviction
}

type entry struct {
	done    bool
	expires time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryStoreOptions) *MemoryStore {
	if opts.Capacity <= 0 {
		opts.Capacity = 100_000
	}
	if opts.TTL <= 0 {
		opts.TTL = 48 * time.Hour
	}
	if opts.ClaimTimeout <= 0 {
		opts.ClaimTimeout = 5 * time.Minute
	}
	opts.Clock = payment.OrSystem(opts.Clock)
	return &MemoryStore{opts: opts, entries: map[string]*entry{}}
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, key string) (Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock.Now()
	if e, ok := s.entries[key]; ok && now.Before(e.expires) {
		if e.done {
			return ClaimDone, nil
		}
		return ClaimBusy, nil
	}
	s.makeRoomLocked(now)
	if _, ok := s.entries[key]; !ok {
		s.order = append(s.order, key)
	}
	s.entries[key] = &entry{expires: now.Add(s.opts.ClaimTimeout)}
	return ClaimNew, nil
}

// Complete implements Store.
func (s *MemoryStore) Complete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock.Now()
	if _, ok := s.entries[key]; !ok {
		s.makeRoomLocked(now)
		s.order = append(s.order, key)
	}
	s.entries[key] = &entry{done: true, expires: now.Add(s.opts.TTL)}
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[key]; ok && !e.done {
		delete(s.entries, key)
	}
	return nil
}

// Len returns how many keys the store holds.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// makeRoomLocked drops expired keys and, at capacity, the oldest keys —
// done ones first, so that a delivery in progress keeps its claim.
func (s *MemoryStore) makeRoomLocked(now time.Time) {
	if len(s.order) < s.opts.Capacity && len(s.order) < 2*len(s.entries)+16 {
		return
	}
	keep := s.order[:0]
	seen := make(map[string]bool, len(s.entries))
	for _, k := range s.order {
		e, ok := s.entries[k]
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		if !now.Before(e.expires) {
			delete(s.entries, k)
			continue
		}
		keep = append(keep, k)
	}
	s.order = keep
	for i := 0; len(s.entries) >= s.opts.Capacity && i < len(s.order); i++ {
		k := s.order[i]
		if e := s.entries[k]; e != nil && e.done {
			delete(s.entries, k)
		}
	}
	if len(s.entries) >= s.opts.Capacity {
		// Only claims left: drop the oldest rather than grow without bound.
		for _, k := range s.order {
			if len(s.entries) < s.opts.Capacity {
				break
			}
			delete(s.entries, k)
		}
	}
	keep = s.order[:0]
	for _, k := range s.order {
		if _, ok := s.entries[k]; ok {
			keep = append(keep, k)
		}
	}
	s.order = keep
}
