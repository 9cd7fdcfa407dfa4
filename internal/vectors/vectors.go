// Package vectors loads paybridge's signing vectors
// (signing/testdata/signing-vectors.json: requests and answers of both
// providers with their keys, strings to sign and signatures, verified
// against the providers' official signing code) for the tests of every
// package that signs or verifies.
package vectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Vector is one signed message.
type Vector struct {
	Name            string `json:"name"`
	SignedBy        string `json:"signedBy"`
	Method          string `json:"method"`
	Path            string `json:"path"`
	MerchantCode    string `json:"merchantCode"` // AlphaPay only
	ClientID        string `json:"clientId"`     // Alipay+ only
	Time            string `json:"time"`
	Nonce           string `json:"nonce"` // AlphaPay only
	Body            string `json:"body"`
	StringToSign    string `json:"stringToSign"`
	SignatureBase64 string `json:"signatureBase64"`
	SignatureHeader string `json:"signatureHeader"`
}

// Key is one key pair of the file, in PEM.
type Key struct {
	PrivateKeyPEM string `json:"privateKeyPEM"`
	PublicKeyPEM  string `json:"publicKeyPEM"`
}

// File is the vector file: the keys by owner ("merchant", "alphapay",
// "wallet") and each provider's vectors.
type File struct {
	Keys       map[string]Key `json:"keys"`
	AlphaPay   []Vector       `json:"alphapay"`
	AlipayPlus []Vector       `json:"alipayplus"`
}

// Path is the vector file's path.
func Path() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "signing", "testdata", "signing-vectors.json")
}

// Load reads the vector file, failing t if it cannot.
func Load(t testing.TB) File {
	t.Helper()
	b, err := os.ReadFile(Path())
	if err != nil {
		t.Fatal(err)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// Find returns the vector of vs whose name starts with prefix, failing t
// if there is none.
func Find(t testing.TB, vs []Vector, prefix string) Vector {
	t.Helper()
	for _, v := range vs {
		if strings.HasPrefix(v.Name, prefix) {
			return v
		}
	}
	t.Fatalf("no vector %q", prefix)
	return Vector{}
}
