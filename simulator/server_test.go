package simulator_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

func TestStartAndClose(t *testing.T) {
	srv, _ := newUnstartedToy(nil)
	if srv.URL != "" || srv.Client() != nil {
		t.Errorf("before Start: URL %q, client %v", srv.URL, srv.Client())
	}
	srv.Start()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, "/") || srv.Certificate() != nil {
		t.Errorf("URL %q, certificate %v", srv.URL, srv.Certificate())
	}
	c := newToyClient(t, srv)
	wantCode(t, c.post(pathInquiry, toyRequest{PaymentID: "1"}), "ORDER_NOT_EXIST")
	srv.Close()
	srv.Close() // more than once
	if _, err := c.Do(c.request(pathInquiry, toyRequest{PaymentID: "1"})); err == nil {
		t.Error("a closed server answered")
	}
}

func TestTLSServer(t *testing.T) {
	srv, _ := newUnstartedToy(nil)
	srv.StartTLS()
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "https://") || srv.Certificate() == nil {
		t.Fatalf("URL %q", srv.URL)
	}
	if _, ok := srv.Client().Transport.(*http.Transport); !ok {
		t.Errorf("Client's transport is %T, not httptest's", srv.Client().Transport)
	}
	c := newToyClient(t, srv)
	if r := c.post(pathPay, payReq("TLS-1", "100")); !strings.HasPrefix(srv.CashierURL(r.Result.PaymentID), srv.URL+"/pay/") {
		t.Errorf("CashierURL %q", srv.CashierURL(r.Result.PaymentID))
	}
}

func TestUnstartedWithAddr(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv, _ := newUnstartedToy(func(cfg *simulator.Config) { cfg.Addr = addr })
	defer srv.Close()
	srv.Start()
	if srv.URL != "http://"+addr {
		t.Errorf("URL %q, want http://%s", srv.URL, addr)
	}
	wantCode(t, newToyClient(t, srv).post(pathInquiry, toyRequest{PaymentID: "1"}), "ORDER_NOT_EXIST")

	func() {
		defer func() {
			if r, _ := recover().(string); !strings.HasPrefix(r, "toy: failed to listen on "+addr) {
				t.Errorf("panic %q", r)
			}
		}()
		busy, _ := newUnstartedToy(func(cfg *simulator.Config) { cfg.Addr = addr })
		busy.Start()
	}()
}

func TestHandlerServedElsewhere(t *testing.T) {
	srv, _ := newUnstartedToy(nil)
	defer srv.Close()
	host := httptest.NewServer(srv.Handler())
	defer host.Close()
	c := newToyClient(t, srv)
	c.HTTP, c.BaseURL = host.Client(), host.URL
	// srv.URL is empty: links point at the host the request went to.
	id := c.pay("ELSE-1")
	if got := srv.CashierURL(id); got != host.URL+"/pay/"+id {
		t.Errorf("CashierURL %q", got)
	}
	// A program may set URL to where links are to point.
	srv.URL = "https://sandbox.example"
	if got := srv.CashierURL(c.pay("ELSE-2")); !strings.HasPrefix(got, "https://sandbox.example/pay/") {
		t.Errorf("CashierURL %q", got)
	}
}

func TestRoutes(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	simtest.WantNotFound(t, c.HTTP, srv.URL, [][2]string{{"GET", pathPay}, {"PUT", pathRefund}, {"POST", "/other"}, {"GET", "/"}})
	if n := srv.RequestCount(); n != 0 {
		t.Errorf("RequestCount = %d after only non-API requests", n)
	}
}

func TestAnswersAreSigned(t *testing.T) {
	_, c, _ := toyFixture(t, nil)
	r := c.post(pathInquiry, toyRequest{PaymentID: "x"}) // a signed F
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=UTF-8" || r.Header.Get("Content-Length") != itoa(len(r.Body)) {
		t.Errorf("Content-Type %q, Content-Length %q", ct, r.Header.Get("Content-Length"))
	}
	if rt := r.Header.Get("Response-Time"); rt != t0.Format(time.RFC3339) {
		t.Errorf("Response-Time %q, want the clock's", rt)
	}
	// A refused request is answered, signed, too.
	req := c.request(pathInquiry, toyRequest{PaymentID: "x"})
	req.Header.Set("Client-Id", "someone")
	if r, err := c.Do(req); err != nil || !r.Signed() || r.Result.Result.Code != "INVALID_CLIENT" {
		t.Fatalf("%v %+v", err, r)
	}
	// A body over MaxBody is refused, cut, and recorded cut.
	big := []byte(`{"x":"` + strings.Repeat("a", simulator.MaxBody) + `"}`)
	wantCode(t, c.post(pathPay, big), "TOO_LARGE")
}

func TestLoggerNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	_, c, _ := toyFixture(t, func(cfg *simulator.Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	req := payReq("LOG-1", "100")
	req.Card = &toyCard{Number: "4111111111111111", CVV: "737"}
	r := c.request(pathPay, req)
	sig := r.Header.Get("Signature")
	if _, err := c.Do(r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "toy: request") || !strings.Contains(out, pathPay) || !strings.Contains(out, "ACCEPT") {
		t.Errorf("log lacks path and result: %s", out)
	}
	for _, secret := range []string{"4111111111111111", "737", sig[len(sig)-40:]} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a secret")
		}
	}
}

