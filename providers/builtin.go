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
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alphapay"
)

// builtin are the kinds NewRegistry starts with.
var builtin = map[string]Opener{
	alphapay.Name:   openAlphaPay,
	alipayplus.Name: openAlipayPlus,
}

// Retry is the retry policy as a configuration file spells it.
type Retry struct {
	MaxAttempts int      `json:"maxAttempts,omitempty"`
	BaseWait    Duration `json:"baseWait,omitempty"`
	MaxWait     Duration `json:"maxWait,omitempty"`
	MaxElapsed  Duration `json:"maxElapsed,omitempty"`
}

func (r *Retry) policy() payment.RetryPolicy {
	if r == nil {
		return payment.RetryPolicy{}
	}
	return payment.RetryPolicy{MaxAttempts: r.MaxAttempts, BaseWait: time.Duration(r.BaseWait),
		MaxWait: time.Duration(r.MaxWait), MaxElapsed: time.Duration(r.MaxElapsed)}
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

// AlphaPaySettings are the settings of an "alphapay" wallet.
//
// The merchant's key is "privateKey", a secret reference, or "signer", a
// signer kind and its settings (SignerSettings), or Options.Signer: exactly
// one of them. AlphaPay's public keys are "alphaPayPublicKey" and
// "alphaPayPublicKeys", all trusted (docs/key-rotation.md); at least one is
// required.
//
// Format and MarshalJSON show the settings as fmt and encoding/json would,
// except that an inline private key appears only as payment.Redact shows it
// ("env:" and "file:" references are shown, since they name where the key
// is, not what it is), and a signer's settings as SignerSettings shows
// them; so settings can be logged through fmt, log/slog and encoding/json.
// Marshalled settings with an inline key therefore cannot be loaded again:
// use references.
type AlphaPaySettings struct {
	BaseURL      string `json:"baseURL"`
	MerchantCode string `json:"merchantCode"`
	// KeyVersion is the keyVersion requests are signed under (default "1").
	KeyVersion         string          `json:"keyVersion,omitempty"`
	PrivateKey         string          `json:"privateKey,omitempty"` // secret reference
	Signer             *SignerSettings `json:"signer,omitempty"`
	AlphaPayPublicKey  string          `json:"alphaPayPublicKey,omitempty"` // reference or inline
	AlphaPayPublicKeys []string        `json:"alphaPayPublicKeys,omitempty"`
	Currency           string          `json:"currency,omitempty"`
	Retry              *Retry          `json:"retry,omitempty"`
	// CAFile names a PEM file of certificates to trust besides the system's
	// (the sandbox's self-signed certificate).
	CAFile string `json:"caFile,omitempty"`
}

// redactedAlphaPaySettings has AlphaPaySettings' fields and none of its
// methods, so fmt and encoding/json render a redacted copy field by field.
type redactedAlphaPaySettings AlphaPaySettings

func (s AlphaPaySettings) redacted() redactedAlphaPaySettings {
	s.PrivateKey = showRef(s.PrivateKey)
	return redactedAlphaPaySettings(s)
}

// Format prints s as fmt would print its fields for the same verb, with an
// inline private key redacted.
func (s AlphaPaySettings) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.redacted())
}

// MarshalJSON encodes s as encoding/json would, with an inline private key
// redacted.
func (s AlphaPaySettings) MarshalJSON() ([]byte, error) { return json.Marshal(s.redacted()) }

