package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/testserver"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify/pgstore"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// options are the soak's flags.
type options struct {
	Instances int
	Payments  int
	Kills     int
	Store     string // "redis" or "postgres"
	Seed      uint64
	Rate      float64       // payments started per second
	Faults    float64       // probability that a command meets a scripted fault
	Settle    time.Duration // the longest wait, after the load, for everything to settle
	Logs      string        // directory of the instances' logs; "" for a temporary one
	Verbose   bool
	Break     string // see instanceConfig.Break
}

// figures are the soak's result. The loss figures must all be 0.
type figures struct {
	Payments            int // pay commands issued
	DoubleCharges       int // charges or orders beyond one per PaymentRequestID
	DoubleRefunds       int // refunds beyond one per RefundRequestID
	DuplicateDeliveries int // events delivered again though their first delivery's instance lived on
	Unsettled           int // calls whose outcome the platform or the journal still does not know
	UToF                int // payments or refunds the platform holds failed while the provider took or returned the money
	Stale               int // settled records that disagree with the provider's books

	Refunds              int
	Kills                int
	Faults               int
	DuplicatePosts       int
	SettledByReconciler  int // journal entries the Reconciler settled
	RecoveredByPlatform  int // the platform's records left open by a kill, settled from the journal
	RedeliveredAfterKill int // events delivered again because the instance delivering them was killed first
	Elapsed              time.Duration
}

func (f figures) losses() int {
	return f.DoubleCharges + f.DoubleRefunds + f.DuplicateDeliveries + f.Unsettled + f.UToF + f.Stale
}

// String is the soak's one line of figures.
func (f figures) String() string {
	return fmt.Sprintf("soak: payments=%d double_charges=%d double_refunds=%d duplicate_deliveries=%d unsettled=%d u_to_f=%d stale=%d"+
		" | refunds=%d kills=%d faults=%d duplicate_posts=%d settled_by_reconciler=%d recovered_by_platform=%d redelivered_after_kill=%d elapsed=%s",
		f.Payments, f.DoubleCharges, f.DoubleRefunds, f.DuplicateDeliveries, f.Unsettled, f.UToF, f.Stale,
		f.Refunds, f.Kills, f.Faults, f.DuplicatePosts, f.SettledByReconciler, f.RecoveredByPlatform, f.RedeliveredAfterKill, f.Elapsed.Round(time.Second))
}

// soak is one run: the servers, the simulators, the instances and what the
// load driver did.
type soak struct {
	opts  options
	tb    testserver.TB
	logf  func(format string, args ...any)
	db    *pgxpool.Pool
	ap    *alphapaytest.Server
	w     *alipayplustest.Server
	cfg   instanceConfig
	paths struct{ config, logs string }
	hc    *http.Client

	mu       sync.Mutex
	rng      *rand.Rand
	nodes    []*node
	issued   []issued
	refunds  []refundIssued
	killed   map[string]time.Time // incarnations killed, and when
	figs     figures
	pendingA []issued // paid at the simulator, awaiting a decision by the customer
	paid     []issued // paid, not yet refunded
}

type issued struct{ provider, id string }

type refundIssued struct{ provider, id, refundID string }

// node is one instance slot: its address, and its current process.
type node struct {
	idx    int
	addr   string
	starts int
	cmd    *exec.Cmd
	done   chan struct{}
	up     bool
	inc    string
}

// run runs the soak and returns its figures.
func run(ctx context.Context, opts options, tb testserver.TB, logf func(string, ...any)) (figures, error) {
	start := time.Now()
	s := &soak{opts: opts, tb: tb, logf: logf, killed: map[string]time.Time{}, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))}
	s.hc = &http.Client{Timeout: 30 * time.Second}
	if err := s.setUp(ctx); err != nil {
		return s.figs, err
	}
	if err := s.load(ctx); err != nil {
		return s.figs, err
	}
	logf("soak: load done (%d payments, %d kills); settling", len(s.issued), s.figs.Kills)
	if err := s.settle(ctx); err != nil {
		return s.figs, err
	}
	s.stopAll()
	f, err := s.figures(ctx)
	f.Elapsed = time.Since(start)
	if err == nil {
		err = s.checkLogs()
	}
	return f, err
}

