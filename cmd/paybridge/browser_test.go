package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/webdriver"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// browser starts headless Chromium, or skips where it is not installed —
// except in CI, whose .ci/run installs it.
func browser(t *testing.T, ctx context.Context) *webdriver.Driver {
	t.Helper()
	for _, p := range []string{webdriver.ChromiumPath, webdriver.ChromeDriverPath} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing; .ci/run installs Debian's chromium and chromium-driver", p)
			}
			t.Skipf("%s not installed (apt-get install chromium chromium-driver)", p)
		}
	}
	d, err := webdriver.Start(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// A person approves a payment on the simulator's cashier page in a real
// browser; the adapter then sees it succeeded.
func TestCashierPageApproveInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	d := browser(t, ctx)

	sim := alphapaytest.NewServer()
	defer sim.Close()
	cr := sim.Credentials()
	ap, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode, PrivateKey: cr.MerchantPrivateKey, AlphaPayPublicKey: cr.AlphaPayPublicKey})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ap.Pay(ctx, &payment.PayRequest{PaymentRequestID: "BROWSER-1", Scenario: payment.ScenarioQRCode,
		Method: payment.MethodAlipay, Amount: money.MustParse("42.00 CAD"), Description: "Browser test"})
	if err != nil {
		t.Fatal(err)
	}

	if err := d.Open(ctx, p.Action.URL); err != nil {
		t.Fatal(err)
	}
	for css, want := range map[string]string{"#amount": "42.00 CAD", "#description": "Browser test", "#status": "PAYMENT_IN_PROCESS"} {
		if got, err := d.Text(ctx, css); err != nil || !strings.Contains(got, want) {
			t.Fatalf("%s = %q, %v; want %q", css, got, err, want)
		}
	}
	if err := d.Click(ctx, "#approve"); err != nil {
		t.Fatal(err)
	}
	wait, cancelWait := context.WithTimeout(ctx, 20*time.Second)
	defer cancelWait()
	if got, err := d.WaitText(wait, "#status", "SUCCESS"); err != nil {
		t.Fatalf("status after approving = %q, %v", got, err)
	}
	shot, err := d.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	dir := t.TempDir()
	if keep := os.Getenv("PAYBRIDGE_SCREENSHOTS"); keep != "" {
		dir = keep // to look at it: PAYBRIDGE_SCREENSHOTS=/tmp go test -run Browser ./cmd/paybridge
	}
	if err := os.WriteFile(filepath.Join(dir, "cashier-approved.png"), shot, 0o600); err != nil {
		t.Fatal(err)
	}

	got, err := ap.Inquire(ctx, p.Ref())
	if err != nil || got.Status != payment.StatusSucceeded {
		t.Fatalf("after the browser approved: %+v, %v", got, err)
	}
}
