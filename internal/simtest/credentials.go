package simtest

import (
	"crypto"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// CheckCredentialKeys checks the keys a simulator's Credentials hand out,
// read from them by keys: no rendering a user is likely to log (fmt,
// log/slog, encoding/json) shows a private key while the public ones and
// visible stay; after setSigner with a signer that keeps its key, they
// show its public key and no provider private key.
func CheckCredentialKeys[C any](t *testing.T, credentials func() C, keys func(C) simulator.KeyPEMs, setSigner func(crypto.Signer) error, visible ...string) {
	t.Helper()
	cr := credentials()
	k := keys(cr)
	if k.MerchantPrivate == "" || k.MerchantPublic == "" || k.ProviderPrivate == "" || k.ProviderPublic == "" {
		t.Fatalf("keys missing: %+v", cr)
	}
	redacttest.Check(t, cr, []string{redacttest.PEMBody(t, k.MerchantPrivate), redacttest.PEMBody(t, k.ProviderPrivate)},
		append([]string{redacttest.PEMBody(t, k.MerchantPublic), redacttest.PEMBody(t, k.ProviderPublic), "[redacted]"}, visible...))
	next := simulator.DefaultKeys("next").Provider
	if err := setSigner(signerOnly{next}); err != nil {
		t.Fatal(err)
	}
	if k := keys(credentials()); k.ProviderPublic != string(signing.PublicKeyPEM(&next.PublicKey)) || k.ProviderPrivate != "" {
		t.Errorf("Credentials after SetSigner: new public key %t, private key shown %t",
			k.ProviderPublic == string(signing.PublicKeyPEM(&next.PublicKey)), k.ProviderPrivate != "")
	}
}

// signerOnly is a crypto.Signer that keeps its key to itself.
type signerOnly struct{ crypto.Signer }

// WantPanics fails t unless each of cases, a server built with an invalid
// option, panics with a message that starts with prefix and quotes no key
// material.
func WantPanics(t *testing.T, prefix string, cases map[string]func()) {
	t.Helper()
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if s, _ := r.(string); !strings.HasPrefix(s, prefix) || strings.Contains(s, "BEGIN") || strings.Contains(s, "PRIVATE KEY") {
					t.Errorf("panic %v", r)
				}
			}()
			build()
		})
	}
}
