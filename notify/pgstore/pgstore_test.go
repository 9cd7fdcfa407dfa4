package pgstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/testserver"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/internal/handlertest"
	"github.com/paybridge/paybridge/notify/pgstore"
	"github.com/paybridge/paybridge/notify/storetest"
	"github.com/paybridge/paybridge/payment"
)

// One PostgreSQL server serves every subtest (initdb takes a second or
// two); each harness and subtest has a table of its own.
func TestPostgresStore(t *testing.T) {
	srv := testserver.StartPostgres(t)
	t.Run("conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, cfg storetest.Config) storetest.Harness {
			return newHarness(t, srv.Addr, cfg)
		})
	})
	t.Run("schedule", func(t *testing.T) {
		storetest.RunSchedule(t, func(t *testing.T, cfg storetest.ScheduleConfig) storetest.ScheduleHarness {
			return newScheduleHarness(t, srv.Addr, cfg)
		})
	})
	t.Run("schedule cleanup deletes expired rows only", func(t *testing.T) {
		ctx := context.Background()
		h := newScheduleHarness(t, srv.Addr, storetest.ScheduleConfig{})
		t.Cleanup(h.Close)
		short, err := pgstore.NewSchedule(h.admin, pgstore.ScheduleOptions{Table: h.table, IdleTTL: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b"} {
			l, err := short.Acquire(ctx, k, time.Minute)
			if err != nil || short.Defer(ctx, k, l.Token, 1, 0) != nil {
				t.Fatalf("Acquire/Defer %s: %v", k, err)
			}
		}
		if _, err := short.Acquire(ctx, "live", time.Minute); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		var purged int64
		for purged < 2 && time.Now().Before(deadline) {
			n, err := short.Cleanup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			purged += n
			<-tick.C
		}
		var left int
		if err := h.admin.QueryRow(ctx, "SELECT count(*) FROM "+h.table).Scan(&left); err != nil || purged != 2 || left != 1 {
			t.Fatalf("purged %d, left %d (%v); want 2 purged and the live lease left", purged, left, err)
		}
	})
	t.Run("100 duplicates over 4 instances are delivered once", func(t *testing.T) {
		table := uniqueTable()
		stores := make([]notify.Store, 4)
		for i := range stores {
			stores[i] = newStore(t, newPool(t, srv.Addr, 8), pgstore.Options{Table: table})
		}
		migrate(t, stores[0].(*pgstore.Store))
		handlertest.DeliveredOnce(t, stores, 100)
	})
	t.Run("instances migrate at once", func(t *testing.T) {
		table := "billing." + uniqueTable()
		pool := newPool(t, srv.Addr, 10)
		if _, err := pool.Exec(context.Background(), "CREATE SCHEMA billing"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = newStore(t, pool, pgstore.Options{Table: table}).Migrate(context.Background())
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		s := newStore(t, pool, pgstore.Options{Table: table})
		if c, _, err := s.Claim(context.Background(), "k"); c != notify.ClaimNew || err != nil {
			t.Fatalf("Claim = %v, %v", c, err)
		}
	})
	t.Run("cleanup deletes expired rows only", func(t *testing.T) {
		pool := newPool(t, srv.Addr, 2)
		table := uniqueTable()
		short := newStore(t, pool, pgstore.Options{Table: table, ClaimTimeout: time.Millisecond, DoneTTL: time.Millisecond})
		long := newStore(t, pool, pgstore.Options{Table: table})
		migrate(t, short)
		ctx := context.Background()
		for _, k := range []string{"a", "b", "c"} {
			if _, tok, err := short.Claim(ctx, k); err != nil || short.Complete(ctx, k, tok) != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := long.Claim(ctx, "live"); err != nil {
			t.Fatal(err)
		}
		// Bounded polling on the server's clock, which the rows' millisecond
		// expiry is measured by.
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		var purged int64
		for purged < 3 && time.Now().Before(deadline) {
			n, err := long.Cleanup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			purged += n
			<-tick.C
		}
		var left []string
		rows, err := pool.Query(ctx, "SELECT key FROM "+table+" ORDER BY key")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			_ = rows.Scan(&k)
			left = append(left, k)
		}
		if purged != 3 || strings.Join(left, ",") != "live" {
			t.Fatalf("purged %d, left %v; want 3 purged and the live claim left", purged, left)
		}
	})
}

// The server is killed mid-delivery: Complete fails, the handler answers
// 503 and does not acknowledge; the next copy is refused too, with deliver
// not called.
func TestServerKilledMidDelivery(t *testing.T) {
	srv := testserver.StartPostgres(t)
	p := handlertest.NewProvider(t)
	pay := p.Paid(t, "ORDER-KILL")
	store := newStore(t, newPool(t, srv.Addr, 4), pgstore.Options{})
	migrate(t, store)
	var outs []notify.Outcome
	delivered := 0
	h := notify.NewHandler(p.Client, func(context.Context, payment.Event) error {
		delivered++
		srv.Kill()
		return nil
	}, notify.WithStore(store), notify.WithStoreTimeout(3*time.Second), notify.WithObserver(func(_ *http.Request, o notify.Outcome) {
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

func TestTableNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"": true, "notify_keys": true, "billing.notify_keys": true, "_x9": true,
		"9x": false, "a.b.c": false, "keys; DROP TABLE x": false, `"quoted"`: false, "a-b": false,
		strings.Repeat("x", 64): false,
	} {
		_, err := pgstore.New(nil, pgstore.Options{Table: name})
		if (err == nil) != ok || (err != nil && !errors.Is(err, pgstore.ErrTableName)) {
			t.Errorf("table %q: %v", name, err)
		}
		_, err = pgstore.NewSchedule(nil, pgstore.ScheduleOptions{Table: name})
		if (err == nil) != ok || (err != nil && !errors.Is(err, pgstore.ErrTableName)) {
			t.Errorf("schedule table %q: %v", name, err)
		}
	}
}

func uniqueTable() string { return "notify_" + strings.ToLower(rand.Text()) }

// newPool is a pool of at most size connections of its own to addr, closed
// when t ends.
func newPool(t testing.TB, addr string, size int) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testserver.ConnString(addr))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = int32(size)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func newStore(t testing.TB, db pgstore.DB, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	s, err := pgstore.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func migrate(t testing.TB, s *pgstore.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
}

// harness gives each check a table of its own. Its clients — a pool each —
// reach the server through a proxy, which Outage cuts.
type harness struct {
	t     *testing.T
	admin *pgxpool.Pool
	proxy *testserver.Proxy
	cfg   storetest.Config
	table string
	mu    sync.Mutex
	pools []*pgxpool.Pool
}

func newHarness(t *testing.T, addr string, cfg storetest.Config) *harness {
	h := &harness{t: t, admin: newPool(t, addr, 2), proxy: testserver.NewProxy(t, addr), cfg: cfg, table: uniqueTable()}
	migrate(t, newStore(t, h.admin, pgstore.Options{Table: h.table}))
	return h
}

func (h *harness) NewClient(ctx context.Context) (notify.Store, error) {
	cfg, err := pgxpool.ParseConfig(testserver.ConnString(h.proxy.Addr()))
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.pools = append(h.pools, pool)
	h.mu.Unlock()
	return pgstore.New(pool, pgstore.Options{ClaimTimeout: h.cfg.ClaimTimeout, DoneTTL: h.cfg.DoneTTL, Table: h.table})
}

// ExpireAll moves every row's expiry into the past; later statements'
// now() is later still.
func (h *harness) ExpireAll(ctx context.Context) error {
	_, err := h.admin.Exec(ctx, "UPDATE "+h.table+" SET expires_at = now() - interval '1 millisecond'")
	return err
}

func (h *harness) Advance(time.Duration) bool { return false }

func (h *harness) Outage(context.Context) error {
	h.proxy.Cut()
	return nil
}

func (h *harness) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.pools {
		p.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.admin.Exec(ctx, "DROP TABLE "+h.table); err != nil {
		h.t.Errorf("harness: dropping the table: %v", err)
	}
}

// scheduleHarness gives each schedule check a table of its own; its clients
// have pools of their own.
type scheduleHarness struct {
	t     *testing.T
	addr  string
	admin *pgxpool.Pool
	cfg   storetest.ScheduleConfig
	table string
	mu    sync.Mutex
	pools []*pgxpool.Pool
}

func newScheduleHarness(t *testing.T, addr string, cfg storetest.ScheduleConfig) *scheduleHarness {
	h := &scheduleHarness{t: t, addr: addr, admin: newPool(t, addr, 2), cfg: cfg, table: uniqueTable()}
	s, err := pgstore.NewSchedule(h.admin, pgstore.ScheduleOptions{Table: h.table})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *scheduleHarness) NewClient(ctx context.Context) (notify.Schedule, error) {
	cfg, err := pgxpool.ParseConfig(testserver.ConnString(h.addr))
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.pools = append(h.pools, pool)
	h.mu.Unlock()
	return pgstore.NewSchedule(pool, pgstore.ScheduleOptions{Table: h.table, IdleTTL: h.cfg.IdleTTL})
}

func (h *scheduleHarness) Advance(time.Duration) bool { return false }

func (h *scheduleHarness) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.pools {
		p.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.admin.Exec(ctx, "DROP TABLE "+h.table); err != nil {
		h.t.Errorf("harness: dropping the table: %v", err)
	}
}
