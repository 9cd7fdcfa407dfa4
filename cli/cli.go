package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// The CLI keeps to the standard library's flag package. Every command goes
// through command.exec, so they all behave alike: --help (or "paybridge help
// <command>") prints the command's help on stdout and exits 0; a bad flag,
// a stray argument or a missing value is a usage error (exit 2) reported on
// stderr — and, for the commands that take --json, also as the one JSON
// object they promise on stdout, whatever happened.

// command is one subcommand.
type command struct {
	name    string
	summary string // one line for "paybridge help"
	// synopsis follows "usage: paybridge <name> " in the help.
	synopsis string
	// about is the help's body.
	about string
	// json adds --json: one JSON object on stdout, success or failure.
	json bool
	// exitCodes appends the exit code table to the help.
	exitCodes bool
	// setup defines the command's flags on fs and returns the function
	// that runs the command once they are parsed.
	setup func(fs *flag.FlagSet) runFunc
}

// runFunc runs a command with its flags parsed; pr writes its output.
type runFunc func(ctx context.Context, pr printer) int

// flags returns the command's flag set and its run function.
func (c *command) flags(jsonOut *bool) (*flag.FlagSet, runFunc) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by exec, help by help
	fs.Usage = func() {}
	if c.json {
		fs.BoolVar(jsonOut, "json", false, "print one JSON object on stdout, whatever happens (errors too)")
	}
	return fs, c.setup(fs)
}

func (c *command) exec(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var jsonOut bool
	fs, runCmd := c.flags(&jsonOut)
	// Until the flags are parsed, --json is known from the arguments, so
	// that a flag error still honours it.
	pr := printer{cmd: c.name, stdout: stdout, stderr: stderr, json: c.json && jsonRequested(args)}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.help(stdout)
		return exitOK
	case err != nil:
		return pr.failure(usageErr("%s", strings.Replace(err.Error(), " -", " --", 1)), c.helpHint())
	case fs.NArg() > 0:
		return pr.failure(usageErr("unexpected argument %q: this command takes flags only", fs.Arg(0)), c.helpHint())
	}
	pr.json = jsonOut
	return runCmd(ctx, pr)
}

func (c *command) helpHint() string {
	return "Run \"paybridge help " + c.name + "\" for its flags."
}

// help prints the command's help.
func (c *command) help(w io.Writer) {
	var discard bool
	fs, _ := c.flags(&discard)
	fmt.Fprintf(w, "usage: paybridge %s %s\n", c.name, c.synopsis)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.about))
	}
	fmt.Fprintln(w, "\nFlags:")
	printFlags(w, fs)
	if c.exitCodes {
		fmt.Fprintln(w)
		fmt.Fprint(w, exitCodesHelp)
	}
}

// printFlags lists the flags as flag.PrintDefaults does, spelled with two
// dashes as the help and the README write them.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	var all []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { all = append(all, f) })
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	for _, f := range all {
		if f.Usage == hiddenUsage {
			continue
		}
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		usage = strings.ReplaceAll(usage, "\n", "\n        ")
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" {
			if strings.ContainsAny(d, " \t") {
				d = strconv.Quote(d)
			}
			usage += " (default " + d + ")"
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, usage)
	}
}

// jsonRequested reports whether args ask for --json, for the commands that
// take it, before the flags are parsed (or when they fail to parse).
func jsonRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "json" {
			continue
		}
		if !hasValue {
			return true
		}
		on, err := strconv.ParseBool(value)
		return err == nil && on
	}
	return false
}

// usageErr reports a missing or contradictory flag.
func usageErr(format string, args ...any) error {
	return usageError{kind: "usage", err: fmt.Errorf(format, args...)}
}

// required reports the flags among names whose value is empty, as one usage
// error naming exactly those, or nil.
func required(flags ...[2]string) error {
	var missing []string
	for _, f := range flags {
		if f[1] == "" {
			missing = append(missing, "--"+f[0])
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return usageErr("%s is required", missing[0])
	}
	return usageErr("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}
