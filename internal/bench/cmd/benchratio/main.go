// Command benchratio reads `go test -bench -benchmem` output (several runs
// of the same benchmarks, any number of packages) and prints the medians of
// every benchmark and the ratios issue 8 set targets for:
//
//   - end to end, per adapter, operation and transport (simulator in the
//     same process; BenchmarkX/Interleaved over plain HTTP,
//     BenchmarkX/InterleavedTLS over TLS): paybridge/baseline time (≤ 1.10)
//     and paybridge/crypto floor time (≤ 1.25), from the interleaved
//     benchmarks' metrics (pay-pb-ns, …, floor-ns), which alternate the calls
//     and are robust to machine load; allocations of both ends (≤ 1.25) and
//     connections from the separate BenchmarkX/Op/paybridge and /baseline;
//   - the client alone (BenchmarkX/ClientOnly and ClientOnlyTLS, simulator
//     in another process): paybridge/baseline CPU time (≤ 1.10) and
//     allocations (≤ 1.25), next to the client's share of the crypto floor;
//   - parallel Pay (BenchmarkX/ParallelPay/…): connections opened, at most
//     the pool size;
//   - the notification handler (BenchmarkNotifyX/Handler and
//     /HandlerDuplicate) over one RSA verification (BenchmarkNotifyX/Verify),
//     ≤ 1.15, and over a hand-written handler (BenchmarkNotifyX/Baseline);
//   - package money: parse and format under 300 ns, the wire-string
//     conversions (ParseMinor, AppendMinor) without allocation;
//   - package signing: Sign and Verify, reported;
//   - observability (BenchmarkObserve): each call without an Observer and
//     with each kind of one, time and allocations against off, reported.
//
// Usage:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./internal/bench ./money | benchratio [-pool 32] [-strict]
//	benchratio [-pool 32] [-strict] FILE
//	benchratio -compare [-labels native,boringcrypto] FILE1 FILE2
//
// With -strict it exits with status 1 when a target is missed. -compare
// prints two runs side by side (two builds, say): the key times of each and
// how much the second gains on the first.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The targets of issue 8.
const (
	maxTimeVsBaseline   = 1.10
	maxAllocsVsBaseline = 1.25
	maxTimeVsFloor      = 1.25
	maxNotifyVsVerify   = 1.15
	maxMoneyNs          = 300
)

func main() {
	pool := flag.Int("pool", 32, "the HTTP pool's connections per host (engine.NewPooledTransport)")
	strict := flag.Bool("strict", false, "exit with status 1 if a target is missed")
	compare := flag.Bool("compare", false, "compare two result files: benchratio -compare FILE1 FILE2")
	labels := flag.String("labels", "first,second", "with -compare: the names of the two runs")
	flag.Parse()
	if *compare {
		if flag.NArg() != 2 {
			fmt.Fprintln(os.Stderr, "benchratio: -compare needs two files")
			os.Exit(2)
		}
		a, b := mustParseFile(flag.Arg(0)), mustParseFile(flag.Arg(1))
		la, lb, _ := strings.Cut(*labels, ",")
		Compare(os.Stdout, a, b, la, lb)
		return
	}
	var set *Set
	switch flag.NArg() {
	case 0:
		var err error
		if set, err = Parse(os.Stdin); err != nil {
			fmt.Fprintln(os.Stderr, "benchratio:", err)
			os.Exit(2)
		}
	case 1:
		set = mustParseFile(flag.Arg(0))
	default:
		fmt.Fprintln(os.Stderr, "benchratio: at most one file (or -compare and two)")
		os.Exit(2)
	}
	if len(set.Names()) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no benchmark results")
		os.Exit(2)
	}
	missed := Report(os.Stdout, set, *pool)
	if *strict && missed > 0 {
		os.Exit(1)
	}
}

func mustParseFile(name string) *Set {
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(2)
	}
	defer f.Close()
	s, err := Parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(2)
	}
	return s
}

// Result is every run of one benchmark.
type Result struct {
	Pkg, Name string
	// Samples holds each run's value per unit: "ns/op", "B/op",
	// "allocs/op", "conns", …
	Samples map[string][]float64
}

