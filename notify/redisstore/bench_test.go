package redisstore_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/testserver"
	"github.com/paybridge/paybridge/notify/internal/handlertest"
	"github.com/paybridge/paybridge/notify/redisstore"
)

// BenchmarkHandlerRedis is notify's BenchmarkHandlerMemoryStore on a
// redis-server on loopback: the difference is the store's round trips.
func BenchmarkHandlerRedis(b *testing.B) {
	srv := testserver.StartRedis(b)
	handlertest.Benchmark(b, redisstore.New(newClient(b, srv.Addr), redisstore.Options{KeyPrefix: uniquePrefix()}))
}