// checkLogs fails the run if an instance panicked or, built with -race,
// found a data race: its log says so, while its kill hides its exit code.
func (s *soak) checkLogs() error {
	var errs []error
	for _, n := range s.nodes {
		path := filepath.Join(s.paths.logs, fmt.Sprintf("instance-%d.log", n.idx))
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, bad := range []string{"WARNING: DATA RACE", "\npanic: ", "\nfatal error: "} {
			if bytes.Contains(b, []byte(bad)) {
				errs = append(errs, fmt.Errorf("soak: instance %d's log has %q: %s", n.idx, strings.TrimSpace(bad), path))
			}
		}
	}
	return errors.Join(errs...)
}

func (s *soak) setUp(ctx context.Context) error {
	tb := s.tb
	pg := testserver.StartPostgres(tb)
	s.cfg.DB = testserver.ConnString(pg.Addr)
	s.cfg.Store = s.opts.Store
	if s.opts.Store == "redis" {
		s.cfg.Redis = testserver.StartRedis(tb).Addr
	}
	pcfg, err := pgxpool.ParseConfig(s.cfg.DB)
	if err != nil {
		return err
	}
	pcfg.MaxConns = 8
	if s.db, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return err
	}
	tb.Cleanup(s.db.Close)
	if _, err := s.db.Exec(ctx, platformSchema); err != nil {
		return fmt.Errorf("soak: platform schema: %w", err)
	}
	j, err := pgjournal.New(s.db, pgjournal.Options{})
	if err != nil {
		return err
	}
	if err := j.Migrate(ctx); err != nil {
		return err
	}
	store, err := pgstore.New(s.db, pgstore.Options{})
	if err != nil {
		return err
	}
	sched, err := pgstore.NewSchedule(s.db, pgstore.ScheduleOptions{})
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if err := sched.Migrate(ctx); err != nil {
		return err
	}

	notifyClient := &http.Client{Timeout: 5 * time.Second}
	s.ap = alphapaytest.NewServer(alphapaytest.WithNotifyClient(notifyClient))
	tb.Cleanup(s.ap.Close)
	s.w = alipayplustest.NewServer(alipayplustest.WithNotifyClient(notifyClient))
	tb.Cleanup(s.w.Close)
	ac, wc := s.ap.Credentials(), s.w.Credentials()
	s.cfg.AlphaPay.BaseURL, s.cfg.AlphaPay.MerchantCode, s.cfg.AlphaPay.PrivateKey, s.cfg.AlphaPay.PublicKey =
		ac.BaseURL, ac.MerchantCode, ac.MerchantPrivateKey, ac.AlphaPayPublicKey
	s.cfg.Wallet.BaseURL, s.cfg.Wallet.Prefix, s.cfg.Wallet.ClientID, s.cfg.Wallet.PrivateKey, s.cfg.Wallet.PublicKey =
		wc.BaseURL, wc.Prefix, wc.ClientID, wc.MerchantPrivateKey, wc.WalletPublicKey
	s.cfg.Timing = defaultTiming()
	s.cfg.Break = s.opts.Break

	// The load balancer the providers' notifications go to: any live
	// instance, as a platform's would.
	lb, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	lbSrv := &http.Server{Handler: &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: "http", Host: s.pick()})
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) },
	}, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = lbSrv.Serve(lb) }()
	tb.Cleanup(func() { _ = lbSrv.Close() })
	s.cfg.NotifyBase = "http://" + lb.Addr().String()

	s.paths.logs = s.opts.Logs
	if s.paths.logs == "" {
		s.paths.logs = tb.TempDir()
	}
	s.paths.config = filepath.Join(tb.TempDir(), "instance.json")
	for i := range s.opts.Instances {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.nodes = append(s.nodes, &node{idx: i, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))})
	}
	tb.Cleanup(s.stopAll)
	for _, n := range s.nodes {
		if err := s.start(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// pick returns the address of a random live instance (any, if none is).
func (s *soak) pick() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var up []*node
	for _, n := range s.nodes {
		if n.up {
			up = append(up, n)
		}
	}
	if len(up) == 0 {
		return s.nodes[s.rng.IntN(len(s.nodes))].addr
	}
	return up[s.rng.IntN(len(up))].addr
}

// start starts n's next incarnation and waits until it answers.
func (s *soak) start(ctx context.Context, n *node) error {
	cfg := s.cfg
	cfg.Index, cfg.Listen = n.idx, n.addr
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	path := s.paths.config + "." + strconv.Itoa(n.idx)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	n.starts++
	inc := fmt.Sprintf("i%d.%d", n.idx, n.starts)
	logFile, err := os.OpenFile(filepath.Join(s.paths.logs, fmt.Sprintf("instance-%d.log", n.idx)), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), envInstance+"="+path, envIncarnation+"="+inc)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("soak: starting instance %d: %w", n.idx, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(done)
	}()
	s.mu.Lock()
	n.cmd, n.done, n.inc = cmd, done, inc
	s.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := s.hc.Get("http://" + n.addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-done:
			return fmt.Errorf("soak: instance %s exited while starting (log: %s)", inc, s.paths.logs)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("soak: instance %s not up within a minute (log: %s)", inc, s.paths.logs)
		}
	}
	s.mu.Lock()
	n.up = true
	s.mu.Unlock()
	return nil
}