// Median returns the median of unit's samples and whether there are any.
func (r *Result) Median(unit string) (float64, bool) {
	return median(r.Samples[unit])
}

// Runs is the number of runs seen.
func (r *Result) Runs() int { return len(r.Samples["ns/op"]) }

// Set is the parsed input: results by benchmark name (without the
// -GOMAXPROCS suffix).
type Set struct {
	byName map[string]*Result
	order  []string
}

// Get returns a result by name, or nil.
func (s *Set) Get(name string) *Result { return s.byName[name] }

// Names lists the benchmarks in the order first seen.
func (s *Set) Names() []string { return s.order }

var procSuffix = regexp.MustCompile(`-\d+$`)

// Parse reads go test -bench output. Lines that are not results are
// skipped, except "pkg:" lines, which name the package of the results
// that follow.
func Parse(r io.Reader) (*Set, error) {
	s := &Set{byName: map[string]*Result{}}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		vals := map[string]float64{}
		ok := true
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				ok = false
				break
			}
			vals[f[i+1]] = v
		}
		if !ok || len(vals) == 0 {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		res := s.byName[name]
		if res == nil {
			res = &Result{Pkg: pkg, Name: name, Samples: map[string][]float64{}}
			s.byName[name] = res
			s.order = append(s.order, name)
		}
		for u, v := range vals {
			res.Samples[u] = append(res.Samples[u], v)
		}
	}
	return s, sc.Err()
}

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

var (
	adapterRe = regexp.MustCompile(`^Benchmark(\w+)/(Interleaved|InterleavedTLS|ClientOnly|ClientOnlyTLS|Pay|Inquire|ParallelPay\w*)(/|$)`)
	notifyRe  = regexp.MustCompile(`^BenchmarkNotify(\w+)/(\w+)$`)
)

// series returns the per-run values of a time: from the adapter's
// Interleaved benchmark (metric unit) when there is one, else from the
// separate benchmark name (ns/op). interleaved reports which.
func (s *Set) series(interleavedName, unit, name string) (v []float64, interleaved bool) {
	if r := s.Get(interleavedName); r != nil && len(r.Samples[unit]) > 0 {
		return r.Samples[unit], true
	}
	if r := s.Get(name); r != nil {
		return r.Samples["ns/op"], false
	}
	return nil, false
}

// metric returns the per-run values of one unit of a benchmark, or nil.
func (s *Set) metric(name, unit string) []float64 {
	if r := s.Get(name); r != nil {
		return r.Samples[unit]
	}
	return nil
}

// adapters lists the adapters of the end-to-end benchmarks, in the order
// first seen.
func (s *Set) adapters() []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range s.Names() {
		m := adapterRe.FindStringSubmatch(n)
		if m == nil || strings.HasPrefix(m[1], "Notify") || seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		out = append(out, m[1])
	}
	return out
}

// transports are the two ways the benchmarks reach a simulator, and the
// sub-benchmarks that measure them.
var transports = []struct{ name, interleaved, clientOnly string }{
	{"HTTP", "Interleaved", "ClientOnly"},
	{"TLS", "InterleavedTLS", "ClientOnlyTLS"},
}

// clientOps are the rows of the client-only table: the paybridge and the
// baseline metric prefixes of ClientOnly.
var clientOps = []struct{ op, pb, bl string }{
	{"Pay", "pay-pb", "pay-bl"},
	{"Inquire", "inquire-pb", "inquire-bl"},
	{"PayInfoLogger", "paylog-pb", "pay-bl"},
}

