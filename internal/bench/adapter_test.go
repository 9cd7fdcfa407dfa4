package bench

import (
	"context"
	"crypto/rsa"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/signing"
)

// ops are the benchmarked calls of one client, bound to it.
type ops struct {
	// pay creates a new payment (a fresh PaymentRequestID every call).
	pay func(context.Context) error
	// inquire inquires the environment's completed payment.
	inquire func(context.Context) error
	dials   *atomic.Int64
	close   func()
}

// adapterEnv is one provider's simulator with a paybridge adapter and a
// hand-written baseline client for it.
type adapterEnv interface {
	// paybridge returns the adapter's ops, with the default configuration
	// except the dial-counting transport and, if not nil, a logger.
	paybridge(tb testing.TB, log *slog.Logger) ops
	// baseline returns the hand-written client's ops.
	baseline(tb testing.TB) ops
	// floor returns the keys and the strings signed and verified in one
	// real pay exchange.
	floor() (merchantPEM, providerPEM string, reqMsg, ansMsg []byte)
}

// benchAdapter runs, for one provider (mk makes its environment):
//
//   - Interleaved, InterleavedTLS: Pay and Inquire through the adapter
//     (paybridge) and through the hand-written client (baseline), and the
//     crypto floor, alternated (benchInterleaved), against a simulator in
//     this process over plain HTTP and over TLS;
//   - ClientOnly, ClientOnlyTLS: the client's own CPU time and allocations,
//     the simulator in another process (benchClientOnly);
//   - Pay and Inquire, paybridge and baseline, as separate benchmarks (in
//     process, plain HTTP): allocations of both ends of the exchange;
//   - parallel Pay through one client, within and beyond the pool, with
//     the CPU time per Pay (both ends).
func benchAdapter(b *testing.B, mk func(testing.TB, simMode) adapterEnv) {
	ctx := context.Background()
	e := mk(b, simMode{})
	seq := func(name string, mk func(testing.TB) ops, call func(ops) func(context.Context) error) {
		b.Run(name, func(b *testing.B) {
			o := mk(b)
			defer o.close()
			f := call(o)
			b.ReportAllocs()
			for b.Loop() {
				if err := f(ctx); err != nil {
					b.Fatal(err)
				}
			}
			reportConns(b, o.dials)
		})
	}
	pb := func(tb testing.TB) ops { return e.paybridge(tb, nil) }
	pay := func(o ops) func(context.Context) error { return o.pay }
	inquire := func(o ops) func(context.Context) error { return o.inquire }

	b.Run("Interleaved", func(b *testing.B) {
		benchInterleaved(b, e)
	})
	b.Run("InterleavedTLS", func(b *testing.B) {
		benchInterleaved(b, mk(b, simMode{tls: true}))
	})
	b.Run("ClientOnly", func(b *testing.B) {
		benchClientOnly(b, mk(b, simMode{remote: true}))
	})
	b.Run("ClientOnlyTLS", func(b *testing.B) {
		benchClientOnly(b, mk(b, simMode{remote: true, tls: true}))
	})
	seq("Pay/paybridge", pb, pay)
	seq("Pay/baseline", e.baseline, pay)
	seq("Inquire/paybridge", pb, inquire)
	seq("Inquire/baseline", e.baseline, inquire)

	// concurrency n: RunParallel starts SetParallelism(p) × GOMAXPROCS
	// goroutines.
	par := func(name string, mk func(testing.TB) ops, n int) {
		b.Run(name, func(b *testing.B) {
			o := mk(b)
			defer o.close()
			b.ReportAllocs()
			b.SetParallelism(max(1, n/runtime.GOMAXPROCS(0)))
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := o.pay(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if haveProcessCPU {
				// Both ends' CPU per Pay: what bounds the throughput of a
				// machine, whatever else runs on it.
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			}
			reportConns(b, o.dials)
		})
	}
	// 16 concurrent calls: within the pool.
	par("ParallelPay/paybridge", pb, concurrency)
	par("ParallelPay/baseline", e.baseline, concurrency)
	// 64 concurrent calls: twice the pool's idle connections per host.
	par("ParallelPay64/paybridge", pb, 64)
}

// infoLogger is a logger at Info level, as in production: the engine's
// per-attempt Debug lines are disabled.
func infoLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// benchInterleaved measures the time ratios robustly on a loaded machine:
// every iteration makes one paybridge Pay, one baseline Pay, one paybridge
// Inquire, one baseline Inquire and one crypto floor (four RSA
// operations), in a rotating order, and times each. Load that comes and
// goes over seconds — other processes on 2 vCPUs — then weighs on all
// five alike, where separate one-second benchmarks would each catch a
// different share of it. It reports each call's median time as a metric
// (pay-pb-ns, pay-bl-ns, inquire-pb-ns, inquire-bl-ns, floor-ns); ns/op is
// the sum of the five. Allocations are measured by the separate
// sub-benchmarks and by benchClientOnly.
func benchInterleaved(b *testing.B, e adapterEnv) {
	pb, bl := e.paybridge(b, nil), e.baseline(b)
	defer pb.close()
	defer bl.close()
	floor := newFloor(b, e)
	calls := []struct {
		unit string
		f    func(context.Context) error
	}{
		{"pay-pb-ns", pb.pay}, {"pay-bl-ns", bl.pay},
		{"inquire-pb-ns", pb.inquire}, {"inquire-bl-ns", bl.inquire},
		{"floor-ns", func(context.Context) error { floor(b); return nil }},
	}
	ctx := context.Background()
	t := newTimings(len(calls), false)
	for b.Loop() {
		t.round(func(k int) {
			if err := calls[k].f(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
	for k, c := range calls {
		b.ReportMetric(t.median(k), c.unit)
	}
}

// allocRounds is how many times benchClientOnly makes each call to count
// its allocations.
const allocRounds = 32

// benchClientOnly measures the client alone. e's simulator runs in another
// process, so this process's CPU time and allocations are the client's
// (and the benchmark's, which does next to nothing). Every iteration makes,
// in a rotating order: one paybridge Pay (pay-pb), one baseline Pay
// (pay-bl), one paybridge Inquire (inquire-pb), one baseline Inquire
// (inquire-bl), one paybridge Pay with an Info-level logger (paylog-pb),
// and the client's share of the crypto floor (floor): the request's
// string signed with the merchant key and the answer's verified with the
// provider's public key. For each it reports
//
//   - X-ns: the median wall time, the simulator's work and the loopback
//     round trip included;
//   - X-cpu-ns: the mean CPU time of this process during the call — the
//     client's cost, which neither the simulator nor the load of other
//     processes changes (only the caches they share);
//   - X-allocs: the mean number of allocations, counted before the timed
//     loop over allocRounds calls of each (runtime.ReadMemStats around each
//     call; the HTTP transport's goroutines are counted, they are the
//     client's).
func benchClientOnly(b *testing.B, e adapterEnv) {
	if !haveProcessCPU {
		b.Skip("no process CPU clock on this system")
	}
	pb, bl, lg := e.paybridge(b, nil), e.baseline(b), e.paybridge(b, infoLogger())
	defer pb.close()
	defer bl.close()
	defer lg.close()
	floor := newClientFloor(b, e)
	calls := []struct {
		name string
		f    func(context.Context) error
	}{
		{"pay-pb", pb.pay}, {"pay-bl", bl.pay},
		{"inquire-pb", pb.inquire}, {"inquire-bl", bl.inquire},
		{"paylog-pb", lg.pay},
		{"floor", func(context.Context) error { floor(b); return nil }},
	}
	ctx := context.Background()
	call := func(k int) {
		if err := calls[k].f(ctx); err != nil {
			b.Fatal(err)
		}
	}
	// Warm up (connections dialled, pools filled), then count.
	for range 2 {
		for k := range calls {
			call(k)
		}
	}
	allocs := make([]uint64, len(calls))
	var ms runtime.MemStats
	for range allocRounds {
		for k := range calls {
			runtime.ReadMemStats(&ms)
			before := ms.Mallocs
			call(k)
			runtime.ReadMemStats(&ms)
			allocs[k] += ms.Mallocs - before
		}
	}
	t := newTimings(len(calls), true)
	for b.Loop() {
		t.round(call)
	}
	for k, c := range calls {
		b.ReportMetric(t.median(k), c.name+"-ns")
		b.ReportMetric(t.meanCPU(k), c.name+"-cpu-ns")
		b.ReportMetric(float64(allocs[k])/allocRounds, c.name+"-allocs")
	}
	for _, o := range []ops{pb, bl, lg} {
		if n := o.dials.Load(); n != 1 {
			b.Errorf("a client dialled %d connections; want 1", n)
		}
	}
}

// timings times n calls made in rotating order, round after round.
type timings struct {
	d    [][]time.Duration
	next int
	// With CPU time: the process's CPU time during each call, summed.
	withCPU bool
	cpu     []time.Duration
}

func newTimings(n int, withCPU bool) *timings {
	return &timings{d: make([][]time.Duration, n), withCPU: withCPU, cpu: make([]time.Duration, n)}
}

// round makes every call once, call(k) for k in 0..n-1, starting with a
// different one each round, and records how long each took.
func (t *timings) round(call func(k int)) {
	n := len(t.d)
	for j := range n {
		k := (t.next + j) % n
		var cpu0 time.Duration
		if t.withCPU {
			cpu0 = processCPU()
		}
		start := time.Now()
		call(k)
		t.d[k] = append(t.d[k], time.Since(start))
		if t.withCPU {
			t.cpu[k] += processCPU() - cpu0
		}
	}
	t.next++
}

// meanCPU returns call k's mean CPU time in ns. A mean, not a median: the
// garbage collector's work is part of the cost, but lands on whichever
// call is running when it runs.
func (t *timings) meanCPU(k int) float64 {
	if len(t.d[k]) == 0 {
		return 0
	}
	return float64(t.cpu[k]) / float64(len(t.d[k]))
}

// median returns call k's median time in ns: a time slice lost to another
// process (the scheduler's are milliseconds long) lands on one call, and
// would move a mean far more than a median.
func (t *timings) median(k int) float64 {
	d := slices.Clone(t.d[k])
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	if len(d)%2 == 1 {
		return float64(d[len(d)/2])
	}
	return float64(d[len(d)/2-1]+d[len(d)/2]) / 2
}

// newFloor returns the crypto floor of one exchange of e as a function:
// the cryptography of the whole exchange done alone, the request's string
// signed with the merchant's key and verified (as the provider does), the
// answer's string signed with the provider's key and verified (as the
// adapter does) — four RSA-2048 operations over the bytes of a real
// exchange.
func newFloor(b *testing.B, e adapterEnv) func(*testing.B) {
	merchantPEM, providerPEM, reqMsg, ansMsg := e.floor()
	mk, err := signing.ParsePrivateKey(merchantPEM)
	if err != nil {
		b.Fatal(err)
	}
	pk, err := signing.ParsePrivateKey(providerPEM)
	if err != nil {
		b.Fatal(err)
	}
	if len(reqMsg) == 0 || len(ansMsg) == 0 {
		b.Fatal("no captured exchange")
	}
	return func(b *testing.B) {
		signVerify(b, mk, reqMsg)
		signVerify(b, pk, ansMsg)
	}
}

func signVerify(b *testing.B, k *rsa.PrivateKey, msg []byte) {
	sig, err := signing.Sign(k, msg)
	if err != nil {
		b.Fatal(err)
	}
	if err := signing.Verify(&k.PublicKey, msg, sig); err != nil {
		b.Fatal(err)
	}
}

// newClientFloor returns the client's share of the crypto floor of one
// exchange of e: the request's string signed with the merchant's key, the
// answer's signature verified with the provider's public key.
func newClientFloor(b *testing.B, e adapterEnv) func(*testing.B) {
	merchantPEM, providerPEM, reqMsg, ansMsg := e.floor()
	mk, err := signing.ParsePrivateKey(merchantPEM)
	if err != nil {
		b.Fatal(err)
	}
	pk, err := signing.ParsePrivateKey(providerPEM)
	if err != nil {
		b.Fatal(err)
	}
	if len(reqMsg) == 0 || len(ansMsg) == 0 {
		b.Fatal("no captured exchange")
	}
	ansSig, err := signing.Sign(pk, ansMsg)
	if err != nil {
		b.Fatal(err)
	}
	pub := &pk.PublicKey
	return func(b *testing.B) {
		if _, err := signing.Sign(mk, reqMsg); err != nil {
			b.Fatal(err)
		}
		if err := signing.Verify(pub, ansMsg, ansSig); err != nil {
			b.Fatal(err)
		}
	}
}
