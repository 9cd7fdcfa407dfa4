// Command paybridge is the paybridge CLI: an end-to-end demo on the built-in
// simulators, and (as they arrive) a local sandbox, key generation and
// payment operations against a configured wallet.
//
//	paybridge demo        a full payment flow on simulated providers; no credentials, no network
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Exit codes, distinct so that scripts can tell outcomes apart.
const (
	exitOK      = 0
	exitFailed  = 1 // the provider refused, or the command failed
	exitUsage   = 2 // bad flags or arguments
	exitUnknown = 3 // the outcome is unknown: settle it before retrying
	exitInvalid = 4 // the request was invalid; nothing was sent
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"demo", "run a full payment flow on the built-in simulators (no credentials, no network)", runDemo},
		{"sandbox", "serve both simulators on loopback, with cashier pages and notifications", runSandbox},
		{"keygen", "generate an RSA key pair in the forms providers ask for", runKeygen},
		{"pay", "create a payment with a configured wallet", runPay},
		{"inquire", "show a payment's current state", runInquire},
		{"cancel", "cancel an unpaid payment", runCancel},
		{"refund", "refund part or all of a paid payment", runRefund},
		{"inquire-refund", "show a refund's current state", runInquireRefund},
		{"verify-notification", "check a saved notification's signature, time and event", runVerifyNotification},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "paybridge: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: paybridge <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-19s %s\n", c.name, c.summary)
	}
}