// Report writes the tables and returns how many targets were missed.
func Report(w io.Writer, s *Set, pool int) (missed int) {
	verdict := func(ok bool) string {
		if ok {
			return "ok"
		}
		missed++
		return "MISS"
	}
	runs := 0
	for _, n := range s.Names() {
		runs = max(runs, s.Get(n).Runs())
	}
	fmt.Fprintf(w, "medians of %d run(s); ratios are medians of the per-run ratios\n", runs)

	adapters := s.adapters()
	if len(adapters) > 0 {
		fmt.Fprintf(w, "\n## End to end, simulator in this process: paybridge vs baseline (targets: time ≤ %.2f×, allocs ≤ %.2f× the baseline; time ≤ %.2f× the crypto floor)\n",
			maxTimeVsBaseline, maxAllocsVsBaseline, maxTimeVsFloor)
		fmt.Fprintf(w, "times from X/Interleaved[TLS] (calls alternated, timed each) where marked i, else from the separate benchmarks; floor: the exchange's four RSA operations; allocs: both ends, plain HTTP\n\n")
		tw := newTable(w, "adapter", "op", "transport", "paybridge", "baseline", "floor", "", "time pb/bl", "", "pb/floor", "", "bl/floor",
			"allocs pb", "allocs bl", "allocs pb/bl", "", "conns pb/bl")
		for _, a := range adapters {
			prefix := "Benchmark" + a + "/"
			for _, op := range []string{"Pay", "Inquire"} {
				unit := strings.ToLower(op)
				pb, bl := s.Get(prefix+op+"/paybridge"), s.Get(prefix+op+"/baseline")
				for ti, tr := range transports {
					sep := func(v string) string { return "" }
					if ti == 0 {
						sep = func(v string) string { return prefix + op + "/" + v }
					}
					pbT, inter := s.series(prefix+tr.interleaved, unit+"-pb-ns", sep("paybridge"))
					if len(pbT) == 0 {
						continue
					}
					blT, _ := s.series(prefix+tr.interleaved, unit+"-bl-ns", sep("baseline"))
					flT, _ := s.series(prefix+tr.interleaved, "floor-ns", "")
					mark := ""
					if inter {
						mark = "i"
					}
					row := []string{a, op, tr.name, durOf(pbT), durOf(blT), durOf(flT), mark}
					row = append(row, ratioCell(pbT, blT, maxTimeVsBaseline, true, verdict)...)
					row = append(row, ratioCell(pbT, flT, maxTimeVsFloor, true, verdict)...)
					br, ok := pairedRatio(blT, flT)
					row = append(row, fmtRatio(br, ok))
					if ti == 0 && pb != nil {
						row = append(row, num(pb, "allocs/op"), num(bl, "allocs/op"))
						if bl != nil {
							row = append(row, ratioCell(pb.Samples["allocs/op"], bl.Samples["allocs/op"], maxAllocsVsBaseline, true, verdict)...)
						} else {
							row = append(row, "-", "")
						}
						row = append(row, num(pb, "conns")+"/"+num(bl, "conns"))
					} else {
						row = append(row, "-", "-", "-", "", "-")
					}
					tw.row(row...)
				}
			}
		}
		tw.flush()

		var clientRows int
		for _, a := range adapters {
			for _, tr := range transports {
				if s.Get("Benchmark"+a+"/"+tr.clientOnly) != nil {
					clientRows++
				}
			}
		}
		if clientRows > 0 {
			fmt.Fprintf(w, "\n## The client alone, simulator in another process (targets: CPU time ≤ %.2f×, allocs ≤ %.2f× the baseline)\n",
				maxTimeVsBaseline, maxAllocsVsBaseline)
			fmt.Fprintf(w, "wall: median time of a call; CPU: mean CPU time of the client's process per call; floor: the client's two RSA operations (sign the request, verify the answer); PayInfoLogger is compared with the baseline's Pay\n\n")
			tw := newTable(w, "adapter", "op", "transport", "wall pb", "wall bl", "CPU pb", "CPU bl", "CPU floor", "CPU pb/bl", "",
				"pb/floor", "bl/floor", "allocs pb", "allocs bl", "allocs pb/bl", "")
			for _, a := range adapters {
				for _, c := range clientOps {
					for _, tr := range transports {
						name := "Benchmark" + a + "/" + tr.clientOnly
						if s.Get(name) == nil {
							continue
						}
						cpb, cbl, cfl := s.metric(name, c.pb+"-cpu-ns"), s.metric(name, c.bl+"-cpu-ns"), s.metric(name, "floor-cpu-ns")
						apb, abl := s.metric(name, c.pb+"-allocs"), s.metric(name, c.bl+"-allocs")
						row := []string{a, c.op, tr.name, durOf(s.metric(name, c.pb+"-ns")), durOf(s.metric(name, c.bl+"-ns")),
							durOf(cpb), durOf(cbl), durOf(cfl)}
						row = append(row, ratioCell(cpb, cbl, maxTimeVsBaseline, true, verdict)...)
						r1, ok1 := pairedRatio(cpb, cfl)
						r2, ok2 := pairedRatio(cbl, cfl)
						row = append(row, fmtRatio(r1, ok1), fmtRatio(r2, ok2), numOf(apb), numOf(abl))
						row = append(row, ratioCell(apb, abl, maxAllocsVsBaseline, true, verdict)...)
						tw.row(row...)
					}
				}
			}
			tw.flush()
		}

		var tlsRows [][]string
		for _, a := range adapters {
			prefix := "Benchmark" + a + "/"
			for _, op := range []string{"Pay", "Inquire"} {
				unit := strings.ToLower(op)
				e2e := func(who string) string {
					r, ok := pairedRatio(s.metric(prefix+"InterleavedTLS", unit+"-"+who+"-ns"), s.metric(prefix+"Interleaved", unit+"-"+who+"-ns"))
					return fmtRatio(r, ok)
				}
				cpu := func(who string) string {
					r, ok := pairedRatio(s.metric(prefix+"ClientOnlyTLS", unit+"-"+who+"-cpu-ns"), s.metric(prefix+"ClientOnly", unit+"-"+who+"-cpu-ns"))
					return fmtRatio(r, ok)
				}
				row := []string{a, op, e2e("pb"), e2e("bl"), cpu("pb"), cpu("bl")}
				if strings.Join(row[2:], "") != "----" {
					tlsRows = append(tlsRows, row)
				}
			}
		}
		if len(tlsRows) > 0 {
			fmt.Fprintf(w, "\n## TLS over plain HTTP (time with TLS / time without, per run; the connection is kept, so this is the record layer, not handshakes)\n\n")
			tw := newTable(w, "adapter", "op", "end to end pb", "end to end bl", "client CPU pb", "client CPU bl")
			for _, r := range tlsRows {
				tw.row(r...)
			}
			tw.flush()
		}

		fmt.Fprintf(w, "\n## Parallel Pay through one client (target: connections ≤ the pool, %d; the most of any run counts; CPU/op: both ends)\n\n", pool)
		tw = newTable(w, "adapter", "benchmark", "client", "time/op", "CPU/op", "allocs/op", "conns", "")
		for _, a := range adapters {
			for _, op := range []string{"ParallelPay", "ParallelPay64"} {
				for _, v := range []string{"paybridge", "baseline"} {
					r := s.Get("Benchmark" + a + "/" + op + "/" + v)
					if r == nil {
						continue
					}
					c, ok := r.Median("conns")
					if !ok {
						tw.row(a, op, v, dur(r, "ns/op"), dur(r, "cpu-ns/op"), num(r, "allocs/op"), "-", "")
						continue
					}
					worst := 0.0
					for _, x := range r.Samples["conns"] {
						worst = max(worst, x)
					}
					check := ""
					if v == "paybridge" {
						check = verdict(worst <= float64(pool))
					}
					tw.row(a, op, v, dur(r, "ns/op"), dur(r, "cpu-ns/op"), num(r, "allocs/op"), fmt.Sprintf("%g (max %g)", c, worst), check)
				}
			}
		}
		tw.flush()
	}

	// Notifications.
	var notifiers []string
	seenN := map[string]bool{}
	for _, n := range s.Names() {
		if m := notifyRe.FindStringSubmatch(n); m != nil && !seenN[m[1]] {
			seenN[m[1]] = true
			notifiers = append(notifiers, m[1])
		}
	}
	if len(notifiers) > 0 {
		fmt.Fprintf(w, "\n## Notification handler vs one RSA verification (target: ≤ %.2f×)\n", maxNotifyVsVerify)
		fmt.Fprintf(w, "times from NotifyX/Interleaved where marked i, else from the separate benchmarks\n\n")
		tw := newTable(w, "source", "path", "handler", "baseline", "verify", "", "handler/verify", "", "handler/baseline", "baseline/verify", "allocs", "allocs baseline")
		for _, a := range notifiers {
			prefix := "BenchmarkNotify" + a + "/"
			vT, _ := s.series(prefix+"Interleaved", "verify-ns", prefix+"Verify")
			bT, _ := s.series(prefix+"Interleaved", "baseline-ns", prefix+"Baseline")
			for _, p := range []struct{ name, unit string }{{"Handler", "handler-ns"}, {"HandlerDuplicate", "duplicate-ns"}} {
				hT, inter := s.series(prefix+"Interleaved", p.unit, prefix+p.name)
				if len(hT) == 0 || len(vT) == 0 {
					continue
				}
				mark := ""
				if inter {
					mark = "i"
				}
				row := []string{a, p.name, durOf(hT), durOf(bT), durOf(vT), mark}
				row = append(row, ratioCell(hT, vT, maxNotifyVsVerify, true, verdict)...)
				hb, ok := pairedRatio(hT, bT)
				bv, ok2 := pairedRatio(bT, vT)
				row = append(row, fmtRatio(hb, ok), fmtRatio(bv, ok2))
				row = append(row, num(s.Get(prefix+p.name), "allocs/op"), num(s.Get(prefix+"Baseline"), "allocs/op"))
				tw.row(row...)
			}
		}
		tw.flush()
	}

	reportObserve(w, s)

	// Money.
	var money []*Result
	for _, n := range s.Names() {
		if r := s.Get(n); strings.HasSuffix(r.Pkg, "/money") {
			money = append(money, r)
		}
	}
	if len(money) > 0 {
		fmt.Fprintf(w, "\n## money (targets: parse and format < %d ns; ParseMinor and AppendMinor, the wire-string conversions, 0 allocs)\n\n", maxMoneyNs)
		tw := newTable(w, "benchmark", "time/op", "B/op", "allocs/op", "")
		for _, r := range money {
			name := strings.TrimPrefix(r.Name, "Benchmark")
			ns, _ := r.Median("ns/op")
			allocs, _ := r.Median("allocs/op")
			check := ""
			switch name {
			case "Parse", "ParseMajor", "String", "Major", "MinorString":
				check = verdict(ns < maxMoneyNs)
			case "ParseMinor", "AppendMinor":
				check = verdict(ns < maxMoneyNs && allocs == 0)
			}
			tw.row(name, dur(r, "ns/op"), num(r, "B/op"), num(r, "allocs/op"), check)
		}
		tw.flush()
	}
	var sig []*Result
	for _, n := range s.Names() {
		if r := s.Get(n); strings.HasSuffix(r.Pkg, "/signing") {
			sig = append(sig, r)
		}
	}
	if len(sig) > 0 {
		fmt.Fprintf(w, "\n## signing (RSA-2048, SHA-256)\n\n")
		tw := newTable(w, "benchmark", "time/op", "B/op", "allocs/op")
		for _, r := range sig {
			tw.row(strings.TrimPrefix(r.Name, "Benchmark"), dur(r, "ns/op"), num(r, "B/op"), num(r, "allocs/op"))
		}
		tw.flush()
	}
	fmt.Fprintf(w, "\n%d target(s) missed\n", missed)
	return missed
}

