package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/antom"
)

// builtin are the kinds NewRegistry starts with.
var builtin = map[string]Opener{
	alphapay.Name:   openAlphaPay,
	alipayplus.Name: openAlipayPlus,
	antom.Name:      openAntom,
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
	s.PrivateKey = ShowRef(s.PrivateKey)
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
	if err := DecodeSettings(raw, &s); err != nil {
		return nil, err
	}
	if err := Required("baseURL", s.BaseURL); err != nil {
		return nil, err
	}
	if err := Required("merchantCode", s.MerchantCode); err != nil {
		return nil, err
	}
	key, err := o.MerchantKey(ctx, s.PrivateKey, s.Signer)
	if err != nil {
		return nil, err
	}
	pub, pubs, err := o.PublicKeys("alphaPayPublicKey", s.AlphaPayPublicKey, s.AlphaPayPublicKeys)
	if err != nil {
		return nil, err
	}
	hc, err := o.HTTPClientFor(s.CAFile)
	if err != nil {
		return nil, err
	}
	cfg := alphapay.Config{BaseURL: s.BaseURL, MerchantCode: s.MerchantCode, KeyVersion: s.KeyVersion,
		PrivateKey: key.PEM, Signer: key.Signer, AlphaPayPublicKey: pub, AlphaPayPublicKeys: pubs,
		Retry: o.RetryPolicy(s.Retry), HTTPClient: hc}
	if s.Currency != "" {
		c, err := money.LookupCurrency(s.Currency)
		if err != nil {
			return nil, SettingError("currency", err)
		}
		cfg.Currency = c
	}
	o.toAlphaPay(&cfg)
	c, err := alphapay.New(cfg)
	if err != nil {
		var ce *alphapay.ConfigError
		if errors.As(err, &ce) {
			return nil, &ConfigError{Field: o.ConfigField(ce.Field, key), Err: ce.Err}
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
	s.PrivateKey = ShowRef(s.PrivateKey)
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
	if err := DecodeSettings(raw, &s); err != nil {
		return nil, err
	}
	f, err := o.family(ctx, familySettings{s.BaseURL, s.ClientID, s.PrivateKey, s.Signer, "walletPublicKey", s.WalletPublicKey, s.WalletPublicKeys, s.CAFile, s.Currencies})
	if err != nil {
		return nil, err
	}
	cfg := alipayplus.Config{BaseURL: s.BaseURL, PathPrefix: s.PathPrefix, ClientID: s.ClientID, KeyVersion: s.KeyVersion,
		PrivateKey: f.key.PEM, Signer: f.key.Signer, WalletPublicKey: f.pub, WalletPublicKeys: f.pubs,
		ProductCode: s.ProductCode, TimeLayout: s.TimeLayout, RawSignature: s.RawSignature,
		Currencies: f.currencies, Retry: o.RetryPolicy(s.Retry), HTTPClient: f.hc}
	o.toAlipayPlus(&cfg)
	c, err := alipayplus.New(cfg)
	if ce := (*alipayplus.ConfigError)(nil); errors.As(err, &ce) {
		return nil, &ConfigError{Field: o.ConfigField(ce.Field, f.key), Err: ce.Err}
	} else if err != nil {
		return nil, err
	}
	return c, nil
}

// familySettings are the settings the Alipay family's kinds (alipayplus,
// antom) share, as written; family resolves them alike for both.
type familySettings struct {
	baseURL, clientID, privateKey string
	signer                        *SignerSettings
	pubField, pub                 string
	pubs                          []string
	caFile                        string
	currencies                    []string
}

// familyConfig is familySettings resolved: the merchant's key, the
// server's public keys, the HTTP client and the currencies.
type familyConfig struct {
	key        MerchantKey
	pub        string
	pubs       []string
	hc         *http.Client
	currencies []money.Currency
}

func (o Options) family(ctx context.Context, s familySettings) (f familyConfig, err error) {
	if err := Required("baseURL", s.baseURL); err != nil {
		return f, err
	}
	if err := Required("clientId", s.clientID); err != nil {
		return f, err
	}
	if f.key, err = o.MerchantKey(ctx, s.privateKey, s.signer); err != nil {
		return f, err
	}
	if f.pub, f.pubs, err = o.PublicKeys(s.pubField, s.pub, s.pubs); err != nil {
		return f, err
	}
	if f.hc, err = o.HTTPClientFor(s.caFile); err != nil {
		return f, err
	}
	for i, code := range s.currencies {
		c, err := money.LookupCurrency(code)
		if err != nil {
			return f, SettingError(fmt.Sprintf("currencies[%d]", i), err)
		}
		f.currencies = append(f.currencies, c)
	}
	return f, nil
}

// toAlipayPlus passes the options every adapter takes as they are.
func (o Options) toAlipayPlus(cfg *alipayplus.Config) {
	cfg.Logger, cfg.Clock, cfg.Journal, cfg.Observer = o.Logger, o.Clock, o.Journal, o.Observer
}

// AntomSettings are the settings of an "antom" merchant account (Antom,
// Alipay's merchant gateway; the wallets are PayRequest.Method).
//
// The merchant's key and Antom's public keys ("antomPublicKey",
// "antomPublicKeys") are given as in AlphaPaySettings, and shown by Format
// and MarshalJSON as there. "methods" are the neutral payment methods the
// contract enables (default: antom.DefaultMethods).
type AntomSettings struct {
	BaseURL         string          `json:"baseURL"`
	ClientID        string          `json:"clientId"`
	KeyVersion      string          `json:"keyVersion,omitempty"`
	PrivateKey      string          `json:"privateKey,omitempty"` // secret reference
	Signer          *SignerSettings `json:"signer,omitempty"`
	AntomPublicKey  string          `json:"antomPublicKey,omitempty"` // reference or inline
	AntomPublicKeys []string        `json:"antomPublicKeys,omitempty"`
	Methods         []string        `json:"methods,omitempty"`
	TimeLayout      string          `json:"timeLayout,omitempty"`
	RawSignature    bool            `json:"rawSignature,omitempty"`
	Currencies      []string        `json:"currencies,omitempty"`
	Retry           *Retry          `json:"retry,omitempty"`
	CAFile          string          `json:"caFile,omitempty"`
}

// redactedAntomSettings has AntomSettings' fields and none of its methods.
type redactedAntomSettings AntomSettings

// Format prints s as fmt would, with an inline private key redacted.
func (s AntomSettings) Format(f fmt.State, verb rune) {
	s.PrivateKey = ShowRef(s.PrivateKey)
	fmt.Fprintf(f, fmt.FormatString(f, verb), redactedAntomSettings(s))
}

// MarshalJSON encodes s as encoding/json would, with an inline private key
// redacted.
func (s AntomSettings) MarshalJSON() ([]byte, error) {
	s.PrivateKey = ShowRef(s.PrivateKey)
	return json.Marshal(redactedAntomSettings(s))
}

func openAntom(ctx context.Context, raw json.RawMessage, o Options) (payment.Provider, error) {
	var s AntomSettings
	if err := DecodeSettings(raw, &s); err != nil {
		return nil, err
	}
	f, err := o.family(ctx, familySettings{s.BaseURL, s.ClientID, s.PrivateKey, s.Signer, "antomPublicKey", s.AntomPublicKey, s.AntomPublicKeys, s.CAFile, s.Currencies})
	if err != nil {
		return nil, err
	}
	cfg := antom.Config{BaseURL: s.BaseURL, ClientID: s.ClientID, KeyVersion: s.KeyVersion, PrivateKey: f.key.PEM, Signer: f.key.Signer,
		AntomPublicKey: f.pub, AntomPublicKeys: f.pubs, TimeLayout: s.TimeLayout, RawSignature: s.RawSignature,
		Currencies: f.currencies, Retry: o.RetryPolicy(s.Retry), HTTPClient: f.hc,
		Logger: o.Logger, Clock: o.Clock, Journal: o.Journal, Observer: o.Observer}
	for _, m := range s.Methods {
		cfg.Methods = append(cfg.Methods, payment.Method(m))
	}
	c, err := antom.New(cfg)
	if ce := (*antom.ConfigError)(nil); errors.As(err, &ce) {
		return nil, &ConfigError{Field: o.ConfigField(ce.Field, f.key), Err: ce.Err}
	} else if err != nil {
		return nil, err
	}
	return c, nil
}
