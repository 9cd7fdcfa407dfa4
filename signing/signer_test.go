package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

// hsm is a crypto.Signer that keeps its key to itself, as a KMS or an HSM
// does: Sign is all it offers. It counts its calls and can be made to fail
// or to misbehave.
type hsm struct {
	key   *rsa.PrivateKey
	calls atomic.Int32
	fail  error
	pss   bool            // sign with PSS instead of PKCS#1 v1.5
	other *rsa.PrivateKey // sign with this key instead of key
}

func (h *hsm) Public() crypto.PublicKey { return &h.key.PublicKey }

func (h *hsm) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	h.calls.Add(1)
	if h.fail != nil {
		return nil, h.fail
	}
	if opts.HashFunc() != crypto.SHA256 || len(digest) != 32 {
		return nil, errors.New("hsm: want a SHA-256 digest")
	}
	k := h.key
	if h.other != nil {
		k = h.other
	}
	if h.pss {
		return rsa.SignPSS(r, k, crypto.SHA256, digest, nil)
	}
	return k.Sign(r, digest, opts)
}

func TestSignWithAnySigner(t *testing.T) {
	lv := loadVectors(t)
	for _, c := range lv.cases {
		h := &hsm{key: c.priv}
		msg := Message(c.v.Method, c.v.Path, []byte(c.v.Body), c.fields()...)
		sig, err := Sign(h, msg)
		if err != nil {
			t.Fatalf("%s: %v", c.v.Name, err)
		}
		want, _ := Sign(c.priv, msg)
		if !bytes.Equal(sig, want) {
			t.Fatalf("%s: a signer holding the key signs differently from the key itself", c.v.Name)
		}
		if n := h.calls.Load(); n != 1 {
			t.Fatalf("%s: the signer was asked %d times, want once", c.v.Name, n)
		}
	}
}

func TestSignerFailures(t *testing.T) {
	lv := loadVectors(t)
	merchant, other := lv.priv["merchant"], lv.priv["wallet"]
	secretText := string(PrivateKeyPEM(merchant))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var nilKey *rsa.PrivateKey
	var nilHSM *hsm
	for _, tc := range []struct {
		name   string
		signer crypto.Signer
		want   error
		says   string
	}{
		{"the signer fails", &hsm{key: merchant, fail: errors.New("kms: permission denied on key merchant-2025")}, ErrSigner, "permission denied"},
		{"the signer uses another key", &hsm{key: merchant, other: other}, ErrSigner, "does not verify"},
		{"the signer pads with PSS", &hsm{key: merchant, pss: true}, ErrSigner, "does not verify"},
		{"an RSA-1024 key", small, ErrInvalidKey, "1024 bits"},
		{"an ECDSA key", ec, ErrInvalidKey, "ECDSA"},
		{"nil", nil, ErrInvalidKey, "nil"},
		{"a nil *rsa.PrivateKey", nilKey, ErrInvalidKey, "nil"},
		{"a nil pointer of another signer type", nilHSM, ErrInvalidKey, "nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Sign(tc.signer, []byte("POST /x\nM.T.N.{}"))
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Sign: %v; want an error wrapping %v that says %q", err, tc.want, tc.says)
			}
			for _, other := range []error{ErrInvalidKey, ErrSigner, ErrBadSignature, ErrMalformedHeader} {
				if other != tc.want && errors.Is(err, other) {
					t.Fatalf("Sign: %v wraps %v too", err, other)
				}
			}
			assertNoLeak(t, err, secretText)
			if tc.want == ErrInvalidKey {
				if _, err := SignerPublicKey(tc.signer); !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("SignerPublicKey: %v", err)
				}
			}
		})
	}
	if pub, err := SignerPublicKey(&hsm{key: merchant}); err != nil || !pub.Equal(&merchant.PublicKey) {
		t.Fatalf("SignerPublicKey of a good signer: %v", err)
	}
}

func TestVerifyAny(t *testing.T) {
	lv := loadVectors(t)
	old, rotated, stranger := lv.priv["alphapay"], lv.priv["wallet"], lv.priv["merchant"]
	msg := []byte("POST /notify\nM.2026-01-01T00:00:00+00:00.n.{}")
	keys := []*rsa.PublicKey{&old.PublicKey, &rotated.PublicKey}
	for _, tc := range []struct {
		name string
		by   *rsa.PrivateKey
		want error
	}{
		{"signed by the old key", old, nil},
		{"signed by the new key", rotated, nil},
		{"signed by a key not trusted", stranger, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := Sign(tc.by, msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyAny(keys, msg, sig); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("VerifyAny: %v, want %v", err, tc.want)
			}
		})
	}
	if err := VerifyAny(nil, msg, []byte("x")); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("no keys: %v", err)
	}
	if err := VerifyAny([]*rsa.PublicKey{&old.PublicKey, nil}, msg, []byte("x")); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("a nil key: %v", err)
	}
	if err := VerifyAny(keys, msg, nil); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("no signature: %v", err)
	}
}
