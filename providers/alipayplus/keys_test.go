package alipayplus_test

import (
	"context"
	"crypto"
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
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
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
func verifyNotification(t *testing.T, srv *alipayplustest.Server, c *alipayplus.Client, paymentID string) error {
	t.Helper()
	var src notify.Source
	if !payment.As(c, &src) {
		t.Fatal("the client is not a notify.Source through payment.As")
	}
	req, err := srv.SignedNotification(paymentID, "https://shop.example/notify/wallet")
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

// While the wallet changes its key, a client that trusts the old and the
// new key takes answers and notifications signed by either; a key it does
// not trust is refused.
func TestWalletKeyRotation(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	oldPub := srv.Credentials().WalletPublicKey
	newKey := freshKey(t, 0)
	c := newClient(t, srv, func(cfg *alipayplus.Config) {
		cfg.WalletPublicKey = oldPub
		cfg.WalletPublicKeys = []string{pubPEM(newKey)}
	})
	ctx := context.Background()

	pay, err := c.Pay(ctx, request("ORDER-ROT", "10.00 PHP"))
	if err != nil {
		t.Fatalf("before the change: %v", err)
	}
	if err := srv.Complete(pay.PaymentID); err != nil {
		t.Fatal(err)
	}
	if err := verifyNotification(t, srv, c, pay.PaymentID); err != nil {
		t.Fatalf("a notification signed by the old key: %v", err)
	}
	if err := srv.SetSigner(newKey); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Inquire(ctx, payment.Ref{PaymentID: pay.PaymentID}); err != nil {
		t.Fatalf("an answer signed by the new key: %v", err)
	}
	if err := verifyNotification(t, srv, c, pay.PaymentID); err != nil {
		t.Fatalf("a notification signed by the new key: %v", err)
	}
	if err := srv.SetSigner(freshKey(t, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Inquire(ctx, payment.Ref{PaymentID: pay.PaymentID}); !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("an answer signed by an unknown key: %v", err)
	}
	if err := verifyNotification(t, srv, c, pay.PaymentID); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("a notification signed by an unknown key: %v", err)
	}
}

// The merchant changes its own key: once the wallet has the new public key
// under keyVersion 2, a client signing with it under that version is taken;
// before, the wallet answers KEY_NOT_FOUND.
func TestMerchantKeyVersion(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	newKey := freshKey(t, 0)
	c := newClient(t, srv, func(cfg *alipayplus.Config) { cfg.KeyVersion, cfg.PrivateKey, cfg.Signer = "2", "", newKey })
	ctx := context.Background()
	if _, err := c.Pay(ctx, request("ORDER-KV1", "10.00 PHP")); !errors.Is(err, payment.ErrFailed) || !strings.Contains(err.Error(), wire.CodeKeyNotFound) {
		t.Fatalf("before the wallet has the key: %v", err)
	}
	if err := srv.AddMerchantKey("2", pubPEM(newKey)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Pay(ctx, request("ORDER-KV2", "10.00 PHP")); err != nil {
		t.Fatalf("the new key under its version: %v", err)
	}
	if _, err := newClient(t, srv).Pay(ctx, request("ORDER-KV3", "10.00 PHP")); err != nil {
		t.Fatalf("the old key under its version, during the change: %v", err)
	}
}

// A signer in place of the private key is asked exactly once per attempt;
// one that fails sends nothing and stops the call.
func TestSigner(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	key := freshKey(t, 0)
	if err := srv.AddMerchantKey(srv.Credentials().KeyVersion, pubPEM(key)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	h := &hsm{key: key}
	c := newClient(t, srv, func(cfg *alipayplus.Config) { cfg.PrivateKey, cfg.Signer = "", h })
	u := &payment.Result{Status: payment.ResultUnknown, Code: wire.CodeUnknownException}
	srv.Script(wire.PathPay, alipayplustest.Fault{Result: u}, alipayplustest.Fault{HTTPStatus: http.StatusServiceUnavailable})
	if _, err := c.Pay(ctx, request("ORDER-S1", "10.00 PHP")); err != nil {
		t.Fatal(err)
	}
	if n, sent := h.calls.Load(), len(srv.Requests(wire.PathPay)); n != 3 || sent != 3 {
		t.Fatalf("%d signatures for %d attempts, want 3 and 3", n, sent)
	}

	before := srv.RequestCount()
	h = &hsm{key: key, failFrom: 1}
	c = newClient(t, srv, func(cfg *alipayplus.Config) { cfg.PrivateKey, cfg.Signer = "", h })
	_, err := c.Pay(ctx, request("ORDER-S2", "10.00 PHP"))
	if !errors.Is(err, payment.ErrUnavailable) || !errors.Is(err, signing.ErrSigner) {
		t.Fatalf("a failing signer: %v", err)
	}
	if n, sent := h.calls.Load(), srv.RequestCount()-before; n != 1 || sent != 0 {
		t.Fatalf("a failing signer: %d signatures, %d requests; want 1 and 0", n, sent)
	}
}

func TestKeyConfigErrors(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	cr := srv.Credentials()
	base := func(m func(*alipayplus.Config)) alipayplus.Config {
		cfg := alipayplus.Config{BaseURL: "https://api.wallet.example", ClientID: cr.ClientID,
			PrivateKey: cr.MerchantPrivateKey, WalletPublicKey: cr.WalletPublicKey}
		m(&cfg)
		return cfg
	}
	for _, tc := range []struct {
		name  string
		cfg   alipayplus.Config
		field string
	}{
		{"a signer and a private key", base(func(c *alipayplus.Config) { c.Signer = freshKey(t, 0) }), "Signer"},
		{"no public key", base(func(c *alipayplus.Config) { c.WalletPublicKey = "" }), "WalletPublicKey"},
		{"a private key among the public keys", base(func(c *alipayplus.Config) {
			c.WalletPublicKey, c.WalletPublicKeys = "", []string{cr.WalletPublicKey, cr.MerchantPrivateKey}
		}), "WalletPublicKeys[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alipayplus.New(tc.cfg)
			var ce *alipayplus.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("err = %v; want a ConfigError for %s", err, tc.field)
			}
			if strings.Contains(err.Error(), "MIIE") {
				t.Fatalf("the error shows key material: %v", err)
			}
		})
	}
	c, err := alipayplus.New(base(func(c *alipayplus.Config) { c.PrivateKey, c.Signer = "", freshKey(t, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	var self *alipayplus.Client
	if !payment.As(c, &self) || self != c {
		t.Fatal("payment.As does not give the *alipayplus.Client")
	}
}
