package providers

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/engine"
)

// The helpers in this file are what an Opener needs to read a wallet's
// settings as paybridge's own kinds read theirs (builtin.go uses nothing
// else), so that a kind registered from another module behaves like a
// built-in one: strict settings, secret references, one merchant key, the
// provider's public keys, a retry policy, a CA file, Options passed on, and
// errors that name the wallet and the field. docs/writing-an-adapter.md,
// "Registration", walks through an Opener; ExampleRegistry_Register is one.

// DecodeSettings decodes a wallet's settings strictly into v, a pointer to
// the kind's settings struct: a key that is not exactly (case included)
// the JSON name of a field of v, at any depth, is an error, as are a value
// of the wrong type and trailing data. encoding/json alone matches names
// case-insensitively and ignores unknown keys, which would let a misspelt
// "merchantcode" pass for "merchantCode"; configuration must not guess.
// Errors are *ConfigError with Field "settings" whose message names the
// key; they never quote a value.
func DecodeSettings(settings json.RawMessage, v any) error {
	if err := decodeStrict(settings, v); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.Field = "settings"
		}
		return err
	}
	return nil
}

// SettingError returns a *ConfigError naming the setting field
// ("settings.<field>", such as "settings.currency"), for an Opener's own
// checks. Load adds the wallet's name. err must not contain a secret.
func SettingError(field string, err error) error {
	return &ConfigError{Field: "settings." + field, Err: err}
}

// Required returns nil if value is set, and otherwise a *ConfigError
// naming "settings.<field>": "is required".
func Required(field, value string) error {
	if value == "" {
		return SettingError(field, errors.New("is required"))
	}
	return nil
}

// SecretSetting resolves the required secret setting field, whose value
// is the reference ref ("env:NAME", "file:PATH" or an inline value; see
// Secret). Errors are *ConfigErrors naming "settings.<field>" and the
// reference as ShowRef shows it, never the secret.
func (e Env) SecretSetting(field, ref string) (string, error) {
	return secretField(e, "settings."+field, ref)
}

// secretField resolves a required secret; errors name field as it is.
func secretField(env Env, field, ref string) (string, error) {
	if ref == "" {
		return "", &ConfigError{Field: field, Err: errors.New("is required")}
	}
	v, err := env.Secret(ref)
	if err != nil {
		return "", &ConfigError{Field: field, Err: fmt.Errorf("%s: %w", ShowRef(ref), err)}
	}
	return v, nil
}

// ShowRef is all that errors, logs and encodings should show of a secret
// reference: an "env:" or "file:" reference as it is (it names where the
// secret is, not what it is), an inline value only as payment.Redact shows
// it. A settings type with a secret field shows it through ShowRef in its
// Format and MarshalJSON, as AlphaPaySettings does.
func ShowRef(ref string) string {
	if strings.HasPrefix(ref, "env:") || strings.HasPrefix(ref, "file:") {
		return ref
	}
	return payment.Redact(ref)
}

// PublicKeys resolves a provider's public keys: the setting field (one
// reference) and the list beside it, field+"s" ("walletPublicKey",
// "walletPublicKeys"), all trusted, for a key change
// (docs/key-rotation.md). At least one is required. It returns the keys'
// texts for the adapter's Config; errors name the setting, such as
// "settings.walletPublicKeys[1]".
func (e Env) PublicKeys(field, one string, more []string) (string, []string, error) {
	if one == "" && len(more) == 0 {
		return "", nil, &ConfigError{Field: "settings." + field, Err: fmt.Errorf("is required (or %ss)", field)}
	}
	var pub string
	if one != "" {
		var err error
		if pub, err = e.SecretSetting(field, one); err != nil {
			return "", nil, err
		}
	}
	var pubs []string
	for i, ref := range more {
		v, err := e.SecretSetting(fmt.Sprintf("%ss[%d]", field, i), ref)
		if err != nil {
			return "", nil, err
		}
		pubs = append(pubs, v)
	}
	return pub, pubs, nil
}

