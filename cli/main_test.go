package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paybridge/paybridge/internal/version"
	"github.com/paybridge/paybridge/providers"
)

func TestDemoRunsEndToEnd(t *testing.T) {
	var out, errs bytes.Buffer
	code := Main(context.Background(), []string{"demo", "--no-qr"}, nil, &out, &errs, Options{})
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{
		"notification      delivered once, acknowledged  dedupe key alphapay:payment:",
		": notify drops re-deliveries with this key",
		"refunded so far: 6.66 CAD of 19.99 CAD",
		"refunded so far: 19.99 CAD of 19.99 CAD",
		"inquire           refunded",
		"unknown outcome",
		"the retry met the original (same request ID), no second order",
		"charges under DEMO-ALPHAPAY-2: 1 — one charge despite the retry",
		"== Alipay+ wallet",
		"redirect to the cashier",
		"refunded so far: 250.00 PHP of 250.00 PHP",
		"charges under DEMO-ALIPAYPLUS-2: 1 — one charge despite the retry",
		"== Antom",
		"dedupe key antom:payment:",
		"refunded so far: 480.00 PHP of 480.00 PHP",
		"charges under DEMO-ANTOM-2: 1 — one charge despite the retry",
	} {
		assert.Contains(t, out.String(), want)
	}
}

func TestDemoDrawsTheQRCode(t *testing.T) {
	var out bytes.Buffer
	if code := Main(context.Background(), []string{"demo"}, nil, &out, &out, Options{}); code != exitOK {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "▄▄▄▄▄") {
		t.Errorf("no QR code drawn:\n%s", out.String())
	}
}

func TestUsage(t *testing.T) {
	r := runCLI()
	assert.Equal(t, exitUsage, r.code, "no arguments")
	assert.Contains(t, r.stderr, "usage: paybridge <command>")

	r = runCLI("frobnicate")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown command "frobnicate"`)

	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := runCLI(args...)
		assert.Equal(t, exitOK, r.code, "%q", args)
		assert.Contains(t, r.stdout, "Exit codes:", "%q lists the exit codes", args)
		for code := range 6 {
			assert.Contains(t, r.stdout, fmt.Sprintf("\n  %d  ", code), "%q documents exit %d", args, code)
		}
	}
	r = runCLI("help", "nope")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown command "nope"`)
}

// Every command answers --help and "help <command>" alike: its usage on
// stdout, exit 0; and a flag it does not know with exit 2 and a pointer
// to its help.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands(&opener{reg: providers.NewRegistry()}) {
		t.Run(c.name, func(t *testing.T) {
			for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
				r := runCLI(args...)
				require.Equal(t, exitOK, r.code, "%q: %s", args, r)
				assert.True(t, strings.HasPrefix(r.stdout, "usage: paybridge "+c.name+" "), "%q: %s", args, r)
				assert.Contains(t, r.stdout, "\nFlags:\n", "%q", args)
				assert.Empty(t, r.stderr, "%q", args)
			}
			r := runCLI(c.name, "--no-such-flag")
			assert.Equal(t, exitUsage, r.code, "%s", r)
			assert.Contains(t, r.stderr, "--no-such-flag")
			assert.Contains(t, r.stderr, `"paybridge help `+c.name+`"`)
			assert.Contains(t, runCLI("help").stdout, "\n  "+c.name+" ", "help lists it")
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(args...)
		assert.Equal(t, exitOK, r.code)
		assert.True(t, strings.HasPrefix(r.stdout, "paybridge "+version.Version+" (go"), "%q: %s", args, r)
	}
}
