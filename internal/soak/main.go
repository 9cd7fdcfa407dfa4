// Command soak runs paybridge the way a platform does — several instances,
// each a separate process with notify handlers, Reconcilers and journaled
// adapters, sharing Redis or PostgreSQL — in front of both simulators with
// random faults, while it pays, approves, refunds, duplicates
// notifications and SIGKILLs instances at random moments and restarts
// them. At the end it compares the platform's records with the
// simulators' ledgers and prints one line of figures:
//
//	soak: payments=… double_charges=0 double_refunds=0 duplicate_deliveries=0 unsettled=0 u_to_f=0 stale=0 | …
//
// Every figure before the bar but payments is a loss and must be 0; the
// command exits 1 otherwise (2 if it could not run). It starts its own
// PostgreSQL (and Redis) with internal/testserver, so it needs their
// binaries (the Debian packages postgresql and redis-server).
//
//	go run ./internal/soak                                  # the default run
//	go run ./internal/soak -instances 2 -payments 300 -kills 1
//	go run ./internal/soak -store redis -seed 7 -v
//
// The figures after the bar say what happened: refunds made, kills, faults
// scripted, duplicate notifications posted, journal entries the Reconciler
// settled, and events delivered again because the instance delivering
// them was killed before it could record them as done (absorbed by the
// platform's idempotency on Event.Key, as docs/deployment.md says).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	if ok, err := instanceMain(); ok {
		if err != nil {
			fmt.Fprintln(os.Stderr, "soak instance:", err)
			os.Exit(2)
		}
		return
	}
	var o options
	flag.IntVar(&o.Instances, "instances", 3, "platform instances (separate processes)")
	flag.IntVar(&o.Payments, "payments", 1000, "payments to start")
	flag.IntVar(&o.Kills, "kills", 3, "instances SIGKILLed at random moments (and restarted)")
	flag.StringVar(&o.Store, "store", "postgres", "shared store of the notify handlers and Reconcilers: postgres or redis")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed of the load")
	flag.Float64Var(&o.Rate, "rate", 25, "payments started per second")
	flag.Float64Var(&o.Faults, "faults", 0.2, "probability that a command meets a scripted fault")
	flag.DurationVar(&o.Settle, "settle", 2*time.Minute, "longest wait after the load for every call to settle")
	flag.StringVar(&o.Logs, "logs", "", "directory for the instances' logs (default: a temporary one, kept on failure)")
	flag.BoolVar(&o.Verbose, "v", false, "say what happens")
	flag.StringVar(&o.Break, "break", "", "disable a safeguard to see the figures catch it: journal (no journal) or store (a store per instance)")
	flag.Parse()
	os.Exit(mainRun(o))
}

// mainRun runs the soak and returns the exit code.
func mainRun(o options) (code int) {
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tb := &programTB{}
	keep := o.Logs != ""
	if o.Logs == "" {
		dir, err := os.MkdirTemp("", "paybridge-soak-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 2
		}
		o.Logs = dir
	}
	defer func() {
		if p := recover(); p != nil {
			s, ok := p.(stopRun)
			if !ok {
				panic(p)
			}
			fmt.Fprintln(os.Stderr, s.msg)
			code = 2
		}
		tb.close()
		if code == 0 && !keep {
			_ = os.RemoveAll(o.Logs)
		} else {
			fmt.Fprintln(os.Stderr, "soak: instance logs in", o.Logs)
		}
	}()
	logf := func(string, ...any) {}
	if o.Verbose {
		logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	f, err := run(ctx, o, tb, logf)
	fmt.Println(f)
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	case tb.hasFailed():
		return 2
	case f.losses() > 0:
		return 1
	}
	return 0
}

func (o options) check() error {
	switch {
	case o.Instances < 1:
		return fmt.Errorf("-instances must be at least 1")
	case o.Payments < 1:
		return fmt.Errorf("-payments must be at least 1")
	case o.Kills < 0:
		return fmt.Errorf("-kills must not be negative")
	case o.Store != "postgres" && o.Store != "redis":
		return fmt.Errorf("-store must be postgres or redis")
	case o.Rate <= 0:
		return fmt.Errorf("-rate must be positive")
	case o.Faults < 0 || o.Faults > 1:
		return fmt.Errorf("-faults must be between 0 and 1")
	case o.Break != "" && o.Break != "journal" && o.Break != "store":
		return fmt.Errorf("-break must be journal or store")
	}
	return nil
}
