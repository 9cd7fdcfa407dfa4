package pgjournal_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/testserver"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/journaltest"
	"github.com/paybridge/paybridge/journal/pgjournal"
)

// One PostgreSQL server serves every subtest; each check has a table of
// its own.
func TestPostgresJournal(t *testing.T) {
	srv := testserver.StartPostgres(t)
	pool := newPool(t, srv.Addr, 30)
	t.Run("conformance", func(t *testing.T) {
		journaltest.Run(t, func(t *testing.T) journal.Store { return newJournal(t, pool, uniqueTable()) })
	})
	t.Run("instances migrate at once", func(t *testing.T) {
		table := "billing." + uniqueTable()
		if _, err := pool.Exec(context.Background(), "CREATE SCHEMA IF NOT EXISTS billing"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j, err := pgjournal.New(pool, pgjournal.Options{Table: table})
				if err == nil {
					err = j.Migrate(context.Background())
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("cleanup deletes settled entries only", func(t *testing.T) {
		ctx := context.Background()
		j := newJournal(t, pool, uniqueTable())
		settled, err := j.Begin(ctx, journaltest.PayEntry("p", "DONE", "h"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.Begin(ctx, journaltest.PayEntry("p", "OPEN", "h")); err != nil {
			t.Fatal(err)
		}
		if err := j.Settle(ctx, settled, journal.Outcome{Status: "succeeded"}); err != nil {
			t.Fatal(err)
		}
		if n, err := j.Cleanup(ctx, time.Hour); n != 0 || err != nil {
			t.Fatalf("Cleanup(1h) = %d, %v", n, err)
		}
		if n, err := j.Cleanup(ctx, 0); n != 1 || err != nil {
			t.Fatalf("Cleanup(0) = %d, %v", n, err)
		}
		if b, err := j.Backlog(ctx); b.Open != 1 || err != nil {
			t.Fatalf("Backlog = %+v, %v", b, err)
		}
		if recs, _ := j.Find(ctx, "p", "pay", "DONE"); len(recs) != 0 {
			t.Fatalf("the settled entry is still there: %+v", recs)
		}
	})
	t.Run("a database that is gone fails Begin", func(t *testing.T) {
		proxy := testserver.NewProxy(t, srv.Addr)
		j := newJournal(t, newPool(t, proxy.Addr(), 2), uniqueTable())
		proxy.Cut()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := j.Begin(ctx, journaltest.PayEntry("p", "GONE", "h")); err == nil {
			t.Fatal("Begin succeeded without a database")
		}
	})
}

func TestTableNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"": true, "journal": true, "billing.journal": true, "_x9": true,
		"9x": false, "a.b.c": false, "j; DROP TABLE x": false, `"quoted"`: false, "a-b": false,
		strings.Repeat("x", 64): false,
	} {
		_, err := pgjournal.New(nil, pgjournal.Options{Table: name})
		if (err == nil) != ok || (err != nil && !errors.Is(err, pgjournal.ErrTableName)) {
			t.Errorf("table %q: %v", name, err)
		}
	}
}

func uniqueTable() string { return "journal_" + strings.ToLower(rand.Text()) }

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

// newJournal returns a migrated journal on a table of its own.
func newJournal(t testing.TB, pool *pgxpool.Pool, table string) *pgjournal.Journal {
	t.Helper()
	j, err := pgjournal.New(pool, pgjournal.Options{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := j.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return j
}
