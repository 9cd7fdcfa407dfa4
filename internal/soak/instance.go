package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/notify/pgstore"
	"github.com/paybridge/paybridge/notify/redisstore"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alphapay"
)

// The environment that makes the binary an instance of the platform.
const (
	envInstance    = "PAYBRIDGE_SOAK_INSTANCE"    // path of the instance's config file
	envIncarnation = "PAYBRIDGE_SOAK_INCARNATION" // which start of the instance this is
)

// instanceConfig is what the soak hands each instance, as a JSON file.
type instanceConfig struct {
	Index      int
	Listen     string // host:port
	DB         string // PostgreSQL connection URL
	Redis      string // host:port, when Store is "redis"
	Store      string // "redis" or "postgres"
	NotifyBase string // the load balancer's URL
	AlphaPay   struct {
		BaseURL, MerchantCode, PrivateKey, PublicKey string
	}
	Wallet struct {
		BaseURL, Prefix, ClientID, PrivateKey, PublicKey string
	}
	Timing timing
	// Break disables a safeguard, to show that the soak notices: "journal"
	// runs the adapters without a journal, "store" gives each instance a
	// store and schedule of its own.
	Break string
}

// timing are the settings of the instances' library objects, short for a
// soak of minutes; each is explained where it is used.
type timing struct {
	ClaimTimeout  time.Duration
	JournalMinAge time.Duration
	RecoverAge    time.Duration
	BaseInterval  time.Duration
	MaxInterval   time.Duration
	CallTimeout   time.Duration
	HTTPTimeout   time.Duration
}

func defaultTiming() timing {
	return timing{
		// Longer than any deliver (a few milliseconds), short enough that
		// a killed instance's claims free up within the settle phase.
		ClaimTimeout: 5 * time.Second,
		// Longer than the longest call: 3 attempts of at most HTTPTimeout
		// within Retry.MaxElapsed, and an inquiry.
		JournalMinAge: 12 * time.Second,
		RecoverAge:    15 * time.Second,
		BaseInterval:  time.Second,
		MaxInterval:   4 * time.Second,
		CallTimeout:   10 * time.Second,
		HTTPTimeout:   2 * time.Second,
	}
}