// MerchantKey is a wallet's merchant key, resolved by Options.MerchantKey:
// exactly one of PEM (for the adapter Config's PrivateKey) and Signer (for
// its Signer) is set.
type MerchantKey struct {
	// PEM is the text of the "privateKey" setting's secret, for the
	// adapter to parse. It is a secret: never log it.
	PEM string
	// Signer is the "signer" setting's signer or Options.Signer.
	Signer crypto.Signer

	fromOptions bool // Signer is Options.Signer
}

// String shows which kind of key it is, never the key.
func (k MerchantKey) String() string {
	switch {
	case k.Signer != nil && k.fromOptions:
		return "providers.MerchantKey{Options.Signer}"
	case k.Signer != nil:
		return "providers.MerchantKey{signer}"
	case k.PEM != "":
		return "providers.MerchantKey{privateKey}"
	}
	return "providers.MerchantKey{}"
}

// GoString is String, so %#v does not print the key either.
func (k MerchantKey) GoString() string { return k.String() }

// MerchantKey resolves the one merchant key among a wallet's "privateKey"
// setting (a secret reference), its "signer" setting (a signer kind of the
// registry that opens the wallet; see SignerSettings) and o.Signer. None,
// or more than one, is a *ConfigError naming the field to change.
func (o Options) MerchantKey(ctx context.Context, privateKey string, signer *SignerSettings) (MerchantKey, error) {
	n := 0
	for _, set := range []bool{privateKey != "", signer != nil, o.Signer != nil} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return MerchantKey{}, &ConfigError{Field: "settings.privateKey", Err: errors.New(`is required (or "signer", or Options.Signer)`)}
	case n > 1 && o.Signer != nil:
		return MerchantKey{}, &ConfigError{Field: "Options.Signer", Err: errors.New(`is set, and so is the wallet's "privateKey" or "signer": give the key once`)}
	case n > 1:
		return MerchantKey{}, &ConfigError{Field: "settings.signer", Err: errors.New(`is set together with "privateKey": give the key once`)}
	case o.Signer != nil:
		return MerchantKey{Signer: o.Signer, fromOptions: true}, nil
	case signer != nil:
		sg, err := o.OpenSigner(ctx, *signer)
		if err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				field := "settings.signer"
				if ce.Field != "" {
					field += "." + ce.Field
				}
				return MerchantKey{}, &ConfigError{Field: field, Err: ce.Err}
			}
			return MerchantKey{}, &ConfigError{Field: "settings.signer", Err: err}
		}
		return MerchantKey{Signer: sg}, nil
	}
	pem, err := o.SecretSetting("privateKey", privateKey)
	return MerchantKey{PEM: pem}, err
}

// ConfigField maps the field an adapter's config error names (its
// Config's field, such as "MerchantCode" or "Signer") to where a
// configuration sets it: a setting ("settings.merchantCode") or an option
// ("Options.Signer", "Options.HTTPClient"). key is the wallet's resolved
// merchant key. An Opener wraps the adapter's error with it:
//
//	var ce *yourpay.ConfigError
//	if errors.As(err, &ce) {
//		return nil, &providers.ConfigError{Field: o.ConfigField(ce.Field, key), Err: ce.Err}
//	}
//
// Fields are lower-camel-cased ("WalletPublicKeys[1]" becomes
// "settings.walletPublicKeys[1]"); "BaseURL" and "ClientID" become
// "settings.baseURL" and "settings.clientId".
func (o Options) ConfigField(field string, key MerchantKey) string {
	switch {
	case field == "":
		return "settings"
	case field == "Signer" && key.fromOptions:
		return "Options.Signer"
	case field == "Signer":
		return "settings.signer"
	case field == "HTTPClient" && o.HTTPClient != nil:
		return "Options.HTTPClient"
	case field == "HTTPClient":
		return "Options.WrapTransport"
	case field == "BaseURL":
		return "settings.baseURL"
	case field == "ClientID":
		return "settings.clientId"
	}
	return "settings." + strings.ToLower(field[:1]) + field[1:]
}

