// Command shop is a small web shop on paybridge: a checkout page over every
// wallet of a configuration, a notify endpoint per wallet (package notify),
// a reconciler per wallet for notifications that never come, and refunds.
// It runs against the sandbox as written, and against real accounts with
// their configuration and a public HTTPS URL (docs/going-live.md).
//
// With the sandbox running (go run ./cmd/paybridge sandbox, in another
// terminal):
//
//	go run ./examples/shop --config sandbox/sandbox.json
//
// then open http://127.0.0.1:8080, check out, and pay on the sandbox's
// cashier page; the order page follows the payment to its end through the
// notification, and offers refunds.
//
// What to copy from it: the order ID is the PaymentRequestID, fixed before
// paying; an unknown outcome is settled with payment.Resolve, never paid
// again under a new ID; every state change goes through payment.Merge; the
// notify handler and the reconciler share one notify.Store and one deliver
// function; a refund's request ID is recorded before it is sent.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/paybridge/paybridge/providers"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	config := fs.String("config", "sandbox/sandbox.json", "wallets configuration `file`")
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to serve on")
	public := fs.String("public-url", "", "the shop's URL as providers reach it (default http://ADDR); live, a public HTTPS URL")
	every := fs.Duration("reconcile-every", 5*time.Second, "how often the reconcilers inquire pending payments")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// The wallets log through the shop's logger (their warnings: unknown
	// outcomes); Options also take an HTTP client or transport wrapper, a
	// journal and a signer, as an adapter's New does.
	wallets, err := providers.NewRegistry().LoadFile(ctx, *config, providers.Options{Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *public == "" {
		*public = "http://" + ln.Addr().String()
	}
	shop := New(ctx, wallets, Options{PublicURL: strings.TrimSuffix(*public, "/"), ReconcileEvery: *every, Logger: log})
	go shop.Run(ctx)

	srv := &http.Server{Handler: shop, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Printf("shop on %s (wallets: %s); notify URLs %s/notify/{wallet}\n", *public, strings.Join(wallets.Names(), ", "), *public)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