// observeRows are the rows of the observability table: the calls
// BenchmarkObserve measures, each with the observers it runs, its
// interleaved benchmark (time metrics "<prefix>-<observer>-ns") and its
// separate ones (allocations).
var observeRows = []struct {
	what, interleaved, prefix, separate string
	observers                           []string
}{
	{"engine Pay, in memory (no network, no RSA)", "EngineInterleaved", "pay", "Engine", []string{"off", "noop", "otel-api", "otel-sdk"}},
	{"AlphaPay Pay, end to end", "AlphaPayInterleaved", "pay", "AlphaPay", []string{"off", "otel-sdk"}},
	{"notification handler, new event", "NotifyInterleaved", "handler", "Notify", []string{"off", "otel-sdk"}},
}

// observerNames say what each observer of BenchmarkObserve is.
var observerNames = map[string]string{
	"off":      "off (no Observer)",
	"noop":     "no-op Observer",
	"otel-api": "otelpaybridge, OTel API only",
	"otel-sdk": "otelpaybridge, OTel SDK",
}

// reportObserve prints what observability costs (issue 14): each call
// without an Observer and with each one, the time over off's (per run, from
// the interleaved benchmark) and the allocations over off's. There is no
// target to miss: off is the path every other benchmark measures.
func reportObserve(w io.Writer, s *Set) {
	const prefix = "BenchmarkObserve/"
	found := false
	for _, r := range observeRows {
		if s.Get(prefix+r.interleaved) != nil || s.Get(prefix+r.separate+"/off") != nil {
			found = true
		}
	}
	if !found {
		return
	}
	fmt.Fprintf(w, "\n## Observability (issue 14): the cost of an Observer, off and on\n")
	fmt.Fprintf(w, "time: median of the alternated calls (X-Interleaved), ratio to off per run; allocs and B/op: the separate benchmarks (both ends for AlphaPay)\n\n")
	tw := newTable(w, "call", "observer", "time", "time/off", "allocs", "allocs−off", "B/op")
	for _, r := range observeRows {
		inter := prefix + r.interleaved
		offT := s.metric(inter, r.prefix+"-off-ns")
		offA := s.metric(prefix+r.separate+"/off", "allocs/op")
		what := r.what
		for _, o := range r.observers {
			t := s.metric(inter, r.prefix+"-"+o+"-ns")
			sep := s.Get(prefix + r.separate + "/" + o)
			if len(t) == 0 && sep == nil {
				continue
			}
			ratio, ok := pairedRatio(t, offT)
			delta := "-"
			if a, ok1 := median(s.metric(prefix+r.separate+"/"+o, "allocs/op")); ok1 {
				if b, ok2 := median(offA); ok2 {
					delta = fmt.Sprintf("%+g", a-b)
				}
			}
			tw.row(what, observerNames[o], durOf(t), fmtRatio(ratio, ok), num(sep, "allocs/op"), delta, num(sep, "B/op"))
			what = ""
		}
	}
	tw.flush()
}

