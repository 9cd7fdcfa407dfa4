package pgstore_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/testserver"
	"github.com/paybridge/paybridge/notify/internal/handlertest"
	"github.com/paybridge/paybridge/notify/pgstore"
)

// BenchmarkHandlerPostgres is notify's BenchmarkHandlerMemoryStore on a
// PostgreSQL server on loopback: the difference is the store's round trips
// and writes.
func BenchmarkHandlerPostgres(b *testing.B) {
	srv := testserver.StartPostgres(b)
	s := newStore(b, newPool(b, srv.Addr, 8), pgstore.Options{Table: uniqueTable()})
	migrate(b, s)
	handlertest.Benchmark(b, s)
}
