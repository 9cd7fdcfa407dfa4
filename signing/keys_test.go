package signing

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// wrapBase64 renders der as base64 split into lines the way a dashboard or
// a mail client wraps it, with CRLF and stray indentation.
func wrapBase64(der []byte, width int) string {
	s := base64.StdEncoding.EncodeToString(der)
	var b strings.Builder
	b.WriteString("\n  \t")
	for len(s) > width {
		b.WriteString(s[:width])
		b.WriteString("\r\n  ")
		s = s[width:]
	}
	b.WriteString(s)
	b.WriteString("\n\n ")
	return b.String()
}

// assertNoLeak fails if err's text contains any 24-byte window of input
// (ignoring whitespace): key errors must never echo key text, not even in
// part.
func assertNoLeak(t *testing.T, err error, input string) {
	t.Helper()
	msg := err.Error()
	compact := stripSpace(input)
	const w = 24
	if len(compact) < w {
		if compact != "" && strings.Contains(msg, compact) {
			t.Fatalf("error text contains the input: %q", msg)
		}
		return
	}
	for i := 0; i+w <= len(compact); i++ {
		if strings.Contains(msg, compact[i:i+w]) {
			t.Fatalf("error text contains part of the input at offset %d: %q", i, msg)
		}
	}
}

func merchantKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	return loadVectors(t).priv["merchant"]
}

func selfSignedCert(t *testing.T, pub, priv any) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "paybridge signing test"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1, 0), // long expired: expiry must not matter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParsePrivateKeyAccepts(t *testing.T) {
	k := merchantKey(t)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PrivateKey(k)

	cases := []struct{ name, in string }{
		{"PEM PKCS#8", pemString("PRIVATE KEY", pkcs8)},
		{"PEM PKCS#1", pemString("RSA PRIVATE KEY", pkcs1)},
		{"PEM PKCS#8 with CRLF and surrounding blank lines", "\r\n\r\n" + strings.ReplaceAll(pemString("PRIVATE KEY", pkcs8), "\n", "\r\n") + "  \r\n"},
		{"PEM PKCS#8 mislabelled RSA PRIVATE KEY", pemString("RSA PRIVATE KEY", pkcs8)},
		{"PEM PKCS#1 mislabelled PRIVATE KEY", pemString("PRIVATE KEY", pkcs1)},
		{"PEM with text before it", "Bag Attributes\n    localKeyID: 01\n" + pemString("PRIVATE KEY", pkcs8)},
		{"bare base64 PKCS#8 one line", base64.StdEncoding.EncodeToString(pkcs8)},
		{"bare base64 PKCS#1 one line", base64.StdEncoding.EncodeToString(pkcs1)},
		{"bare base64 PKCS#8 wrapped with whitespace", wrapBase64(pkcs8, 64)},
		{"bare base64 PKCS#1 wrapped with whitespace", wrapBase64(pkcs1, 76)},
		{"PrivateKeyPEM output", string(PrivateKeyPEM(k))},
		{"PrivateKeyBase64 output", PrivateKeyBase64(k)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParsePrivateKey(c.in)
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !got.Equal(k) {
				t.Fatalf("parsed a different key")
			}
		})
	}
}

func TestParsePublicKeyAccepts(t *testing.T) {
	k := merchantKey(t)
	pub := &k.PublicKey
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(pub)
	cert := selfSignedCert(t, pub, k)

	cases := []struct{ name, in string }{
		{"PEM PKIX", pemString("PUBLIC KEY", pkix)},
		{"PEM PKCS#1", pemString("RSA PUBLIC KEY", pkcs1)},
		{"PEM PKIX with CRLF and indentation", "  \r\n" + strings.ReplaceAll(pemString("PUBLIC KEY", pkix), "\n", "\r\n") + "\t\n"},
		{"PEM PKCS#1 mislabelled PUBLIC KEY", pemString("PUBLIC KEY", pkcs1)},
		{"PEM certificate, expired", pemString("CERTIFICATE", cert)},
		{"bare base64 PKIX one line", base64.StdEncoding.EncodeToString(pkix)},
		{"bare base64 PKCS#1 one line", base64.StdEncoding.EncodeToString(pkcs1)},
		{"bare base64 PKIX wrapped with whitespace", wrapBase64(pkix, 64)},
		{"bare base64 PKCS#1 wrapped with whitespace", wrapBase64(pkcs1, 64)},
		{"bare base64 certificate", wrapBase64(cert, 64)},
		{"PublicKeyPEM output", string(PublicKeyPEM(pub))},
		{"PublicKeyBase64 output", PublicKeyBase64(pub)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParsePublicKey(c.in)
			if err != nil {
				t.Fatalf("ParsePublicKey: %v", err)
			}
			if !got.Equal(pub) {
				t.Fatalf("parsed a different key")
			}
		})
	}
}