// Retry is the retry policy as a configuration file spells it, the
// "retry" setting of every kind:
//
//	"retry": {"maxAttempts": 4, "baseWait": "250ms", "maxWait": "5s", "maxElapsed": "30s"}
//
// Omitted members keep payment's defaults.
type Retry struct {
	MaxAttempts int      `json:"maxAttempts,omitempty"`
	BaseWait    Duration `json:"baseWait,omitempty"`
	MaxWait     Duration `json:"maxWait,omitempty"`
	MaxElapsed  Duration `json:"maxElapsed,omitempty"`
}

// Policy returns r as a payment.RetryPolicy; a nil r is the zero policy
// (payment's defaults).
func (r *Retry) Policy() payment.RetryPolicy {
	if r == nil {
		return payment.RetryPolicy{}
	}
	return payment.RetryPolicy{MaxAttempts: r.MaxAttempts, BaseWait: time.Duration(r.BaseWait),
		MaxWait: time.Duration(r.MaxWait), MaxElapsed: time.Duration(r.MaxElapsed)}
}

// RetryPolicy is the retry policy of a wallet whose "retry" setting is r:
// o.Retry if the program set one for every wallet, else r's.
func (o Options) RetryPolicy(r *Retry) payment.RetryPolicy {
	if o.Retry != nil {
		return *o.Retry
	}
	return r.Policy()
}

// Duration is a time.Duration written as "250ms" or "5s".
type Duration time.Duration

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("a duration must be a string such as \"5s\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return errors.New("invalid duration " + s)
	}
	*d = Duration(v)
	return nil
}

// HTTPClientFor returns the client a wallet sends with, for the adapter's
// Config.HTTPClient, given its "caFile" setting (a PEM file of
// certificates to trust besides the system's, such as a sandbox's
// self-signed one; "" for none):
//
//   - nil (the adapter's own pooled client) when neither o nor caFile asks
//     for another;
//   - o.HTTPClient;
//   - with a CA file, a pooled client that also trusts its certificates
//     (verification stays on);
//
// its transport wrapped by o.WrapTransport. A CA file together with
// o.HTTPClient is an error (that client's TLS settings are its owner's).
// Errors are *ConfigErrors naming "settings.caFile" or the option.
func (o Options) HTTPClientFor(caFile string) (*http.Client, error) {
	var hc *http.Client
	switch {
	case caFile != "" && o.HTTPClient != nil:
		return nil, &ConfigError{Field: "settings.caFile", Err: errors.New("cannot be used with Options.HTTPClient: trust the certificate in that client's TLS configuration instead")}
	case caFile != "":
		pemBytes, err := o.Secret("file:" + caFile)
		if err != nil {
			return nil, &ConfigError{Field: "settings.caFile", Err: err}
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(pemBytes)) {
			return nil, &ConfigError{Field: "settings.caFile", Err: errors.New("no PEM certificate in " + caFile)}
		}
		t := engine.NewPooledTransport()
		t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		hc = &http.Client{Transport: t, Timeout: 30 * time.Second}
	case o.HTTPClient != nil:
		hc = o.HTTPClient
	}
	if o.WrapTransport == nil {
		return hc, nil
	}
	if hc == nil {
		hc = &http.Client{Transport: engine.NewPooledTransport(), Timeout: 30 * time.Second}
	} else {
		copied := *hc
		hc = &copied
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if hc.Transport = o.WrapTransport(base); hc.Transport == nil {
		return nil, &ConfigError{Field: "Options.WrapTransport", Err: errors.New("returned a nil RoundTripper")}
	}
	return hc, nil
}
