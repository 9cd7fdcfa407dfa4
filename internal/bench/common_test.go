// Package bench holds paybridge's end-to-end benchmarks (issues 8, 11 and
// 14): each adapter's Pay and Inquire against its simulator, next to the
// cryptography the exchange needs done alone and next to a minimal
// hand-written client doing the same request with net/http, encoding/json
// and signing — over plain HTTP and over TLS, with the simulator in this
// process (end to end) or in a child process (the client's own CPU time
// and allocations); the notification handler next to one RSA
// verification; parallel Pay with the connections it opens; and what
// observability costs, off and on (BenchmarkObserve).
//
// Run them with scripts/bench, which also computes the medians and ratios
// (internal/bench/cmd/benchratio) and runs them again built with
// GOEXPERIMENT=boringcrypto. Without -bench, go test runs only a smoke test
// of every benchmarked operation and the connection tests. See
// docs/performance.md.
package bench

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment/engine"
)

// concurrency is the number of concurrent calls of the ParallelPay
// benchmarks (on a machine with more CPUs, one per CPU), below the pool's
// 32 idle connections per host.
const concurrency = 16

// poolSize is engine.NewPooledTransport's MaxIdleConnsPerHost: the most
// connections a client keeps open to one host.
var poolSize = engine.NewPooledTransport().MaxIdleConnsPerHost

// countingClient returns an HTTP client configured like the one an adapter
// makes for itself when Config.HTTPClient is nil (engine.NewPooledTransport
// and a 30 s timeout), whose transport counts the connections it dials.
// tlsConfig, if not nil, is its TLS configuration (trusting a simulator's
// certificate).
func countingClient(tlsConfig *tls.Config) (*http.Client, *atomic.Int64) {
	t := engine.NewPooledTransport()
	if tlsConfig != nil {
		t.TLSClientConfig = tlsConfig.Clone()
	}
	var dials atomic.Int64
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	return &http.Client{Transport: t, Timeout: 30 * time.Second}, &dials
}

// closeIdle drops a client's idle connections so that sub-benchmarks do not
// accumulate them on the simulator.
func closeIdle(c *http.Client) { c.CloseIdleConnections() }

// requestIDs hands out payment request IDs unique within the process, so
// that every Pay creates a new order.
var requestIDs atomic.Int64

func nextRequestID(prefix string) string {
	return prefix + strconv.FormatInt(requestIDs.Add(1), 10)
}

// reportConns reports how many connections the benchmark dialled.
func reportConns(b *testing.B, dials *atomic.Int64) {
	b.ReportMetric(float64(dials.Load()), "conns")
}

// fixedClock is a payment.Clock that always says t.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// leapingClock jumps 100 hours forward on every Now: a notify.MemoryStore on
// it has forgotten every key (48 h TTL, 5 min claim timeout) by the next
// call, so the same notification takes the full new-event path each time.
type leapingClock struct{ n atomic.Int64 }

func (c *leapingClock) Now() time.Time {
	return time.Unix(c.n.Add(1)*100*3600, 0) // no time.Duration: it would overflow
}
func (c *leapingClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// TestCryptoBackend says which RSA implementation this build runs on
// (scripts/bench checks it) and that the build is what it claims.
func TestCryptoBackend(t *testing.T) {
	if boringEnabled() != (cryptoBackend == "boringcrypto") {
		t.Fatalf("built for %s, but crypto/boring.Enabled() = %v", cryptoBackend, boringEnabled())
	}
	t.Logf("crypto: %s", cryptoBackend)
}
