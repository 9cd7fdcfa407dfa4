package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/paybridge/paybridge/internal/version"
	"github.com/paybridge/paybridge/providers"
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

// Options are what a program gives the CLI besides its arguments.
type Options struct {
	// Registry opens the wallets of every configuration file the CLI
	// reads (--config): its kinds are the ones a configuration can name.
	// Nil: providers.NewRegistry(), paybridge's own kinds.
	Registry *providers.Registry
	// Wallets are the options those wallets are opened with: a logger,
	// where secrets are resolved (Env), a journal or observer per wallet
	// (PerWallet), … The zero value is the CLI's own: secrets from the
	// environment and the working directory, no logs.
	Wallets providers.Options
}

// opener opens a configuration file's wallets as the program said.
type opener struct {
	reg  *providers.Registry
	opts providers.Options
}

func (o *opener) LoadFile(ctx context.Context, path string) (*providers.Wallets, error) {
	return o.reg.LoadFile(ctx, path, o.opts)
}

// Main runs the CLI with args (the arguments after the program's name, as
// os.Args[1:]) and returns its exit code, for os.Exit: 0 done, 1 failed,
// 2 usage or configuration, 3 unknown outcome, 4 invalid, 5 unavailable
// ("paybridge help" explains them). Cancelling ctx stops a command that
// runs until interrupted (sandbox, listen) or waits (pay --wait) as Ctrl-C
// does: give it signal.NotifyContext(ctx, os.Interrupt). No command reads
// stdin today; it is taken so that one may without a new signature.
// Output goes to stdout and stderr only, never to os.Stdout or os.Stderr.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts Options) int {
	reg := opts.Registry
	if reg == nil {
		reg = providers.NewRegistry()
	}
	return run(ctx, args, stdout, stderr, &opener{reg: reg, opts: opts.Wallets})
}

// commands is the CLI, in the order "paybridge help" lists it; reg opens
// the wallets of its configuration files.
func commands(reg *opener) []*command {
	return []*command{
		demoCommand(),
		sandboxCommand(),
		listenCommand(reg),
		triggerCommand(reg),
		keygenCommand(),
		payCommand(reg),
		inquireCommand(reg),
		cancelCommand(reg),
		refundCommand(reg),
		inquireRefundCommand(reg),
		verifyCommand(reg),
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

func run(ctx context.Context, args []string, stdout, stderr io.Writer, reg *opener) int {
	cmds := commands(reg)
	if len(args) == 0 {
		usage(stderr, cmds)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if args[0] == "help" && len(args) > 1 {
			c := find(cmds, args[1])
			if c == nil {
				fmt.Fprintf(stderr, "paybridge help: unknown command %q; \"paybridge help\" lists them\n", args[1])
				return exitUsage
			}
			c.help(stdout)
			return exitOK
		}
		usage(stdout, cmds)
		return exitOK
	case "-version", "--version":
		args = []string{"version"}
	}
	c := find(cmds, args[0])
	if c == nil {
		fmt.Fprintf(stderr, "paybridge: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}
	return c.exec(ctx, args[1:], stdout, stderr)
}

func find(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

func usage(w io.Writer, cmds []*command) {
	fmt.Fprintln(w, "paybridge — payments through AlphaPay, Alipay+ wallets, Antom and your own adapters behind one API, from the command line.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: paybridge <command> [flags]")
	for _, c := range cmds {
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

// versionText is the release, and the version go install recorded for
// paybridge's module when it differs (a pseudo-version between releases):
// the main module's, or, in a CLI built on this package, the dependency's.
func versionText() string {
	v := version.Version
	if mv := moduleVersion(); mv != "" && mv != "(devel)" && mv != "v"+v {
		v += " (module " + mv + ")"
	}
	return v
}

// modulePath is paybridge's module path.
const modulePath = "github.com/paybridge/paybridge"

// moduleVersion is the version the build recorded for paybridge's module,
// or "" (not built as a module, or replaced by a directory).
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if bi.Main.Path == modulePath {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath && d.Replace == nil {
			return d.Version
		}
	}
	return ""
}
