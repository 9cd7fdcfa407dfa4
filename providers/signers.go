package providers

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/paybridge/paybridge/signing"
)

// SignerOpener builds a crypto.Signer of one kind — a cloud KMS key, a
// PKCS#11 token, a remote signing service — from its settings: the
// wallet's "signer" object without its "kind". Secret fields are resolved
// through env. The signer must keep the contract of signing.Sign (an RSA
// key of 2048 bits or more, PKCS#1 v1.5 over a SHA-256 digest) and bound
// its calls in time; its errors must not contain secrets.
type SignerOpener func(ctx context.Context, settings json.RawMessage, env Env) (crypto.Signer, error)

// SignerPEM is the built-in signer kind: the merchant's private key in
// memory, read from a secret reference, as "privateKey" is.
//
//	"signer": {"kind": "pem", "key": "file:keys/merchant.pem"}
const SignerPEM = "pem"

// builtinSigners are the signer kinds every registry starts with.
var builtinSigners = map[string]SignerOpener{SignerPEM: openPEMSigner}

func openPEMSigner(_ context.Context, raw json.RawMessage, env Env) (crypto.Signer, error) {
	var s struct {
		Key string `json:"key"`
	}
	if err := decodeStrict(raw, &s); err != nil {
		return nil, err
	}
	key, err := secretField(env, "key", s.Key)
	if err != nil {
		return nil, err
	}
	k, err := signing.ParsePrivateKey(key)
	if err != nil {
		return nil, &ConfigError{Field: "key", Err: err}
	}
	return k, nil
}

// SignerSettings are a wallet's "signer" setting: a signer kind and that
// kind's settings, side by side in one object,
//
//	"signer": {"kind": "pem", "key": "env:MERCHANT_KEY"}
//	"signer": {"kind": "kms", "keyName": "projects/shop/…/cryptoKeyVersions/3"}
//
// in place of "privateKey". The kinds are the registry's (RegisterSigner).
//
// paybridge cannot know which settings of a kind are secret, so Format
// and MarshalJSON show every string value other than an "env:" or "file:"
// reference only as payment.Redact shows it; settings can then be logged,
// but marshalled settings with inline values cannot be loaded again.
type SignerSettings struct {
	// Kind names the signer kind, such as "pem".
	Kind string
	// Settings are the object's other members, as they are.
	Settings json.RawMessage
}

// UnmarshalJSON reads the object: "kind", a string, and the kind's
// settings.
func (s *SignerSettings) UnmarshalJSON(b []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return errors.New(`signer must be an object such as {"kind": "pem", "key": "file:merchant.pem"}`)
	}
	kind, ok := obj["kind"]
	if !ok {
		return errors.New("signer.kind is required")
	}
	if err := json.Unmarshal(kind, &s.Kind); err != nil || s.Kind == "" {
		return errors.New("signer.kind must be a non-empty string")
	}
	delete(obj, "kind")
	rest, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	s.Settings = rest
	return nil
}

// MarshalJSON encodes s as one object, with inline string values redacted
// (see SignerSettings).
func (s SignerSettings) MarshalJSON() ([]byte, error) { return s.redacted(), nil }

// Format prints the object MarshalJSON writes, so that fmt never shows the
// raw settings.
func (s SignerSettings) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), string(s.redacted()))
}

// redacted is the JSON object of s with every string that is not a
// reference shown as showRef shows it, at any depth.
func (s SignerSettings) redacted() []byte {
	obj := map[string]any{}
	if len(bytes.TrimSpace(s.Settings)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(s.Settings))
		dec.UseNumber()
		if dec.Decode(&obj) != nil {
			obj = map[string]any{"settings": "[unreadable]"}
		}
	}
	obj["kind"] = s.Kind
	for k, v := range obj {
		if k != "kind" {
			obj[k] = redactValue(v)
		}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return []byte(`{"kind":` + fmt.Sprintf("%q", s.Kind) + `}`)
	}
	return b
}

func redactValue(v any) any {
	switch v := v.(type) {
	case string:
		return ShowRef(v)
	case map[string]any:
		for k, x := range v {
			v[k] = redactValue(x)
		}
	case []any:
		for i, x := range v {
			v[i] = redactValue(x)
		}
	}
	return v
}

// ErrUnknownSignerKind is returned for a signer kind no one registered.
var ErrUnknownSignerKind = errors.New("providers: unknown signer kind")

// RegisterSigner adds a signer kind, which wallets' "signer" settings can
// then name. It refuses a kind that is already registered (the built-in
// "pem" included) rather than replace it silently.
func (r *Registry) RegisterSigner(kind string, o SignerOpener) error {
	if kind == "" || o == nil {
		return errors.New("providers: RegisterSigner needs a kind and an opener")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.signers[kind]; ok {
		return fmt.Errorf("%w: signer kind %q", ErrDuplicate, kind)
	}
	r.signers[kind] = o
	return nil
}

// SignerKinds lists the registered signer kinds, sorted.
func (r *Registry) SignerKinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.signers))
	for k := range r.signers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// OpenSigner builds the signer s describes with the registry's signer kinds
// and checks that its public key is one signing.Sign accepts. Errors are
// ConfigErrors whose Field is relative to the "signer" object ("key",
// "kind"); they never contain a secret.
func (r *Registry) OpenSigner(ctx context.Context, s SignerSettings, env Env) (crypto.Signer, error) {
	r.mu.RLock()
	o, ok := r.signers[s.Kind]
	r.mu.RUnlock()
	if !ok {
		return nil, &ConfigError{Field: "kind", Err: fmt.Errorf("%w: %q (known: %s)", ErrUnknownSignerKind, s.Kind, strings.Join(r.SignerKinds(), ", "))}
	}
	settings := s.Settings
	if len(bytes.TrimSpace(settings)) == 0 {
		settings = json.RawMessage("{}")
	}
	signer, err := o(ctx, settings, env)
	if err != nil {
		return nil, err
	}
	if signer == nil {
		return nil, &ConfigError{Err: fmt.Errorf("signer kind %q opened no signer", s.Kind)}
	}
	if _, err := signing.SignerPublicKey(signer); err != nil {
		return nil, &ConfigError{Err: err}
	}
	return signer, nil
}

// OpenSigner builds the signer s describes with the signer kinds of the
// registry that is opening the wallet (the built-in kinds outside one),
// resolving secrets through o's Env. It is for Openers whose settings have
// a "signer"; errors are as Registry.OpenSigner's.
func (o Options) OpenSigner(ctx context.Context, s SignerSettings) (crypto.Signer, error) {
	r := o.reg
	if r == nil {
		r = NewEmptyRegistry() // it has the built-in signer kinds
	}
	return r.OpenSigner(ctx, s, o.Env)
}

// decodeStrict decodes raw into v, refusing unknown keys (in any case)
// and trailing data.
func decodeStrict(raw json.RawMessage, v any) error {
	if err := checkKeys(raw, reflect.TypeOf(v), ""); err != nil {
		return &ConfigError{Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &ConfigError{Err: fieldError(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &ConfigError{Err: errors.New("trailing data after the settings object")}
	}
	return nil
}
