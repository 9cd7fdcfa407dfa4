package conformance

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
)

// PEMSecrets returns the base64 lines of PEM keys, for a harness's
// SecretLister: any of them in a log line or an error is a leak.
func PEMSecrets(pems ...string) []string {
	var out []string
	for _, p := range pems {
		for _, l := range strings.Split(p, "\n") {
			if len(l) >= 40 && !strings.HasPrefix(l, "-----") {
				out = append(out, l)
			}
		}
	}
	return out
}

// UntrustedKey returns an RSA-2048 key no adapter trusts, for a Notifier
// to sign forged notifications with. It is generated once per process.
func UntrustedKey() *rsa.PrivateKey { return untrustedKey() }

var untrustedKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("conformance: generating a key: " + err.Error()) // the system's randomness failed
	}
	return k
})
