package redisstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paybridge/paybridge/internal/testserver"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/internal/handlertest"
	"github.com/paybridge/paybridge/notify/redisstore"
	"github.com/paybridge/paybridge/notify/storetest"
	"github.com/paybridge/paybridge/payment"
)

// One redis-server serves every test of the package; each harness, test
// and benchmark has a key prefix of its own.
func TestRedisStore(t *testing.T) {
	srv := testserver.StartRedis(t)
	t.Run("conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, cfg storetest.Config) storetest.Harness {
			return newHarness(t, srv.Addr, cfg)
		})
	})
	t.Run("schedule", func(t *testing.T) {
		storetest.RunSchedule(t, func(t *testing.T, cfg storetest.ScheduleConfig) storetest.ScheduleHarness {
			return &scheduleHarness{harness: newHarness(t, srv.Addr, storetest.Config{}), idle: cfg.IdleTTL}
		})
	})
	t.Run("100 duplicates over 4 instances are delivered once", func(t *testing.T) {
		prefix := uniquePrefix()
		stores := make([]notify.Store, 4)
		for i := range stores {
			stores[i] = redisstore.New(newClient(t, srv.Addr), redisstore.Options{KeyPrefix: prefix})
		}
		handlertest.DeliveredOnce(t, stores, 100)
	})
	t.Run("a foreign value under the prefix is an error", func(t *testing.T) {
		rdb := newClient(t, srv.Addr)
		prefix := uniquePrefix()
		if err := rdb.Set(context.Background(), prefix+"k", "someone else's", 0).Err(); err != nil {
			t.Fatal(err)
		}
		s := redisstore.New(rdb, redisstore.Options{KeyPrefix: prefix})
		if c, _, err := s.Claim(context.Background(), "k"); err == nil {
			t.Fatalf("Claim = %v, nil", c)
		}
	})
}

// The server is killed mid-delivery: Complete fails, the handler answers
// 503 and does not acknowledge; the next copy is refused too, with deliver
// not called.
func TestServerKilledMidDelivery(t *testing.T) {
	srv := testserver.StartRedis(t)
	p := handlertest.NewProvider(t)
	pay := p.Paid(t, "ORDER-KILL")
	store := redisstore.New(newClient(t, srv.Addr), redisstore.Options{})
	var mu sync.Mutex
	var outs []notify.Outcome
	delivered := 0
	h := notify.NewHandler(p.Client, func(context.Context, payment.Event) error {
		delivered++
		srv.Kill()
		return nil
	}, notify.WithStore(store), notify.WithStoreTimeout(3*time.Second), notify.WithObserver(func(_ *http.Request, o notify.Outcome) {
		mu.Lock()
		defer mu.Unlock()
		outs = append(outs, o)
	}))
	for i := range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, p.Signed(t, pay.PaymentID, "https://shop.example/notify/alphapay"))
		o := outs[i]
		if rec.Code != 503 || o.Acked || !errors.Is(o.Err, notify.ErrStore) || delivered != 1 {
			t.Fatalf("copy %d: status %d, outcome %+v, %d deliveries; want 503, not acknowledged, one delivery", i, rec.Code, o, delivered)
		}
	}
}

func uniquePrefix() string { return "test:" + rand.Text() + ":" }

// newClient is a client with its own connection pool, closed when t ends.
func newClient(t testing.TB, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, PoolSize: 4})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// harness gives each check a key prefix of its own. Its clients reach the
// server through a proxy, which Outage cuts.
type harness struct {
	t      *testing.T
	admin  *redis.Client
	proxy  *testserver.Proxy
	cfg    storetest.Config
	prefix string
	mu     sync.Mutex
	rdbs   []*redis.Client
}

func newHarness(t *testing.T, addr string, cfg storetest.Config) *harness {
	return &harness{t: t, admin: newClient(t, addr), proxy: testserver.NewProxy(t, addr), cfg: cfg, prefix: uniquePrefix()}
}

func (h *harness) NewClient(context.Context) (notify.Store, error) {
	rdb := redis.NewClient(&redis.Options{Addr: h.proxy.Addr(), ContextTimeoutEnabled: true, PoolSize: 2})
	h.mu.Lock()
	h.rdbs = append(h.rdbs, rdb)
	h.mu.Unlock()
	return redisstore.New(rdb, redisstore.Options{ClaimTimeout: h.cfg.ClaimTimeout, DoneTTL: h.cfg.DoneTTL, KeyPrefix: h.prefix}), nil
}

// ExpireAll deletes the harness's keys: to Redis, an expired key and a
// missing one are the same.
func (h *harness) ExpireAll(ctx context.Context) error {
	iter := h.admin.Scan(ctx, 0, h.prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil || len(keys) == 0 {
		return err
	}
	return h.admin.Del(ctx, keys...).Err()
}

func (h *harness) Advance(time.Duration) bool { return false }

func (h *harness) Outage(context.Context) error {
	h.proxy.Cut()
	return nil
}

func (h *harness) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, rdb := range h.rdbs {
		_ = rdb.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.ExpireAll(ctx); err != nil {
		h.t.Errorf("harness: deleting the keys: %v", err)
	}
}

// scheduleHarness gives each schedule check a key prefix of its own.
type scheduleHarness struct {
	*harness
	idle time.Duration
}

func (h *scheduleHarness) NewClient(context.Context) (notify.Schedule, error) {
	rdb := redis.NewClient(&redis.Options{Addr: h.proxy.Addr(), ContextTimeoutEnabled: true, PoolSize: 2})
	h.mu.Lock()
	h.rdbs = append(h.rdbs, rdb)
	h.mu.Unlock()
	return redisstore.NewSchedule(rdb, redisstore.ScheduleOptions{KeyPrefix: h.prefix, IdleTTL: h.idle}), nil
}