// Compare prints the key times of two result sets side by side — two
// builds of the same benchmarks, say — with the second's time over the
// first's and the throughput the second gains (first/second − 1). Times
// are medians; the ratio pairs the runs when both have as many (the i-th
// run of each measured in the same round).
func Compare(w io.Writer, a, b *Set, la, lb string) {
	type key struct{ label, name, unit string }
	var keys []key
	add := func(label, name, unit string) {
		if len(a.metric(name, unit)) > 0 || len(b.metric(name, unit)) > 0 {
			keys = append(keys, key{label, name, unit})
		}
	}
	for _, n := range []string{"Sign", "Verify"} {
		for _, set := range []*Set{a, b} {
			if r := set.Get("Benchmark" + n); r != nil && strings.HasSuffix(r.Pkg, "/signing") {
				add("signing."+n, "Benchmark"+n, "ns/op")
				break
			}
		}
	}
	for _, ad := range unionAdapters(a, b) {
		p := "Benchmark" + ad + "/"
		for _, tr := range transports {
			add(ad+" Pay, end to end, "+tr.name, p+tr.interleaved, "pay-pb-ns")
			add(ad+" Inquire, end to end, "+tr.name, p+tr.interleaved, "inquire-pb-ns")
			add(ad+" crypto floor (4 RSA ops), "+tr.name, p+tr.interleaved, "floor-ns")
		}
		for _, tr := range transports {
			add(ad+" Pay, client CPU, "+tr.name, p+tr.clientOnly, "pay-pb-cpu-ns")
			add(ad+" Inquire, client CPU, "+tr.name, p+tr.clientOnly, "inquire-pb-cpu-ns")
			add(ad+" baseline Pay, client CPU, "+tr.name, p+tr.clientOnly, "pay-bl-cpu-ns")
			add(ad+" client floor (sign + verify), CPU, "+tr.name, p+tr.clientOnly, "floor-cpu-ns")
		}
		add(ad+" ParallelPay (16 callers), time/op", p+"ParallelPay/paybridge", "ns/op")
		add(ad+" ParallelPay (16 callers), CPU/op, both ends", p+"ParallelPay/paybridge", "cpu-ns/op")
		add("Notify"+ad+" handler", "BenchmarkNotify"+ad+"/Interleaved", "handler-ns")
		add("Notify"+ad+" one verification", "BenchmarkNotify"+ad+"/Interleaved", "verify-ns")
	}
	fmt.Fprintf(w, "## %s vs %s (medians; %s/%s per run; gain: throughput of %s over %s)\n\n", la, lb, lb, la, lb, la)
	tw := newTable(w, "measure", la, lb, lb+"/"+la, "gain")
	for _, k := range keys {
		x, y := a.metric(k.name, k.unit), b.metric(k.name, k.unit)
		r, ok := pairedRatio(y, x)
		gain := "-"
		if ok && r > 0 {
			gain = fmt.Sprintf("%+.0f%%", (1/r-1)*100)
		}
		tw.row(k.label, durOf(x), durOf(y), fmtRatio(r, ok), gain)
	}
	tw.flush()
}

