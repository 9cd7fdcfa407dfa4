package notify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Claim is the answer of Store.Claim.
type Claim int

// The claims.
const (
	// ClaimNew: the caller now owns the delivery of the key, and holds the
	// Token that Complete and Release require.
	ClaimNew Claim = iota + 1
	// ClaimDone: the key was delivered before; acknowledge without
	// delivering.
	ClaimDone
	// ClaimBusy: another delivery of the key is under way; answer so that
	// the provider retries later.
	ClaimBusy
)

// String returns "new", "done" or "busy".
func (c Claim) String() string {
	switch c {
	case ClaimNew:
		return "new"
	case ClaimDone:
		return "done"
	case ClaimBusy:
		return "busy"
	}
	return "Claim(" + strconv.Itoa(int(c)) + ")"
}

// Token identifies one claim of a key: Claim hands it to the new holder, and
// only that holder's Complete and Release act on the key. Without it, a
// delivery that outlived its claim timeout would release or complete the
// claim of the delivery that took over from it.
type Token string

// NewToken returns a random token (130 bits) for a new claim. Stores use it
// so that tokens never repeat across instances.
func NewToken() Token { return Token(rand.Text()) }

// ErrNotOwner is the error of Complete and Release, matched with errors.Is,
// when the key is claimed or done under another token: the caller's claim
// timed out and another delivery took the key over. The store is unchanged.
var ErrNotOwner = errors.New("notify: claim not held by this token")

// Store de-duplicates events by Event.Key across deliveries, retries and —
// with a shared store (packages notify/redisstore, notify/pgstore) — across
// the instances of a platform.
//
// A key is absent, claimed (busy, under one token, until the claim timeout)
// or done (until the done TTL). A claim or done key whose time has passed
// counts as absent. Every method is atomic, also across the clients of a
// shared store:
//
//   - Claim: an absent key becomes claimed under a fresh token and the
//     answer is ClaimNew with that token; otherwise ClaimBusy or ClaimDone
//     and no token.
//   - Complete(key, token): the key becomes done under token with a fresh
//     TTL if it is absent, claimed under token or done under token (so that
//     completing twice, after an error whose outcome is unknown, is
//     harmless). Otherwise it returns ErrNotOwner.
//   - Release(key, token): a key claimed under token becomes absent; an
//     absent key is left so and nil returned. Otherwise — another token's
//     claim, or a done key — it returns ErrNotOwner: a release never undoes
//     a delivery.
//
// Errors other than ErrNotOwner mean the store could not answer (a network
// or server failure, the context's end); the Handler then answers an error
// so that the provider retries. Package notify/storetest checks a store
// against this contract.
//
// The claim timeout must outlast a delivery, and the done TTL the provider's
// retry window (AlphaPay and Alipay+ wallets retry for 24 hours).
type Store interface {
	// Claim marks key as being delivered, unless it is already done or
	// being delivered. The token is set only for ClaimNew.
	Claim(ctx context.Context, key string) (Claim, Token, error)
	// Complete marks key as delivered by the holder of token.
	Complete(ctx context.Context, key string, token Token) error
	// Release drops token's claim after a failed delivery, so that a retry
	// can deliver the key.
	Release(ctx context.Context, key string, token Token) error
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
	token   Token
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

// liveLocked returns key's entry unless it is absent or its time has passed.
func (s *MemoryStore) liveLocked(key string, now time.Time) *entry {
	if e, ok := s.entries[key]; ok && now.Before(e.expires) {
		return e
	}
	return nil
}

// Claim implements Store.
func (s *MemoryStore) Claim(ctx context.Context, key string) (Claim, Token, error) {
	if err := ctx.Err(); err != nil {
		return 0, "", fmt.Errorf("notify: claim %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock.Now()
	if e := s.liveLocked(key, now); e != nil {
		if e.done {
			return ClaimDone, "", nil
		}
		return ClaimBusy, "", nil
	}
	tok := NewToken()
	s.putLocked(key, &entry{token: tok, expires: now.Add(s.opts.ClaimTimeout)}, now)
	return ClaimNew, tok, nil
}

// Complete implements Store.
func (s *MemoryStore) Complete(ctx context.Context, key string, token Token) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: complete %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock.Now()
	if e := s.liveLocked(key, now); e != nil && e.token != token {
		return fmt.Errorf("notify: complete %q: %w", key, ErrNotOwner)
	}
	s.putLocked(key, &entry{done: true, token: token, expires: now.Add(s.opts.TTL)}, now)
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(ctx context.Context, key string, token Token) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: release %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	switch {
	case !ok:
	case !e.done && e.token == token:
		// Ours, even if its time has passed: nobody took it over.
		delete(s.entries, key)
	case s.liveLocked(key, s.opts.Clock.Now()) != nil:
		return fmt.Errorf("notify: release %q: %w", key, ErrNotOwner)
	}
	return nil
}

// putLocked sets key's entry, making room for a key the store does not hold.
func (s *MemoryStore) putLocked(key string, e *entry, now time.Time) {
	if _, ok := s.entries[key]; !ok {
		s.makeRoomLocked(now)
		s.order = append(s.order, key)
	}
	s.entries[key] = e
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
