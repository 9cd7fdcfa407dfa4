package main

import (
	"math"
	"strings"
	"testing"
)

// Three rounds as scripts/bench produces them: each round runs every
// benchmark once; the lines are what go test -bench -benchmem prints.
// X/Interleaved carries the time metrics; the separate benchmarks the
// allocations and connections.
const sample = `goos: linux
goarch: amd64
pkg: github.com/paybridge/paybridge/internal/bench
cpu: Intel(R) Xeon(R) Processor
BenchmarkX/Interleaved-2 	 50 	 16700000 ns/op 	 3500000 floor-ns 	 2000000 inquire-bl-ns 	 3000000 inquire-pb-ns 	 4000000 pay-bl-ns 	 4200000 pay-pb-ns
BenchmarkX/Pay/paybridge-2     	     300	   4000000 ns/op	         1.000 conns	   38000 B/op	     500 allocs/op
BenchmarkX/Pay/baseline-2      	     300	   4000000 ns/op	         1.000 conns	   35000 B/op	     400 allocs/op
BenchmarkX/Inquire/paybridge-2 	     300	   3000000 ns/op	         1.000 conns	   28000 B/op	     260 allocs/op
BenchmarkX/Inquire/baseline-2  	     300	   2000000 ns/op	         1.000 conns	   26000 B/op	     240 allocs/op
BenchmarkX/CryptoFloor-2       	     300	   3000000 ns/op	    3776 B/op	      22 allocs/op
BenchmarkX/PayInfoLogger/paybridge-2 	 300	   5000000 ns/op	         1.000 conns	   38000 B/op	     510 allocs/op
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
pkg: github.com/paybridge/paybridge/internal/bench
BenchmarkX/Interleaved-2 	 50 	 33400000 ns/op 	 7000000 floor-ns 	 4000000 inquire-bl-ns 	 6000000 inquire-pb-ns 	 8000000 pay-bl-ns 	 8400000 pay-pb-ns
BenchmarkX/Pay/paybridge-2     	     300	   4000000 ns/op	         1.000 conns	   38000 B/op	     500 allocs/op
BenchmarkX/Pay/baseline-2      	     300	   4000000 ns/op	         1.000 conns	   35000 B/op	     400 allocs/op
BenchmarkX/Inquire/paybridge-2 	     300	   3000000 ns/op	         1.000 conns	   28000 B/op	     260 allocs/op
BenchmarkX/Inquire/baseline-2  	     300	   2000000 ns/op	         1.000 conns	   26000 B/op	     240 allocs/op
BenchmarkX/CryptoFloor-2       	     300	   3000000 ns/op	    3776 B/op	      22 allocs/op
BenchmarkX/PayInfoLogger/paybridge-2 	 300	   5000000 ns/op	         1.000 conns	   38000 B/op	     510 allocs/op
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
BenchmarkX/Pay/paybridge-2     	     300	   4000000 ns/op	         1.000 conns	   38000 B/op	     500 allocs/op
BenchmarkX/Pay/baseline-2      	     300	   4000000 ns/op	         1.000 conns	   35000 B/op	     400 allocs/op
BenchmarkX/Inquire/paybridge-2 	     300	   3000000 ns/op	         1.000 conns	   28000 B/op	     260 allocs/op
BenchmarkX/Inquire/baseline-2  	     300	   2000000 ns/op	         1.000 conns	   26000 B/op	     240 allocs/op
BenchmarkX/CryptoFloor-2       	     300	   3000000 ns/op	    3776 B/op	      22 allocs/op
BenchmarkX/PayInfoLogger/paybridge-2 	 300	   5000000 ns/op	         1.000 conns	   38000 B/op	     510 allocs/op
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
	r, ok := ratio(s.Get("BenchmarkX/ParallelPay64/paybridge"), s.Get("BenchmarkX/CryptoFloor"), "ns/op")
	if !ok || !near(r, 2.0/3.0) {
		t.Errorf("ratio of medians %v", r)
	}
	// No interleaved metric: the separate benchmark's ns/op.
	v, inter := s.series("BenchmarkX/Interleaved", "payinfologger-pb-ns", "BenchmarkX/PayInfoLogger/paybridge")
	if inter || len(v) != 3 || v[0] != 5000000 {
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
		"X Pay 4.40ms 4.00ms 3.50ms i 1.05 ok 1.20 ok 1.14 500 400 1.25 ok 1/1",
		// Inquire: 1.5 MISS; pb/floor 0.86 ok.
		"X Inquire 3.00ms 2.00ms 3.50ms i 1.50 MISS 0.86 ok 0.57 260 240 1.08 ok 1/1",
		// A variant without its own baseline: separate times, not judged.
		"X PayInfoLogger 5.00ms - 3.00ms - 1.67 - 510 - - 1/-",
		// The most connections of any run is judged.
		"X ParallelPay paybridge 2.00ms 496 18 (max 20) ok",
		"X ParallelPay64 paybridge 2.00ms 496 40 (max 40) MISS",
		"X Handler 110.0µs 105.0µs 100.0µs i 1.10 ok 1.05 1.05 60 30",
		"X HandlerDuplicate 100.0µs 105.0µs 100.0µs i 1.00 ok 0.95 1.05 57 30",
		// No baseline, no interleaving: separate benchmarks only.
		"Y Handler 130.0µs - 100.0µs 1.30 MISS - - 60 -",
		"Parse 153.5ns 0 0 ok",
		"MinorString 55.2ns 4 1 ok",
		"AppendMinor 22.5ns 0 0 ok",
		"3 target(s) missed",
	} {
		if !lines[want] {
			t.Errorf("report lacks the line %q", want)
		}
	}
	if missed != 3 {
		t.Errorf("missed = %d, want 3", missed)
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
