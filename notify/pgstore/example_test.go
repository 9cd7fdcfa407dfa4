package pgstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/pgstore"
	"github.com/paybridge/paybridge/payment"
)

// Every instance of the platform mounts its handler on the same table: a
// notification is then delivered once, whichever instances its copies
// reach.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://paybridge@db.internal/shop")
	if err != nil {
		slog.Error("connecting", "error", err)
		return
	}
	defer pool.Close()

	store, err := pgstore.New(pool, pgstore.Options{
		ClaimTimeout: 2 * time.Minute, // longer than the slowest deliver
		DoneTTL:      48 * time.Hour,  // longer than the providers' 24 h of retries
	})
	if err != nil {
		slog.Error("configuring the store", "error", err)
		return
	}
	if err := store.Migrate(ctx); err != nil { // or run store.Schema() in your migrations
		slog.Error("creating the table", "error", err)
		return
	}

	var alphaPay notify.Source // the *alphapay.Client of the platform
	deliver := func(ctx context.Context, ev payment.Event) error {
		return nil // record ev durably, then return nil
	}
	http.Handle("/notify/alphapay", notify.NewHandler(alphaPay, deliver, notify.WithStore(store)))
}

// Expired rows already count as absent; purging them keeps the table small.
func ExampleStore_Cleanup() {
	var store *pgstore.Store // as in the package example
	ctx := context.Background()
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		n, err := store.Cleanup(ctx)
		if err != nil {
			slog.Warn("notify store cleanup", "error", err)
		} else {
			slog.Info("notify store cleanup", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// The table's SQL, for a platform that runs its own migrations.
func ExampleStore_Schema() {
	store, err := pgstore.New(nil, pgstore.Options{Table: "billing.notify_keys"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(store.Schema())
	// Output:
	// CREATE TABLE IF NOT EXISTS "billing"."notify_keys" (
	// 	key        text        PRIMARY KEY,
	// 	state      text        NOT NULL CHECK (state IN ('busy', 'done')),
	// 	owner      text        NOT NULL,
	// 	expires_at timestamptz NOT NULL
	// );
	// CREATE INDEX IF NOT EXISTS "notify_keys_expires_at" ON "billing"."notify_keys" (expires_at);
}
