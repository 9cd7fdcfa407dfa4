package providers_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
	"github.com/paybridge/paybridge/providers/antom"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
)

// An "antom" wallet opens from a configuration file, keys read from files
// next to it, and pays against the simulated gateway; its settings name
// the field that is wrong.
func TestLoadAntom(t *testing.T) {
	srv := antomtest.NewTLSServer()
	defer srv.Close()
	cr := srv.Credentials()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("merchant.pem", cr.MerchantPrivateKey)
	write("antom.pub", cr.AntomPublicKey)
	conf := func(methods string) string {
		return fmt.Sprintf(`{"wallets":[{"name":"antom-shop","provider":"antom","settings":{"baseURL":%q,"clientId":%q,
			"privateKey":"file:merchant.pem","antomPublicKey":"file:antom.pub","methods":%s}}]}`, cr.BaseURL, cr.ClientID, methods)
	}
	write("wallets.json", conf(`["gcash","boost"]`))
	ctx := context.Background()
	w, err := providers.NewRegistry().LoadFile(ctx, filepath.Join(dir, "wallets.json"), providers.Options{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := w.Get("antom-shop")
	var c *antom.Client
	if !ok || w.Kind("antom-shop") != "antom" || !payment.As(p, &c) || !p.Capabilities().SupportsMethod("boost") {
		t.Fatalf("wallet %v %s", p, w.Kind("antom-shop"))
	}
	if _, err := w.Source("antom-shop"); err != nil {
		t.Error(err)
	}
	pay, err := p.Pay(ctx, &payment.PayRequest{PaymentRequestID: "CFG-1", Scenario: payment.ScenarioWeb, Method: "boost",
		Amount: money.MustParse("5 USD"), Description: "tea", RedirectURL: "https://shop.example/"})
	if err != nil || pay.Status != payment.StatusPending {
		t.Fatalf("%+v %v", pay, err)
	}
	write("wallets.json", conf(`["GCash"]`))
	_, err = providers.NewRegistry().LoadFile(ctx, filepath.Join(dir, "wallets.json"), providers.Options{HTTPClient: srv.Client()})
	var ce *providers.ConfigError
	if !errors.As(err, &ce) || ce.Field != "settings.methods" {
		t.Errorf("bad method: %v", err)
	}
}