// kill SIGKILLs n's process and waits for it to be gone.
func (s *soak) kill(n *node) error {
	s.mu.Lock()
	n.up = false
	cmd, done, inc := n.cmd, n.done, n.inc
	s.killed[inc] = time.Now()
	s.figs.Kills++
	s.mu.Unlock()
	_ = cmd.Process.Kill()
	select {
	case <-done:
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("soak: instance %s outlived SIGKILL by 30s", inc)
	}
}

// stopAll ends every instance: SIGTERM, then SIGKILL after a grace time.
func (s *soak) stopAll() {
	s.mu.Lock()
	nodes := append([]*node(nil), s.nodes...)
	for _, n := range nodes {
		n.up = false
	}
	s.mu.Unlock()
	for _, n := range nodes {
		if n.cmd == nil {
			continue
		}
		select {
		case <-n.done:
			continue
		default:
		}
		_ = n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(10 * time.Second):
			_ = n.cmd.Process.Kill()
			<-n.done
		}
	}
}

// ---- the load ----

func (s *soak) intN(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.IntN(n)
}

func (s *soak) chance(p float64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < p
}

// load issues the payments at the configured rate with the customers'
// decisions, refunds, duplicate notifications, faults and kills alongside,
// and returns once every command has been answered or cut off.
func (s *soak) load(ctx context.Context) error {
	duration := time.Duration(float64(s.opts.Payments) / s.opts.Rate * float64(time.Second))
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
		stop()
	}

	// Kills at random moments of the load.
	wg.Add(1)
	go func() {
		defer wg.Done()
		var at []time.Duration
		for range s.opts.Kills {
			at = append(at, duration/10+time.Duration(s.intN(int(duration*8/10)+1)))
		}
		slicesSortDurations(at)
		begin := time.Now()
		for _, d := range at {
			select {
			case <-lctx.Done():
				return
			case <-time.After(time.Until(begin.Add(d))):
			}
			n := s.nodes[s.intN(len(s.nodes))]
			s.logf("soak: killing %s at %s", n.inc, time.Since(begin).Round(time.Millisecond))
			if err := s.kill(n); err != nil {
				fail(err)
				return
			}
			select {
			case <-lctx.Done():
			case <-time.After(time.Duration(200+s.intN(1300)) * time.Millisecond):
			}
			// Restarted even if the load is over: the settle phase needs it.
			if err := s.start(context.WithoutCancel(lctx), n); err != nil {
				fail(err)
				return
			}
		}
	}()

	// The customers, deciding on pending payments; refunds; duplicates.
	side := func(every time.Duration, f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-lctx.Done():
					return
				case <-t.C:
					f()
				}
			}
		}()
	}
	side(10*time.Millisecond, s.decide)
	side(20*time.Millisecond, s.refundOne)

	// The payments, from a few concurrent checkouts.
	jobs := make(chan issued)
	var workers sync.WaitGroup
	for range 8 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for it := range jobs {
				s.pay(lctx, it)
			}
		}()
	}
	interval := time.Duration(float64(time.Second) / s.opts.Rate)
	tick := time.NewTicker(interval)
	for i := range s.opts.Payments {
		select {
		case <-lctx.Done():
		case <-tick.C:
		}
		if lctx.Err() != nil {
			break
		}
		provider := alphapay.Name
		if s.intN(2) == 1 {
			provider = alipayplus.Name
		}
		it := issued{provider: provider, id: fmt.Sprintf("SOAK-%d-%05d", s.opts.Seed, i)}
		s.mu.Lock()
		s.issued = append(s.issued, it)
		s.mu.Unlock()
		jobs <- it
	}
	tick.Stop()
	close(jobs)
	workers.Wait()
	// Let the customers decide on the last payments before the load ends.
	select {
	case <-lctx.Done():
	case <-time.After(2 * time.Second):
	}
	stop()
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	return ctx.Err()
}

