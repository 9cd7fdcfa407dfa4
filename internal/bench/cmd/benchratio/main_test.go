package main

import (
	"math"
	"strings"
	"testing"
)

// Three rounds as scripts/bench produces them: each round runs every
// benchmark once; the lines are what go test -bench -benchmem prints.
// X/Interleaved and X/InterleavedTLS carry the end-to-end time metrics,
// X/ClientOnly the client's; the separate benchmarks the allocations and
// connections.
const sample = `goos: linux
goarch: amd64
pkg: github.com/paybridge/paybridge/internal/bench
cpu: Intel(R) Xeon(R) Processor
BenchmarkX/Interleaved-2 	 50 	 16700000 ns/op 	 3500000 floor-ns 	 2000000 inquire-bl-ns 	 3000000 inquire-pb-ns 	 4000000 pay-bl-ns 	 4200000 pay-pb-ns
BenchmarkX/InterleavedTLS-2 	 50 	 17000000 ns/op 	 3600000 floor-ns 	 3000000 inquire-bl-ns 	 3100000 inquire-pb-ns 	 4200000 pay-bl-ns 	 4400000 pay-pb-ns
BenchmarkX/ClientOnly-2 	 40 	 21000000 ns/op 	 11 floor-allocs 	 1000000 floor-cpu-ns 	 1000000 floor-ns 	 120 inquire-bl-allocs 	 1250000 inquire-bl-cpu-ns 	 3800000 inquire-bl-ns 	 170 inquire-pb-allocs 	 1500000 inquire-pb-cpu-ns 	 3900000 inquire-pb-ns 	 130 pay-bl-allocs 	 1250000 pay-bl-cpu-ns 	 3900000 pay-bl-ns 	 150 pay-pb-allocs 	 1300000 pay-pb-cpu-ns 	 4000000 pay-pb-ns 	 151 paylog-pb-allocs 	 1300000 paylog-pb-cpu-ns 	 4100000 paylog-pb-ns
BenchmarkX/Pay/paybridge-2     	     300	   4000000 ns/op	         1.000 conns	   38000 B/op	     500 allocs/op
BenchmarkX/Pay/baseline-2      	     300	   4000000 ns/op	         1.000 conns	   35000 B/op	     400 allocs/op
BenchmarkX/Inquire/paybridge-2 	     300	   3000000 ns/op	         1.000 conns	   28000 B/op	     260 allocs/op
BenchmarkX/Inquire/baseline-2  	     300	   2000000 ns/op	         1.000 conns	   26000 B/op	     240 allocs/op
BenchmarkX/ParallelPay/paybridge-2 	 600	   2000000 ns/op	        16.00 conns	   39000 B/op	     496 allocs/op
BenchmarkX/ParallelPay64/paybridge-2 	 600	   2000000 ns/op	        40.00 conns	   39000 B/op	     496 allocs/op
BenchmarkNotifyX/Interleaved-2 	 5000 	 310000 ns/op 	 100000 duplicate-ns 	 110000 handler-ns 	 100000 verify-ns
BenchmarkNotifyX/Handler-2     	   10000	    110000 ns/op	    5264 B/op	      60 allocs/op
BenchmarkNotifyX/HandlerDuplicate-2 	   10000	    100000 ns/op	    5184 B/op	      57 allocs/op
BenchmarkNotifyX/Baseline-2    	   10000	    105000 ns/op	    3504 B/op	      30 allocs/op
BenchmarkNotifyX/Verify-2      	   10000	    100000 ns/op	    1376 B/op	       9 allocs/op
BenchmarkNotifyY/Handler-2     	   10000	    130000 ns/op	    5264 B/op	      60 allocs/op
BenchmarkNotifyY/Verify-2      	   10000	    100000 ns/op	    1376 B/op	       9 allocs/op
--- FAIL: BenchmarkSomethingElse
PASS
ok  	github.com/paybridge/paybridge/internal/bench	30.1s
pkg: github.com/paybridge/paybridge/money
BenchmarkParse-2               	20100853	       153.5 ns/op	       0 B/op	       0 allocs/op
BenchmarkParseMinor-2          	100000000	        14.08 ns/op	       0 B/op	       0 allocs/op
BenchmarkMinorString-2         	29332279	        55.19 ns/op	       4 B/op	       1 allocs/op
BenchmarkAppendMinor-2         	68752908	        22.49 ns/op	       0 B/op	       0 allocs/op
pkg: github.com/paybridge/paybridge/signing
BenchmarkSign-2     	     730	   1900000 ns/op	     512 B/op	       2 allocs/op
BenchmarkVerify-2   	   25567	     45000 ns/op	    1376 B/op	       9 allocs/op
pkg: github.com/paybridge/paybridge/internal/bench
BenchmarkX/Interleaved-2 	 50 	 33400000 ns/op 	 7000000 floor-ns 	 4000000 inquire-bl-ns 	 6000000 inquire-pb-ns 	 8000000 pay-bl-ns 	 8400000 pay-pb-ns
BenchmarkX/InterleavedTLS-2 	 50 	 17000000 ns/op 	 3600000 floor-ns 	 3000000 inquire-bl-ns 	 3100000 inquire-pb-ns 	 4200000 pay-bl-ns 	 4400000 pay-pb-ns
BenchmarkX/ClientOnly-2 	 40 	 21000000 ns/op 	 11 floor-allocs 	 1000000 floor-cpu-ns 	 1000000 floor-ns 	 120 inquire-bl-allocs 	 1250000 inquire-bl-cpu-ns 	 3800000 inquire-bl-ns 	 170 inquire-pb-allocs 	 1500000 inquire-pb-cpu-ns 	 3900000 inquire-pb-ns 	 130 pay-bl-allocs 	 1250000 pay-bl-cpu-ns 	 3900000 pay-bl-ns 	 150 pay-pb-allocs 	 1300000 pay-pb-cpu-ns 	 4000000 pay-pb-ns 	 151 paylog-pb-allocs 	 1300000 paylog-pb-cpu-ns 	 4100000 paylog-pb-ns
BenchmarkX/Pay/paybridge-2     	     300	   4000000 ns/op	         1.000 conns	   38000 B/op	     500 allocs/op
BenchmarkX/Pay/baseline-2      	     300	   4000000 ns/op	         1.000 conns	   35000 B/op	     400 allocs/op
BenchmarkX/Inquire/paybridge-2 	     300	   3000000 ns/op	         1.000 conns	   28000 B/op	     260 allocs/op
BenchmarkX/Inquire/baseline-2  	     300	   2000000 ns/op	         1.000 conns	   26000 B/op	     240 allocs/op
BenchmarkX/ParallelPay/paybridge-2 	 600	   2000000 ns/op	        20.00 conns	   39000 B/op	     496 allocs/op
BenchmarkNotifyX/Interleaved-2 	 5000 	 310000 ns/op 	 100000 duplicate-ns 	 110000 handler-ns 	 100000 verify-ns
BenchmarkNotifyX/Handler-2     	   10000	    110000 ns/op	    5264 B/op	      60 allocs/op
BenchmarkNotifyX/HandlerDuplicate-2 	   10000	    100000 ns/op	    5184 B/op	      57 allocs/op
BenchmarkNotifyX/Baseline-2    	   10000	    105000 ns/op	    3504 B/op	      30 allocs/op
BenchmarkNotifyX/Verify-2      	   10000	    100000 ns/op	    1376 B/op	       9 allocs/op
BenchmarkNotifyY/Handler-2     	   10000	    130000 ns/op	    5264 B/op	      60 allocs/op
BenchmarkNotifyY/Verify-2      	   10000	    100000 ns/op	    1376 B/op	       9 allocs/op
pkg: github.com/paybridge/paybridge/internal/bench
BenchmarkX/Interleaved-2 	 50 	 16600000 ns/op 	 3200000 floor-ns 	 2000000 inquire-bl-ns 	 3000000 inquire-pb-ns 	 4000000 pay-bl-ns 	 4400000 pay-pb-ns
BenchmarkX/InterleavedTLS-2 	 50 	 17000000 ns/op 	 3600000 floor-ns 	 3000000 inquire-bl-ns 	 3100000 inquire-pb-ns 	 4200000 pay-bl-ns 	 4400000 pay-pb-ns
BenchmarkX/ClientOnly-2 	 40 	 21000000 ns/op 	 11 floor-allocs 	 1000000 floor-cpu-ns 	 1000000 floor-ns 	 120 inquire-bl-allocs 	 1250000 inquire-bl-cpu-ns 	 3800000 inquire-bl-ns 	 170 inquire-pb-allocs 	 1500000 inquire-pb-cpu-ns 	 3900000 inquire-pb-ns 	 130 pay-bl-allocs 	 1250000 pay-bl-cpu-ns 	 3900000 pay-bl-ns 	 150 pay-pb-allocs 	 1300000 pay-pb-cpu-ns 	 4000000 pay-pb-ns 	 151 paylog-pb-allocs 	 1300000 paylog-pb-cpu-ns 	 4100000 paylog-pb-ns
BenchmarkX/Pay/paybridge-2     	     300	   4000000 ns/op	         1.000 conns	   38000 B/op	     500 allocs/op
BenchmarkX/Pay/baseline-2      	     300	   4000000 ns/op	         1.000 conns	   35000 B/op	     400 allocs/op
BenchmarkX/Inquire/paybridge-2 	     300	   3000000 ns/op	         1.000 conns	   28000 B/op	     260 allocs/op
BenchmarkX/Inquire/baseline-2  	     300	   2000000 ns/op	         1.000 conns	   26000 B/op	     240 allocs/op
BenchmarkX/ParallelPay/paybridge-2 	 600	   2000000 ns/op	        18.00 conns	   39000 B/op	     496 allocs/op
BenchmarkNotifyX/Interleaved-2 	 5000 	 310000 ns/op 	 100000 duplicate-ns 	 110000 handler-ns 	 100000 verify-ns
BenchmarkNotifyX/Handler-2     	   10000	    110000 ns/op	    5264 B/op	      60 allocs/op
BenchmarkNotifyX/HandlerDuplicate-2 	   10000	    100000 ns/op	    5184 B/op	      57 allocs/op
BenchmarkNotifyX/Baseline-2    	   10000	    105000 ns/op	    3504 B/op	      30 allocs/op
BenchmarkNotifyX/Verify-2      	   10000	    100000 ns/op	    1376 B/op	       9 allocs/op
BenchmarkNotifyY/Handler-2     	   10000	    130000 ns/op	    5264 B/op	      60 allocs/op
BenchmarkNotifyY/Verify-2      	   10000	    100000 ns/op	    1376 B/op	       9 allocs/op
`

