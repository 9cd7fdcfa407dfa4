// Command benchratio reads `go test -bench -benchmem` output (several runs
// of the same benchmarks, any number of packages) on standard input and
// prints the medians of every benchmark and the ratios issue 8 sets targets
// for:
//
//   - per adapter and operation (BenchmarkX/Op/paybridge next to
//     BenchmarkX/Op/baseline and BenchmarkX/CryptoFloor): paybridge/baseline
//     time (≤ 1.10) and allocations (≤ 1.25), paybridge/crypto floor time
//     (≤ 1.25), and the connections opened. Times come from
//     BenchmarkX/Interleaved's metrics (pay-pb-ns, …, floor-ns) when it
//     ran, since it alternates the calls and is robust to machine load;
//   - parallel Pay (BenchmarkX/ParallelPay/…): connections opened, at most
//     the pool size;
//   - the notification handler (BenchmarkNotifyX/Handler and
//     /HandlerDuplicate) over one RSA verification (BenchmarkNotifyX/Verify),
//     ≤ 1.15, and over a hand-written handler (BenchmarkNotifyX/Baseline);
//   - package money: parse and format under 300 ns, the wire-string
//     conversions (ParseMinor, AppendMinor) without allocation.
//
// Usage:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./internal/bench ./money | benchratio [-pool 32] [-strict]
//
// With -strict it exits with status 1 when a target is missed.
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
	pool := flag.Int("pool", 32, "the HTTP pool's idle connections per host (transport.NewPooledTransport)")
	strict := flag.Bool("strict", false, "exit with status 1 if a target is missed")
	flag.Parse()
	set, err := Parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(2)
	}
	if len(set.Names()) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no benchmark results on standard input")
		os.Exit(2)
	}
	missed := Report(os.Stdout, set, *pool)
	if *strict && missed > 0 {
		os.Exit(1)
	}
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
	adapterRe = regexp.MustCompile(`^Benchmark(\w+)/(\w+)/(paybridge|baseline)$`)
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

	// Adapters.
	type opKey struct{ adapter, op string }
	var ops []opKey
	seen := map[opKey]bool{}
	for _, n := range s.Names() {
		m := adapterRe.FindStringSubmatch(n)
		if m == nil || strings.HasPrefix(m[1], "Notify") {
			continue
		}
		k := opKey{m[1], m[2]}
		if !seen[k] {
			seen[k] = true
			ops = append(ops, k)
		}
	}
	if len(ops) > 0 {
		fmt.Fprintf(w, "\n## Adapters: paybridge vs baseline (targets: time ≤ %.2f×, allocs ≤ %.2f× the baseline; time ≤ %.2f× the crypto floor)\n",
			maxTimeVsBaseline, maxAllocsVsBaseline, maxTimeVsFloor)
		fmt.Fprintf(w, "times from X/Interleaved (calls alternated, timed each) where marked i, else from the separate benchmarks\n\n")
		tw := newTable(w, "adapter", "op", "paybridge", "baseline", "floor", "", "time pb/bl", "", "pb/floor", "", "bl/floor",
			"allocs pb", "allocs bl", "allocs pb/bl", "", "conns pb/bl")
		for _, k := range ops {
			prefix := "Benchmark" + k.adapter + "/"
			pb := s.Get(prefix + k.op + "/paybridge")
			bl := s.Get(prefix + k.op + "/baseline")
			if pb == nil || strings.HasPrefix(k.op, "Parallel") {
				continue
			}
			unit := strings.ToLower(k.op)
			pbT, inter := s.series(prefix+"Interleaved", unit+"-pb-ns", prefix+k.op+"/paybridge")
			blT, _ := s.series(prefix+"Interleaved", unit+"-bl-ns", prefix+k.op+"/baseline")
			flT, _ := s.series(prefix+"Interleaved", "floor-ns", prefix+"CryptoFloor")
			if !inter {
				// Not in the interleaved set (PayInfoLogger): compare
				// with the separate baseline and floor.
				blT = nil
				if bl != nil {
					blT = bl.Samples["ns/op"]
				}
				flT = nil
				if fl := s.Get(prefix + "CryptoFloor"); fl != nil {
					flT = fl.Samples["ns/op"]
				}
			}
			mark := ""
			if inter {
				mark = "i"
			}
			row := []string{k.adapter, k.op, durOf(pbT), durOf(blT), durOf(flT), mark}
			judge := bl != nil // variants without a baseline of their own are reported, not judged
			row = append(row, ratioCell(pbT, blT, maxTimeVsBaseline, judge, verdict)...)
			row = append(row, ratioCell(pbT, flT, maxTimeVsFloor, judge, verdict)...)
			br, ok := pairedRatio(blT, flT)
			row = append(row, fmtRatio(br, ok && bl != nil))
			row = append(row, num(pb, "allocs/op"), num(bl, "allocs/op"))
			if bl != nil {
				row = append(row, ratioCell(pb.Samples["allocs/op"], bl.Samples["allocs/op"], maxAllocsVsBaseline, true, verdict)...)
			} else {
				row = append(row, "-", "")
			}
			row = append(row, num(pb, "conns")+"/"+num(bl, "conns"))
			tw.row(row...)
		}
		tw.flush()

		fmt.Fprintf(w, "\n## Parallel Pay through one client (target: connections ≤ the pool, %d; the most of any run counts)\n\n", pool)
		tw = newTable(w, "adapter", "benchmark", "client", "time/op", "allocs/op", "conns", "")
		for _, k := range ops {
			if !strings.HasPrefix(k.op, "Parallel") {
				continue
			}
			for _, v := range []string{"paybridge", "baseline"} {
				r := s.Get("Benchmark" + k.adapter + "/" + k.op + "/" + v)
				if r == nil {
					continue
				}
				c, ok := r.Median("conns")
				if !ok {
					tw.row(k.adapter, k.op, v, dur(r, "ns/op"), num(r, "allocs/op"), "-", "")
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
				tw.row(k.adapter, k.op, v, dur(r, "ns/op"), num(r, "allocs/op"), fmt.Sprintf("%g (max %g)", c, worst), check)
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
	fmt.Fprintf(w, "\n%d target(s) missed\n", missed)
	return missed
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
	v, ok := r.Median(unit)
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
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
