package providers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// checkout is the platform's code. It knows nothing of any provider: it asks
// the configured one what it can do and pays.
func checkout(ctx context.Context, p payment.Provider, orderID string, amount money.Amount) (*payment.Payment, error) {
	caps := p.Capabilities()
	req := &payment.PayRequest{PaymentRequestID: orderID, Amount: amount, Description: "Order " + orderID}
	if caps.SupportsScenario(payment.ScenarioQRCode) {
		req.Scenario = payment.ScenarioQRCode
		req.Method = caps.Methods[0]
	} else {
		req.Scenario = payment.ScenarioCashier
	}
	return p.Pay(ctx, req)
}

// The same checkout code runs against AlphaPay and an Alipay+ wallet; only
// the configuration names which.
func Example_swapProvidersByConfiguration() {
	ap := alphapaytest.NewServer()
	defer ap.Close()
	wallet := alipayplustest.NewServer()
	defer wallet.Close()
	a, w := ap.Credentials(), wallet.Credentials()

	config := fmt.Sprintf(`{"wallets": [
	  {"name": "shop-ca", "provider": "alphapay", "settings": {
	    "baseURL": %q, "merchantCode": %q, "privateKey": %q, "alphaPayPublicKey": %q}},
	  {"name": "shop-wallet", "provider": "alipayplus", "settings": {
	    "baseURL": %q, "pathPrefix": %q, "clientId": %q, "privateKey": %q, "walletPublicKey": %q}}
	]}`, a.BaseURL, a.MerchantCode, a.MerchantPrivateKey, a.AlphaPayPublicKey,
		w.BaseURL, w.Prefix, w.ClientID, w.MerchantPrivateKey, w.WalletPublicKey)

	ctx := context.Background()
	wallets, err := providers.Load(ctx, strings.NewReader(config))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range wallets.Names() {
		p, _ := wallets.Get(name)
		pay, err := checkout(ctx, p, "ORDER-"+name, money.MustParse("88.00 CNY"))
		if err != nil {
			fmt.Println(name, err)
			continue
		}
		fmt.Println(name, p.Name(), pay.Status, pay.Action.Kind, pay.Amount)
	}
	// Output:
	// shop-ca alphapay pending show_qr 88.00 CNY
	// shop-wallet alipayplus pending redirect 88.00 CNY
}

// Wallets opened from a configuration take what a file cannot hold from
// Options — here a journal of its own per wallet — and each gives its
// notification source to notify.NewHandler without a type assertion.
func ExampleWallets_Source() {
	ap := alphapaytest.NewServer()
	defer ap.Close()
	wallet := alipayplustest.NewServer()
	defer wallet.Close()
	a, w := ap.Credentials(), wallet.Credentials()
	config := fmt.Sprintf(`{"wallets": [
	  {"name": "shop-ca", "provider": "alphapay", "settings": {
	    "baseURL": %q, "merchantCode": %q, "privateKey": %q, "alphaPayPublicKey": %q}},
	  {"name": "shop-wallet", "provider": "alipayplus", "settings": {
	    "baseURL": %q, "pathPrefix": %q, "clientId": %q, "privateKey": %q, "walletPublicKey": %q}}
	]}`, a.BaseURL, a.MerchantCode, a.MerchantPrivateKey, a.AlphaPayPublicKey,
		w.BaseURL, w.Prefix, w.ClientID, w.MerchantPrivateKey, w.WalletPublicKey)

	wallets, err := providers.NewRegistry().Load(context.Background(), strings.NewReader(config), providers.Options{
		PerWallet: func(name, kind string, o *providers.Options) error {
			o.Journal = journal.NewMemory() // pgjournal in production
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	deliver := func(ctx context.Context, ev payment.Event) error { return nil }
	mux := http.NewServeMux()
	for _, name := range wallets.Names() {
		src, err := wallets.Source(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		mux.Handle("POST /notify/"+name, notify.NewHandler(src, deliver))
		fmt.Println("POST /notify/"+name, "verifies", src.Name(), "notifications")
	}
	// Output:
	// POST /notify/shop-ca verifies alphapay notifications
	// POST /notify/shop-wallet verifies alipayplus notifications
}