func parseSample(t *testing.T) *Set {
	t.Helper()
	s, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestParse(t *testing.T) {
	s := parseSample(t)
	pay := s.Get("BenchmarkX/Pay/paybridge")
	if pay == nil {
		t.Fatalf("names: %v", s.Names())
	}
	if pay.Pkg != "github.com/paybridge/paybridge/internal/bench" || pay.Runs() != 3 {
		t.Fatalf("pkg %q, %d runs", pay.Pkg, pay.Runs())
	}
	if m, _ := pay.Median("ns/op"); m != 4000000 {
		t.Errorf("median ns/op %v", m)
	}
	if m, _ := pay.Median("conns"); m != 1 {
		t.Errorf("median conns %v", m)
	}
	if r := s.Get("BenchmarkParse"); r == nil || r.Pkg != "github.com/paybridge/paybridge/money" {
		t.Errorf("money result: %+v", r)
	}
	if s.Get("BenchmarkSomethingElse") != nil {
		t.Error("a FAIL line was read as a result")
	}
	if r := s.Get("BenchmarkX/ParallelPay64/paybridge"); r == nil || r.Runs() != 1 {
		t.Errorf("ParallelPay64: %+v", r)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got, ok := median(c.in); !ok || got != c.want {
			t.Errorf("median(%v) = %v", c.in, got)
		}
	}
	if _, ok := median(nil); ok {
		t.Error("median of nothing")
	}
}

// Paired ratios of the interleaved Pay: 1.05, 1.05, 1.10 → 1.05, where
// the ratio of the medians (4.4 ms / 4 ms) would be 1.10.
func TestPairedRatio(t *testing.T) {
	s := parseSample(t)
	x, _ := s.series("BenchmarkX/Interleaved", "pay-pb-ns", "")
	y, _ := s.series("BenchmarkX/Interleaved", "pay-bl-ns", "")
	if r, ok := pairedRatio(x, y); !ok || !near(r, 1.05) {
		t.Errorf("paired ratio %v", r)
	}
	// Different numbers of runs: ratio of the medians.
	r, ok := ratio(s.Get("BenchmarkX/ParallelPay64/paybridge"), s.Get("BenchmarkX/Pay/paybridge"), "ns/op")
	if !ok || !near(r, 0.5) {
		t.Errorf("ratio of medians %v", r)
	}
	// No interleaved metric: the separate benchmark's ns/op.
	v, inter := s.series("BenchmarkX/Missing", "pay-pb-ns", "BenchmarkX/Pay/paybridge")
	if inter || len(v) != 3 || v[0] != 4000000 {
		t.Errorf("fallback series %v, %v", v, inter)
	}
}

func TestReport(t *testing.T) {
	var out strings.Builder
	missed := Report(&out, parseSample(t), 32)
	got := out.String()
	lines := map[string]bool{}
	for _, l := range strings.Split(got, "\n") {
		lines[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, want := range []string{
		"medians of 3 run(s); ratios are medians of the per-run ratios",
		// Pay, interleaved: 1.05 ok; pb/floor 1.2, 1.2, 1.375 → 1.20 ok;
		// bl/floor 1.14; allocs 500/400 = 1.25 ok.
		"X Pay HTTP 4.40ms 4.00ms 3.50ms i 1.05 ok 1.20 ok 1.14 500 400 1.25 ok 1/1",
		"X Pay TLS 4.40ms 4.20ms 3.60ms i 1.05 ok 1.22 ok 1.17 - - - -",
		// Inquire: 1.5 MISS; pb/floor 0.86 ok.
		"X Inquire HTTP 3.00ms 2.00ms 3.50ms i 1.50 MISS 0.86 ok 0.57 260 240 1.08 ok 1/1",
		"X Inquire TLS 3.10ms 3.00ms 3.60ms i 1.03 ok 0.86 ok 0.83 - - - -",
		// The client alone: CPU 1.04 ok, allocs 150/130 = 1.15 ok; Inquire
		// misses both; the logger's Pay against the baseline's Pay.
		"X Pay HTTP 4.00ms 3.90ms 1.30ms 1.25ms 1.00ms 1.04 ok 1.30 1.25 150 130 1.15 ok",
		"X Inquire HTTP 3.90ms 3.80ms 1.50ms 1.25ms 1.00ms 1.20 MISS 1.50 1.25 170 120 1.42 MISS",
		"X PayInfoLogger HTTP 4.10ms 3.90ms 1.30ms 1.25ms 1.00ms 1.04 ok 1.30 1.25 151 130 1.16 ok",
		// TLS over HTTP, end to end, paired per run; no client-only TLS.
		"X Pay 1.00 1.05 - -",
		"X Inquire 1.03 1.50 - -",
		// The most connections of any run is judged.
		"X ParallelPay paybridge 2.00ms - 496 18 (max 20) ok",
		"X ParallelPay64 paybridge 2.00ms - 496 40 (max 40) MISS",
		"X Handler 110.0µs 105.0µs 100.0µs i 1.10 ok 1.05 1.05 60 30",
		"X HandlerDuplicate 100.0µs 105.0µs 100.0µs i 1.00 ok 0.95 1.05 57 30",
		// No baseline, no interleaving: separate benchmarks only.
		"Y Handler 130.0µs - 100.0µs 1.30 MISS - - 60 -",
		"Parse 153.5ns 0 0 ok",
		"MinorString 55.2ns 4 1 ok",
		"AppendMinor 22.5ns 0 0 ok",
		"Sign 1.90ms 512 2",
		"Verify 45.0µs 1376 9",
		"5 target(s) missed",
	} {
		if !lines[want] {
			t.Errorf("report lacks the line %q", want)
		}
	}
	if missed != 5 {
		t.Errorf("missed = %d, want 5", missed)
	}
	if t.Failed() {
		t.Log("\n" + got)
	}
}

func TestReportEmptyAndMoneyAlloc(t *testing.T) {
	in := "pkg: example.com/m/money\nBenchmarkAppendMinor-8 \t 100 \t 20 ns/op \t 8 B/op \t 1 allocs/op\n"
	s, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if missed := Report(&out, s, 32); missed != 1 {
		t.Errorf("an allocating AppendMinor: missed = %d\n%s", missed, out.String())
	}
	s, _ = Parse(strings.NewReader("no benchmarks here\n"))
	if len(s.Names()) != 0 {
		t.Errorf("names %v", s.Names())
	}
}

func TestCompare(t *testing.T) {
	a := parseSample(t)
	b, err := Parse(strings.NewReader(strings.Replace(sample, "1900000 ns/op", "600000 ns/op", 1)))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	Compare(&out, a, b, "native", "boring")
	lines := map[string]bool{}
	for _, l := range strings.Split(out.String(), "\n") {
		lines[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, want := range []string{
		"measure native boring boring/native gain",
		"signing.Sign 1.90ms 600.0µs 0.32 +217%",
		"signing.Verify 45.0µs 45.0µs 1.00 +0%",
		"X Pay, end to end, HTTP 4.40ms 4.40ms 1.00 +0%",
		"X Pay, client CPU, HTTP 1.30ms 1.30ms 1.00 +0%",
		"X client floor (sign + verify), CPU, HTTP 1.00ms 1.00ms 1.00 +0%",
		"NotifyX handler 110.0µs 110.0µs 1.00 +0%",
	} {
		if !lines[want] {
			t.Errorf("comparison lacks the line %q", want)
		}
	}
	if t.Failed() {
		t.Log("\n" + out.String())
	}
}

// Two rounds of BenchmarkObserve: the engine's Pay with each observer, the
// AlphaPay Pay and the notification handler off and on.
const observeSample = `pkg: github.com/paybridge/paybridge/internal/bench
BenchmarkObserve/Engine/off-2         	   66340	      5000 ns/op	    4312 B/op	      41 allocs/op
BenchmarkObserve/Engine/noop-2        	   35407	      5100 ns/op	    4536 B/op	      42 allocs/op
BenchmarkObserve/Engine/otel-api-2    	   37579	      6000 ns/op	    5416 B/op	      50 allocs/op
BenchmarkObserve/Engine/otel-sdk-2    	   16344	     11000 ns/op	   11090 B/op	      67 allocs/op
BenchmarkObserve/EngineInterleaved-2  	    9170	     27000 ns/op	      5100 pay-noop-ns	      5000 pay-off-ns	      6000 pay-otel-api-ns	     11000 pay-otel-sdk-ns
BenchmarkObserve/AlphaPay/off-2       	     134	   2400000 ns/op	   37714 B/op	     462 allocs/op
BenchmarkObserve/AlphaPay/otel-sdk-2  	     148	   2424000 ns/op	   44831 B/op	     491 allocs/op
BenchmarkObserve/AlphaPayInterleaved-2         	      61	   4800000 ns/op	   2400000 pay-off-ns	   2424000 pay-otel-sdk-ns
BenchmarkObserve/Notify/off-2                  	    6954	     40000 ns/op	    5321 B/op	      56 allocs/op
BenchmarkObserve/Notify/otel-sdk-2             	    8215	     43000 ns/op	    7552 B/op	      68 allocs/op
BenchmarkObserve/NotifyInterleaved-2           	    3978	     83000 ns/op	     40000 handler-off-ns	     43000 handler-otel-sdk-ns
BenchmarkObserve/EngineInterleaved-2  	    9170	     27000 ns/op	      5300 pay-noop-ns	      5000 pay-off-ns	      6500 pay-otel-api-ns	     12000 pay-otel-sdk-ns
`

func TestReportObserve(t *testing.T) {
	s, err := Parse(strings.NewReader(observeSample))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if missed := Report(&out, s, 32); missed != 0 {
		t.Errorf("%d targets missed", missed)
	}
	// Compare with the columns' spacing collapsed.
	got := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{
		"## Observability (issue 14)",
		"engine Pay, in memory (no network, no RSA) off (no Observer) 5.0µs 1.00 41 +0 4312",
		"no-op Observer 5.2µs 1.04 42 +1 4536",               // paired ratios 1.02 and 1.06
		"otelpaybridge, OTel API only 6.2µs 1.25 50 +9 5416", // 1.2 and 1.3
		"otelpaybridge, OTel SDK 11.5µs 2.30 67 +26 11090",   // 2.2 and 2.4
		"AlphaPay Pay, end to end off (no Observer) 2.40ms 1.00 462 +0 37714",
		"otelpaybridge, OTel SDK 2.42ms 1.01 491 +29 44831",
		"notification handler, new event off (no Observer) 40.0µs 1.00 56 +0 5321",
		"otelpaybridge, OTel SDK 43.0µs 1.07 68 +12 7552",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	// Without BenchmarkObserve results there is no such section.
	out.Reset()
	Report(&out, parseSample(t), 32)
	if strings.Contains(out.String(), "Observability") {
		t.Error("an observability section without its benchmarks")
	}
}