func openAlphaPay(ctx context.Context, raw json.RawMessage, o Options) (payment.Provider, error) {
	var s AlphaPaySettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	if err := required("baseURL", s.BaseURL); err != nil {
		return nil, err
	}
	if err := required("merchantCode", s.MerchantCode); err != nil {
		return nil, err
	}
	key, err := o.merchantKey(ctx, s.PrivateKey, s.Signer)
	if err != nil {
		return nil, err
	}
	pub, pubs, err := publicKeys(o.Env, "alphaPayPublicKey", s.AlphaPayPublicKey, s.AlphaPayPublicKeys)
	if err != nil {
		return nil, err
	}
	hc, err := o.httpClient(s.CAFile)
	if err != nil {
		return nil, err
	}
	cfg := alphapay.Config{BaseURL: s.BaseURL, MerchantCode: s.MerchantCode, KeyVersion: s.KeyVersion,
		PrivateKey: key.pem, Signer: key.signer, AlphaPayPublicKey: pub, AlphaPayPublicKeys: pubs,
		Retry: o.retry(s.Retry), HTTPClient: hc}
	if s.Currency != "" {
		c, err := money.LookupCurrency(s.Currency)
		if err != nil {
			return nil, &ConfigError{Field: "settings.currency", Err: err}
		}
		cfg.Currency = c
	}
	o.toAlphaPay(&cfg)
	c, err := alphapay.New(cfg)
	if err != nil {
		var ce *alphapay.ConfigError
		if errors.As(err, &ce) {
			return nil, &ConfigError{Field: o.configField(ce.Field, key), Err: ce.Err}
		}
		return nil, err
	}
	return c, nil
}

// toAlphaPay passes the options every adapter takes as they are.
func (o Options) toAlphaPay(cfg *alphapay.Config) {
	cfg.Logger, cfg.Clock, cfg.Journal, cfg.Observer = o.Logger, o.Clock, o.Journal, o.Observer
}

// AlipayPlusSettings are the settings of an "alipayplus" wallet (GCash,
// Touch 'n Go, Super Qi, … — the per-wallet differences are settings).
//
// The merchant's key and the wallet's public keys ("walletPublicKey",
// "walletPublicKeys") are given as in AlphaPaySettings, and shown by Format
// and MarshalJSON as there.
type AlipayPlusSettings struct {
	BaseURL          string          `json:"baseURL"`
	PathPrefix       string          `json:"pathPrefix,omitempty"`
	ClientID         string          `json:"clientId"`
	KeyVersion       string          `json:"keyVersion,omitempty"`
	PrivateKey       string          `json:"privateKey,omitempty"` // secret reference
	Signer           *SignerSettings `json:"signer,omitempty"`
	WalletPublicKey  string          `json:"walletPublicKey,omitempty"` // reference or inline
	WalletPublicKeys []string        `json:"walletPublicKeys,omitempty"`
	ProductCode      string          `json:"productCode,omitempty"`
	TimeLayout       string          `json:"timeLayout,omitempty"`
	RawSignature     bool            `json:"rawSignature,omitempty"`
	Currencies       []string        `json:"currencies,omitempty"`
	Retry            *Retry          `json:"retry,omitempty"`
	CAFile           string          `json:"caFile,omitempty"`
}

// redactedAlipayPlusSettings has AlipayPlusSettings' fields and none of its
// methods, so fmt and encoding/json render a redacted copy field by field.
type redactedAlipayPlusSettings AlipayPlusSettings

func (s AlipayPlusSettings) redacted() redactedAlipayPlusSettings {
	s.PrivateKey = showRef(s.PrivateKey)
	return redactedAlipayPlusSettings(s)
}

// Format prints s as fmt would print its fields for the same verb, with an
// inline private key redacted.
func (s AlipayPlusSettings) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.redacted())
}

// MarshalJSON encodes s as encoding/json would, with an inline private key
// redacted.
func (s AlipayPlusSettings) MarshalJSON() ([]byte, error) { return json.Marshal(s.redacted()) }

func openAlipayPlus(ctx context.Context, raw json.RawMessage, o Options) (payment.Provider, error) {
	var s AlipayPlusSettings
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	if err := required("baseURL", s.BaseURL); err != nil {
		return nil, err
	}
	if err := required("clientId", s.ClientID); err != nil {
		return nil, err
	}
	key, err := o.merchantKey(ctx, s.PrivateKey, s.Signer)
	if err != nil {
		return nil, err
	}
	pub, pubs, err := publicKeys(o.Env, "walletPublicKey", s.WalletPublicKey, s.WalletPublicKeys)
	if err != nil {
		return nil, err
	}
	hc, err := o.httpClient(s.CAFile)
	if err != nil {
		return nil, err
	}
	cfg := alipayplus.Config{BaseURL: s.BaseURL, PathPrefix: s.PathPrefix, ClientID: s.ClientID, KeyVersion: s.KeyVersion,
		PrivateKey: key.pem, Signer: key.signer, WalletPublicKey: pub, WalletPublicKeys: pubs,
		ProductCode: s.ProductCode, TimeLayout: s.TimeLayout, RawSignature: s.RawSignature,
		Retry: o.retry(s.Retry), HTTPClient: hc}
	for i, code := range s.Currencies {
		c, err := money.LookupCurrency(code)
		if err != nil {
			return nil, &ConfigError{Field: fmt.Sprintf("settings.currencies[%d]", i), Err: err}
		}
		cfg.Currencies = append(cfg.Currencies, c)
	}
	o.toAlipayPlus(&cfg)
	c, err := alipayplus.New(cfg)
	if err != nil {
		var ce *alipayplus.ConfigError
		if errors.As(err, &ce) {
			return nil, &ConfigError{Field: o.configField(ce.Field, key), Err: ce.Err}
		}
		return nil, err
	}
	return c, nil
}

