package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
)

// Options.Registry opens every --config: a kind registered on it is one a
// configuration may name; without it, only paybridge's kinds are. (The
// whole CLI with a kind from another module: examples/tinypay's
// cli_test.go.)
func TestOptionsRegistryOpensTheConfiguration(t *testing.T) {
	e := newCLIEnv(t)
	raw, err := os.ReadFile(e.config)
	require.NoError(t, err)
	// "ourpay" is AlphaPay under a kind of the program's own.
	require.NoError(t, os.WriteFile(e.config, bytes.Replace(raw, []byte(`"provider":"alphapay"`), []byte(`"provider":"ourpay"`), 1), 0o600))
	reg := providers.NewRegistry()
	require.NoError(t, reg.Register("ourpay", func(ctx context.Context, raw json.RawMessage, o providers.Options) (payment.Provider, error) {
		return providers.NewRegistry().Open(ctx, "alphapay", raw, o)
	}))
	run := func(opts Options, args ...string) result {
		var out, errs bytes.Buffer
		code := Main(context.Background(), args, strings.NewReader(""), &out, &errs, opts)
		return result{code, out.String(), errs.String()}
	}
	pay := []string{"pay", "--config", e.config, "--id", "REG-1", "--amount", "1.00 CAD", "--method", "alipay", "--no-qr"}

	r := run(Options{}, pay...)
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, `unknown provider kind: "ourpay"`)
	assert.Zero(t, e.sim.RequestCount(), "nothing sent")

	r = run(Options{Registry: reg}, append(pay, "--json")...)
	require.Equal(t, exitOK, r.code, "%s", r)
	var paid map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &paid), "%s", r)
	r = run(Options{Registry: reg}, "inquire", "--config", e.config, "--payment-id", str(paid, "paymentId"), "--json")
	require.Equal(t, exitOK, r.code, "%s", r)
	assert.Contains(t, r.stdout, `"paymentRequestId": "REG-1"`)
}

// Options.Wallets reach every wallet the CLI opens: here PerWallet, which
// sees the wallet's name and kind.
func TestOptionsWalletsReachTheWallets(t *testing.T) {
	e := newCLIEnv(t)
	var opened []string
	opts := Options{Wallets: providers.Options{PerWallet: func(name, kind string, _ *providers.Options) error {
		opened = append(opened, name+"/"+kind)
		return nil
	}}}
	var out, errs bytes.Buffer
	code := Main(context.Background(), []string{"inquire", "--config", e.config, "--payment-id", "NONE-1", "--json"},
		strings.NewReader(""), &out, &errs, opts)
	require.NotEqual(t, exitUsage, code, "%s %s", out.String(), errs.String())
	require.NotEmpty(t, opened, "PerWallet was not called")
	assert.Contains(t, opened[0], "/alphapay")
}
