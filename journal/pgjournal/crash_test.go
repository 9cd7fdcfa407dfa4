package pgjournal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/internal/testserver"
	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/journal/pgjournal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// The environment of the crash test's child processes.
const (
	envMode     = "PAYBRIDGE_CRASH_MODE" // "pay" or "reconcile"
	envDB       = "PAYBRIDGE_CRASH_DB"
	envTable    = "PAYBRIDGE_CRASH_TABLE"
	envURL      = "PAYBRIDGE_CRASH_URL"
	envMerchant = "PAYBRIDGE_CRASH_MERCHANT"
	envKey      = "PAYBRIDGE_CRASH_KEY"
	envAPKey    = "PAYBRIDGE_CRASH_AP_KEY"
)

const crashRequestID = "CRASH-1"

// delivered is what the restarted process prints of the event it delivers.
type delivered struct {
	Key, PaymentID, PaymentRequestID string
	Status                           payment.Status
}

// A process killed between sending a pay and reading its answer leaves an
// open journal entry in PostgreSQL. After a restart, the Reconciler settles
// it to what the provider did: the payment it charged — once.
//
// The simulator runs here, behind a handler that lets it take the payment
// (the customer pays at once) and then, before any byte of the answer is
// written, SIGKILLs the process that sent the pay.
func TestCrashBetweenSendAndAnswer(t *testing.T) {
	if os.Getenv(envMode) != "" {
		t.Skip("running as a child")
	}
	srv := testserver.StartPostgres(t)
	table := uniqueTable()
	newJournal(t, newPool(t, srv.Addr, 2), table)

	sim := alphapaytest.NewUnstartedServer(alphapaytest.WithAutoComplete(true))
	t.Cleanup(sim.Close)
	var child *exec.Cmd
	started := make(chan struct{})
	killed := make(chan struct{})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != alphapaytest.PathPay {
			sim.Handler().ServeHTTP(w, r)
			return
		}
		select {
		case <-killed: // the restarted process's replay is answered
			sim.Handler().ServeHTTP(w, r)
			return
		default:
		}
		// The simulator acts: the order is made and paid.
		sim.Handler().ServeHTTP(httptest.NewRecorder(), r)
		<-started
		if n := sim.Charges(crashRequestID); n != 1 {
			t.Errorf("before the kill: %d charges", n)
		}
		_ = child.Process.Kill()
		close(killed)
		// The answer is never written; the connection dies with the child.
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(front.Close)

	cr := sim.Credentials()
	env := append(os.Environ(),
		envDB+"="+testserver.ConnString(srv.Addr), envTable+"="+table, envURL+"="+front.URL,
		envMerchant+"="+cr.MerchantCode, envKey+"="+cr.MerchantPrivateKey, envAPKey+"="+cr.AlphaPayPublicKey)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// 1. The process that pays, and is killed.
	var out bytes.Buffer
	child = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	child.Env = append(env, envMode+"=pay")
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	close(started)
	err := child.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !exit.Sys().(syscall.WaitStatus).Signaled() || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the paying process was not killed: %v\n%s", err, out.String())
	}
	j := newJournal(t, newPool(t, srv.Addr, 2), table)
	open, err := j.Open(ctx, journal.Query{})
	if err != nil || len(open) != 1 {
		t.Fatalf("open entries after the crash: %+v, %v", open, err)
	}
	if e := open[0]; e.Provider != alphapay.Name || e.Op != payment.OpPay || e.RequestID != crashRequestID || e.Request.Incomplete {
		t.Fatalf("open entry %+v", e)
	}

	// 2. The restarted process reconciles.
	out.Reset()
	rec := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	rec.Env = append(env, envMode+"=reconcile")
	rec.Stdout, rec.Stderr = &out, &out
	if err := rec.Run(); err != nil {
		t.Fatalf("the restarted process: %v\n%s", err, out.String())
	}
	var ev delivered
	for _, line := range bytes.Split(out.Bytes(), []byte("\n")) {
		if b, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("EVENT ")); ok {
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ev.Status != payment.StatusSucceeded || ev.PaymentRequestID != crashRequestID {
		t.Fatalf("delivered %+v\n%s", ev, out.String())
	}
	recs, err := j.Find(ctx, alphapay.Name, payment.OpPay, crashRequestID)
	if err != nil || len(recs) != 1 || recs[0].IsOpen() || recs[0].Outcome.By != journal.ByReconciler ||
		recs[0].Outcome.Status != string(payment.StatusSucceeded) || recs[0].Outcome.PaymentID != ev.PaymentID {
		t.Fatalf("entry after the restart: %+v, %v", recs, err)
	}
	if c, o := sim.Charges(crashRequestID), sim.Orders(crashRequestID); c != 1 || o != 1 {
		t.Fatalf("%d charges, %d orders; want one of each", c, o)
	}
}

// TestCrashChild is the crash test's child process: it pays (and is killed
// before it reads the answer) or, restarted, runs the Reconciler on the
// journal until the open entry is settled.
func TestCrashChild(t *testing.T) {
	mode := os.Getenv(envMode)
	if mode == "" {
		t.Skip("run by TestCrashBetweenSendAndAnswer")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, os.Getenv(envDB))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	j, err := pgjournal.New(pool, pgjournal.Options{Table: os.Getenv(envTable)})
	if err != nil {
		t.Fatal(err)
	}
	client, err := alphapay.New(alphapay.Config{BaseURL: os.Getenv(envURL), MerchantCode: os.Getenv(envMerchant),
		PrivateKey: os.Getenv(envKey), AlphaPayPublicKey: os.Getenv(envAPKey), Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case "pay":
		p, err := client.Pay(ctx, &payment.PayRequest{PaymentRequestID: crashRequestID, Scenario: payment.ScenarioQRCode,
			Method: payment.MethodWeChatPay, Amount: money.MustParse("42.00 CAD"), Description: "Crash"})
		t.Fatalf("the pay returned (%+v, %v): the process should have been killed before", p, err)
	case "reconcile":
		settled := make(chan payment.Event, 1)
		r := &notify.Reconciler{
			Provider: client, Journal: j, JournalMinAge: time.Nanosecond,
			Deliver: func(_ context.Context, e payment.Event) error {
				b, err := json.Marshal(delivered{Key: e.Key, PaymentID: e.Payment.PaymentID, PaymentRequestID: e.Payment.PaymentRequestID, Status: e.Payment.Status})
				if err != nil {
					return err
				}
				fmt.Printf("EVENT %s\n", b)
				settled <- e
				return nil
			},
		}
		n, err := r.RunOnce(ctx)
		if n != 1 || err != nil {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		<-settled
	default:
		t.Fatalf("mode %q", mode)
	}
}
