package signing

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
)

const (
	// minKeyBits is the floor both providers document (RSA-2048); anything
	// smaller is a misconfiguration or a downgrade, never a real key.
	minKeyBits = 2048
	// maxKeyBits bounds the cost of verifying with a configured key; it is
	// far above anything either provider issues.
	maxKeyBits = 16384
	// maxKeyText bounds the work done on a key string. A PEM certificate
	// with an RSA-16384 key fits easily.
	maxKeyText = 64 << 10
)

// Key errors carry fixed text only. The input is a secret in the private
// key case, and even a public key or certificate is not worth echoing into
// a log line, so nothing derived from it (beyond a bit count) is ever
// formatted into an error.
var (
	errKeyNil        = fmt.Errorf("%w: key is nil or incomplete", ErrInvalidKey)
	errKeyEmpty      = fmt.Errorf("%w: key is empty", ErrInvalidKey)
	errKeyTooLong    = fmt.Errorf("%w: key text is too long", ErrInvalidKey)
	errKeyBadPEM     = fmt.Errorf("%w: key looks like PEM but no PEM block could be decoded", ErrInvalidKey)
	errKeyNotBase64  = fmt.Errorf("%w: key is neither PEM nor standard base64", ErrInvalidKey)
	errKeyEncrypted  = fmt.Errorf("%w: encrypted keys are not supported; export the key unencrypted", ErrInvalidKey)
	errKeyOpenSSH    = fmt.Errorf("%w: OpenSSH key format is not supported; convert to PKCS#8 PEM", ErrInvalidKey)
	errKeyPEMType    = fmt.Errorf("%w: unsupported PEM block type", ErrInvalidKey)
	errKeyIsPublic   = fmt.Errorf("%w: this is a public key or certificate, a private key is required", ErrInvalidKey)
	errKeyIsPrivate  = fmt.Errorf("%w: this is a private key, a public key is required (never configure the private half where a public key goes)", ErrInvalidKey)
	errKeyBadPrivate = fmt.Errorf("%w: not a valid PKCS#8 or PKCS#1 RSA private key", ErrInvalidKey)
	errKeyBadPublic  = fmt.Errorf("%w: not a valid PKIX or PKCS#1 RSA public key or X.509 certificate", ErrInvalidKey)
	errKeyExponent   = fmt.Errorf("%w: RSA public exponent must be odd and at least 3", ErrInvalidKey)
	errKeyModulus    = fmt.Errorf("%w: RSA modulus is even", ErrInvalidKey)
	errKeyNotRSA     = fmt.Errorf("%w: key is not RSA", ErrInvalidKey)
	errKeyECDSA      = fmt.Errorf("%w: key is ECDSA, RSA is required", ErrInvalidKey)
	errKeyEd25519    = fmt.Errorf("%w: key is Ed25519, RSA is required", ErrInvalidKey)
	errKeyECDH       = fmt.Errorf("%w: key is an ECDH (X25519 or NIST curve) key, RSA is required", ErrInvalidKey)
)

// ParsePrivateKey parses an RSA private key given as PEM ("PRIVATE KEY",
// PKCS#8, or "RSA PRIVATE KEY", PKCS#1) or as bare base64 of either DER
// form, the way provider dashboards and secret stores show it. Surrounding
// whitespace and line breaks inside bare base64 are tolerated because keys
// are pasted by hand; a PEM label that names the other PKCS form is
// tolerated too, as mislabelled files are common.
//
// Non-RSA keys, encrypted keys, keys under 2048 bits and public keys are
// rejected with an error wrapping [ErrInvalidKey] whose text never contains
// the input.
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	der, typ, err := keyDER(s)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "":
		// "" is bare base64, handled like a PEM body.
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, errKeyIsPublic
	default:
		return nil, pemTypeError(typ)
	}

	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return checkedPrivate(k)
		default:
			return nil, notRSA(k)
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return checkedPrivate(k)
	}
	// Neither parsed: find out why, for a message that helps the operator
	// fix the configuration. These probes only run on the error path.
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return nil, errKeyECDSA
	}
	if typ == "" && isPublicDER(der) {
		return nil, errKeyIsPublic
	}
	return nil, errKeyBadPrivate
}

// ParsePublicKey parses an RSA public key given as PEM ("PUBLIC KEY", PKIX,
// or "RSA PUBLIC KEY", PKCS#1), as a PEM "CERTIFICATE" (its key is taken;
// the certificate's validity period and issuer are not checked, because the
// key is pinned by configuration rather than trusted through a chain), or as
// bare base64 of any of those DER forms. Whitespace is tolerated as for
// [ParsePrivateKey].
//
// A private key is rejected rather than reduced to its public half: finding
// one where a public key is configured means the secret has leaked into the
// wrong place, which the operator must hear about. Non-RSA keys and keys
// under 2048 bits are rejected too; every error wraps [ErrInvalidKey] and
// never contains the input.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	der, typ, err := keyDER(s)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "PUBLIC KEY", "RSA PUBLIC KEY", "":
		k, err := parsePublicDER(der)
		if err == nil || typ != "" || err != errKeyBadPublic {
			return k, err
		}
		// Bare base64 that is not a public key may be a certificate, or a
		// private key pasted into the wrong field.
		if cert, perr := x509.ParseCertificate(der); perr == nil {
			return publicFrom(cert.PublicKey)
		}
		if isPrivateDER(der) {
			return nil, errKeyIsPrivate
		}
		return nil, errKeyBadPublic
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, errKeyBadPublic
		}
		return publicFrom(cert.PublicKey)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY":
		return nil, errKeyIsPrivate
	default:
		return nil, pemTypeError(typ)
	}
}

