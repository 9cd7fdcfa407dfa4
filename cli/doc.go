// Package cli is the paybridge command-line interface as a library, so that
// an adapter for a provider kind of your own (see docs/writing-an-adapter.md)
// gets the whole CLI — pay, inquire, cancel, refund, inquire-refund, listen,
// trigger, verify-notification, and the rest — for wallets of that kind:
// build a registry with paybridge's kinds and yours, and hand it to Main.
//
// A third party's CLI is a main of a few lines:
//
//	package main
//
//	import (
//		"context"
//		"fmt"
//		"os"
//		"os/signal"
//
//		"github.com/paybridge/paybridge/cli"
//		"github.com/paybridge/paybridge/providers"
//
//		"example.com/yourpay"
//	)
//
//	func main() {
//		reg := providers.NewRegistry() // alphapay, alipayplus, antom
//		if err := yourpay.Register(reg); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
//		code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, cli.Options{Registry: reg})
//		stop()
//		os.Exit(code)
//	}
//
// Every --config file is then opened with that registry: its wallets may
// name any kind it holds. listen and verify-notification check the
// notifications of any wallet whose provider is a notify.Source (directly
// or through payment.As), and name the wallet and its kind when it is not.
// demo and sandbox run paybridge's built-in simulators whatever the
// registry. cmd/paybridge is Main with cli.Options{}; examples/tinypay's
// cmd/tinypay-cli is the example above for the "tinypay" kind.
package cli