func slicesSortDurations(d []time.Duration) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j] < d[j-1]; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// amount returns a random amount of the provider's currency.
func (s *soak) amount(provider string) money.Amount {
	cur := money.CAD
	if provider == alipayplus.Name {
		cur = money.USD
	}
	a, _ := money.FromMinor(int64(100+s.intN(9900))*2, cur) // even, so that it halves exactly
	return a
}

// command posts a pay or refund command to a live instance; a refused
// connection (the instance is down) is retried on another. It reports the
// instance's HTTP status, 0 if the command was cut off.
func (s *soak) command(ctx context.Context, path string, c command) int {
	body, _ := json.Marshal(c)
	for range 5 {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.pick()+path, bytes.NewReader(body))
		if err != nil {
			return 0
		}
		resp, err := s.hc.Do(req)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) && ctx.Err() == nil {
				continue
			}
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	return 0
}

// script queues a random fault for the next request on one of the
// provider's endpoints, with probability Faults. The faults are the ways
// a call's answer goes missing or cannot be trusted — never a made-up
// refusal, which a provider does not send for what it did.
func (s *soak) script(provider string) {
	if !s.chance(s.opts.Faults) {
		return
	}
	s.mu.Lock()
	s.figs.Faults++
	s.mu.Unlock()
	kind := s.intN(9)
	delay := time.Duration(100+s.intN(1500)) * time.Millisecond
	u := &payment.Result{Status: payment.ResultUnknown, Code: "UNKNOWN_EXCEPTION", Message: "soak"}
	if provider == alphapay.Name {
		paths := []string{alphapaytest.PathPay, alphapaytest.PathPay, alphapaytest.PathRefund, alphapaytest.PathInquiry}
		f := []alphapaytest.Fault{{DropAfter: true}, {DropBefore: true}, {HTTPStatus: 503}, {Result: u}, {Delay: delay},
			{Hang: true}, {NoSignature: true}, {BadSignature: true}, {ChangeAmount: true}}[kind]
		s.ap.Script(paths[s.intN(len(paths))], f)
		return
	}
	paths := []string{alipayplustest.PathPay, alipayplustest.PathPay, alipayplustest.PathRefund, alipayplustest.PathInquiry}
	f := []alipayplustest.Fault{{DropAfter: true}, {DropBefore: true}, {HTTPStatus: 503}, {Result: u}, {Delay: delay},
		{Hang: true}, {NoSignature: true}, {BadSignature: true}, {ChangeAmount: true}}[kind]
	s.w.Script(paths[s.intN(len(paths))], f)
}

// pay starts one payment through a live instance.
func (s *soak) pay(ctx context.Context, it issued) {
	s.script(it.provider)
	s.command(ctx, "/pay", command{Provider: it.provider, RequestID: it.id, Amount: s.amount(it.provider).String()})
	s.mu.Lock()
	s.pendingA = append(s.pendingA, it)
	s.mu.Unlock()
}

// decide is a customer at the cashier: pay (most), decline, or walk away.
func (s *soak) decide() {
	s.mu.Lock()
	if len(s.pendingA) == 0 {
		s.mu.Unlock()
		return
	}
	i := s.rng.IntN(len(s.pendingA))
	it := s.pendingA[i]
	s.pendingA = append(s.pendingA[:i], s.pendingA[i+1:]...)
	roll := s.rng.Float64()
	s.mu.Unlock()
	var err error
	var id string
	switch it.provider {
	case alphapay.Name:
		snap, ok := s.ap.PaymentByRequestID(it.id)
		if !ok {
			return // never made (the instance died first, or a fault dropped it)
		}
		id = snap.PaymentID
		switch {
		case roll < 0.85:
			err = s.ap.Complete(id)
		case roll < 0.95:
			err = s.ap.Decline(id)
		}
	default:
		snap, ok := s.w.PaymentByRequestID(it.id)
		if !ok {
			return
		}
		id = snap.PaymentID
		switch {
		case roll < 0.85:
			err = s.w.Complete(id)
		case roll < 0.95:
			err = s.w.Decline(id)
		}
	}
	if err != nil || roll >= 0.85 {
		return
	}
	s.mu.Lock()
	s.paid = append(s.paid, it)
	dup := s.rng.Float64() < 0.3
	s.mu.Unlock()
	if dup {
		s.duplicates(it, id)
	}
}

