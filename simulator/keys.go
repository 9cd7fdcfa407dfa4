package simulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/paybridge/paybridge/signing"
)

// KeyPair is a simulator's two RSA keys: the merchant's, which signs
// requests, and the provider's, which signs answers and notifications.
type KeyPair struct {
	Merchant, Provider *rsa.PrivateKey
}

var (
	processKeysMu sync.Mutex
	processKeys   = map[string]KeyPair{}
)

// DefaultKeys returns the key pair named name, generated once per process:
// RSA key generation takes tens of milliseconds and the keys are immutable,
// so every server of one simulator may share them. Different names get
// different keys.
func DefaultKeys(name string) KeyPair {
	processKeysMu.Lock()
	defer processKeysMu.Unlock()
	if kp, ok := processKeys[name]; ok {
		return kp
	}
	var kp KeyPair
	var wg sync.WaitGroup
	gen := func(dst **rsa.PrivateKey) {
		defer wg.Done()
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(name + ": generating an RSA key: " + err.Error())
		}
		*dst = k
	}
	wg.Add(2)
	go gen(&kp.Merchant)
	go gen(&kp.Provider)
	wg.Wait()
	processKeys[name] = kp
	return kp
}

// parseKeys parses the keys of Config.MerchantKeyPEM and ProviderKeyPEM,
// panicking as httptest panics when it cannot listen. signing's errors
// never contain key material.
func parseKeys(cfg *Config) KeyPair {
	var kp KeyPair
	var err error
	if kp.Merchant, err = signing.ParsePrivateKey(cfg.MerchantKeyPEM); err != nil {
		panic(cfg.Name + ": WithKeys: merchant key: " + err.Error())
	}
	if kp.Provider, err = signing.ParsePrivateKey(cfg.ProviderKeyPEM); err != nil {
		panic(cfg.Name + ": WithKeys: " + cfg.ProviderKeyName + " key: " + err.Error())
	}
	return kp
}

// keySet is the keys in use; SetSigner and AddMerchantKey replace it as a
// whole, so a request sees one consistent set.
type keySet struct {
	signer   crypto.Signer             // the provider's: answers and notifications
	merchant map[string]*rsa.PublicKey // the merchant's, by keyVersion
}

// SetSigner makes the server sign its answers and notifications with
// signer from now on, as a provider does once it has changed its key
// (docs/key-rotation.md): a merchant that trusts only the old public key
// then refuses them, one that trusts both accepts them. signer is any
// crypto.Signer with an RSA key of 2048 bits or more, such as an
// *rsa.PrivateKey or a test's counting signer.
func (s *Server) SetSigner(signer crypto.Signer) error {
	if _, err := signing.SignerPublicKey(signer); err != nil {
		return fmt.Errorf("%s: SetSigner: %w", s.cfg.Name, err)
	}
	s.swapKeys(func(k *keySet) { k.signer = signer })
	return nil
}

// AddMerchantKey registers another public key of the merchant under
// keyVersion, as a merchant uploads a new key to the provider
// (docs/key-rotation.md): requests whose Signature header carries that
// keyVersion are verified with it. Replacing a version's key is allowed, as
// the providers' dashboards allow it.
func (s *Server) AddMerchantKey(keyVersion, publicKeyPEM string) error {
	if keyVersion == "" || strings.ContainsAny(keyVersion, ", =") {
		return errors.New(s.cfg.Name + ": AddMerchantKey: keyVersion must be a non-empty token")
	}
	pub, err := signing.ParsePublicKey(publicKeyPEM)
	if err != nil {
		return fmt.Errorf("%s: AddMerchantKey: %w", s.cfg.Name, err)
	}
	s.swapKeys(func(k *keySet) {
		k.merchant = maps.Clone(k.merchant)
		k.merchant[keyVersion] = pub
	})
	return nil
}

func (s *Server) swapKeys(edit func(*keySet)) {
	for {
		old := s.keys.Load()
		k := *old
		edit(&k)
		if s.keys.CompareAndSwap(old, &k) {
			return
		}
	}
}

// Signer returns the key the server signs answers and notifications with.
func (s *Server) Signer() crypto.Signer { return s.keys.Load().signer }

// MerchantKey returns the merchant's public key registered under
// keyVersion, for a Protocol's request verification.
func (s *Server) MerchantKey(keyVersion string) (*rsa.PublicKey, bool) {
	k, ok := s.keys.Load().merchant[keyVersion]
	return k, ok
}

// KeyPEMs is the key material of a server's credentials.
type KeyPEMs struct {
	// MerchantPrivate is the PKCS#8 PEM key the merchant signs requests
	// with, and MerchantPublic its public key (the first registered).
	MerchantPrivate, MerchantPublic string
	// ProviderPublic is the PEM public key of the server's current signer,
	// and ProviderPrivate its PKCS#8 PEM private key, "" for a signer that
	// keeps it (SetSigner).
	ProviderPublic, ProviderPrivate string
}

// KeyPEMs returns the merchant's key the server was made with and the
// provider's current key, as PEM.
func (s *Server) KeyPEMs() KeyPEMs {
	signer := s.Signer()
	priv, _ := signer.(*rsa.PrivateKey)
	pub, _ := signing.SignerPublicKey(signer)
	return KeyPEMs{
		MerchantPrivate: string(signing.PrivateKeyPEM(s.merchantKey)),
		MerchantPublic:  string(signing.PublicKeyPEM(&s.merchantKey.PublicKey)),
		ProviderPublic:  string(signing.PublicKeyPEM(pub)),
		ProviderPrivate: string(signing.PrivateKeyPEM(priv)),
	}
}

// sign signs msg with the provider's current key.
func (s *Server) sign(msg []byte) ([]byte, error) {
	return signing.Sign(s.Signer(), msg)
}
