package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// sims are the two simulated providers the shop sells through.
type sims struct {
	alphapay *alphapaytest.Server
	wallet   *alipayplustest.Server
	config   string
}

func newSims(t *testing.T) *sims {
	t.Helper()
	ap, w := alphapaytest.NewServer(), alipayplustest.NewServer()
	t.Cleanup(ap.Close)
	t.Cleanup(w.Close)
	a, c := ap.Credentials(), w.Credentials()
	// Retries as in production, minus the waiting.
	const retry = `"retry": {"maxAttempts": 3, "baseWait": "1ms", "maxWait": "2ms"}`
	config := fmt.Sprintf(`{"wallets": [
	  {"name": "alphapay-sandbox", "provider": "alphapay", "settings": {
	    "baseURL": %q, "merchantCode": %q, "privateKey": %q, "alphaPayPublicKey": %q, %s}},
	  {"name": "wallet-sandbox", "provider": "alipayplus", "settings": {
	    "baseURL": %q, "pathPrefix": %q, "clientId": %q, "privateKey": %q, "walletPublicKey": %q, %s}}
	]}`, a.BaseURL, a.MerchantCode, a.MerchantPrivateKey, a.AlphaPayPublicKey, retry,
		c.BaseURL, c.Prefix, c.ClientID, c.MerchantPrivateKey, c.WalletPublicKey, retry)
	return &sims{alphapay: ap, wallet: w, config: config}
}

// shopSite runs a shop on a test server. With deadNotify the providers'
// notifications go nowhere, so only the reconcilers can settle payments.
func shopSite(t *testing.T, s *sims, deadNotify bool) (*Shop, *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	wallets, err := providers.Load(ctx, strings.NewReader(s.config))
	require.NoError(t, err)
	var shop *Shop
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { shop.ServeHTTP(w, r) }))
	public := site.URL
	if deadNotify {
		public = "http://127.0.0.1:1" // nothing listens there
	}
	shop = New(ctx, wallets, Options{PublicURL: public, ReconcileEvery: 20 * time.Millisecond})
	ran := make(chan struct{})
	go func() { shop.Run(ctx); close(ran) }()
	t.Cleanup(func() {
		cancel()
		<-ran
		site.Close()
	})
	return shop, site
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// checkout buys a product with a wallet through the checkout form and
// returns the order ID.
func checkout(t *testing.T, site *httptest.Server, wallet, product string) string {
	t.Helper()
	resp, err := noRedirects.PostForm(site.URL+"/checkout", url.Values{"wallet": {wallet}, "product": {product}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	return strings.TrimPrefix(resp.Header.Get("Location"), "/orders/")
}

func page(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	return string(b)
}

func refund(t *testing.T, site *httptest.Server, id, amount string) {
	t.Helper()
	resp, err := noRedirects.PostForm(site.URL+"/orders/"+id+"/refund", url.Values{"amount": {amount}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

func waitStatus(t *testing.T, shop *Shop, id string, want payment.Status) Order {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o, err := shop.orders.waitFor(ctx, id, func(o Order) bool { return o.Payment != nil && o.Payment.Status == want })
	require.NoError(t, err, "order %s is %s, want %s", id, o.Status(), want)
	return o
}

// The whole shop on both providers: checkout, the customer pays, the
// notification marks the order paid, and refunds return the money.
func TestShopSellsAndRefunds(t *testing.T) {
	s := newSims(t)
	shop, site := shopSite(t, s, false)
	assert.Contains(t, page(t, site.URL+"/"), "alphapay-sandbox")

	for _, tc := range []struct {
		wallet   string
		complete func(string) error
		acked    func(ctx context.Context) bool // the provider's notification was acknowledged
		pending  string                         // what the order page offers while pending
		full     payment.Status
	}{
		{"alphapay-sandbox", s.alphapay.Complete, func(ctx context.Context) bool {
			return s.alphapay.AwaitDeliveries(ctx, 1) == nil && s.alphapay.Deliveries()[0].Acked
		}, `id="qr"`, payment.StatusRefunded},
		// Alipay+ inquiries do not show refunds: the shop's own books do.
		{"wallet-sandbox", s.wallet.Complete, func(ctx context.Context) bool {
			return s.wallet.AwaitDeliveries(ctx, 1) == nil && s.wallet.Deliveries()[0].Acked
		}, `id="pay"`, payment.StatusSucceeded},
	} {
		t.Run(tc.wallet, func(t *testing.T) {
			id := checkout(t, site, tc.wallet, "Matcha cake")
			o, ok := shop.orders.get(id)
			require.True(t, ok)
			require.NotNil(t, o.Payment)
			assert.Equal(t, payment.StatusPending, o.Payment.Status)
			assert.Contains(t, page(t, site.URL+"/orders/"+id), tc.pending)

			require.NoError(t, tc.complete(o.Payment.PaymentID)) // the customer pays
			waitStatus(t, shop, id, payment.StatusSucceeded)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			assert.True(t, tc.acked(ctx), "the shop's notify endpoint acknowledged the notification")
			assert.Contains(t, page(t, site.URL+"/orders/"+id), `id="refund"`)

			refund(t, site, id, "2.75")
			refund(t, site, id, "10.00")
			o, _ = shop.orders.get(id)
			require.Len(t, o.Refunds, 2)
			for _, r := range o.Refunds {
				assert.Equal(t, string(payment.RefundSucceeded), r.Status, "refund %s: %s", r.RequestID, r.Err)
			}
			assert.True(t, o.Refunded().Equal(o.Amount), "refunded %s of %s", o.Refunded(), o.Amount)
			assert.Equal(t, tc.full, o.Payment.Status)
		})
	}
	assert.Equal(t, 1, s.alphapay.Charges(shopOrder(shop, "alphapay-sandbox")))
}

func shopOrder(shop *Shop, wallet string) string {
	for _, o := range shop.orders.list() {
		if o.Wallet == wallet {
			return o.ID
		}
	}
	return ""
}

// The notification never comes: the reconcilers inquire and settle the
// orders all the same.
func TestShopReconcilesLostNotifications(t *testing.T) {
	s := newSims(t)
	shop, site := shopSite(t, s, true)
	ap := checkout(t, site, "alphapay-sandbox", "Green tea")
	w := checkout(t, site, "wallet-sandbox", "Green tea")
	for id, complete := range map[string]func(string) error{ap: s.alphapay.Complete, w: s.wallet.Complete} {
		o, _ := shop.orders.get(id)
		require.NoError(t, complete(o.Payment.PaymentID))
	}
	waitStatus(t, shop, ap, payment.StatusSucceeded)
	waitStatus(t, shop, w, payment.StatusSucceeded)
}

// Every answer to the pay is lost after AlphaPay took it: the shop does not
// fail the order or pay again, it settles the outcome and shows the QR code.
func TestShopSettlesAnUnknownOutcome(t *testing.T) {
	s := newSims(t)
	shop, site := shopSite(t, s, false)
	for range 3 {
		s.alphapay.Script(alphapaytest.PathPay, alphapaytest.Fault{DropAfter: true})
	}
	id := checkout(t, site, "alphapay-sandbox", "Mango shake")
	o := waitStatus(t, shop, id, payment.StatusPending)
	assert.NotNil(t, o.Payment.Action, "the customer can still pay")
	assert.Equal(t, 1, s.alphapay.Orders(id), "one order at AlphaPay")
}

func TestRunRefusesAMissingConfiguration(t *testing.T) {
	err := run(context.Background(), []string{"--config", filepath.Join(t.TempDir(), "none.json"), "--addr", "127.0.0.1:0"})
	assert.Error(t, err)
}
