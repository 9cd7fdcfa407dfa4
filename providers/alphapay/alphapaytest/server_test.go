package alphapaytest

import (
	"bytes"
	"crypto"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

func TestCredentials(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	cr := srv.Credentials()
	if cr.BaseURL != srv.URL || !strings.HasPrefix(cr.BaseURL, "http://127.0.0.1:") || strings.HasSuffix(cr.BaseURL, "/") {
		t.Errorf("BaseURL %q", cr.BaseURL)
	}
	if cr.MerchantCode != DefaultMerchantCode {
		t.Errorf("MerchantCode %q", cr.MerchantCode)
	}
	if !strings.HasPrefix(cr.MerchantPrivateKey, "-----BEGIN PRIVATE KEY-----") || !strings.HasPrefix(cr.AlphaPayPrivateKey, "-----BEGIN PRIVATE KEY-----") {
		t.Errorf("private keys are not PKCS#8 PEM")
	}
	mpriv, err1 := signing.ParsePrivateKey(cr.MerchantPrivateKey)
	mpub, err2 := signing.ParsePublicKey(cr.MerchantPublicKey)
	apriv, err3 := signing.ParsePrivateKey(cr.AlphaPayPrivateKey)
	apub, err4 := signing.ParsePublicKey(cr.AlphaPayPublicKey)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !mpriv.PublicKey.Equal(mpub) || !apriv.PublicKey.Equal(apub) || mpub.Equal(apub) {
		t.Errorf("key pairs do not match or are the same")
	}
	if mpriv.N.BitLen() != 2048 {
		t.Errorf("%d-bit key", mpriv.N.BitLen())
	}
	// After a key change (SetSigner), the new public key, and no private
	// key of a signer that keeps it.
	next := simulator.DefaultKeys("next").Provider
	if err := srv.SetSigner(signerOnly{next}); err != nil {
		t.Fatal(err)
	}
	if cr := srv.Credentials(); cr.AlphaPayPublicKey != string(signing.PublicKeyPEM(&next.PublicKey)) || cr.AlphaPayPrivateKey != "" {
		t.Errorf("Credentials after SetSigner: private key shown: %t", cr.AlphaPayPrivateKey != "")
	}
}

// signerOnly is a crypto.Signer that keeps its key to itself.
type signerOnly struct{ crypto.Signer }

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
	a := c.post(wire.PathInquiry, []byte(`{"paymentId":"1"}`))
	wantResult(t, a.result, wire.CodeOrderNotExist, wire.StatusF)
}

func TestHandlerServedElsewhere(t *testing.T) {
	srv := NewUnstartedServer(WithAutoComplete(true))
	defer srv.Close()
	host := httptest.NewServer(srv.Handler())
	defer host.Close()
	c := newTestClient(t, srv, nil)
	c.http = host.Client()
	// srv.URL is empty: the request goes to the host instead.
	req := c.signedRequest(wire.PathPay, payBody("ELSE-1"))
	req.URL, _ = req.URL.Parse(host.URL + wire.PathPay)
	a, err := c.do(req)
	if err != nil || !a.signed {
		t.Fatalf("%v signed %v", err, a != nil && a.signed)
	}
	wantResult(t, a.result, wire.CodePaymentInProcess, wire.StatusU)
	p, _ := srv.PaymentByRequestID("ELSE-1")
	if p.Status != wire.PaymentSuccess {
		t.Errorf("WithAutoComplete: status %s", p.Status)
	}
	if got := srv.CashierURL(p.PaymentID); got != host.URL+"/pay/"+p.PaymentID {
		t.Errorf("CashierURL %q", got)
	}
}

func TestLoggerNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	srv, c, _ := newFakeServer(t, WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	r := validPays()["CREDIT_CARD/remember"]
	r.PaymentRequestID = "LOG-1"
	resp, _ := c.pay(r)
	req := c.signedRequest(wire.PathPay, payBody("LOG-2"))
	sig := req.Header.Get(wire.HeaderSignature)
	c.do(req)
	_ = srv.Complete(resp.PaymentID)
	out := buf.String()
	if !strings.Contains(out, wire.PathPay) || !strings.Contains(out, wire.CodePaymentInProcess) {
		t.Errorf("log lacks path and result: %s", out)
	}
	cr := srv.Credentials()
	for _, secret := range []string{testCardNumber, "737", sig[len(sig)-40:], cr.MerchantPrivateKey[40:80], cr.AlphaPayPrivateKey[40:80]} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a secret")
		}
	}
}