// runInstance is the platform program: notify handlers and Reconcilers for
// both providers, journaled adapters, a recovery loop for its own records,
// and an HTTP API the load driver calls. It runs until SIGTERM (or is
// killed).
func runInstance(path, incarnation string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cfg instanceConfig
	if err := json.Unmarshal(b, &cfg); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("instance", incarnation)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	pcfg, err := pgxpool.ParseConfig(cfg.DB)
	if err != nil {
		return err
	}
	pcfg.MaxConns = 16
	db, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return err
	}
	defer db.Close()
	j, err := pgjournal.New(db, pgjournal.Options{})
	if err != nil {
		return err
	}
	var store notify.Store
	var schedule notify.Schedule
	switch {
	case cfg.Break == "store":
		store = notify.NewMemoryStore(notify.MemoryStoreOptions{ClaimTimeout: cfg.Timing.ClaimTimeout})
		schedule = notify.NewMemorySchedule(notify.MemoryScheduleOptions{})
	case cfg.Store == "redis":
		rdb := redis.NewClient(&redis.Options{Addr: cfg.Redis, ContextTimeoutEnabled: true})
		defer rdb.Close()
		store = redisstore.New(rdb, redisstore.Options{ClaimTimeout: cfg.Timing.ClaimTimeout})
		schedule = redisstore.NewSchedule(rdb, redisstore.ScheduleOptions{})
	default:
		ps, err := pgstore.New(db, pgstore.Options{ClaimTimeout: cfg.Timing.ClaimTimeout})
		if err != nil {
			return err
		}
		sch, err := pgstore.NewSchedule(db, pgstore.ScheduleOptions{})
		if err != nil {
			return err
		}
		store, schedule = ps, sch
	}

	var jl journal.Journal = j
	var js journal.Store = j
	if cfg.Break == "journal" {
		jl, js = nil, nil
	}
	hc := &http.Client{Timeout: cfg.Timing.HTTPTimeout}
	retry := payment.RetryPolicy{MaxAttempts: 3, BaseWait: 50 * time.Millisecond, MaxWait: 300 * time.Millisecond, MaxElapsed: 3 * time.Second}
	ap, err := alphapay.New(alphapay.Config{BaseURL: cfg.AlphaPay.BaseURL, MerchantCode: cfg.AlphaPay.MerchantCode,
		PrivateKey: cfg.AlphaPay.PrivateKey, AlphaPayPublicKey: cfg.AlphaPay.PublicKey, HTTPClient: hc, Retry: retry,
		Logger: log, Journal: jl})
	if err != nil {
		return err
	}
	wallet, err := alipayplus.New(alipayplus.Config{BaseURL: cfg.Wallet.BaseURL, PathPrefix: cfg.Wallet.Prefix,
		ClientID: cfg.Wallet.ClientID, PrivateKey: cfg.Wallet.PrivateKey, WalletPublicKey: cfg.Wallet.PublicKey,
		HTTPClient: hc, Retry: retry, Logger: log, Journal: jl})
	if err != nil {
		return err
	}
	plat := &platform{db: db, incarnation: incarnation}
	in := &instance{cfg: cfg, plat: plat, log: log, providers: map[string]payment.Provider{alphapay.Name: ap, alipayplus.Name: wallet}}

	mux := http.NewServeMux()
	for name, src := range map[string]notify.Source{alphapay.Name: ap, alipayplus.Name: wallet} {
		mux.Handle("/notify/"+name, notify.NewHandler(src, plat.deliver, notify.WithStore(store), notify.WithLogger(log)))
	}
	mux.HandleFunc("POST /pay", in.pay)
	mux.HandleFunc("POST /refund", in.refund)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })

	for _, p := range []payment.Provider{ap, wallet} {
		rec := &notify.Reconciler{
			Provider: p, Pending: notify.PendingFunc(plat.pending(p.Name(), p.Capabilities().InquireByRequestID)),
			Journal: js, Deliver: plat.deliver, Store: store, Schedule: schedule,
			BaseInterval: cfg.Timing.BaseInterval, MaxInterval: cfg.Timing.MaxInterval, CallTimeout: cfg.Timing.CallTimeout,
			LeaseTTL: 2 * cfg.Timing.CallTimeout, JournalMinAge: cfg.Timing.JournalMinAge, Logger: log,
		}
		go func() { _ = rec.Run(ctx) }()
	}
	go func() {
		t := time.NewTicker(cfg.Timing.BaseInterval)
		defer t.Stop()
		for {
			if err := plat.recover(ctx, j, cfg.Timing.RecoverAge); err != nil && ctx.Err() == nil {
				log.Warn("soak: recovering open records", "error", err.Error())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("soak: instance up", "listen", cfg.Listen)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// instance serves the load driver's commands.
type instance struct {
	cfg       instanceConfig
	plat      *platform
	log       *slog.Logger
	providers map[string]payment.Provider
}

// command is the body of /pay and /refund.
type command struct {
	Provider        string `json:"provider"`
	RequestID       string `json:"requestId"`
	RefundRequestID string `json:"refundRequestId,omitempty"`
	Amount          string `json:"amount"` // "12.34 CAD"
}

func readCommand(w http.ResponseWriter, r *http.Request) (command, money.Amount, bool) {
	var c command
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&c); err != nil {
		http.Error(w, "bad command", http.StatusBadRequest)
		return c, money.Amount{}, false
	}
	amt, err := money.Parse(c.Amount)
	if err != nil {
		http.Error(w, "bad amount", http.StatusBadRequest)
		return c, money.Amount{}, false
	}
	return c, amt, true
}

// pay records the payment, pays, and records what the call said.
func (in *instance) pay(w http.ResponseWriter, r *http.Request) {
	c, amt, ok := readCommand(w, r)
	if !ok {
		return
	}
	p := in.providers[c.Provider]
	if p == nil {
		http.Error(w, "unknown provider", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if err := in.plat.beginPayment(ctx, c.Provider, c.RequestID); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, errExists) {
			status = http.StatusConflict
		}
		http.Error(w, err.Error(), status)
		return
	}
	req := &payment.PayRequest{PaymentRequestID: c.RequestID, Amount: amt, Description: "Soak " + c.RequestID,
		NotifyURL: in.cfg.NotifyBase + "/notify/" + c.Provider}
	if c.Provider == alphapay.Name {
		req.Scenario, req.Method = payment.ScenarioQRCode, payment.MethodWeChatPay
	} else {
		req.Scenario, req.Device = payment.ScenarioCashier, &payment.Device{OS: payment.OSAndroid, TerminalType: payment.TerminalMiniApp}
	}
	// The call and its record outlive the driver's request: a platform
	// records what it sent whoever is waiting.
	ctx = context.WithoutCancel(ctx)
	got, err := p.Pay(ctx, req)
	status, id := callStatus(err, func() (string, string) { return string(got.Status), got.PaymentID })
	if serr := in.plat.setPayment(ctx, c.RequestID, id, status); serr != nil {
		in.log.Error("soak: recording a pay", "request_id", c.RequestID, "error", serr.Error())
	}
	_, _ = fmt.Fprintln(w, status)
}

// refund records the refund, refunds, and records what the call said.
func (in *instance) refund(w http.ResponseWriter, r *http.Request) {
	c, amt, ok := readCommand(w, r)
	if !ok {
		return
	}
	p := in.providers[c.Provider]
	if p == nil || c.RefundRequestID == "" {
		http.Error(w, "bad command", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	paymentID, status, err := in.plat.paymentOf(ctx, c.RequestID)
	if err != nil || paymentID == "" || (status != string(payment.StatusSucceeded) && status != string(payment.StatusPartiallyRefunded)) {
		http.Error(w, "payment not refundable yet", http.StatusConflict)
		return
	}
	if err := in.plat.beginRefund(ctx, c.Provider, c.RequestID, c.RefundRequestID); err != nil {
		code := http.StatusInternalServerError
		if errors.Is(err, errExists) {
			code = http.StatusConflict
		}
		http.Error(w, err.Error(), code)
		return
	}
	req := &payment.RefundRequest{RefundRequestID: c.RefundRequestID, Payment: payment.Ref{PaymentID: paymentID}, Amount: amt}
	if c.Provider == alphapay.Name {
		req.NotifyURL = in.cfg.NotifyBase + "/notify/" + c.Provider
	}
	ctx = context.WithoutCancel(ctx)
	got, err := p.Refund(ctx, req)
	st, id := callStatus(err, func() (string, string) { return string(got.Status), got.RefundID })
	if st == string(payment.RefundPending) {
		st = stUnknown
	}
	if serr := in.plat.setRefund(ctx, c.RefundRequestID, id, st); serr != nil {
		in.log.Error("soak: recording a refund", "refund_request_id", c.RefundRequestID, "error", serr.Error())
	}
	_, _ = fmt.Fprintln(w, st)
}

// callStatus is what the platform records of a call: the answer's status,
// unknown, not sent, or failed.
func callStatus(err error, answer func() (status, id string)) (string, string) {
	switch {
	case err == nil:
		return answer()
	case errors.Is(err, payment.ErrUnknownOutcome):
		return stUnknown, ""
	case errors.Is(err, payment.ErrUnavailable):
		return stNotSent, ""
	}
	return string(payment.StatusFailed), ""
}

// instanceMain runs the instance whose config the environment names; ok is
// false when the process is not an instance.
func instanceMain() (ok bool, err error) {
	path := os.Getenv(envInstance)
	if path == "" {
		return false, nil
	}
	inc := os.Getenv(envIncarnation)
	if inc == "" || strings.ContainsAny(inc, " \n") {
		return true, errors.New("soak: no incarnation")
	}
	return true, runInstance(path, inc)
}
