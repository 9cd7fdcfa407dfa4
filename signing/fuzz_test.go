package signing

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Seeds live here (f.Add) rather than in testdata/fuzz so they stay next to
// the reasons for them; the vector headers and keys are added at run time
// from the repository's copy of the vectors.

func FuzzParseHeader(f *testing.F) {
	lv := loadVectors(f)
	for _, c := range lv.cases {
		f.Add(c.v.SignatureHeader)
		f.Add("algorithm=" + c.algorithm + ",keyVersion=1,signature=" + c.v.SignatureBase64)
		f.Add("signature=" + c.v.SignatureBase64 + " , KEYVERSION = 2 ,Algorithm=" + c.algorithm)
	}
	for _, s := range []string{
		"",
		",",
		"=",
		"signature=",
		"signature=%",
		"signature=%2",
		"signature=%zz",
		"signature=+/8=",
		"signature=%2B%2F8%3D",
		"signature=AB==",
		"signature=AA%0A==",
		"signature=A===",
		"signature=====",
		"signature=QUJD,signature=QUJD",
		"algorithm=a=b=c,keyVersion==,signature=QUJD",
		"algorithm=RS256,keyVersion=1",
		"x=y,,,signature=QUJD,",
		"\tsignature\t=\tQUJD\t",
		"Signature=QUJD,ALGORITHM=\x00,keyversion=\xff",
	} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHeader(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHeader) {
				t.Fatalf("error %v does not wrap ErrMalformedHeader", err)
			}
			// Fixed text only: nothing from the input can be in it.
			if !isKnownHeaderError(err) {
				t.Fatalf("unexpected error value %q", err)
			}
			return
		}
		if len(h.Signature) == 0 {
			t.Fatalf("parsed without signature bytes")
		}
		for _, urlEncode := range []bool{true, false} {
			out := h.Format(urlEncode)
			if len(out) > maxHeaderLen {
				// URL-encoding can triple a raw base64 value; the length
				// cap, not the round trip, is what fails then.
				continue
			}
			h2, err := ParseHeader(out)
			if err != nil {
				t.Fatalf("Format(%v) output does not parse: %v", urlEncode, err)
			}
			if !bytes.Equal(h2.Signature, h.Signature) {
				t.Fatalf("Format(%v) round trip changed the signature bytes", urlEncode)
			}
			if h2.Algorithm != h.Algorithm || h2.KeyVersion != h.KeyVersion {
				t.Fatalf("Format(%v) round trip changed algorithm/keyVersion: %v -> %v", urlEncode, h, h2)
			}
		}
		// Redaction holds for anything that parses: String and GoString do
		// not depend on the signature bytes at all.
		other := Header{Algorithm: h.Algorithm, KeyVersion: h.KeyVersion, Signature: []byte{1}}
		if h.String() != other.String() || h.GoString() != other.GoString() {
			t.Fatalf("String or GoString depends on the signature bytes")
		}
	})
}

// fuzzKeyCheck holds for both key parsers: an error wraps ErrInvalidKey and
// does not echo the input; a success obeys the key policy.
func fuzzKeyCheck(t *testing.T, s string, bits int, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("error %v does not wrap ErrInvalidKey", err)
		}
		// Short inputs can coincide with our fixed wording; anything long
		// enough to be key material must not appear.
		if in := strings.TrimSpace(s); len(in) >= 24 && strings.Contains(err.Error(), in) {
			t.Fatalf("error text contains the input")
		}
		return
	}
	if bits < minKeyBits || bits > maxKeyBits {
		t.Fatalf("accepted a %d-bit key", bits)
	}
}

func keySeeds(f *testing.F) {
	lv := loadVectors(f)
	for _, kp := range lv.file.Keys {
		f.Add(kp.PrivateKeyPEM)
		f.Add(kp.PublicKeyPEM)
	}
	k := lv.priv["merchant"]
	f.Add(PrivateKeyBase64(k))
	f.Add(PublicKeyBase64(&k.PublicKey))
	pemPriv := string(PrivateKeyPEM(k))
	f.Add(pemPriv[:len(pemPriv)/2])
	f.Add(strings.Replace(pemPriv, "PRIVATE KEY", "RSA PRIVATE KEY", 2))
	for _, s := range []string{
		"",
		" \n ",
		"-----BEGIN",
		"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
		"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
		"MAA=",
		"MIIBCgKCAQEA",
		"not a key",
	} {
		f.Add(s)
	}
}

func FuzzParsePrivateKey(f *testing.F) {
	keySeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePrivateKey(s)
		bits := 0
		if err == nil {
			if k == nil {
				t.Fatalf("nil key without error")
			}
			bits = k.N.BitLen()
			// Whatever parses must re-encode and parse to the same key.
			k2, err := ParsePrivateKey(PrivateKeyBase64(k))
			if err != nil || !k2.Equal(k) {
				t.Fatalf("re-encoded key does not parse back: %v", err)
			}
		}
		fuzzKeyCheck(t, s, bits, err)
	})
}

func FuzzParsePublicKey(f *testing.F) {
	keySeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKey(s)
		bits := 0
		if err == nil {
			if k == nil {
				t.Fatalf("nil key without error")
			}
			bits = k.N.BitLen()
			k2, err := ParsePublicKey(PublicKeyBase64(k))
			if err != nil || !k2.Equal(k) {
				t.Fatalf("re-encoded key does not parse back: %v", err)
			}
		}
		fuzzKeyCheck(t, s, bits, err)
	})
}