// unionAdapters lists the adapters of a, then those only b has.
func unionAdapters(a, b *Set) []string {
	out := a.adapters()
	seen := map[string]bool{}
	for _, x := range out {
		seen[x] = true
	}
	for _, x := range b.adapters() {
		if !seen[x] {
			out = append(out, x)
		}
	}
	return out
}

// ratioCell formats x/y and, if judge, its verdict against limit.
func ratioCell(x, y []float64, limit float64, judge bool, verdict func(bool) string) []string {
	r, ok := pairedRatio(x, y)
	if !ok {
		return []string{"-", ""}
	}
	if !judge {
		return []string{fmtRatio(r, true), ""}
	}
	return []string{fmtRatio(r, true), verdict(r <= limit)}
}

func fmtRatio(r float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f", r)
}

// pairedRatio is the ratio of two series of per-run values. When both
// have the same number of runs, the runs are paired in order —
// scripts/bench runs every benchmark once per round, so the i-th values
// were measured seconds apart (or, from an Interleaved benchmark, in
// alternation) under the same load — and the median of the per-run ratios
// is returned; otherwise the ratio of the medians.
func pairedRatio(x, y []float64) (float64, bool) {
	if len(x) > 0 && len(x) == len(y) {
		var r []float64
		for i := range x {
			if y[i] != 0 {
				r = append(r, x[i]/y[i])
			}
		}
		return median(r)
	}
	mx, ok1 := median(x)
	my, ok2 := median(y)
	if !ok1 || !ok2 || my == 0 {
		return 0, false
	}
	return mx / my, true
}

