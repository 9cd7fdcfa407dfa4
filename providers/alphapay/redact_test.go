package alphapay

import (
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/signing"
)

// A Config shows its keys in no encoding a user is likely to log: fmt's
// verbs, log/slog's handlers and encoding/json, for the value, a pointer,
// and either inside another struct.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		privateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANsecretPrivateKeyMaterial\n-----END PRIVATE KEY-----\n"
		publicKey  = "-----BEGIN PUBLIC KEY-----\nMIIBIjANpublicKeyMaterial\n-----END PUBLIC KEY-----\n"
	)
	for _, tc := range []struct {
		name    string
		value   any
		secrets []string
		visible string // something not secret that every rendering must still show
	}{
		{"config", Config{BaseURL: BaseURLCanada, MerchantCode: "PFA9QX", PrivateKey: privateKey, AlphaPayPublicKey: publicKey, Currency: money.USD},
			[]string{"BEGIN", "MIIE", "secretPrivateKeyMaterial", "publicKeyMaterial"}, "PFA9QX"},
		{"config without keys", Config{MerchantCode: "PFA9QX"}, nil, "[none]"},
		{"config with a signer", Config{MerchantCode: "PFA9QX", Signer: signerKey(t)}, []string{signerKey(t).D.String()[:24], signerKey(t).Primes[0].String()[:24]}, "*rsa.PrivateKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for how, out := range redacttest.Renderings(t, tc.value) {
				for _, secret := range tc.secrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s shows the secret %q: %s", how, secret, out)
					}
				}
				if !strings.Contains(out, tc.visible) {
					t.Errorf("%s hides %q, which is not secret: %s", how, tc.visible, out)
				}
			}
		})
	}
}

// signerKey is a key given as Config.Signer: its numbers are the secret.
func signerKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := signing.ParsePrivateKey(loadVectors(t).Keys["merchant"].PrivateKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