// duplicates posts copies of a payment's signed notification to several
// instances at once, as a provider retrying over a flaky network would.
func (s *soak) duplicates(it issued, paymentID string) {
	copies := 2 + s.intN(2)
	var wg sync.WaitGroup
	for range copies {
		target := "http://" + s.pick() + "/notify/" + it.provider
		var req *http.Request
		var err error
		if it.provider == alphapay.Name {
			req, err = s.ap.SignedNotification(paymentID, target)
		} else {
			req, err = s.w.SignedNotification(paymentID, target)
		}
		if err != nil {
			continue
		}
		s.mu.Lock()
		s.figs.DuplicatePosts++
		s.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := s.hc.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
}

// refundOne refunds half of a paid payment, and sometimes the other half
// too, through live instances. A payment the platform has not recorded as
// paid yet is tried again later.
func (s *soak) refundOne() {
	s.mu.Lock()
	if len(s.paid) == 0 {
		s.mu.Unlock()
		return
	}
	i := s.rng.IntN(len(s.paid))
	it := s.paid[i]
	s.paid = append(s.paid[:i], s.paid[i+1:]...)
	s.mu.Unlock()
	var total money.Amount
	if it.provider == alphapay.Name {
		snap, ok := s.ap.PaymentByRequestID(it.id)
		if !ok {
			return
		}
		total = snap.Amount
	} else {
		snap, ok := s.w.PaymentByRequestID(it.id)
		if !ok {
			return
		}
		total = snap.Amount
	}
	if !s.chance(0.5) {
		return
	}
	half, _ := money.FromMinor(total.Minor()/2, total.Currency())
	parts := 1 + s.intN(2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for k := 1; k <= parts; k++ {
		rid := fmt.Sprintf("%s-R%d", it.id, k)
		c := command{Provider: it.provider, RequestID: it.id, RefundRequestID: rid, Amount: half.String()}
		for try := 0; try < 20; try++ {
			s.script(it.provider)
			code := s.command(ctx, "/refund", c)
			if code == http.StatusConflict {
				// Not recorded as paid yet, or the refund is recorded
				// already: wait for the platform to catch up.
				if s.recorded(ctx, rid) {
					break
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(250 * time.Millisecond):
				}
				continue
			}
			break
		}
		if s.recorded(ctx, rid) {
			s.mu.Lock()
			s.refunds = append(s.refunds, refundIssued{provider: it.provider, id: it.id, refundID: rid})
			s.figs.Refunds++
			s.mu.Unlock()
		}
	}
}

// recorded reports whether the platform recorded the refund (so its
// outcome is the platform's to learn).
func (s *soak) recorded(ctx context.Context, refundRequestID string) bool {
	var n int
	_ = s.db.QueryRow(ctx, `SELECT count(*) FROM soak_refunds WHERE refund_request_id = $1`, refundRequestID).Scan(&n)
	return n > 0
}

// ---- the settling and the figures ----

// settle restarts nothing (kills restart their instance) and waits, bounded
// by Settle, until no call is unsettled and no record stale.
func (s *soak) settle(ctx context.Context) error {
	deadline := time.Now().Add(s.opts.Settle)
	for {
		f, err := s.figures(ctx)
		if err != nil {
			return err
		}
		if f.Unsettled == 0 && f.Stale == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			s.logf("soak: still unsettled after %s: %s", s.opts.Settle, f)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// killWindow bounds how long before its instance was killed a delivery
// may have been made for a redelivery to count as the crash's: the window
// between deliver and the store's Complete is one round trip.
const killWindow = 2 * time.Second

// class is where money stands for one payment: not taken, pending, taken —
// or, on the platform's side, unknown.
type class int

const (
	classNone class = iota
	classPending
	classPaid
	classUnknown
)

func paymentClass(status string) class {
	switch status {
	case stSending, stUnknown:
		return classUnknown
	case string(payment.StatusPending), string(payment.StatusAuthorized):
		return classPending
	case string(payment.StatusSucceeded), string(payment.StatusPartiallyRefunded), string(payment.StatusRefunded):
		return classPaid
	}
	return classNone
}

// figures compares the platform's records with the simulators' ledgers.
func (s *soak) figures(ctx context.Context) (figures, error) {
	s.mu.Lock()
	f := s.figs
	issuedPays := append([]issued(nil), s.issued...)
	issuedRefunds := append([]refundIssued(nil), s.refunds...)
	killed := make(map[string]time.Time, len(s.killed))
	for k, v := range s.killed {
		killed[k] = v
	}
	s.mu.Unlock()
	f.Payments = len(issuedPays)

	pays := map[string]string{}
	if err := s.rows(ctx, `SELECT request_id, status FROM soak_payments`, pays); err != nil {
		return f, err
	}
	refunds := map[string]string{}
	if err := s.rows(ctx, `SELECT refund_request_id, status FROM soak_refunds`, refunds); err != nil {
		return f, err
	}
	openCalls := map[string]bool{}
	rows, err := s.db.Query(ctx, `SELECT op, request_id FROM paybridge_journal WHERE settled_at IS NULL`)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var op, id string
		if err := rows.Scan(&op, &id); err != nil {
			rows.Close()
			return f, err
		}
		openCalls[op+" "+id] = true
	}
	rows.Close()

	for _, it := range issuedPays {
		var charges, orders int
		var simStatus payment.Status
		var exists bool
		if it.provider == alphapay.Name {
			charges, orders = s.ap.Charges(it.id), s.ap.Orders(it.id)
			simStatus, exists = s.ap.PaymentStatus(it.id)
		} else {
			charges, orders = s.w.Charges(it.id), s.w.Orders(it.id)
			simStatus, exists = s.w.PaymentStatus(it.id)
		}
		f.DoubleCharges += max(0, charges-1) + max(0, orders-1)
		sim := classNone
		if exists {
			sim = paymentClass(string(simStatus))
		}
		st, recorded := pays[it.id]
		plat := classNone // never recorded: never sent
		if recorded {
			plat = paymentClass(st)
		}
		switch {
		case plat == classUnknown:
			openCalls[payment.OpPay+" "+it.id] = true
		case plat == classNone && sim == classPaid:
			f.UToF++
		case plat != sim:
			f.Stale++
		}
	}
	for _, r := range issuedRefunds {
		n := s.ap.RefundCount(r.refundID)
		if r.provider == alipayplus.Name {
			n = s.w.RefundCount(r.refundID)
		}
		f.DoubleRefunds += max(0, n-1)
		switch st := refunds[r.refundID]; {
		case open(st):
			openCalls[payment.OpRefund+" "+r.refundID] = true
		case st == string(payment.RefundSucceeded) && n == 0:
			f.Stale++
		case st != string(payment.RefundSucceeded) && n > 0:
			f.UToF++
		}
	}
	f.Unsettled = len(openCalls)

	// Deliveries: an event delivered again is a duplicate unless the
	// instance that delivered it before was killed right after — before it
	// could record the delivery as done: the at-least-once window
	// docs/deployment.md describes, which deliver's idempotency on
	// Event.Key absorbs.
	drows, err := s.db.Query(ctx, `SELECT event_key, incarnation, at FROM soak_deliveries ORDER BY id`)
	if err != nil {
		return f, err
	}
	type delivery struct {
		inc string
		at  time.Time
	}
	last := map[string]delivery{}
	for drows.Next() {
		var key string
		var d delivery
		if err := drows.Scan(&key, &d.inc, &d.at); err != nil {
			drows.Close()
			return f, err
		}
		if prev, ok := last[key]; ok {
			if k, dead := killed[prev.inc]; dead && !prev.at.After(k) && k.Sub(prev.at) < killWindow {
				f.RedeliveredAfterKill++
			} else {
				f.DuplicateDeliveries++
			}
		}
		last[key] = d
	}
	drows.Close()
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM paybridge_journal WHERE outcome->>'by' = 'reconciler'`).Scan(&f.SettledByReconciler); err != nil {
		return f, err
	}
	if err := s.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM soak_payments WHERE recovered) + (SELECT count(*) FROM soak_refunds WHERE recovered)`).Scan(&f.RecoveredByPlatform); err != nil {
		return f, err
	}
	return f, nil
}

func (s *soak) rows(ctx context.Context, sql string, into map[string]string) error {
	rows, err := s.db.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		into[k] = v
	}
	return rows.Err()
}
