// Command paybridge is the paybridge CLI: a demo on the built-in simulators,
// a local sandbox of both providers with a notification listener and
// trigger, key generation, payment operations against a configured wallet,
// and an offline check of saved notifications. "paybridge help" lists the
// commands and the exit codes; "paybridge help <command>" shows one.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"

	"github.com/paybridge/paybridge/internal/version"
)

// Exit codes, distinct so that scripts can tell outcomes apart. They are
// part of the CLI's interface (README, "paybridge help"): never renumbered.
const (
	exitOK          = 0
	exitFailed      = 1 // the provider said no, the payment ended failed, the check failed, or the command could not do its work
	exitUsage       = 2 // bad flags, arguments or configuration: nothing was sent
	exitUnknown     = 3 // the outcome is unknown: settle it before retrying
	exitInvalid     = 4 // the request was invalid or unsupported: nothing happened
	exitUnavailable = 5 // the provider could not be reached: nothing happened, safe to retry
)

// exitCodesHelp is the table "paybridge help" and the operations' help
// print.
const exitCodesHelp = `Exit codes:
  0  done
  1  failed: the provider said no (declined, not found, a reused ID, a state that
     forbids it), the payment ended failed or cancelled (pay --wait), the
     notification is not genuine (verify-notification), or the command could
     not do its work (a file it cannot write, a port in use)
  2  usage: bad flags, arguments or configuration; nothing was sent
  3  unknown outcome: the provider may have acted; settle it (pay --resolve,
     inquire) before anything else, and never retry under a new ID
  4  invalid: the provider cannot take the request as it is (bad input, or a
     scenario, method or currency it does not offer); nothing happened
  5  unavailable: the provider could not be reached; nothing happened, so it
     is safe to run the command again
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// commands is the CLI, in the order "paybridge help" lists it.
func commands() []*command {
	return []*command{
		demoCommand(),
		sandboxCommand(),
		listenCommand(),
		triggerCommand(),
		keygenCommand(),
		payCommand(),
		inquireCommand(),
		cancelCommand(),
		refundCommand(),
		inquireRefundCommand(),
		verifyCommand(),
		versionCommand(),
	}
}

// groups are the headings of "paybridge help", by the first command of each.
var groups = map[string]string{
	"demo":                "Try it (no credentials, no network):",
	"keygen":              "Set up a real account:",
	"pay":                 "Operate a configured wallet:",
	"verify-notification": "Debug notifications:",
	"version":             "About:",
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if args[0] == "help" && len(args) > 1 {
			c := find(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "paybridge help: unknown command %q; \"paybridge help\" lists them\n", args[1])
				return exitUsage
			}
			c.help(stdout)
			return exitOK
		}
		usage(stdout)
		return exitOK
	case "-version", "--version":
		args = []string{"version"}
	}
	c := find(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "paybridge: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.exec(ctx, args[1:], stdout, stderr)
}

func find(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "paybridge — payments through AlphaPay and Alipay+ wallets behind one API, from the command line.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: paybridge <command> [flags]")
	for _, c := range commands() {
		if g, ok := groups[c.name]; ok {
			fmt.Fprintf(w, "\n%s\n", g)
		}
		fmt.Fprintf(w, "  %-20s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"paybridge help <command>\" (or \"paybridge <command> --help\") for its flags.")
	fmt.Fprintln(w)
	fmt.Fprint(w, exitCodesHelp)
}

// --- version ---

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print paybridge's version",
		about:   "Prints the paybridge release, the Go version it was built with, and the platform.",
		setup: func(*flag.FlagSet) runFunc {
			return func(_ context.Context, pr printer) int {
				fmt.Fprintf(pr.stdout, "paybridge %s (%s, %s/%s)\n", versionText(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return exitOK
			}
		},
	}
}

// versionText is the release, and the module version go install recorded
// when it differs (a pseudo-version between releases).
func versionText() string {
	v := version.Version
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" && bi.Main.Version != "v"+v {
		v += " (module " + bi.Main.Version + ")"
	}
	return v
}
