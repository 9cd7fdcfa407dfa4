package alipayplustest

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
)

// Credentials show their private keys in no encoding a user is likely to log
// (fmt's verbs, log/slog's handlers and encoding/json, for the value, a
// pointer, and either inside another struct); the public keys, which are not
// secret, stay visible.
func TestSecretsNeverLeak(t *testing.T) {
	pemBody := func(pem string) string {
		// The first base64 line of a PEM block: key material that any
		// rendering of the key, quoted or escaped, would contain.
		lines := strings.Split(pem, "\n")
		if len(lines) < 2 || len(lines[1]) < 32 {
			t.Fatalf("not a PEM key: %.20q", pem)
		}
		return lines[1]
	}
	s := NewServer()
	defer s.Close()
	cr := s.Credentials()
	for _, tc := range []struct {
		name    string
		value   any
		secrets []string
		visible []string // what is not secret and every rendering must still show
	}{
		{"credentials", cr, []string{pemBody(cr.MerchantPrivateKey), pemBody(cr.WalletPrivateKey)}, []string{cr.BaseURL, pemBody(cr.MerchantPublicKey), "[redacted]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for how, out := range redacttest.Renderings(t, tc.value) {
				for _, secret := range tc.secrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s shows the secret %q: %s", how, secret, out)
					}
				}
				for _, v := range tc.visible {
					if !strings.Contains(out, v) {
						t.Errorf("%s hides %q, which is not secret: %s", how, v, out)
					}
				}
			}
		})
	}
}
