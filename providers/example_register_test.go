package providers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
	"github.com/paybridge/paybridge/providers"
)

// YourPaySettings are the settings of a "yourpay" wallet. An adapter in
// another module exports them beside its Opener; the names are its own.
type YourPaySettings struct {
	BaseURL    string           `json:"baseURL"`
	MerchantID string           `json:"merchantId"`
	APIKey     string           `json:"apiKey"` // a secret reference: "env:…", "file:…"
	Methods    []string         `json:"methods,omitempty"`
	Retry      *providers.Retry `json:"retry,omitempty"`
	CAFile     string           `json:"caFile,omitempty"`
}

// OpenYourPay is the adapter's providers.Opener. It reads its settings as
// paybridge's own kinds read theirs, with the exported helpers, so that a
// misspelt key, a missing field or an unset secret is an error naming the
// wallet and the field, never showing a secret.
func OpenYourPay(ctx context.Context, raw json.RawMessage, o providers.Options) (payment.Provider, error) {
	var s YourPaySettings
	if err := providers.DecodeSettings(raw, &s); err != nil {
		return nil, err
	}
	if err := providers.Required("baseURL", s.BaseURL); err != nil {
		return nil, err
	}
	if err := providers.Required("merchantId", s.MerchantID); err != nil {
		return nil, err
	}
	apiKey, err := o.SecretSetting("apiKey", s.APIKey)
	if err != nil {
		return nil, err
	}
	hc, err := o.HTTPClientFor(s.CAFile) // nil: the adapter's own pooled client
	if err != nil {
		return nil, err
	}
	caps := paymenttest.DefaultCapabilities()
	caps.Methods = nil
	for i, m := range s.Methods {
		if !payment.Method(m).Valid() {
			return nil, providers.SettingError(fmt.Sprintf("methods[%d]", i), errors.New("must be a payment method such as \"gcash\""))
		}
		caps.Methods = append(caps.Methods, payment.Method(m))
	}
	// A real adapter builds its client here:
	//
	//	yourpay.New(yourpay.Config{BaseURL: s.BaseURL, MerchantID: s.MerchantID, APIKey: apiKey,
	//		Methods: caps.Methods, HTTPClient: hc, Retry: o.RetryPolicy(s.Retry),
	//		Logger: o.Logger, Clock: o.Clock, Journal: o.Journal, Observer: o.Observer})
	//
	// and maps its config errors with o.ConfigField. This one simulates it.
	_, _ = apiKey, hc
	return paymenttest.New(paymenttest.WithName("yourpay"), paymenttest.WithCapabilities(caps),
		paymenttest.WithRetry(o.RetryPolicy(s.Retry)), paymenttest.WithClock(o.Clock)), nil
}

// A kind from outside paybridge joins a registry with Register and is
// loaded from a configuration file beside paybridge's own kinds. Its
// wallets take a provider-defined payment method as well as well-known
// ones.
func ExampleRegistry_Register() {
	dir, err := os.MkdirTemp("", "wallets")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "yourpay.key"), []byte("not a real key"), 0o600)
	config := `{"wallets": [
	  {"name": "yourpay-ph", "provider": "yourpay", "settings": {
	    "baseURL": "https://api.yourpay.example", "merchantId": "M-1", "apiKey": "file:yourpay.key",
	    "methods": ["gcash", "yourpay_points"], "retry": {"maxAttempts": 2, "baseWait": "100ms"}}}
	]}`
	path := filepath.Join(dir, "wallets.json")
	_ = os.WriteFile(path, []byte(config), 0o600)

	reg := providers.NewRegistry() // paybridge's kinds, and yours:
	if err := reg.Register("yourpay", OpenYourPay); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	wallets, err := reg.LoadFile(ctx, path, providers.Options{}) // "file:" secrets are read next to the file
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := wallets.Get("yourpay-ph")
	fmt.Println(wallets.Kind("yourpay-ph"), p.Capabilities().Methods)
	for _, m := range []payment.Method{"yourpay_points", payment.MethodGCash, payment.MethodDANA} {
		pay, err := p.Pay(ctx, &payment.PayRequest{PaymentRequestID: "ORDER-" + string(m), Scenario: payment.ScenarioQRCode,
			Method: m, Amount: money.MustParse("100.00 PHP")})
		switch {
		case errors.Is(err, payment.ErrUnsupported):
			fmt.Println(m, "unsupported")
		case err != nil:
			fmt.Println(m, err)
		default:
			fmt.Println(m, pay.Status)
		}
	}

	// The helpers' errors name the wallet and the field.
	const base = `"baseURL": "https://api.yourpay.example", "apiKey": "file:yourpay.key"`
	for _, settings := range []string{
		base + `, "merchantid": "M-1"`,                                 // a misspelt key
		base + `, "merchantId": "M-1", "methods": ["GCash"]`,           // a provider's code is not a method
		`"baseURL": "x", "merchantId": "M-1", "apiKey": "env:NO_SUCH"`, // a secret that is not there
	} {
		cfg := `{"wallets": [{"name": "yourpay-ph", "provider": "yourpay", "settings": {` + settings + `}}]}`
		_ = os.WriteFile(path, []byte(cfg), 0o600)
		_, err := reg.LoadFile(ctx, path, providers.Options{Env: providers.Env{Getenv: func(string) (string, bool) { return "", false }}})
		fmt.Println(err)
	}
	// Output:
	// yourpay [gcash yourpay_points]
	// yourpay_points pending
	// gcash pending
	// dana unsupported
	// providers: config: wallet "yourpay-ph": settings: unknown field "merchantid"
	// providers: config: wallet "yourpay-ph": settings.methods[0]: must be a payment method such as "gcash"
	// providers: config: wallet "yourpay-ph": settings.apiKey: env:NO_SUCH: environment variable NO_SUCH is not set
}