func TestKeyEncodings(t *testing.T) {
	k := merchantKey(t)
	if got := string(PublicKeyPEM(&k.PublicKey)); !strings.HasPrefix(got, "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("PublicKeyPEM is not a PKIX PEM block: %.40q", got)
	}
	if got := string(PrivateKeyPEM(k)); !strings.HasPrefix(got, "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("PrivateKeyPEM is not a PKCS#8 PEM block")
	}
	// The bare forms must be single-line standard base64 of the DER, which
	// is what dashboards accept.
	for name, s := range map[string]string{
		"PublicKeyBase64":  PublicKeyBase64(&k.PublicKey),
		"PrivateKeyBase64": PrivateKeyBase64(k),
	} {
		if strings.ContainsAny(s, " \r\n") {
			t.Errorf("%s contains whitespace", name)
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
			t.Errorf("%s is not standard base64: %v", name, err)
		}
	}
	der, _ := base64.StdEncoding.DecodeString(PublicKeyBase64(&k.PublicKey))
	if _, err := x509.ParsePKIXPublicKey(der); err != nil {
		t.Errorf("PublicKeyBase64 is not PKIX DER: %v", err)
	}
	der, _ = base64.StdEncoding.DecodeString(PrivateKeyBase64(k))
	if _, err := x509.ParsePKCS8PrivateKey(der); err != nil {
		t.Errorf("PrivateKeyBase64 is not PKCS#8 DER: %v", err)
	}
}

func TestKeyEncodingsOfBrokenKeys(t *testing.T) {
	// No panics and no output for keys that cannot be encoded.
	broken := []*rsa.PrivateKey{
		nil,
		{},
		{PublicKey: rsa.PublicKey{N: big.NewInt(0)}},
		{PublicKey: rsa.PublicKey{N: big.NewInt(35), E: 3}, D: big.NewInt(5)},
		{PublicKey: rsa.PublicKey{N: big.NewInt(35), E: 3}, D: big.NewInt(5), Primes: []*big.Int{nil, big.NewInt(7)}},
		{PublicKey: rsa.PublicKey{N: big.NewInt(35), E: 3}, D: big.NewInt(5), Primes: []*big.Int{big.NewInt(5), big.NewInt(11)}},
	}
	for i, k := range broken {
		if got := PrivateKeyPEM(k); got != nil {
			t.Errorf("broken key %d: PrivateKeyPEM = %q, want nil", i, got)
		}
		if got := PrivateKeyBase64(k); got != "" {
			t.Errorf("broken key %d: PrivateKeyBase64 = %q, want empty", i, got)
		}
		if _, err := Sign(k, []byte("x")); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("broken key %d: Sign error %v, want ErrInvalidKey", i, err)
		}
	}
	for i, k := range []*rsa.PublicKey{nil, {}} {
		if got := PublicKeyPEM(k); got != nil {
			t.Errorf("broken public key %d: PublicKeyPEM = %q, want nil", i, got)
		}
		if got := PublicKeyBase64(k); got != "" {
			t.Errorf("broken public key %d: PublicKeyBase64 = %q, want empty", i, got)
		}
		if err := Verify(k, []byte("x"), []byte("y")); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("broken public key %d: Verify error %v, want ErrInvalidKey", i, err)
		}
	}
}