// toAlipayPlus passes the options every adapter takes as they are.
func (o Options) toAlipayPlus(cfg *alipayplus.Config) {
	cfg.Logger, cfg.Clock, cfg.Journal, cfg.Observer = o.Logger, o.Clock, o.Journal, o.Observer
}

// merchantKey is a wallet's merchant key: a PEM text for the adapter to
// parse, or a signer.
type merchantKey struct {
	pem         string
	signer      crypto.Signer
	fromOptions bool // the signer is Options.Signer
}

// merchantKey resolves the one merchant key among the "privateKey" and
// "signer" settings and Options.Signer.
func (o Options) merchantKey(ctx context.Context, privateKey string, signer *SignerSettings) (merchantKey, error) {
	n := 0
	for _, set := range []bool{privateKey != "", signer != nil, o.Signer != nil} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return merchantKey{}, &ConfigError{Field: "settings.privateKey", Err: errors.New(`is required (or "signer", or Options.Signer)`)}
	case n > 1 && o.Signer != nil:
		return merchantKey{}, &ConfigError{Field: "Options.Signer", Err: errors.New(`is set, and so is the wallet's "privateKey" or "signer": give the key once`)}
	case n > 1:
		return merchantKey{}, &ConfigError{Field: "settings.signer", Err: errors.New(`is set together with "privateKey": give the key once`)}
	case o.Signer != nil:
		return merchantKey{signer: o.Signer, fromOptions: true}, nil
	case signer != nil:
		sg, err := o.OpenSigner(ctx, *signer)
		if err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				field := "settings.signer"
				if ce.Field != "" {
					field += "." + ce.Field
				}
				return merchantKey{}, &ConfigError{Field: field, Err: ce.Err}
			}
			return merchantKey{}, &ConfigError{Field: "settings.signer", Err: err}
		}
		return merchantKey{signer: sg}, nil
	}
	pem, err := secret(o.Env, "privateKey", privateKey)
	return merchantKey{pem: pem}, err
}

// publicKeys resolves a provider's public keys: the single-key field and
// the list beside it (field + "s"), at least one.
func publicKeys(env Env, field, one string, more []string) (string, []string, error) {
	if one == "" && len(more) == 0 {
		return "", nil, &ConfigError{Field: "settings." + field, Err: fmt.Errorf("is required (or %ss)", field)}
	}
	var pub string
	if one != "" {
		var err error
		if pub, err = secret(env, field, one); err != nil {
			return "", nil, err
		}
	}
	var pubs []string
	for i, ref := range more {
		v, err := secret(env, fmt.Sprintf("%ss[%d]", field, i), ref)
		if err != nil {
			return "", nil, err
		}
		pubs = append(pubs, v)
	}
	return pub, pubs, nil
}

// configField maps an adapter Config field to where a configuration sets
// it: a setting ("settings.merchantCode") or an option ("Options.Signer").
func (o Options) configField(field string, key merchantKey) string {
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
	return "settings." + string(field[0]+('a'-'A')) + field[1:]
}

// httpClient returns the client a wallet sends with: nil (the adapter's
// own pooled client), Options.HTTPClient, or, with a CA file, a pooled
// client that also trusts its certificates (verification stays on); its
// transport wrapped by Options.WrapTransport.
func (o Options) httpClient(caFile string) (*http.Client, error) {
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
