package alipayfamily

import (
	"crypto"
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/signing"
)

// Keys are the key settings an adapter's Config has, as the merchant
// writes them: the merchant's private key (or a Signer in its place) and
// the server's public keys. An adapter hands them to Envelope rather than
// parse them itself, so every member of the family reads keys alike and
// names the same fields in its errors.
type Keys struct {
	// PrivateKey is the merchant's RSA private key, as PEM (PKCS#8 or
	// PKCS#1) or bare base64 DER. Set it or Signer, not both.
	PrivateKey string
	// Signer signs in place of PrivateKey (a KMS or an HSM).
	Signer crypto.Signer
	// PublicKey and PublicKeys are the server's public keys, as PEM or
	// bare base64 DER; at least one in either.
	PublicKey  string
	PublicKeys []string
	// PublicKeyField is the adapter's name of PublicKey in errors, such as
	// "WalletPublicKey"; PublicKeys is named by it with an "s".
	PublicKeyField string
}

// Envelope parses the keys into c and returns NewEnvelope(c). Errors are
// *ConfigError naming the adapter's field (PrivateKey, Signer,
// PublicKeyField, PublicKeyField+"s[i]", or an EnvelopeConfig field); they
// never contain key material.
func (k Keys) Envelope(c EnvelopeConfig) (*Envelope, *ConfigError) {
	switch {
	case k.Signer != nil && k.PrivateKey != "":
		return nil, &ConfigError{"Signer", errors.New("is set together with PrivateKey: set one of them")}
	case k.Signer != nil:
		c.Signer = k.Signer
	default:
		key, err := signing.ParsePrivateKey(k.PrivateKey)
		if err != nil {
			return nil, &ConfigError{"PrivateKey", err}
		}
		c.Signer = key
	}
	pems := k.PublicKeys
	if k.PublicKey != "" || len(pems) == 0 {
		pems = append([]string{k.PublicKey}, pems...)
	}
	for i, pem := range pems {
		pub, err := signing.ParsePublicKey(pem)
		if err != nil {
			field := k.PublicKeyField
			if len(pems) > len(k.PublicKeys) {
				i-- // the first is PublicKey
			}
			if i >= 0 {
				field = fmt.Sprintf("%ss[%d]", field, i)
			}
			return nil, &ConfigError{field, err}
		}
		c.PublicKeys = append(c.PublicKeys, pub)
	}
	e, err := NewEnvelope(c)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, &ConfigError{"", err}
	}
	return e, nil
}