// PrivateKeyPEM encodes k as a PKCS#8 "PRIVATE KEY" PEM block, the form
// ParsePrivateKey prefers and most tools emit. It returns nil if k is nil or
// not a consistent RSA key, rather than panicking as x509 would on some
// incomplete keys.
func PrivateKeyPEM(k *rsa.PrivateKey) []byte {
	der := privateDER(k)
	if der == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// PublicKeyPEM encodes k as a PKIX "PUBLIC KEY" PEM block. It returns nil if
// k is nil or cannot be encoded.
func PublicKeyPEM(k *rsa.PublicKey) []byte {
	der := publicDER(k)
	if der == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// PublicKeyBase64 returns bare standard base64 of k's PKIX DER, the single
// line provider dashboards ask for when a merchant uploads its public key.
// It returns "" if k is nil or cannot be encoded.
func PublicKeyBase64(k *rsa.PublicKey) string {
	der := publicDER(k)
	if der == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(der)
}

// PrivateKeyBase64 returns bare standard base64 of k's PKCS#8 DER, the form
// dashboards and the providers' SDK configuration use for private keys. It
// returns "" if k is nil or not a consistent RSA key.
func PrivateKeyBase64(k *rsa.PrivateKey) string {
	der := privateDER(k)
	if der == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(der)
}

// keyDER turns key text into DER. typ is the PEM block type, or "" for bare
// base64.
func keyDER(s string) (der []byte, typ string, err error) {
	if len(s) > maxKeyText {
		return nil, "", errKeyTooLong
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", errKeyEmpty
	}
	if strings.Contains(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil {
			return nil, "", errKeyBadPEM
		}
		// RFC 1421 encryption headers (openssl's legacy "-aes256" output)
		// leave the body encrypted; parsing it would only give a confusing
		// DER error.
		if _, ok := block.Headers["DEK-Info"]; ok {
			return nil, "", errKeyEncrypted
		}
		if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, "", errKeyEncrypted
		}
		return block.Bytes, block.Type, nil
	}
	der, err = base64.StdEncoding.DecodeString(stripSpace(s))
	if err != nil || len(der) == 0 {
		// The base64 error names a byte offset only, but fixed text is
		// enough to act on and cannot leak anything.
		return nil, "", errKeyNotBase64
	}
	return der, "", nil
}

// stripSpace removes the ASCII whitespace a pasted or wrapped base64 key
// picks up. It does not allocate when there is none.
func stripSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n\v\f") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\r', '\n', '\v', '\f':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pemTypeError explains a PEM block type that is not an RSA key, naming it
// only through our own fixed messages.
func pemTypeError(typ string) error {
	switch typ {
	case "ENCRYPTED PRIVATE KEY":
		return errKeyEncrypted
	case "EC PRIVATE KEY", "EC PARAMETERS":
		return errKeyECDSA
	case "OPENSSH PRIVATE KEY":
		return errKeyOpenSSH
	default:
		return errKeyPEMType
	}
}

func parsePublicDER(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		return publicFrom(k)
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return checkedPublic(k)
	}
	return nil, errKeyBadPublic
}

func publicFrom(k any) (*rsa.PublicKey, error) {
	if k, ok := k.(*rsa.PublicKey); ok {
		return checkedPublic(k)
	}
	return nil, notRSA(k)
}

func notRSA(k any) error {
	switch k.(type) {
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return errKeyECDSA
	case ed25519.PrivateKey, ed25519.PublicKey:
		return errKeyEd25519
	case *ecdh.PrivateKey, *ecdh.PublicKey:
		return errKeyECDH
	default:
		return errKeyNotRSA
	}
}

func checkedPrivate(k *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	if err := checkPublic(&k.PublicKey); err != nil {
		return nil, err
	}
	return k, nil
}

func checkedPublic(k *rsa.PublicKey) (*rsa.PublicKey, error) {
	if err := checkPublic(k); err != nil {
		return nil, err
	}
	return k, nil
}

// checkPublic enforces our key policy on the public half. It is applied at
// parse time and again by Sign and Verify, so a key built by hand cannot
// bypass it; crypto/rsa's own floor (1024 bits) is lower and has changed
// between Go releases.
func checkPublic(k *rsa.PublicKey) error {
	if k.N == nil || k.N.Sign() <= 0 {
		return errKeyNil
	}
	if bits := k.N.BitLen(); bits < minKeyBits || bits > maxKeyBits {
		return fmt.Errorf("%w: RSA key has %d bits, want %d to %d", ErrInvalidKey, bits, minKeyBits, maxKeyBits)
	}
	// e = 1 would make every signature trivially forgeable; an even e or
	// an even modulus cannot belong to a real RSA key.
	if k.E < 3 || k.E%2 == 0 {
		return errKeyExponent
	}
	if k.N.Bit(0) == 0 {
		return errKeyModulus
	}
	return nil
}

func isPublicDER(der []byte) bool {
	if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return true
	}
	_, err := x509.ParseCertificate(der)
	return err == nil
}

func isPrivateDER(der []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

// privateDER returns k's PKCS#8 DER, or nil. The nil checks come first
// because x509.MarshalPKCS8PrivateKey dereferences k before validating it.
func privateDER(k *rsa.PrivateKey) []byte {
	if k == nil || k.N == nil || k.D == nil || len(k.Primes) < 2 {
		return nil
	}
	for _, p := range k.Primes {
		if p == nil {
			return nil
		}
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil
	}
	return der
}

func publicDER(k *rsa.PublicKey) []byte {
	if k == nil || k.N == nil {
		return nil
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil
	}
	return der
}
