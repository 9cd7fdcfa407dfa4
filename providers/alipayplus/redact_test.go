package alipayplus

import (
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
)

// Config and PayOptions show their secrets in no encoding a user is likely
// to log: fmt's verbs, log/slog's handlers and encoding/json, for the value,
// a pointer, and either inside another struct — PayOptions also inside the
// payment.PayRequest that carries them.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		privateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANsecretPrivateKeyMaterial\n-----END PRIVATE KEY-----\n"
		publicKey  = "-----BEGIN PUBLIC KEY-----\nMIIBIjANpublicKeyMaterial\n-----END PUBLIC KEY-----\n"
		authCode   = "AT-SECRET-ACCESS-TOKEN"
	)
	cfg := Config{BaseURL: "https://api.wallet.example", PathPrefix: "/api", ClientID: vectorClientID,
		PrivateKey: privateKey, WalletPublicKey: publicKey, ProductCode: "51051000101000000011"}
	opts := PayOptions{ProductCode: "51051000101000000012", AuthCode: authCode, ExtendInfo: `{"k":"v"}`}
	req := func(o payment.ProviderOptions) payment.PayRequest {
		return payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioCashier,
			Amount: money.MustParse("100 PHP"), ProviderOptions: o}
	}
	keys := []string{"BEGIN", "MIIE", "secretPrivateKeyMaterial", "publicKeyMaterial"}
	for _, tc := range []struct {
		name    string
		value   any
		secrets []string
		visible string // something not secret that every rendering must still show
	}{
		{"config", cfg, keys, vectorClientID},
		{"config without keys", Config{ClientID: vectorClientID}, nil, "[none]"},
		{"config with a signer", Config{ClientID: vectorClientID, Signer: signerKey(t)}, []string{signerKey(t).D.String()[:24], signerKey(t).Primes[0].String()[:24]}, "*rsa.PrivateKey"},
		{"options", opts, []string{authCode}, "51051000101000000012"},
		{"pay request with options", req(opts), []string{authCode}, "51051000101000000012"},
		{"pay request with a pointer to options", req(&opts), []string{authCode}, "ORDER-1"},
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
