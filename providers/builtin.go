package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alphapay"
)

// builtin are the kinds NewRegistry starts with.
var builtin = map[string]Opener{
	alphapay.Name:   openAlphaPay,
	alipayplus.Name: openAlipayPlus,
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
	if err := Required("baseURL", s.BaseURL); err != nil {
		return nil, err
	}
	if err := Required("clientId", s.ClientID); err != nil {
		return nil, err
	}
	key, err := o.MerchantKey(ctx, s.PrivateKey, s.Signer)
	if err != nil {
		return nil, err
	}
	pub, pubs, err := o.PublicKeys("walletPublicKey", s.WalletPublicKey, s.WalletPublicKeys)
	if err != nil {
		return nil, err
	}
	hc, err := o.HTTPClientFor(s.CAFile)
	if err != nil {
		return nil, err
	}
	cfg := alipayplus.Config{BaseURL: s.BaseURL, PathPrefix: s.PathPrefix, ClientID: s.ClientID, KeyVersion: s.KeyVersion,
		PrivateKey: key.PEM, Signer: key.Signer, WalletPublicKey: pub, WalletPublicKeys: pubs,
		ProductCode: s.ProductCode, TimeLayout: s.TimeLayout, RawSignature: s.RawSignature,
		Retry: o.RetryPolicy(s.Retry), HTTPClient: hc}
	for i, code := range s.Currencies {
		c, err := money.LookupCurrency(code)
		if err != nil {
			return nil, SettingError(fmt.Sprintf("currencies[%d]", i), err)
		}
		cfg.Currencies = append(cfg.Currencies, c)
	}
	o.toAlipayPlus(&cfg)
	c, err := alipayplus.New(cfg)
	if err != nil {
		var ce *alipayplus.ConfigError
		if errors.As(err, &ce) {
			return nil, &ConfigError{Field: o.ConfigField(ce.Field, key), Err: ce.Err}
		}
		return nil, err
	}
	return c, nil
}

// toAlipayPlus passes the options every adapter takes as they are.
func (o Options) toAlipayPlus(cfg *alipayplus.Config) {
	cfg.Logger, cfg.Clock, cfg.Journal, cfg.Observer = o.Logger, o.Clock, o.Journal, o.Observer
}
