package tinypay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/tinypay"
	"example.com/tinypay/tinypaytest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
)

// loadWallets writes testdata/wallets.json next to TinyPay's public key,
// pointed at srv, and loads it with a registry that knows "tinypay".
func loadWallets(t *testing.T, srv *tinypaytest.Server, env providers.Env) (*providers.Wallets, error) {
	t.Helper()
	path := writeConfig(t, srv)
	reg := providers.NewRegistry()
	if err := tinypay.Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg.LoadFile(context.Background(), path, providers.Options{Env: env})
}

// writeConfig writes testdata/wallets.json, pointed at srv, next to
// TinyPay's public key in a directory of the test's, and returns its path.
// Its private key is env:TINYPAY_PRIVATE_KEY.
func writeConfig(t *testing.T, srv *tinypaytest.Server) string {
	t.Helper()
	creds := srv.Credentials()
	raw, err := os.ReadFile("testdata/wallets.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "wallets.json")
	config := strings.ReplaceAll(string(raw), "$TINYPAY_URL", creds.BaseURL)
	if err := errors.Join(os.WriteFile(path, []byte(config), 0o600),
		os.WriteFile(filepath.Join(dir, "tinypay.pub"), []byte(creds.TinyPayPublicKey), 0o600)); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadFileAndNotify opens a TinyPay wallet from a configuration file,
// pays, and receives the payment's notification through package notify.
func TestLoadFileAndNotify(t *testing.T) {
	srv := tinypaytest.NewServer(tinypaytest.Options{})
	defer srv.Close()
	key := srv.Credentials().MerchantPrivateKey
	wallets, err := loadWallets(t, srv, providers.Env{Getenv: func(name string) (string, bool) {
		return key, name == "TINYPAY_PRIVATE_KEY"
	}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := wallets.Get("tinypay-ph")
	src, err := wallets.Source("tinypay-ph")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		events []payment.Event
	)
	endpoint := httptest.NewServer(notify.NewHandler(src, func(_ context.Context, ev payment.Event) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
		return nil
	}))
	defer endpoint.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pay, err := p.Pay(ctx, &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode,
		Method: tinypay.MethodPoints, Amount: money.MustParse("100.00 PHP"), NotifyURL: endpoint.URL + "/notify/tinypay"})
	if err != nil {
		t.Fatal(err)
	}
	if pay.Status != payment.StatusPending || pay.Action == nil || pay.Action.QRCode == "" {
		t.Fatalf("pay: %+v", pay)
	}
	if err := srv.Complete(pay.PaymentID); err != nil {
		t.Fatal(err)
	}
	if err := srv.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if d := srv.Deliveries()[0]; !d.Acked {
		t.Fatalf("notification not acknowledged: %+v", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 1 || events[0].Payment.PaymentID != pay.PaymentID || events[0].Payment.Status != payment.StatusSucceeded {
		t.Fatalf("events: %+v", events)
	}

	// A refund may name the payment by the merchant's request ID alone
	// (Capabilities.InquireByRequestID).
	r, err := p.Refund(ctx, &payment.RefundRequest{RefundRequestID: "REFUND-1", Payment: payment.Ref{PaymentRequestID: "ORDER-1"},
		Amount: money.MustParse("40.00 PHP")})
	if err != nil || r.PaymentID != pay.PaymentID || r.Status != payment.RefundSucceeded {
		t.Fatalf("refund by request ID: %+v, %v", r, err)
	}

	// Methods and scenarios TinyPay does not take fail before anything is sent.
	for _, req := range []payment.PayRequest{
		{Scenario: payment.ScenarioQRCode, Method: payment.MethodDANA},
		{Scenario: payment.ScenarioWeb, Method: tinypay.MethodPoints},
		{Scenario: payment.ScenarioInStoreScan, PaymentCode: "28763443825664394"},
	} {
		req.PaymentRequestID, req.Amount = "ORDER-2", money.MustParse("1.00 PHP")
		if _, err := p.Pay(ctx, &req); !errors.Is(err, payment.ErrUnsupported) {
			t.Errorf("%s %s: %v, want unsupported", req.Scenario, req.Method, err)
		}
	}
	if n := len(srv.Requests("/v1/pay")); n != 1 {
		t.Errorf("%d pay requests reached TinyPay, want 1", n)
	}
}

// TestSettingErrors: a configuration's mistakes are errors naming the
// wallet and the field, never showing a secret.
func TestSettingErrors(t *testing.T) {
	srv := tinypaytest.NewServer(tinypaytest.Options{})
	defer srv.Close()
	const secret = "-----BEGIN PRIVATE KEY-----not really"
	for _, tc := range []struct {
		env  func(string) (string, bool)
		want string
	}{
		{func(string) (string, bool) { return "", false }, `settings.privateKey: env:TINYPAY_PRIVATE_KEY: environment variable TINYPAY_PRIVATE_KEY is not set`},
		{func(string) (string, bool) { return secret, true }, `wallet "tinypay-ph": settings.privateKey`},
	} {
		_, err := loadWallets(t, srv, providers.Env{Getenv: tc.env})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "not really") {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	_, err := tinypay.Open(context.Background(), json.RawMessage(`{"baseURL": "https://x.example", "merchantid": "M"}`), providers.Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown field "merchantid"`) {
		t.Errorf("a misspelt key: %v", err)
	}
	s := tinypay.Settings{MerchantID: "M", PrivateKey: secret}
	c := tinypay.Config{MerchantID: "M", PrivateKey: secret}
	b1, _ := json.Marshal(s)
	b2, _ := json.Marshal(c)
	for _, out := range []string{fmt.Sprintf("%v %+v %#v %s", s, s, s, b1), fmt.Sprintf("%v %+v %#v %s", c, c, c, b2)} {
		if strings.Contains(out, "not really") || !strings.Contains(out, "M") {
			t.Errorf("a secret shows: %s", out)
		}
	}
}
