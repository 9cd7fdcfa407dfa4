package alipayplus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

type otherOpts struct{}

func (otherOpts) ProviderName() string { return "alphapay" }

func TestInvalidRequestsSendNothing(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	now := time.Date(2026, 11, 22, 18, 15, 30, 0, time.UTC)
	c := vectorClient(t, loadVectors(t), func(cfg *Config) {
		cfg.BaseURL = srv.URL
		cfg.Currencies = []money.Currency{money.IQD, money.CLP}
		cfg.Clock = clock.NewFake(now)
	})
	good := func() *payment.PayRequest {
		return &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioCashier, Amount: money.MustParse("150 IQD")}
	}
	with := func(f func(r *payment.PayRequest)) func() *payment.PayRequest {
		return func() *payment.PayRequest { r := good(); f(r); return r }
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		req    func() *payment.PayRequest
		kind   payment.Kind
		fields string
	}{
		{"nil request", func() *payment.PayRequest { return nil }, payment.KindInvalidRequest, "PayRequest"},
		{"description over 256 characters", with(func(r *payment.PayRequest) { r.Description = strings.Repeat("é", 257) }), payment.KindInvalidRequest, "Description"},
		{"amount over 16 digits", with(func(r *payment.PayRequest) { r.Amount = money.MustParse("10000000000000000 CLP") }), payment.KindInvalidRequest, "Amount"},
		{"currency not configured", with(func(r *payment.PayRequest) { r.Amount = money.MustParse("1.000 KWD") }), payment.KindUnsupported, "Amount"},
		{"a method", with(func(r *payment.PayRequest) { r.Method = payment.MethodAlipay }), payment.KindUnsupported, "Method"},
		{"an AlphaPay scenario", with(func(r *payment.PayRequest) { r.Scenario = payment.ScenarioQRCode }), payment.KindUnsupported, "Scenario"},
		{"another provider's options", with(func(r *payment.PayRequest) { r.ProviderOptions = otherOpts{} }), payment.KindInvalidRequest, "ProviderOptions"},
		{"product code over 32", with(func(r *payment.PayRequest) { r.ProviderOptions = PayOptions{ProductCode: strings.Repeat("1", 33)} }), payment.KindInvalidRequest, "ProviderOptions.ProductCode"},
		{"auth code over 128", with(func(r *payment.PayRequest) { r.ProviderOptions = &PayOptions{AuthCode: strings.Repeat("a", 129)} }), payment.KindInvalidRequest, "ProviderOptions.AuthCode"},
		{"customer", with(func(r *payment.PayRequest) { r.Customer = &payment.Customer{AppID: "a", PayerID: "p"} }), payment.KindInvalidRequest, "Customer"},
		{"expiry in the past", with(func(r *payment.PayRequest) { r.ExpiresAt = now.Add(-time.Second) }), payment.KindInvalidRequest, "ExpiresAt"},
		{"merchant name over 256", with(func(r *payment.PayRequest) {
			r.Order = &payment.Order{Merchant: &payment.Merchant{Name: strings.Repeat("n", 257)}}
		}), payment.KindInvalidRequest, "Order.Merchant.Name"},
		{"merchant display name over 64", with(func(r *payment.PayRequest) {
			r.Order = &payment.Order{Merchant: &payment.Merchant{DisplayName: strings.Repeat("n", 65)}}
		}), payment.KindInvalidRequest, "Order.Merchant.DisplayName"},
		{"region not alpha-2", with(func(r *payment.PayRequest) { r.Order = &payment.Order{Merchant: &payment.Merchant{Region: "MYS"}} }), payment.KindInvalidRequest, "Order.Merchant.Region"},
		{"reference order ID over 64", with(func(r *payment.PayRequest) { r.Order = &payment.Order{ReferenceOrderID: strings.Repeat("o", 65)} }), payment.KindInvalidRequest, "Order.ReferenceOrderID"},
		{"goods price in another currency", with(func(r *payment.PayRequest) {
			r.Order = &payment.Order{Goods: []payment.Goods{{Name: "x", Quantity: 1, UnitAmount: money.MustParse("1 CLP")}}}
		}), payment.KindInvalidRequest, "Order.Goods[0].UnitAmount"},
		{"unknown terminal type", with(func(r *payment.PayRequest) { r.Device = &payment.Device{TerminalType: "kiosk"} }), payment.KindInvalidRequest, "Device.TerminalType"},
		{"notify URL over 1024", with(func(r *payment.PayRequest) { r.NotifyURL = "https://m.example/" + strings.Repeat("n", 1010) }), payment.KindInvalidRequest, "NotifyURL"},
		{"relative redirect URL", with(func(r *payment.PayRequest) { r.RedirectURL = "/done" }), payment.KindInvalidRequest, "RedirectURL"},
		{"card data", with(func(r *payment.PayRequest) { r.Card = &payment.Card{Token: "t"} }), payment.KindInvalidRequest, "Card"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Pay(ctx, tc.req())
			var ve *payment.ValidationError
			if payment.KindOf(err) != tc.kind || !errors.As(err, &ve) || !ve.Has(tc.fields) {
				t.Fatalf("err = %v; want kind %v naming %s", err, tc.kind, tc.fields)
			}
		})
	}
	// A nil *PayOptions is no options, not a panic.
	if _, err := c.Pay(ctx, with(func(r *payment.PayRequest) { r.ProviderOptions = (*PayOptions)(nil); r.Amount = money.Amount{} })()); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("nil *PayOptions: %v", err)
	}
	if _, err := c.Inquire(ctx, payment.Ref{}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("inquire without ref: %v", err)
	}
	if _, err := c.Cancel(ctx, payment.Ref{PaymentRequestID: strings.Repeat("r", 65)}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("cancel with a long ref: %v", err)
	}
	for name, rr := range map[string]*payment.RefundRequest{
		"long reason":      {RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1 IQD"), Reason: strings.Repeat("r", 257)},
		"zero amount":      {RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("0 IQD")},
		"no payment":       {RefundRequestID: "R1", Amount: money.MustParse("1 IQD")},
		"no refund id":     {Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1 IQD")},
		"refund notify":    {RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1 IQD"), NotifyURL: "https://m.example/n"},
		"other currency":   {RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1 JPY")},
		"nil refund":       nil,
		"over 16 digits":   {RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("10000000000000000 CLP")},
		"refund ID spaces": {RefundRequestID: "R 1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1 IQD")},
	} {
		if _, err := c.Refund(ctx, rr); !errors.Is(err, payment.ErrInvalidRequest) && !errors.Is(err, payment.ErrUnsupported) {
			t.Errorf("refund with %s: %v", name, err)
		}
	}
	// The wallet sends no refund notifications: a NotifyURL is refused by
	// name rather than silently dropped.
	_, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1 IQD"), NotifyURL: "https://m.example/n"})
	if ve := (*payment.ValidationError)(nil); !errors.Is(err, payment.ErrInvalidRequest) || !errors.As(err, &ve) || !ve.Has("NotifyURL") {
		t.Errorf("refund with a notify URL: %v", err)
	}
	if _, err := c.InquireRefund(ctx, payment.RefundRef{}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("inquire refund without ref: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the wallet saw %d requests", n)
	}
}

func TestCapabilities(t *testing.T) {
	c := vectorClient(t, loadVectors(t))
	got := c.Capabilities()
	if len(got.Scenarios) != 1 || got.Scenarios[0] != payment.ScenarioCashier || len(got.Methods) != 0 ||
		len(got.Currencies) != 0 || got.MaxAmountDigits != 16 || got.MaxDescription != 256 ||
		!got.ExpiresAt || !got.InquireByRequestID || !got.Cancel || !got.CancelPaid || !got.Refund ||
		!got.PartialRefund || !got.InquireRefundByRequestID || !got.Notifications || got.InquiryShowsRefunds {
		t.Fatalf("capabilities %+v", got)
	}
	if c.Name() != "alipayplus" {
		t.Fatal(c.Name())
	}
}

func TestNewNamesTheBadFieldWithoutKeyMaterial(t *testing.T) {
	vf := loadVectors(t)
	priv, pub := vf.Keys["merchant"].PrivateKeyPEM, vf.Keys["wallet"].PublicKeyPEM
	broken := priv[:200] + "AAAA" + priv[204:]
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"no client ID", func(c *Config) { c.ClientID = "" }, "ClientID"},
		{"client ID with a space", func(c *Config) { c.ClientID = "2022 0915" }, "ClientID"},
		{"garbled private key", func(c *Config) { c.PrivateKey = broken }, "PrivateKey"},
		{"no private key", func(c *Config) { c.PrivateKey = "" }, "PrivateKey"},
		{"private key given as the wallet key", func(c *Config) { c.WalletPublicKey = priv }, "WalletPublicKey"},
		{"plain HTTP to a remote host", func(c *Config) { c.BaseURL = "http://api.wallet.example" }, "BaseURL"},
		{"no base URL", func(c *Config) { c.BaseURL = "" }, "BaseURL"},
		{"prefix without a slash", func(c *Config) { c.PathPrefix = "api" }, "PathPrefix"},
		{"prefix with a query", func(c *Config) { c.PathPrefix = "/api?x=1" }, "PathPrefix"},
		{"key version with a comma", func(c *Config) { c.KeyVersion = "1,2" }, "KeyVersion"},
		{"product code over 32", func(c *Config) { c.ProductCode = strings.Repeat("1", 33) }, "ProductCode"},
		{"time layout without offset", func(c *Config) { c.TimeLayout = "2006-01-02T15:04:05" }, "TimeLayout"},
		{"time layout without seconds", func(c *Config) { c.TimeLayout = "2006-01-02T15:04Z07:00" }, "TimeLayout"},
		{"zero currency", func(c *Config) { c.Currencies = []money.Currency{{}} }, "Currencies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{BaseURL: "https://api.wallet.example", ClientID: vectorClientID, PrivateKey: priv, WalletPublicKey: pub}
			tc.mutate(&cfg)
			_, err := New(cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("err = %v; want a ConfigError for %s", err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.field) || strings.Contains(err.Error(), "MIIE") || strings.Contains(err.Error(), "AAAA") {
				t.Fatalf("error does not name the field or shows key material: %v", err)
			}
		})
	}
	for name, mutate := range map[string]func(*Config){
		"loopback HTTP":           func(c *Config) { c.BaseURL = "http://127.0.0.1:9" },
		"GCash prefix":            func(c *Config) { c.PathPrefix = "/miniprogram/api" },
		"trailing slashes":        func(c *Config) { c.BaseURL += "/"; c.PathPrefix = "/api/" },
		"whole-second time":       func(c *Config) { c.TimeLayout = "2006-01-02T15:04:05-07:00" },
		"Z time (wallet permits)": func(c *Config) { c.TimeLayout = time.RFC3339 },
		"Unix milliseconds":       func(c *Config) { c.TimeLayout = TimeUnixMilli },
		"Unix nanoseconds":        func(c *Config) { c.TimeLayout = TimeUnixNano },
		"base64 DER keys":         func(c *Config) { c.PrivateKey, c.WalletPublicKey = pemBody(priv), pemBody(pub) },
	} {
		cfg := Config{BaseURL: "https://api.wallet.example", ClientID: vectorClientID, PrivateKey: priv, WalletPublicKey: pub}
		mutate(&cfg)
		if _, err := New(cfg); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
}

// pemBody strips a PEM block to its base64 body, as wallet dashboards show
// keys.
func pemBody(p string) string {
	var b strings.Builder
	for _, l := range strings.Split(p, "\n") {
		if !strings.HasPrefix(l, "-----") {
			b.WriteString(strings.TrimSpace(l))
		}
	}
	return b.String()
}
