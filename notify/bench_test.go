package notify_test

import (
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/internal/handlertest"
)

// The baseline of the shared stores' benchmarks (BenchmarkHandlerRedis in
// notify/redisstore, BenchmarkHandlerPostgres in notify/pgstore): the same
// handler and notification on the in-memory store.
func BenchmarkHandlerMemoryStore(b *testing.B) {
	handlertest.Benchmark(b, notify.NewMemoryStore(notify.MemoryStoreOptions{}))
}

// Several handlers — instances — sharing one store deliver a notification
// once; the shared stores run the same test against their servers.
func TestDuplicatesOverSeveralHandlersAreDeliveredOnce(t *testing.T) {
	s := notify.NewMemoryStore(notify.MemoryStoreOptions{})
	handlertest.DeliveredOnce(t, []notify.Store{s, s, s, s}, 100)
}
