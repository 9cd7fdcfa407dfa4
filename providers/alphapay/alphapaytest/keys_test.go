package alphapaytest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

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
// every notification; Credentials shows its public key, and no private key
// when the signer keeps it.
func TestSetSignerAndAddMerchantKey(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]crypto.Signer{"nil": nil, "ECDSA": ec} {
		if err := srv.SetSigner(bad); err == nil {
			t.Errorf("SetSigner(%s) accepted", name)
		}
	}
	cs := &countingSigner{key: key}
	if err := srv.SetSigner(cs); err != nil {
		t.Fatal(err)
	}
	cr := srv.Credentials()
	pub, err := signing.ParsePublicKey(cr.AlphaPayPublicKey)
	if err != nil || !pub.Equal(&key.PublicKey) || cr.AlphaPayPrivateKey != "" {
		t.Fatalf("Credentials after SetSigner: %v, private key shown: %t", err, cr.AlphaPayPrivateKey != "")
	}
	resp, err := http.Post(srv.URL+wire.PathPay, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get(wire.HeaderSignature) == "" || cs.calls.Load() != 1 {
		t.Fatalf("an answer: signed %t, %d signatures", resp.Header.Get(wire.HeaderSignature) != "", cs.calls.Load())
	}
	if err := srv.AddMerchantKey("2", string(signing.PrivateKeyPEM(key))); err == nil {
		t.Error("AddMerchantKey took a private key")
	}
	if err := srv.AddMerchantKey("2,3", string(signing.PublicKeyPEM(&key.PublicKey))); err == nil {
		t.Error("AddMerchantKey took a keyVersion with a comma")
	}
	if err := srv.AddMerchantKey("2", string(signing.PublicKeyPEM(&key.PublicKey))); err != nil {
		t.Error(err)
	}
	if _, ok := srv.MerchantKey("2"); !ok {
		t.Error("AddMerchantKey did not add the key")
	}
}
