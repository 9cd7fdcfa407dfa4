package cli

import (
	"bytes"
	"context"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paybridge/paybridge/internal/webdriver"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/providers/antom"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
)

// browser starts headless Chromium for the test, or skips where it is not
// installed — except in CI, whose .ci/run installs it. Whatever happens to
// the test (a failure, its context ending, go test's -timeout drawing near),
// the cleanup ends the session, chromedriver and every browser process, and
// fails the test if one of them is still running.
func browser(t *testing.T) (context.Context, *webdriver.Driver) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	for _, p := range []string{webdriver.ChromiumPath, webdriver.ChromeDriverPath} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing; .ci/run installs Debian's chromium and chromium-driver", p)
			}
			t.Skipf("%s not installed (apt-get install chromium chromium-driver)", p)
		}
	}
	// The test's work ends well before go test's own deadline, whose panic
	// would skip the cleanups below and leave the browser running.
	timeout := 2 * time.Minute
	if dl, ok := t.Deadline(); ok {
		timeout = min(timeout, time.Until(dl)-30*time.Second)
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	profile := t.TempDir() // removed after the browser has gone: cleanups run last first
	d, err := webdriver.Start(ctx, profile)
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, d.Close(), "ending the browser")
		assert.Empty(t, d.Remaining(), "browser processes outlived the test")
	})
	return ctx, d
}

// receiver is a merchant's notify endpoint: package notify's handler in
// front of the adapter, acknowledging every genuine notification.
func receiver(t *testing.T, src notify.Source) string {
	t.Helper()
	site := httptest.NewServer(notify.NewHandler(src, func(context.Context, payment.Event) error { return nil }))
	t.Cleanup(site.Close)
	return site.URL + "/notify"
}

// cashierCase is a payment to open on a simulator's cashier page.
type cashierCase struct {
	provider payment.Provider
	req      *payment.PayRequest
}

// A person approves or declines payments on the simulators' cashier pages
// in a real browser. Each page shows the neutral status (the provider's
// own code beside it), the QR code only while the payment can be paid, and
// what became of the notification; the adapter then sees the final status.
func TestCashierPagesInABrowser(t *testing.T) {
	ctx, d := browser(t)

	ap := alphapaytest.NewServer()
	t.Cleanup(ap.Close)
	apc, err := alphapay.New(alphapay.Config{BaseURL: ap.URL, MerchantCode: ap.Credentials().MerchantCode,
		PrivateKey: ap.Credentials().MerchantPrivateKey, AlphaPayPublicKey: ap.Credentials().AlphaPayPublicKey})
	require.NoError(t, err)
	wallet := alipayplustest.NewServer()
	t.Cleanup(wallet.Close)
	wcr := wallet.Credentials()
	wc, err := alipayplus.New(alipayplus.Config{BaseURL: wcr.BaseURL, PathPrefix: wcr.Prefix, ClientID: wcr.ClientID,
		KeyVersion: wcr.KeyVersion, PrivateKey: wcr.MerchantPrivateKey, WalletPublicKey: wcr.WalletPublicKey})
	require.NoError(t, err)
	an := antomtest.NewServer()
	t.Cleanup(an.Close)
	acr := an.Credentials()
	ac, err := antom.New(antom.Config{BaseURL: acr.BaseURL, ClientID: acr.ClientID, PrivateKey: acr.MerchantPrivateKey, AntomPublicKey: acr.AntomPublicKey})
	require.NoError(t, err)
	apNotify, walletNotify, antomNotify := receiver(t, apc), receiver(t, wc), receiver(t, ac)

	qr := func(id string) cashierCase {
		return cashierCase{apc, &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay,
			Amount: money.MustParse("42.00 CAD"), Description: "Browser test", NotifyURL: apNotify}}
	}
	cashier := func(id string) cashierCase {
		return cashierCase{wc, &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioCashier,
			Amount: money.MustParse("250.00 PHP"), Description: "Browser test", NotifyURL: walletNotify,
			Device: &payment.Device{TerminalType: payment.TerminalWeb}}}
	}
	checkout := func(id string) cashierCase {
		return cashierCase{ac, &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioH5, Method: payment.MethodKakaoPay,
			Amount: money.MustParse("15000 KRW"), Description: "Browser test", NotifyURL: antomNotify, RedirectURL: "https://shop.example/done"}}
	}
	for _, tc := range []struct {
		name           string
		pay            cashierCase
		button         string
		status         payment.Status
		providerStatus string
		notification   string
		qrBefore       bool
	}{
		{"alphapay approve", qr("BROWSER-AP-1"), "#approve", payment.StatusSucceeded, "SUCCESS", "acknowledged (attempt 1)", true},
		{"alphapay decline", qr("BROWSER-AP-2"), "#decline", payment.StatusFailed, "FAILED", "none: AlphaPay notifies successful payments only", true},
		{"wallet approve", cashier("BROWSER-W-1"), "#approve", payment.StatusSucceeded, "SUCCESS", "acknowledged (attempt 1)", false},
		{"wallet decline", cashier("BROWSER-W-2"), "#decline", payment.StatusFailed, "FAIL", "acknowledged (attempt 1)", false},
		{"antom approve", checkout("BROWSER-AN-1"), "#approve", payment.StatusSucceeded, "SUCCESS", "acknowledged (attempt 1)", false},
		{"antom decline", checkout("BROWSER-AN-2"), "#decline", payment.StatusFailed, "FAIL", "acknowledged (attempt 1)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pay.provider
			pay, err := p.Pay(ctx, tc.pay.req)
			require.NoError(t, err)
			require.NotNil(t, pay.Action)

			require.NoError(t, d.Open(ctx, pay.Action.URL))
			for css, want := range map[string]string{"#description": "Browser test", "#status": "pending", "#notification": "none yet"} {
				got, err := d.Text(ctx, css)
				require.NoError(t, err)
				assert.Contains(t, got, want, css)
			}
			hasQR, err := d.Present(ctx, "#qr")
			require.NoError(t, err)
			assert.Equal(t, tc.qrBefore, hasQR, "QR code while pending")

			require.NoError(t, d.Click(ctx, tc.button))
			wait, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			got, err := d.WaitText(wait, "#status", string(tc.status))
			require.NoError(t, err, "status after %s: %q", tc.button, got)
			// The page reloads itself until the notification's fate is known.
			got, err = d.WaitText(wait, "#notification", tc.notification)
			require.NoError(t, err, "notification after %s: %q", tc.button, got)
			got, err = d.Text(ctx, "#provider-status")
			require.NoError(t, err)
			assert.Equal(t, tc.providerStatus, got)
			for _, gone := range []string{"#qr", "#approve", "#decline"} {
				present, err := d.Present(ctx, gone)
				require.NoError(t, err)
				assert.False(t, present, "%s after the payment ended", gone)
			}

			shot, err := d.Screenshot(ctx)
			require.NoError(t, err)
			_, err = png.Decode(bytes.NewReader(shot))
			require.NoError(t, err, "the screenshot is not a PNG")
			dir := t.TempDir()
			if keep := os.Getenv("PAYBRIDGE_SCREENSHOTS"); keep != "" {
				dir = keep // to look at them: PAYBRIDGE_SCREENSHOTS=/tmp go test -run Browser ./cli
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "cashier-"+tc.pay.req.PaymentRequestID+".png"), shot, 0o600))

			final, err := p.Inquire(ctx, pay.Ref())
			require.NoError(t, err)
			assert.Equal(t, tc.status, final.Status, "the adapter's view after the browser acted")
		})
	}
}
