package providers_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
	"github.com/paybridge/paybridge/providers"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

func TestLoadOpensWalletsWithSecretReferences(t *testing.T) {
	sim := alphapaytest.NewServer()
	defer sim.Close()
	cr := sim.Credentials()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "merchant.pem"), []byte(cr.MerchantPrivateKey), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`{"wallets":[{"name":"alphapay-ca","provider":"alphapay","settings":{
		"baseURL":%q,"merchantCode":%q,"privateKey":"file:merchant.pem","alphaPayPublicKey":"env:AP_PUB",
		"retry":{"maxAttempts":2,"baseWait":"10ms"}}}]}`, cr.BaseURL, cr.MerchantCode)
	env := providers.Env{Dir: dir, Getenv: func(n string) (string, bool) {
		if n == "AP_PUB" {
			return cr.AlphaPayPublicKey, true
		}
		return "", false
	}}
	w, err := providers.NewRegistry().Load(context.Background(), strings.NewReader(cfg), providers.Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := w.Get("alphapay-ca")
	if !ok || p.Name() != "alphapay" || w.Kind("alphapay-ca") != "alphapay" {
		t.Fatalf("wallet: %v %v", p, ok)
	}
	if _, err := p.Inquire(context.Background(), payment.Ref{PaymentID: "nope"}); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("the opened provider does not talk to the simulator: %v", err)
	}
}

func TestConfigErrorsNameTheWalletAndField(t *testing.T) {
	sim := alphapaytest.NewServer()
	defer sim.Close()
	cr := sim.Credentials()
	settings := func(extra string) string {
		return fmt.Sprintf(`{"baseURL":%q,"merchantCode":"M1","privateKey":%q,"alphaPayPublicKey":%q%s}`,
			cr.BaseURL, cr.MerchantPrivateKey, cr.AlphaPayPublicKey, extra)
	}
	wallet := func(name, kind, s string) string {
		return fmt.Sprintf(`{"wallets":[{"name":%q,"provider":%q,"settings":%s}]}`, name, kind, s)
	}
	for _, tc := range []struct {
		name, cfg, wallet, field, says string
	}{
		{"unknown top-level key", `{"wallet":[]}`, "", "", `unknown field "wallet"`},
		{"misspelt wallet key", `{"wallets":[{"Name":"w1","provider":"alphapay","settings":{}}]}`, "", "", `unknown field "wallets.0.Name"`},
		{"no wallets", `{"wallets":[]}`, "", "wallets", "no wallet"},
		{"unknown settings key", wallet("w1", "alphapay", settings(`,"merchantcode":"x"`)), "w1", "settings", `unknown field "merchantcode"`},
		{"missing field", wallet("w1", "alphapay", `{"baseURL":"https://x","privateKey":"k","alphaPayPublicKey":"k"}`), "w1", "settings.merchantCode", "is required"},
		{"unset environment variable", wallet("w1", "alphapay", `{"baseURL":"https://x","merchantCode":"M","privateKey":"env:PAYBRIDGE_TEST_UNSET","alphaPayPublicKey":"k"}`), "w1", "settings.privateKey", "env:PAYBRIDGE_TEST_UNSET"},
		{"unreadable key file", wallet("w1", "alphapay", `{"baseURL":"https://x","merchantCode":"M","privateKey":"file:/nonexistent/key.pem","alphaPayPublicKey":"k"}`), "w1", "settings.privateKey", "file:/nonexistent/key.pem"},
		{"garbled key", wallet("w1", "alphapay", fmt.Sprintf(`{"baseURL":%q,"merchantCode":"M","privateKey":"MIIEnotakey","alphaPayPublicKey":%q}`, cr.BaseURL, cr.AlphaPayPublicKey)), "w1", "settings.privateKey", "invalid key"},
		{"wrong type", wallet("w1", "alphapay", `{"baseURL":3}`), "w1", "settings", "baseURL must be a string"},
		{"unknown provider", wallet("w1", "paypal", `{}`), "w1", "", "unknown provider kind"},
		{"missing name", `{"wallets":[{"provider":"alphapay","settings":{}}]}`, "#1", "name", "is required"},
		{"duplicate name", strings.Replace(wallet("w1", "alphapay", settings("")), `]}`, `,{"name":"w1","provider":"alphapay","settings":`+settings("")+`}]}`, 1), "w1", "name", "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := providers.NewRegistry().Load(context.Background(), strings.NewReader(tc.cfg), providers.Options{Env: providers.Env{Getenv: func(string) (string, bool) { return "", false }}})
			var ce *providers.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v", err)
			}
			if ce.Wallet != tc.wallet || ce.Field != tc.field || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v (wallet %q field %q); want wallet %q field %q saying %q", err, ce.Wallet, ce.Field, tc.wallet, tc.field, tc.says)
			}
			for _, secret := range []string{"MIIE", "BEGIN"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows key material: %v", err)
				}
			}
		})
	}
}

func TestRegistryRefusesDuplicates(t *testing.T) {
	r := providers.NewRegistry()
	memory := func(context.Context, json.RawMessage, providers.Options) (payment.Provider, error) {
		return paymenttest.New(), nil
	}
	if err := r.Register("memory", memory); err != nil {
		t.Fatal(err)
	}
	if err := r.Register("memory", memory); !errors.Is(err, providers.ErrDuplicate) {
		t.Fatalf("second Register: %v", err)
	}
	if err := r.Register("alphapay", memory); !errors.Is(err, providers.ErrDuplicate) {
		t.Fatalf("replacing a built-in kind: %v", err)
	}
	if got := strings.Join(r.Kinds(), ","); !strings.Contains(got, "alphapay") || !strings.Contains(got, "memory") {
		t.Fatalf("kinds %s", got)
	}
	// Registries are independent: no global state.
	if strings.Contains(strings.Join(providers.NewRegistry().Kinds(), ","), "memory") {
		t.Fatal("a new registry sees another registry's kind")
	}
}

func TestCAFileTrustsTheSandboxCertificate(t *testing.T) {
	sim := alphapaytest.NewTLSServer()
	defer sim.Close()
	cr := sim.Credentials()
	dir := t.TempDir()
	cert := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sim.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	open := func(ca string) payment.Provider {
		t.Helper()
		extra := ""
		if ca != "" {
			extra = fmt.Sprintf(`,"caFile":%q`, ca)
		}
		settings := fmt.Sprintf(`{"baseURL":%q,"merchantCode":%q,"privateKey":%q,"alphaPayPublicKey":%q%s}`,
			cr.BaseURL, cr.MerchantCode, cr.MerchantPrivateKey, cr.AlphaPayPublicKey, extra)
		p, err := providers.Open(context.Background(), "alphapay", json.RawMessage(settings))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := open(cert).Inquire(context.Background(), payment.Ref{PaymentID: "x"}); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("with the CA file: %v", err)
	}
	if _, err := open("").Inquire(context.Background(), payment.Ref{PaymentID: "x"}); !errors.Is(err, payment.ErrUnavailable) {
		t.Fatalf("without it, TLS verification must refuse the self-signed certificate: %v", err)
	}
}