func TestDefaultKeys(t *testing.T) {
	a, b := simulator.DefaultKeys("toy"), simulator.DefaultKeys("toy")
	if a.Merchant != b.Merchant || a.Provider != b.Provider {
		t.Error("keys made twice in one process")
	}
	if a.Merchant.Equal(a.Provider) || a.Merchant.N.BitLen() != 2048 {
		t.Error("the merchant's and the provider's keys are the same, or not 2048 bits")
	}
	if other := simulator.DefaultKeys("toy2"); other.Merchant.Equal(a.Merchant) {
		t.Error("two names share a key")
	}
	srv, _ := newToy(t, nil)
	k := srv.KeyPEMs()
	mpriv, err1 := signing.ParsePrivateKey(k.MerchantPrivate)
	mpub, err2 := signing.ParsePublicKey(k.MerchantPublic)
	ppriv, err3 := signing.ParsePrivateKey(k.ProviderPrivate)
	ppub, err4 := signing.ParsePublicKey(k.ProviderPublic)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !mpriv.Equal(a.Merchant) || !mpub.Equal(&a.Merchant.PublicKey) || !ppriv.Equal(a.Provider) || !ppub.Equal(&a.Provider.PublicKey) ||
		!strings.HasPrefix(k.MerchantPrivate, "-----BEGIN PRIVATE KEY-----") {
		t.Error("KeyPEMs are not the default keys as PKCS#8 PEM")
	}
}

func TestConfiguredKeys(t *testing.T) {
	kp := simulator.DefaultKeys("toy")
	// Swapped on purpose: the merchant signs with what was the provider's
	// key.
	srv, _ := newToy(t, func(cfg *simulator.Config) {
		cfg.MerchantKeyPEM, cfg.ProviderKeyPEM, cfg.KeysSet = string(signing.PrivateKeyPEM(kp.Provider)), string(signing.PrivateKeyPEM(kp.Merchant)), true
	})
	if k := srv.KeyPEMs(); k.MerchantPublic != string(signing.PublicKeyPEM(&kp.Provider.PublicKey)) {
		t.Fatal("keys not applied")
	}
	wantCode(t, newToyClient(t, srv).post(pathInquiry, toyRequest{PaymentID: "1"}), "ORDER_NOT_EXIST")

	for name, edit := range map[string]func(*simulator.Config){
		"merchant key garbage": func(cfg *simulator.Config) {
			cfg.MerchantKeyPEM, cfg.ProviderKeyPEM, cfg.KeysSet = "not a key", string(signing.PrivateKeyPEM(kp.Provider)), true
		},
		"provider key is a public key": func(cfg *simulator.Config) {
			cfg.MerchantKeyPEM, cfg.ProviderKeyPEM, cfg.KeysSet = string(signing.PrivateKeyPEM(kp.Merchant)), string(signing.PublicKeyPEM(&kp.Provider.PublicKey)), true
			cfg.ProviderKeyName = "Toy"
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r, _ := recover().(string)
				if !strings.HasPrefix(r, "toy: WithKeys: ") || strings.Contains(r, "PRIVATE KEY") {
					t.Errorf("panic %q", r)
				}
			}()
			newUnstartedToy(edit)
		})
	}
}

// countingSigner keeps its key to itself and counts its signatures.
type countingSigner struct {
	key   *rsa.PrivateKey
	calls atomic.Int32
}

func (c *countingSigner) Public() crypto.PublicKey { return &c.key.PublicKey }

func (c *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.calls.Add(1)
	return c.key.Sign(r, digest, opts)
}

// The provider's key can be changed to any crypto.Signer, which then signs
// every answer; KeyPEMs shows its public key, and no private key when the
// signer keeps it. The merchant can register keys under new versions.
func TestSetSignerAndAddMerchantKey(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]crypto.Signer{"nil": nil, "ECDSA": ec} {
		if err := srv.SetSigner(bad); err == nil || !strings.HasPrefix(err.Error(), "toy: SetSigner: ") {
			t.Errorf("SetSigner(%s): %v", name, err)
		}
	}
	cs := &countingSigner{key: key}
	if err := srv.SetSigner(cs); err != nil {
		t.Fatal(err)
	}
	k := srv.KeyPEMs()
	pub, err := signing.ParsePublicKey(k.ProviderPublic)
	if err != nil || !pub.Equal(&key.PublicKey) || k.ProviderPrivate != "" || srv.Signer() != cs {
		t.Fatalf("KeyPEMs after SetSigner: %v, private key shown: %t", err, k.ProviderPrivate != "")
	}
	if r, _ := c.Do(c.request(pathInquiry, toyRequest{PaymentID: "1"})); r.Signed() || r.Header.Get("Signature") == "" || cs.calls.Load() != 1 {
		t.Fatalf("an answer: signed with the old key %t, %d signatures", r.Signed(), cs.calls.Load())
	}
	c.provider = &key.PublicKey
	wantCode(t, c.post(pathInquiry, toyRequest{PaymentID: "1"}), "ORDER_NOT_EXIST")

	if err := srv.AddMerchantKey("2", string(signing.PrivateKeyPEM(key))); err == nil {
		t.Error("AddMerchantKey took a private key")
	}
	for _, v := range []string{"", "2,3", "a=b", "a b"} {
		if err := srv.AddMerchantKey(v, string(signing.PublicKeyPEM(&key.PublicKey))); err == nil {
			t.Errorf("AddMerchantKey took keyVersion %q", v)
		}
	}
	if err := srv.AddMerchantKey("2", string(signing.PublicKeyPEM(&key.PublicKey))); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.MerchantKey("2"); !ok || !got.Equal(&key.PublicKey) {
		t.Error("AddMerchantKey did not add the key")
	}
	if _, ok := srv.MerchantKey("1"); !ok {
		t.Error("AddMerchantKey dropped the first key")
	}
}
