package pgjournal_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/pgstore"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
)

// Every instance journals its calls in one table, and runs a Reconciler
// that settles what a crashed instance left open: the journal is one line
// in the adapter's Config, and one field of the Reconciler.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://paybridge@db.internal/shop")
	if err != nil {
		slog.Error("connecting", "error", err)
		return
	}
	defer pool.Close()
	j, err := pgjournal.New(pool, pgjournal.Options{})
	if err != nil {
		slog.Error("configuring the journal", "error", err)
		return
	}
	if err := j.Migrate(ctx); err != nil { // or run j.Schema() in your migrations
		slog.Error("creating the table", "error", err)
		return
	}

	ap, err := alphapay.New(alphapay.Config{
		BaseURL: alphapay.BaseURLCanada, MerchantCode: "M1", PrivateKey: "file contents", AlphaPayPublicKey: "…",
		Journal: j, // every pay, cancel and refund is journaled before it is sent
	})
	if err != nil {
		slog.Error("configuring AlphaPay", "error", err)
		return
	}

	store, _ := pgstore.New(pool, pgstore.Options{})                    // the handlers' store
	schedule, _ := pgstore.NewSchedule(pool, pgstore.ScheduleOptions{}) // the Reconcilers' leases
	deliver := func(ctx context.Context, ev payment.Event) error {
		return nil // record ev durably (idempotent on ev.Key), then return nil
	}
	rec := &notify.Reconciler{
		Provider: ap, Journal: j, Deliver: deliver, Store: store, Schedule: schedule,
		Pending: notify.PendingFunc(func(ctx context.Context) ([]payment.Ref, error) {
			return nil, nil // the payments the platform waits on
		}),
	}
	go func() { _ = rec.Run(ctx) }()
}

// A platform's own recovery reads how a call ended: a row of its own left
// "sending" by a crash is settled by what the journal says.
func ExampleJournal_Find() {
	var j *pgjournal.Journal // as in the package example
	ctx := context.Background()
	recs, err := j.Find(ctx, alphapay.Name, payment.OpPay, "ORDER-1001")
	switch {
	case err != nil:
		slog.Error("reading the journal", "error", err)
	case len(recs) == 0:
		fmt.Println("never sent: nothing happened")
	case recs[len(recs)-1].IsOpen():
		fmt.Println("outcome unknown: the Reconciler settles it and delivers what it finds")
	case recs[len(recs)-1].Outcome.Kind != 0:
		fmt.Println("ended without a payment:", recs[len(recs)-1].Outcome.Kind.String())
	default:
		o := recs[len(recs)-1].Outcome
		fmt.Println("answered:", o.PaymentID, o.Status)
	}
}

// Settled entries are kept for a platform's recovery to read; purge them
// after a retention of days.
func ExampleJournal_Cleanup() {
	var j *pgjournal.Journal // as in the package example
	n, err := j.Cleanup(context.Background(), 7*24*time.Hour)
	if err != nil {
		slog.Warn("journal cleanup", "error", err)
		return
	}
	slog.Info("journal cleanup", "deleted", n)
}
