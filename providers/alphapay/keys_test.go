package alphapay_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// hsm is a crypto.Signer that holds its key the way a KMS does: it only
// signs. It counts its calls, and fails from call failFrom on (0: never).
type hsm struct {
	key      *rsa.PrivateKey
	calls    atomic.Int32
	failFrom int32
}

func (h *hsm) Public() crypto.PublicKey { return &h.key.PublicKey }

func (h *hsm) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if n := h.calls.Add(1); h.failFrom > 0 && n >= h.failFrom {
		return nil, errors.New("hsm: the token is not reachable")
	}
	return h.key.Sign(r, digest, opts)
}

var (
	freshKeysOnce sync.Once
	freshKeys     [2]*rsa.PrivateKey
)

// freshKey returns one of two RSA-2048 keys made once per test binary,
// unrelated to the simulator's.
func freshKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	freshKeysOnce.Do(func() {
		for j := range freshKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			freshKeys[j] = k
		}
	})
	return freshKeys[i]
}

func pubPEM(k *rsa.PrivateKey) string { return string(signing.PublicKeyPEM(&k.PublicKey)) }

// verifyNotification checks a notification the simulator signs now for
// paymentID with c, as package notify would.
func verifyNotification(t *testing.T, srv *alphapaytest.Server, c *alphapay.Client, paymentID string) error {
	t.Helper()
	var src notify.Source
	if !payment.As(c, &src) {
		t.Fatal("the client is not a notify.Source through payment.As")
	}
	req, err := srv.SignedNotification(paymentID, "https://shop.example/notify/alphapay")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.VerifyNotification(req.Header, req.URL.RequestURI(), body)
	return err
}

// While AlphaPay changes its key, a client that trusts the old and the new
// key takes answers and notifications signed by either; one that trusts
// only the old key refuses the new one's, and a key no one trusts is
// refused throughout.
func TestAlphaPayKeyRotation(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	oldPub := srv.Credentials().AlphaPayPublicKey
	newKey := freshKey(t, 0)
	both := newClient(t, srv, func(cfg *alphapay.Config) {
		cfg.AlphaPayPublicKey = ""
		cfg.AlphaPayPublicKeys = []string{oldPub, pubPEM(newKey)}
	})
	oldOnly := newClient(t, srv)
	ctx := context.Background()

	pay, err := both.Pay(ctx, request(payment.ScenarioQRCode))
	if err != nil {
		t.Fatalf("before the change: %v", err)
	}
	if err := verifyNotification(t, srv, both, pay.PaymentID); err != nil {
		t.Fatalf("a notification signed by the old key: %v", err)
	}

	if err := srv.SetSigner(newKey); err != nil {
		t.Fatal(err)
	}
	if _, err := both.Inquire(ctx, payment.Ref{PaymentID: pay.PaymentID}); err != nil {
		t.Fatalf("an answer signed by the new key: %v", err)
	}
	if err := verifyNotification(t, srv, both, pay.PaymentID); err != nil {
		t.Fatalf("a notification signed by the new key: %v", err)
	}
	if _, err := oldOnly.Inquire(ctx, payment.Ref{PaymentID: pay.PaymentID}); !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("a client that trusts only the old key took an answer signed by the new one: %v", err)
	}

	if err := srv.SetSigner(freshKey(t, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := both.Inquire(ctx, payment.Ref{PaymentID: pay.PaymentID}); !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("an answer signed by an unknown key: %v", err)
	}
	if err := verifyNotification(t, srv, both, pay.PaymentID); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("a notification signed by an unknown key: %v", err)
	}
}

// The merchant changes its own key: AlphaPay has the new public key under
// keyVersion 2, and a client signing with the new key under that version is
// taken, while the old key keeps working under version 1 until it is
// removed.
func TestMerchantKeyVersion(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	newKey := freshKey(t, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		version string
		signer  crypto.Signer
		ok      bool
	}{
		{"the new key before it is registered", "2", newKey, false},
		{"the old key under its version", "1", nil, true},
		{"the new key under the old version", "1", newKey, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, srv, func(cfg *alphapay.Config) {
				cfg.KeyVersion = tc.version
				if tc.signer != nil {
					cfg.PrivateKey, cfg.Signer = "", tc.signer
				}
			})
			_, err := c.Inquire(ctx, payment.Ref{PaymentID: "nope"})
			if got := errors.Is(err, payment.ErrNotFound); got != tc.ok {
				t.Fatalf("taken: %v (%v), want %v", got, err, tc.ok)
			}
		})
	}
	if err := srv.AddMerchantKey("2", pubPEM(newKey)); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, func(cfg *alphapay.Config) { cfg.KeyVersion, cfg.PrivateKey, cfg.Signer = "2", "", newKey })
	if _, err := c.Pay(ctx, request(payment.ScenarioQRCode)); err != nil {
		t.Fatalf("the new key under its version: %v", err)
	}
	for _, r := range srv.Requests(wire.PathPay) {
		if h, err := signing.ParseHeader(r.Header.Get("Signature")); err != nil || h.KeyVersion != "2" {
			t.Fatalf("the Signature header does not carry keyVersion 2: %v %v", h, err)
		}
	}
}

