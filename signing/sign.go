package signing

import (
	"crypto"
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
)

// Sign returns the RSASSA-PKCS1-v1_5 signature of SHA-256(msg) under key,
// the scheme both providers use. PKCS#1 v1.5 is deterministic, so the same
// key and message always give the same bytes; the test vectors rely on it.
//
// msg is normally built with [Message] or [AppendMessage]. Sign is safe for
// concurrent use with the same key. Keys that [ParsePrivateKey] would
// reject (nil, under 2048 bits, bad exponent) give an error wrapping
// [ErrInvalidKey].
func Sign(key *rsa.PrivateKey, msg []byte) ([]byte, error) {
	if key == nil {
		return nil, errKeyNil
	}
	if err := checkPublic(&key.PublicKey); err != nil {
		return nil, err
	}
	digest := sha256.Sum256(msg)
	// crypto/rsa documents the random argument of SignPKCS1v15 as legacy
	// and ignored (the scheme is deterministic), hence nil.
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		// crypto/rsa errors name the defect ("missing private exponent"),
		// never key material, so they are safe to chain.
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	return sig, nil
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
	err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
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
