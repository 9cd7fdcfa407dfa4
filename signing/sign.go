package signing

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them, so callers can map failures to protocol answers (INVALID_SIGN versus
// an internal configuration error) with errors.Is instead of matching text.
var (
	// ErrMalformedHeader is wrapped by every ParseHeader error: the
	// Signature header could not be read at all, as opposed to being read
	// and then failing verification.
	ErrMalformedHeader = errors.New("signing: malformed signature header")

	// ErrBadSignature is wrapped by Verify when the signature does not
	// match the message and key: the one failure a peer can cause on
	// purpose, and the one a server answers with INVALID_SIGN.
	ErrBadSignature = errors.New("signing: signature does not verify")

	// ErrInvalidKey is wrapped by every key parsing error and by Sign and
	// Verify when handed an unusable key: a configuration problem on our
	// side, never the peer's fault.
	ErrInvalidKey = errors.New("signing: invalid key")

	// ErrSigner is wrapped by Sign when a crypto.Signer that is not an
	// in-memory *rsa.PrivateKey (a cloud KMS, an HSM, a remote signer)
	// fails or returns a signature that does not verify under its own
	// public key. Nothing signed can be sent then; whether to try again
	// later is the caller's decision, never a loop of this package's.
	ErrSigner = errors.New("signing: signer failed")
)

// Sign returns the RSASSA-PKCS1-v1_5 signature of SHA-256(msg) by key, the
// scheme both providers use. key is any crypto.Signer whose public key is
// RSA: an *rsa.PrivateKey parsed with [ParsePrivateKey], or a key that
// never leaves a KMS or an HSM. It is asked for a PKCS#1 v1.5 signature of
// the SHA-256 digest (crypto.SHA256 as the SignerOpts), once per call.
// PKCS#1 v1.5 is deterministic, so the same key and message always give the
// same bytes; the test vectors rely on it.
//
// msg is normally built with [Message] or [AppendMessage]. Sign is safe for
// concurrent use with the same key if the signer is. A key whose public half
// [ParsePrivateKey] would reject (nil, not RSA, under 2048 bits, bad
// exponent) gives an error wrapping [ErrInvalidKey]. A signer other than an
// *rsa.PrivateKey that fails, or whose signature does not verify under its
// public key (a signer using another key, padding or hash), gives an error
// wrapping [ErrSigner]; its text is the signer's own error, which must not
// carry secrets (no key material can be in it when the key never leaves
// the signer).
func Sign(key crypto.Signer, msg []byte) ([]byte, error) {
	pub, err := SignerPublicKey(key)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(msg)
	if k, ok := key.(*rsa.PrivateKey); ok {
		// crypto/rsa documents the random argument of SignPKCS1v15 as
		// legacy and ignored (the scheme is deterministic), hence nil; it
		// verifies its own signature before returning it.
		sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
		if err != nil {
			// crypto/rsa errors name the defect ("missing private
			// exponent"), never key material, so they are safe to chain.
			return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
		}
		return sig, nil
	}
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSigner, err)
	}
	// A remote signer is checked like a peer: a signature the provider
	// would refuse is not worth sending.
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil {
		return nil, errSignerBadSignature
	}
	return sig, nil
}

var errSignerBadSignature = fmt.Errorf("%w: its signature does not verify under its public key (not RSA PKCS#1 v1.5 with SHA-256?)", ErrSigner)

// SignerPublicKey returns key's RSA public key if it is one Sign accepts:
// RSA, 2048 to 16384 bits, an odd exponent of at least 3. Otherwise the
// error wraps [ErrInvalidKey]. Adapters call it when they are configured, so
// that a wrong key is found then rather than at the first payment.
func SignerPublicKey(key crypto.Signer) (*rsa.PublicKey, error) {
	if key == nil {
		return nil, errKeyNil
	}
	if k, ok := key.(*rsa.PrivateKey); ok {
		if k == nil {
			return nil, errKeyNil
		}
		return &k.PublicKey, checkPublic(&k.PublicKey)
	}
	pub, ok := publicOf(key)
	if !ok {
		return nil, errKeyNil
	}
	rpub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, notRSA(pub)
	}
	if rpub == nil {
		return nil, errKeyNil
	}
	return rpub, checkPublic(rpub)
}

// publicOf calls key.Public, reporting false if it panics, as a typed nil
// pointer in the interface does.
func publicOf(key crypto.Signer) (pub crypto.PublicKey, ok bool) {
	defer func() {
		if recover() != nil {
			pub, ok = nil, false
		}
	}()
	pub = key.Public()
	return pub, pub != nil
}

// Verify checks that sig is the RSASSA-PKCS1-v1_5 SHA-256 signature of msg
// under pub. A mismatch (including a signature of the wrong length) returns
// an error wrapping [ErrBadSignature]; an unusable key returns one wrapping
// [ErrInvalidKey] instead, so a misconfiguration is not mistaken for a
// forged message. Verify is safe for concurrent use.
func Verify(pub *rsa.PublicKey, msg, sig []byte) error {
	if pub == nil {
		return errKeyNil
	}
	if err := checkPublic(pub); err != nil {
		return err
	}
	if len(sig) == 0 {
		return ErrBadSignature
	}
	digest := sha256.Sum256(msg)
	return verifyDigest(pub, digest[:], sig)
}

func verifyDigest(pub *rsa.PublicKey, digest, sig []byte) error {
	err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rsa.ErrVerification):
		return ErrBadSignature
	default:
		// checkPublic has already vetted the key, so this is a key defect
		// crypto/rsa knows about and we do not (its text never quotes the
		// signature).
		return fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
}

// VerifyAny checks sig as [Verify] does against each of keys in turn and
// returns nil as soon as one verifies: the provider's keys a merchant trusts
// while the provider changes its key (docs/key-rotation.md). With no key
// it returns an error wrapping [ErrInvalidKey]; when none verifies, one
// wrapping [ErrBadSignature], unless a key is unusable, which wraps
// [ErrInvalidKey] (a misconfiguration is not a forgery). The message is
// hashed once.
func VerifyAny(keys []*rsa.PublicKey, msg, sig []byte) error {
	if len(keys) == 0 {
		return errNoKeys
	}
	for _, k := range keys {
		if k == nil {
			return errKeyNil
		}
		if err := checkPublic(k); err != nil {
			return err
		}
	}
	if len(sig) == 0 {
		return ErrBadSignature
	}
	digest := sha256.Sum256(msg)
	var bad error
	for _, k := range keys {
		err := verifyDigest(k, digest[:], sig)
		if err == nil {
			return nil
		}
		if bad == nil || !errors.Is(err, ErrBadSignature) {
			bad = err
		}
	}
	return bad
}

var errNoKeys = fmt.Errorf("%w: no public key to verify with", ErrInvalidKey)
