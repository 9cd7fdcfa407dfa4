package redisstore_test

import (
	"context"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/redisstore"
	"github.com/paybridge/paybridge/payment"
)

// Every instance of the platform mounts its handler on the same Redis
// store: a notification is then delivered once, whichever instances its
// copies reach.
func Example() {
	rdb := redis.NewClient(&redis.Options{
		Addr: "redis.internal:6379",
		// A store call then ends with its context (the handler bounds each
		// one, notify.WithStoreTimeout), not only with the read timeout.
		ContextTimeoutEnabled: true,
	})
	defer rdb.Close()

	store := redisstore.New(rdb, redisstore.Options{
		ClaimTimeout: 2 * time.Minute, // longer than the slowest deliver
		DoneTTL:      48 * time.Hour,  // longer than the providers' 24 h of retries
	})

	var alphaPay notify.Source // the *alphapay.Client of the platform
	deliver := func(ctx context.Context, ev payment.Event) error {
		return nil // record ev durably, then return nil
	}
	http.Handle("/notify/alphapay", notify.NewHandler(alphaPay, deliver, notify.WithStore(store)))
}
