package journal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// MemoryOption configures NewMemory.
type MemoryOption func(*Memory)

// WithClock sets the clock that stamps entries and ages them (default the
// system clock).
func WithClock(c payment.Clock) MemoryOption { return func(m *Memory) { m.clock = c } }

// Memory is a Store in the process: for tests, and for a platform that
// runs one instance and wants an unknown outcome found by the Reconciler
// rather than by a person (it does not survive the process). It is safe for
// concurrent use. Settled entries are kept until Cleanup.
type Memory struct {
	clock payment.Clock

	mu      sync.Mutex
	next    int
	entries map[ID]*memEntry
	byKey   map[memKey]ID
}

type memKey struct{ provider, op, requestID, hash string }

// memEntry keeps the request encoded, as a database would: what is read
// back is what MarshalRequest kept, never the caller's pointers.
type memEntry struct {
	rec     Record
	request []byte
}

// NewMemory returns an empty journal.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{entries: map[ID]*memEntry{}, byKey: map[memKey]ID{}}
	for _, o := range opts {
		o(m)
	}
	m.clock = payment.OrSystem(m.clock)
	return m
}

// Begin implements Journal.
func (m *Memory) Begin(ctx context.Context, e Entry) (ID, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("journal: begin: %w", err)
	}
	if err := e.Check(); err != nil {
		return "", err
	}
	b, err := MarshalRequest(e.Request)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	k := memKey{e.Provider, e.Op, e.RequestID, e.BodyHash}
	if id, ok := m.byKey[k]; ok {
		me := m.entries[id]
		if !me.rec.IsOpen() {
			me.rec.StartedAt, me.rec.SettledAt, me.rec.Outcome = now, time.Time{}, nil
		}
		me.request = b
		return id, nil
	}
	m.next++
	id := ID(strconv.Itoa(m.next))
	e.Request = Request{}
	m.entries[id] = &memEntry{rec: Record{ID: id, Entry: e, StartedAt: now}, request: b}
	m.byKey[k] = id
	return id, nil
}

// Settle implements Journal.
func (m *Memory) Settle(ctx context.Context, id ID, o Outcome) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("journal: settle: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	me := m.entries[id]
	if me == nil || !me.rec.IsOpen() {
		return nil
	}
	me.rec.SettledAt = m.clock.Now()
	me.rec.Outcome = &o
	return nil
}

// Open implements Store.
func (m *Memory) Open(ctx context.Context, q Query) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("journal: open: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cutoff := m.clock.Now().Add(-q.MinAge)
	var out []Record
	for _, me := range m.entries {
		if me.rec.IsOpen() && (q.Provider == "" || me.rec.Provider == q.Provider) && !me.rec.StartedAt.After(cutoff) {
			r, err := me.record()
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	sortRecords(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Find implements Store.
func (m *Memory) Find(ctx context.Context, provider, op, requestID string) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("journal: find: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, me := range m.entries {
		if me.rec.Provider == provider && me.rec.Op == op && me.rec.RequestID == requestID {
			r, err := me.record()
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	sortRecords(out)
	return out, nil
}

// Backlog implements Store.
func (m *Memory) Backlog(ctx context.Context) (Backlog, error) {
	if err := ctx.Err(); err != nil {
		return Backlog{}, fmt.Errorf("journal: backlog: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var b Backlog
	now := m.clock.Now()
	for _, me := range m.entries {
		if me.rec.IsOpen() {
			b.Open++
			b.OldestAge = max(b.OldestAge, now.Sub(me.rec.StartedAt))
		}
	}
	return b, nil
}

// Cleanup deletes the entries settled at least retention ago and returns
// how many it deleted. Open entries are never deleted.
func (m *Memory) Cleanup(ctx context.Context, retention time.Duration) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("journal: cleanup: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cutoff := m.clock.Now().Add(-retention)
	n := 0
	for id, me := range m.entries {
		if !me.rec.IsOpen() && !me.rec.SettledAt.After(cutoff) {
			delete(m.entries, id)
			delete(m.byKey, memKey{me.rec.Provider, me.rec.Op, me.rec.RequestID, me.rec.BodyHash})
			n++
		}
	}
	return n, nil
}

// Len returns how many entries the journal holds, open or settled.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (me *memEntry) record() (Record, error) {
	r := me.rec
	req, err := UnmarshalRequest(me.request)
	if err != nil {
		return Record{}, err
	}
	r.Request = req
	if r.Outcome != nil {
		o := *r.Outcome
		r.Outcome = &o
	}
	return r, nil
}

// sortRecords orders records oldest first, then by ID, so that answers are
// stable.
func sortRecords(rs []Record) {
	slices.SortFunc(rs, func(a, b Record) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		ai, _ := strconv.Atoi(string(a.ID))
		bi, _ := strconv.Atoi(string(b.ID))
		return ai - bi
	})
}

var _ Store = (*Memory)(nil)
