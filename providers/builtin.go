package providers

import (
	"context"
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
// PrivateKey is a secret reference. Format and MarshalJSON show the
// settings as fmt and encoding/json would, except that an inline private key
// appears only as payment.Redact shows it ("env:" and "file:" references are
// shown, since they name where the key is, not what it is); so settings can
// be logged through fmt, log/slog and encoding/json. Marshalled settings
// with an inline key therefore cannot be loaded again: use references.
type AlphaPaySettings struct {
	BaseURL           string `json:"baseURL"`
	MerchantCode      string `json:"merchantCode"`
	PrivateKey        string `json:"privateKey"`        // secret reference
	AlphaPayPublicKey string `json:"alphaPayPublicKey"` // reference or inline
	Currency          string `json:"currency,omitempty"`
	Retry             *Retry `json:"retry,omitempty"`
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

func openAlphaPay(_ context.Context, raw json.RawMessage, env Env) (payment.Provider, error) {
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
	priv, err := secret(env, "privateKey", s.PrivateKey)
	if err != nil {
		return nil, err
	}
	pub, err := secret(env, "alphaPayPublicKey", s.AlphaPayPublicKey)
	if err != nil {
		return nil, err
	}
	hc, err := httpClient(env, s.CAFile)
	if err != nil {
		return nil, err
	}
	cfg := alphapay.Config{BaseURL: s.BaseURL, MerchantCode: s.MerchantCode, PrivateKey: priv, AlphaPayPublicKey: pub,
		Retry: s.Retry.policy(), HTTPClient: hc}
	if s.Currency != "" {
		c, err := money.LookupCurrency(s.Currency)
		if err != nil {
			return nil, &ConfigError{Field: "settings.currency", Err: err}
		}
		cfg.Currency = c
	}
	c, err := alphapay.New(cfg)
	if err != nil {
		var ce *alphapay.ConfigError
		if errors.As(err, &ce) {
			return nil, &ConfigError{Field: "settings." + settingsName(ce.Field), Err: ce.Err}
		}
		return nil, err
	}
	return c, nil
}

// AlipayPlusSettings are the settings of an "alipayplus" wallet (GCash,
// Touch 'n Go, Super Qi, … — the per-wallet differences are settings).
//
// PrivateKey is a secret reference, shown by Format and MarshalJSON as in
// AlphaPaySettings.
type AlipayPlusSettings struct {
	BaseURL         string   `json:"baseURL"`
	PathPrefix      string   `json:"pathPrefix,omitempty"`
	ClientID        string   `json:"clientId"`
	KeyVersion      string   `json:"keyVersion,omitempty"`
	PrivateKey      string   `json:"privateKey"`      // secret reference
	WalletPublicKey string   `json:"walletPublicKey"` // reference or inline
	ProductCode     string   `json:"productCode,omitempty"`
	TimeLayout      string   `json:"timeLayout,omitempty"`
	RawSignature    bool     `json:"rawSignature,omitempty"`
	Currencies      []string `json:"currencies,omitempty"`
	Retry           *Retry   `json:"retry,omitempty"`
	CAFile          string   `json:"caFile,omitempty"`
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

func openAlipayPlus(_ context.Context, raw json.RawMessage, env Env) (payment.Provider, error) {
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
	priv, err := secret(env, "privateKey", s.PrivateKey)
	if err != nil {
		return nil, err
	}
	pub, err := secret(env, "walletPublicKey", s.WalletPublicKey)
	if err != nil {
		return nil, err
	}
	hc, err := httpClient(env, s.CAFile)
	if err != nil {
		return nil, err
	}
	cfg := alipayplus.Config{BaseURL: s.BaseURL, PathPrefix: s.PathPrefix, ClientID: s.ClientID, KeyVersion: s.KeyVersion,
		PrivateKey: priv, WalletPublicKey: pub, ProductCode: s.ProductCode, TimeLayout: s.TimeLayout,
		RawSignature: s.RawSignature, Retry: s.Retry.policy(), HTTPClient: hc}
	for i, code := range s.Currencies {
		c, err := money.LookupCurrency(code)
		if err != nil {
			return nil, &ConfigError{Field: fmt.Sprintf("settings.currencies[%d]", i), Err: err}
		}
		cfg.Currencies = append(cfg.Currencies, c)
	}
	c, err := alipayplus.New(cfg)
	if err != nil {
		var ce *alipayplus.ConfigError
		if errors.As(err, &ce) {
			return nil, &ConfigError{Field: "settings." + settingsName(ce.Field), Err: ce.Err}
		}
		return nil, err
	}
	return c, nil
}

// settingsName maps an adapter Config field to its JSON settings name.
func settingsName(field string) string {
	if field == "" {
		return field
	}
	switch field {
	case "BaseURL":
		return "baseURL"
	case "ClientID":
		return "clientId"
	}
	return string(field[0]+('a'-'A')) + field[1:]
}

// httpClient returns nil (the adapter's own pooled client) or, with a CA
// file, a client that also trusts its certificates. Verification stays on.
func httpClient(env Env, caFile string) (*http.Client, error) {
	if caFile == "" {
		return nil, nil
	}
	pemBytes, err := env.Secret("file:" + caFile)
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
	return &http.Client{Transport: t, Timeout: 30 * time.Second}, nil
}
