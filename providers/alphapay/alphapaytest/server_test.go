package alphapaytest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// Credentials map the kit's keys (tested there) to AlphaPay's names, show
// no private key when logged, and follow a key change (SetSigner).
func TestCredentials(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	k := srv.KeyPEMs()
	want := Credentials{BaseURL: srv.URL, MerchantCode: DefaultMerchantCode, MerchantPrivateKey: k.MerchantPrivate,
		MerchantPublicKey: k.MerchantPublic, AlphaPayPublicKey: k.ProviderPublic, AlphaPayPrivateKey: k.ProviderPrivate}
	if cr := srv.Credentials(); cr != want || !strings.HasPrefix(cr.BaseURL, "http://127.0.0.1:") {
		t.Errorf("Credentials %+v", cr)
	}
	simtest.CheckCredentialKeys(t, srv.Credentials, func(cr Credentials) simulator.KeyPEMs {
		return simulator.KeyPEMs{MerchantPrivate: cr.MerchantPrivateKey, MerchantPublic: cr.MerchantPublicKey,
			ProviderPrivate: cr.AlphaPayPrivateKey, ProviderPublic: cr.AlphaPayPublicKey}
	}, srv.SetSigner, srv.URL, DefaultMerchantCode)
}

func TestWithKeysAndMerchantCode(t *testing.T) {
	kp := simulator.DefaultKeys("alphapaytest")
	def := Credentials{
		MerchantPrivateKey: string(signing.PrivateKeyPEM(kp.Merchant)),
		MerchantPublicKey:  string(signing.PublicKeyPEM(&kp.Merchant.PublicKey)),
		AlphaPayPrivateKey: string(signing.PrivateKeyPEM(kp.Provider)),
		AlphaPayPublicKey:  string(signing.PublicKeyPEM(&kp.Provider.PublicKey)),
	}
	// Swapped on purpose: the merchant signs with what was AlphaPay's key.
	srv, c, _ := newFakeServer(t, WithKeys(def.AlphaPayPrivateKey, def.MerchantPrivateKey), WithMerchantCode("ZX81AB"))
	cr := srv.Credentials()
	if cr.MerchantCode != "ZX81AB" || cr.MerchantPublicKey != def.AlphaPayPublicKey || cr.AlphaPayPublicKey != def.MerchantPublicKey {
		t.Fatalf("options not applied")
	}
	a := c.Post(wire.PathInquiry, []byte(`{"paymentId":"1"}`))
	wantResult(t, a.Result, wire.CodeOrderNotExist, wire.StatusF)
}

func TestHandlerServedElsewhere(t *testing.T) {
	srv := NewUnstartedServer(WithAutoComplete(true))
	defer srv.Close()
	host := httptest.NewServer(srv.Handler())
	defer host.Close()
	c := newTestClient(t, srv, nil)
	c.HTTP = host.Client()
	// srv.URL is empty: the request goes to the host instead.
	req := c.SignedRequest(wire.PathPay, payBody("ELSE-1"))
	req.URL, _ = req.URL.Parse(host.URL + wire.PathPay)
	a, err := c.Do(req)
	if err != nil || !a.Signed() {
		t.Fatalf("%v signed %v", err, a != nil && a.Signed())
	}
	wantResult(t, a.Result, wire.CodePaymentInProcess, wire.StatusU)
	p, _ := srv.PaymentByRequestID("ELSE-1")
	if p.Status != wire.PaymentSuccess {
		t.Errorf("WithAutoComplete: status %s", p.Status)
	}
	if got := srv.CashierURL(p.PaymentID); got != host.URL+"/pay/"+p.PaymentID {
		t.Errorf("CashierURL %q", got)
	}
}
