// Command paybridge is the paybridge CLI: a demo on the built-in simulators,
// a local sandbox of both providers with a notification listener and
// trigger, key generation, payment operations against a configured wallet,
// and an offline check of saved notifications. "paybridge help" lists the
// commands and the exit codes; "paybridge help <command>" shows one.
//
// It is package cli with paybridge's own provider kinds; a CLI that also
// knows kinds of your own is a main of the same few lines (see package cli).
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/paybridge/paybridge/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, cli.Options{})
	stop()
	os.Exit(code)
}
