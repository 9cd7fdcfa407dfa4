// Command tinypay-cli is paybridge's CLI with one kind more, "tinypay": the
// same commands, flags, output and exit codes as cmd/paybridge, and a
// --config file may name TinyPay wallets beside paybridge's own (pay,
// inquire, cancel, refund, inquire-refund, listen, trigger,
// verify-notification):
//
//	go run ./cmd/tinypay-cli pay --config wallets.json --id ORDER-1 --amount "100.00 PHP" --method tinypay_points
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"example.com/tinypay"
	"github.com/paybridge/paybridge/cli"
	"github.com/paybridge/paybridge/providers"
)

func main() {
	reg := providers.NewRegistry() // alphapay, alipayplus, antom
	if err := tinypay.Register(reg); err != nil {
		fmt.Fprintln(os.Stderr, "tinypay-cli:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, cli.Options{Registry: reg})
	stop()
	os.Exit(code)
}
