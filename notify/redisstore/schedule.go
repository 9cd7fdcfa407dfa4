package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paybridge/paybridge/notify"
)

// DefaultSchedulePrefix is ScheduleOptions.KeyPrefix's default.
const DefaultSchedulePrefix = "paybridge:reconcile:"

// ScheduleOptions configures a Schedule.
type ScheduleOptions struct {
	// KeyPrefix is put before every item's keys. Default
	// DefaultSchedulePrefix.
	KeyPrefix string
	// IdleTTL is how long an item is kept after its wait is over if no
	// Reconciler acquires or forgets it. Default notify.DefaultIdleTTL.
	IdleTTL time.Duration
}

// Schedule is a notify.Schedule on Redis, shared by the Reconcilers of a
// platform's instances: one instance at a time settles an item, and the
// intervals survive a restart.
//
// Each item is two keys with one hash tag, so a Redis Cluster keeps them in
// one slot: KeyPrefix+"{"+item+"}:hold", a string "lease:<token>" that
// expires with the lease or "wait" that expires with the wait — the item is
// due when it is absent —, and KeyPrefix+"{"+item+"}:tries", a hash of the
// tries and the last lease's token that expires the idle TTL after the
// wait. Every call is one Lua script on Redis's clock.
type Schedule struct {
	rdb    redis.Scripter
	prefix string
	idleMS int64
}

// NewSchedule returns a Schedule on rdb.
func NewSchedule(rdb redis.Scripter, opts ScheduleOptions) *Schedule {
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = DefaultSchedulePrefix
	}
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = notify.DefaultIdleTTL
	}
	return &Schedule{rdb: rdb, prefix: opts.KeyPrefix, idleMS: millis(opts.IdleTTL)}
}

// KEYS[1] is the hold key, KEYS[2] the tries hash.
var (
	// ARGV: token, lease ms, idle ms. Answers {held, tries, wait ms,
	// busy}.
	acquireScript = redis.NewScript(`
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 then
  local busy = 0
  if string.sub(redis.call('GET', KEYS[1]) or '', 1, 6) == 'lease:' then
    busy = 1
  end
  return {0, 0, ttl, busy}
end
if ttl == -1 then
  return redis.error_reply('the key holds a value this schedule did not write')
end
redis.call('SET', KEYS[1], 'lease:' .. ARGV[1], 'PX', ARGV[2])
local n = tonumber(redis.call('HGET', KEYS[2], 'tries') or '0') or 0
redis.call('HSET', KEYS[2], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]))
return {1, n, 0, 0}
`)
	// ARGV: token, tries, wait ms, idle ms. Answers 1, or 0 for another
	// token's item. A lease whose time has passed is still its holder's
	// while nobody acquired the item again: the hash remembers its token.
	deferScript = redis.NewScript(`
local hold = redis.call('GET', KEYS[1])
if hold then
  if hold ~= 'lease:' .. ARGV[1] then
    return 0
  end
elseif redis.call('HGET', KEYS[2], 'owner') ~= ARGV[1] then
  return 0
end
local wait = tonumber(ARGV[3])
if wait > 0 then
  redis.call('SET', KEYS[1], 'wait', 'PX', wait)
else
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[2], 'tries', ARGV[2], 'owner', '')
redis.call('PEXPIRE', KEYS[2], wait + tonumber(ARGV[4]))
return 1
`)
	// Both keys share a slot, so one DEL serves a Redis Cluster too.
	forgetScript = redis.NewScript(`return redis.call('DEL', KEYS[1], KEYS[2])`)
)

func (s *Schedule) keys(key string) []string {
	base := s.prefix + "{" + key + "}"
	return []string{base + ":hold", base + ":tries"}
}

// waitMillis rounds d up to whole milliseconds; zero stays zero (due now).
func waitMillis(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return millis(d)
}

// Acquire implements notify.Schedule.
func (s *Schedule) Acquire(ctx context.Context, key string, ttl time.Duration) (notify.Lease, error) {
	if err := ctx.Err(); err != nil {
		return notify.Lease{}, fmt.Errorf("redisstore: acquire %q: %w", key, err)
	}
	tok := notify.NewToken()
	res, err := acquireScript.Run(ctx, s.rdb, s.keys(key), string(tok), millis(ttl), s.idleMS).Int64Slice()
	if err != nil {
		return notify.Lease{}, fmt.Errorf("redisstore: acquire %q: %w", key, err)
	}
	if len(res) != 4 {
		return notify.Lease{}, fmt.Errorf("redisstore: acquire %q: unexpected answer %v", key, res)
	}
	if res[0] != 1 {
		return notify.Lease{Wait: time.Duration(res[2]) * time.Millisecond, Busy: res[3] == 1}, nil
	}
	return notify.Lease{Token: tok, Tries: int(res[1])}, nil
}

// Defer implements notify.Schedule.
func (s *Schedule) Defer(ctx context.Context, key string, token notify.Token, tries int, wait time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: defer %q: %w", key, err)
	}
	if token == "" {
		return fmt.Errorf("redisstore: defer %q: %w", key, notify.ErrNotOwner)
	}
	n, err := deferScript.Run(ctx, s.rdb, s.keys(key), string(token), tries, waitMillis(wait), s.idleMS).Int()
	switch {
	case err != nil:
		return fmt.Errorf("redisstore: defer %q: %w", key, err)
	case n == 0:
		return fmt.Errorf("redisstore: defer %q: %w", key, notify.ErrNotOwner)
	}
	return nil
}

// Forget implements notify.Schedule.
func (s *Schedule) Forget(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: forget %q: %w", key, err)
	}
	if err := forgetScript.Run(ctx, s.rdb, s.keys(key)).Err(); err != nil && err != redis.Nil {
		return fmt.Errorf("redisstore: forget %q: %w", key, err)
	}
	return nil
}

var _ notify.Schedule = (*Schedule)(nil)