// ratio is pairedRatio of two results' unit.
func ratio(a, b *Result, unit string) (float64, bool) {
	return pairedRatio(a.Samples[unit], b.Samples[unit])
}

// dur formats the median of a result's unit (ns) as a duration.
func dur(r *Result, unit string) string {
	if r == nil {
		return "-"
	}
	return durOf(r.Samples[unit])
}

// durOf formats the median of ns values with three significant digits.
func durOf(v []float64) string {
	ns, ok := median(v)
	if !ok {
		return "-"
	}
	switch {
	case ns >= 1e6:
		return strconv.FormatFloat(ns/1e6, 'f', 2, 64) + "ms"
	case ns >= 1e3:
		return strconv.FormatFloat(ns/1e3, 'f', 1, 64) + "µs"
	}
	return strconv.FormatFloat(ns, 'f', 1, 64) + "ns"
}

func num(r *Result, unit string) string {
	if r == nil {
		return "-"
	}
	return numOf(r.Samples[unit])
}

// numOf formats the median of v, with at most one decimal.
func numOf(v []float64) string {
	m, ok := median(v)
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(float64(int64(m*10+0.5))/10, 'f', -1, 64)
}

// table writes aligned columns.
type table struct {
	w    io.Writer
	rows [][]string
}

func newTable(w io.Writer, header ...string) *table {
	return &table{w: w, rows: [][]string{header}}
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) flush() {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(c))+2))
			}
		}
		fmt.Fprintln(t.w, strings.TrimRight(b.String(), " "))
	}
}