// A signer in place of the private key is asked exactly once per attempt,
// retries included.
func TestSignerSignsEachAttemptOnce(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	key := freshKey(t, 0)
	if err := srv.AddMerchantKey("1", pubPEM(key)); err != nil {
		t.Fatal(err)
	}
	h := &hsm{key: key}
	c := newClient(t, srv, func(cfg *alphapay.Config) { cfg.PrivateKey, cfg.Signer = "", h })
	u := &payment.Result{Code: wire.CodeUnknownException, Status: payment.ResultUnknown}
	srv.Script(wire.PathPay, alphapaytest.Fault{Result: u}, alphapaytest.Fault{HTTPStatus: http.StatusBadGateway})
	if _, err := c.Pay(context.Background(), request(payment.ScenarioQRCode)); err != nil {
		t.Fatal(err)
	}
	if n, sent := h.calls.Load(), len(srv.Requests(wire.PathPay)); n != 3 || sent != 3 {
		t.Fatalf("%d signatures for %d attempts, want 3 and 3", n, sent)
	}
}

// A signer that fails sends nothing: the call stops at once, as unavailable
// on its first attempt, and after an attempt that may have been performed
// as that attempt left it — never a loop of attempts it cannot sign.
func TestFailingSignerSendsNothing(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	key := freshKey(t, 0)
	if err := srv.AddMerchantKey("1", pubPEM(key)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	h := &hsm{key: key, failFrom: 1}
	c := newClient(t, srv, func(cfg *alphapay.Config) { cfg.PrivateKey, cfg.Signer = "", h })
	_, err := c.Pay(ctx, request(payment.ScenarioQRCode))
	if !errors.Is(err, payment.ErrUnavailable) || !errors.Is(err, signing.ErrSigner) {
		t.Fatalf("first attempt: %v", err)
	}
	if n, sent := h.calls.Load(), srv.RequestCount(); n != 1 || sent != 0 {
		t.Fatalf("first attempt: %d signatures, %d requests; want 1 and 0", n, sent)
	}

	h = &hsm{key: key, failFrom: 2}
	c = newClient(t, srv, func(cfg *alphapay.Config) { cfg.PrivateKey, cfg.Signer = "", h })
	srv.Script(wire.PathPay, alphapaytest.Fault{HTTPStatus: http.StatusBadGateway})
	_, err = c.Pay(ctx, request(payment.ScenarioJSAPI))
	if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, signing.ErrSigner) {
		t.Fatalf("second attempt: %v", err)
	}
	if n, sent := h.calls.Load(), len(srv.Requests(wire.PathPay)); n != 2 || sent != 1 {
		t.Fatalf("second attempt: %d signatures, %d requests; want 2 and 1", n, sent)
	}
	if strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Fatalf("the error shows a key: %v", err)
	}
}

func TestKeyConfigErrors(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	cr := srv.Credentials()
	priv, pub := cr.MerchantPrivateKey, cr.AlphaPayPublicKey
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	base := func(m func(*alphapay.Config)) alphapay.Config {
		cfg := alphapay.Config{BaseURL: alphapay.BaseURLCanada, MerchantCode: "M", PrivateKey: priv, AlphaPayPublicKey: pub}
		m(&cfg)
		return cfg
	}
	for _, tc := range []struct {
		name  string
		cfg   alphapay.Config
		field string
	}{
		{"a signer and a private key", base(func(c *alphapay.Config) { c.Signer = freshKey(t, 0) }), "Signer"},
		{"an ECDSA signer", base(func(c *alphapay.Config) { c.PrivateKey, c.Signer = "", ec }), "Signer"},
		{"no key", base(func(c *alphapay.Config) { c.PrivateKey = "" }), "PrivateKey"},
		{"a key version with a comma", base(func(c *alphapay.Config) { c.KeyVersion = "1,2" }), "KeyVersion"},
		{"no public key", base(func(c *alphapay.Config) { c.AlphaPayPublicKey = "" }), "AlphaPayPublicKey"},
		{"a private key among the public keys", base(func(c *alphapay.Config) { c.AlphaPayPublicKeys = []string{pub, priv} }), "AlphaPayPublicKeys[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alphapay.New(tc.cfg)
			var ce *alphapay.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("err = %v; want a ConfigError for %s", err, tc.field)
			}
			if strings.Contains(err.Error(), "MIIE") {
				t.Fatalf("the error shows key material: %v", err)
			}
		})
	}
	c, err := alphapay.New(base(func(c *alphapay.Config) {
		c.PrivateKey, c.Signer, c.AlphaPayPublicKey, c.AlphaPayPublicKeys = "", freshKey(t, 0), "", []string{pub}
	}))
	if err != nil {
		t.Fatalf("a signer and a list of public keys: %v", err)
	}
	var self *alphapay.Client
	if !payment.As(c, &self) || self != c {
		t.Fatal("payment.As does not give the *alphapay.Client")
	}
}