func TestParseKeyRejects(t *testing.T) {
	k := merchantKey(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	pkixDER, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	privPEM := pemString("PRIVATE KEY", pkcs8)
	pubPEM := pemString("PUBLIC KEY", pkixDER)

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecSEC1, _ := x509.MarshalECPrivateKey(ecKey)
	ecPKIX, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	ecCert := selfSignedCert(t, &ecKey.PublicKey, ecKey)

	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPKCS8, _ := x509.MarshalPKCS8PrivateKey(edKey)
	edPKIX, _ := x509.MarshalPKIXPublicKey(edKey.Public())

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPKCS8, _ := x509.MarshalPKCS8PrivateKey(small)
	smallPKCS1 := x509.MarshalPKCS1PrivateKey(small)
	smallPKIX, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)

	// A legacy openssl "-aes256" encrypted PEM: the headers alone mark it.
	encrypted := string(pem.EncodeToMemory(&pem.Block{
		Type:    "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   pkcs8,
	}))

	truncatedPEM := privPEM[:len(privPEM)/2]
	b64 := base64.StdEncoding.EncodeToString(pkcs8)

	commonRejects := []struct{ name, in string }{
		{"empty", ""},
		{"only whitespace", " \r\n\t "},
		{"garbage text", "this is certainly not a key, not even close"},
		{"garbage base64", base64.StdEncoding.EncodeToString([]byte("hello, this decodes but is no DER at all"))},
		{"base64 with bad characters", b64[:100] + "!!!!" + b64[104:]},
		{"base64 truncated", b64[:len(b64)/2]},
		{"base64 DER truncated", base64.StdEncoding.EncodeToString(pkcs8[:len(pkcs8)-10])},
		{"PEM truncated", truncatedPEM},
		{"PEM header only", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"},
		{"PEM body corrupted", strings.Replace(privPEM, "MII", "MIJ", 1)},
		{"PEM unknown type", pemString("SOMETHING ELSE", pkcs8)},
		{"PEM encrypted (legacy headers)", encrypted},
		{"PEM encrypted PKCS#8", pemString("ENCRYPTED PRIVATE KEY", pkcs8)},
		{"PEM OpenSSH", pemString("OPENSSH PRIVATE KEY", pkcs8)},
		{"PEM EC SEC1", pemString("EC PRIVATE KEY", ecSEC1)},
		{"PEM EC PKCS#8", pemString("PRIVATE KEY", ecPKCS8)},
		{"bare base64 EC PKCS#8", base64.StdEncoding.EncodeToString(ecPKCS8)},
		{"bare base64 EC SEC1", base64.StdEncoding.EncodeToString(ecSEC1)},
		{"PEM EC PKIX", pemString("PUBLIC KEY", ecPKIX)},
		{"bare base64 EC PKIX", base64.StdEncoding.EncodeToString(ecPKIX)},
		{"PEM EC certificate", pemString("CERTIFICATE", ecCert)},
		{"PEM Ed25519 PKCS#8", pemString("PRIVATE KEY", edPKCS8)},
		{"PEM Ed25519 PKIX", pemString("PUBLIC KEY", edPKIX)},
		{"PEM RSA-1024 PKCS#8", pemString("PRIVATE KEY", smallPKCS8)},
		{"PEM RSA-1024 PKCS#1", pemString("RSA PRIVATE KEY", smallPKCS1)},
		{"bare base64 RSA-1024 PKCS#8", base64.StdEncoding.EncodeToString(smallPKCS8)},
		{"PEM RSA-1024 PKIX", pemString("PUBLIC KEY", smallPKIX)},
		{"bare base64 RSA-1024 PKIX", base64.StdEncoding.EncodeToString(smallPKIX)},
		{"too long", strings.Repeat("A", maxKeyText+4)},
	}

	check := func(t *testing.T, err error, in string) {
		t.Helper()
		if err == nil {
			t.Fatalf("accepted, want an error")
		}
		if !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("error %v does not wrap ErrInvalidKey", err)
		}
		assertNoLeak(t, err, in)
	}

	for _, c := range commonRejects {
		t.Run("private/"+c.name, func(t *testing.T) {
			k, err := ParsePrivateKey(c.in)
			if k != nil {
				t.Fatalf("returned a key with error %v", err)
			}
			check(t, err, c.in)
		})
		t.Run("public/"+c.name, func(t *testing.T) {
			k, err := ParsePublicKey(c.in)
			if k != nil {
				t.Fatalf("returned a key with error %v", err)
			}
			check(t, err, c.in)
		})
	}

	// Each half in the other's place must be refused, and the private key
	// must not be reduced to its public half silently.
	t.Run("private/given a public key PEM", func(t *testing.T) {
		_, err := ParsePrivateKey(pubPEM)
		check(t, err, pubPEM)
		if !errors.Is(err, errKeyIsPublic) {
			t.Fatalf("got %v, want errKeyIsPublic", err)
		}
	})
	t.Run("private/given a bare base64 public key", func(t *testing.T) {
		in := base64.StdEncoding.EncodeToString(pkixDER)
		_, err := ParsePrivateKey(in)
		check(t, err, in)
		if !errors.Is(err, errKeyIsPublic) {
			t.Fatalf("got %v, want errKeyIsPublic", err)
		}
	})
	t.Run("public/given a private key PEM", func(t *testing.T) {
		_, err := ParsePublicKey(privPEM)
		check(t, err, privPEM)
		if !errors.Is(err, errKeyIsPrivate) {
			t.Fatalf("got %v, want errKeyIsPrivate", err)
		}
	})
	t.Run("public/given a bare base64 private key", func(t *testing.T) {
		_, err := ParsePublicKey(b64)
		check(t, err, b64)
		if !errors.Is(err, errKeyIsPrivate) {
			t.Fatalf("got %v, want errKeyIsPrivate", err)
		}
	})

	// The reasons must be specific enough to act on.
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"EC private", func() error { _, err := ParsePrivateKey(pemString("PRIVATE KEY", ecPKCS8)); return err }, "ECDSA"},
		{"EC public bare", func() error { _, err := ParsePublicKey(base64.StdEncoding.EncodeToString(ecPKIX)); return err }, "ECDSA"},
		{"Ed25519 public", func() error { _, err := ParsePublicKey(pemString("PUBLIC KEY", edPKIX)); return err }, "Ed25519"},
		{"RSA-1024 private", func() error { _, err := ParsePrivateKey(pemString("PRIVATE KEY", smallPKCS8)); return err }, "1024 bits"},
		{"RSA-1024 public", func() error { _, err := ParsePublicKey(pemString("PUBLIC KEY", smallPKIX)); return err }, "1024 bits"},
		{"encrypted", func() error { _, err := ParsePrivateKey(encrypted); return err }, "encrypted"},
	} {
		t.Run("reason/"+c.name, func(t *testing.T) {
			if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a message mentioning %q", err, c.want)
			}
		})
	}
}

func TestSignVerifyKeyPolicy(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	// A hand-built key must not bypass the 2048-bit floor that the parsers
	// enforce.
	if _, err := Sign(small, []byte("m")); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Sign with RSA-1024: got %v, want ErrInvalidKey", err)
	}
	if err := Verify(&small.PublicKey, []byte("m"), make([]byte, 128)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Verify with RSA-1024: got %v, want ErrInvalidKey", err)
	}

	k := merchantKey(t)
	for _, e := range []int{-3, 0, 1, 2, 65536} {
		pub := &rsa.PublicKey{N: k.N, E: e}
		if err := Verify(pub, []byte("m"), make([]byte, 256)); !errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify with e=%d: got %v, want ErrInvalidKey only", e, err)
		}
	}
	pub := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), maxKeyBits+8), E: 65537}
	if err := Verify(pub, []byte("m"), make([]byte, 8)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Verify with oversized modulus: got %v, want ErrInvalidKey", err)
	}
	// A malformed key is a configuration error, not a bad signature.
	even := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537}
	if err := Verify(even, []byte("m"), make([]byte, 256)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("Verify with even modulus: got %v, want ErrInvalidKey", err)
	}
}
