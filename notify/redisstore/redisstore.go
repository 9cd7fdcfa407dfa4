// Package redisstore is a notify.Store on Redis, shared by the instances of
// a platform so that a notification is delivered once across them.
//
// Each event key is one Redis string, KeyPrefix + key, whose value is
// "busy:<token>" or "done:<token>" and whose expiry (PX) is the claim
// timeout or the done TTL. Redis forgets crashed claims and old done keys
// by itself, on its own clock, which every instance shares — the instances'
// clocks need not agree. Every call is one Lua script, so one round trip
// and atomic:
//
//   - Claim is SET NX PX with the claim's token; when the key exists, the
//     same script reads whether it is busy or done.
//   - Complete sets the key done, with the done TTL, only if it is absent
//     or held under the caller's token; Release deletes it only if it is
//     claimed under the caller's token. A delivery that outlived its claim
//     therefore gets notify.ErrNotOwner instead of completing or releasing
//     the claim of the delivery that took over.
//
// Give the client ContextTimeoutEnabled, so that a call ends with its
// context's deadline rather than the client's read timeout.
//
// Each call touches one key, so a Redis Cluster works as well. Redis
// replicates asynchronously: a claim that a failing primary did not pass to
// its replica is lost, and a duplicate may then be delivered twice (deliver
// should be idempotent on Event.Key for this and other reasons).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paybridge/paybridge/notify"
)

// Defaults of Options.
const (
	DefaultClaimTimeout = 5 * time.Minute
	DefaultDoneTTL      = 48 * time.Hour
	DefaultKeyPrefix    = "paybridge:notify:"
)

// Options configures a Store.
type Options struct {
	// ClaimTimeout frees the claim of a delivery that never completed or
	// released it (its instance crashed). It must outlast the slowest
	// delivery: a claim that times out mid-delivery lets a duplicate in.
	// Default DefaultClaimTimeout.
	ClaimTimeout time.Duration
	// DoneTTL is how long a delivered key is remembered. It must outlast
	// the providers' retry windows (24 hours for AlphaPay and Alipay+
	// wallets). Default DefaultDoneTTL.
	DoneTTL time.Duration
	// KeyPrefix is put before every event key, to keep the store's keys
	// apart from others in the database. Default DefaultKeyPrefix.
	KeyPrefix string
}

// Store is a notify.Store on Redis. It is safe for concurrent use, and so
// are any number of Stores, in any number of processes, on one database
// with one KeyPrefix.
type Store struct {
	rdb     redis.Scripter
	prefix  string
	claimMS int64 // Redis counts in milliseconds
	doneMS  int64
}

// New returns a Store on rdb — a *redis.Client, *redis.ClusterClient or
// *redis.Ring.
func New(rdb redis.Scripter, opts Options) *Store {
	if opts.ClaimTimeout <= 0 {
		opts.ClaimTimeout = DefaultClaimTimeout
	}
	if opts.DoneTTL <= 0 {
		opts.DoneTTL = DefaultDoneTTL
	}
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = DefaultKeyPrefix
	}
	return &Store{rdb: rdb, prefix: opts.KeyPrefix, claimMS: millis(opts.ClaimTimeout), doneMS: millis(opts.DoneTTL)}
}

// millis rounds d up to whole milliseconds, Redis's unit, and to at least
// one: PX 0 is an error.
func millis(d time.Duration) int64 {
	return max(1, int64((d+time.Millisecond-1)/time.Millisecond))
}

// The scripts. KEYS[1] is the key; ARGV[1] the token; ARGV[2] a time in
// milliseconds. Values are "busy:<token>" and "done:<token>".
var (
	claimScript = redis.NewScript(`
if redis.call('SET', KEYS[1], 'busy:' .. ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 'new'
end
local v = redis.call('GET', KEYS[1])
if not v then
  return 'gone'
end
return string.sub(v, 1, 4)
`)
	completeScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and v ~= 'busy:' .. ARGV[1] and v ~= 'done:' .. ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], 'done:' .. ARGV[1], 'PX', ARGV[2])
return 1
`)
	releaseScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
  return 1
end
if v == 'busy:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)
)

// claimTries bounds Claim's retries when the key it found existing expired
// before it could read it — which Redis, whose scripts see one instant,
// should never let happen.
const claimTries = 3

// Claim implements notify.Store.
func (s *Store) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	if err := ctx.Err(); err != nil {
		return 0, "", fmt.Errorf("redisstore: claim %q: %w", key, err)
	}
	for range claimTries {
		tok := notify.NewToken()
		res, err := claimScript.Run(ctx, s.rdb, []string{s.prefix + key}, string(tok), s.claimMS).Text()
		if err != nil {
			return 0, "", fmt.Errorf("redisstore: claim %q: %w", key, err)
		}
		switch res {
		case "new":
			return notify.ClaimNew, tok, nil
		case "busy":
			return notify.ClaimBusy, "", nil
		case "done":
			return notify.ClaimDone, "", nil
		case "gone":
			continue
		default:
			return 0, "", fmt.Errorf("redisstore: claim %q: %w", key, errForeign)
		}
	}
	return 0, "", fmt.Errorf("redisstore: claim %q: the key kept vanishing", key)
}

// errForeign: a key under the prefix that this package did not write.
var errForeign = errors.New("the key holds a value this store did not write (another application under the same key prefix?)")

// Complete implements notify.Store.
func (s *Store) Complete(ctx context.Context, key string, token notify.Token) error {
	return s.compare(ctx, "complete", completeScript, key, token, s.doneMS)
}

// Release implements notify.Store.
func (s *Store) Release(ctx context.Context, key string, token notify.Token) error {
	return s.compare(ctx, "release", releaseScript, key, token, 0)
}

// compare runs a compare-and-write script, which answers 1 if it wrote (or
// had nothing to do) and 0 if the key is another token's.
func (s *Store) compare(ctx context.Context, op string, script *redis.Script, key string, token notify.Token, ms int64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: %s %q: %w", op, key, err)
	}
	n, err := script.Run(ctx, s.rdb, []string{s.prefix + key}, string(token), ms).Int()
	switch {
	case err != nil:
		return fmt.Errorf("redisstore: %s %q: %w", op, key, err)
	case n == 0:
		return fmt.Errorf("redisstore: %s %q: %w", op, key, notify.ErrNotOwner)
	}
	return nil
}

var _ notify.Store = (*Store)(nil)
