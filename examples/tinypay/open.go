package tinypay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
)

// Settings are a "tinypay" wallet's settings in a configuration file:
//
//	{"name": "tinypay-ph", "provider": "tinypay", "settings": {
//	  "baseURL": "https://api.tinypay.example", "merchantId": "M-1",
//	  "privateKey": "env:TINYPAY_KEY", "tinyPayPublicKey": "file:tinypay.pub"}}
type Settings struct {
	BaseURL           string                    `json:"baseURL"`
	MerchantID        string                    `json:"merchantId"`
	PrivateKey        string                    `json:"privateKey,omitempty"` // a secret reference
	Signer            *providers.SignerSettings `json:"signer,omitempty"`     // or a signer kind
	TinyPayPublicKey  string                    `json:"tinyPayPublicKey,omitempty"`
	TinyPayPublicKeys []string                  `json:"tinyPayPublicKeys,omitempty"`
	Retry             *providers.Retry          `json:"retry,omitempty"`
	CAFile            string                    `json:"caFile,omitempty"`
}

type plainSettings Settings // without the methods

func (s Settings) redacted() plainSettings {
	s.PrivateKey = providers.ShowRef(s.PrivateKey)
	return plainSettings(s)
}

// Format prints the settings with an inline private key redacted.
func (s Settings) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.redacted())
}

// MarshalJSON encodes the settings with an inline private key redacted.
func (s Settings) MarshalJSON() ([]byte, error) { return json.Marshal(s.redacted()) }

// Register adds the "tinypay" kind to a registry, so that its LoadFile
// opens TinyPay wallets beside paybridge's own kinds.
func Register(reg *providers.Registry) error { return reg.Register(Name, Open) }

// Open is the providers.Opener of the "tinypay" kind. It reads its settings
// with the helpers paybridge's own kinds use, so that its errors name the
// wallet and the field, never a secret.
func Open(ctx context.Context, raw json.RawMessage, o providers.Options) (payment.Provider, error) {
	var s Settings
	if err := providers.DecodeSettings(raw, &s); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"baseURL", s.BaseURL}, {"merchantId", s.MerchantID}} {
		if err := providers.Required(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	key, err := o.MerchantKey(ctx, s.PrivateKey, s.Signer)
	if err != nil {
		return nil, err
	}
	pub, pubs, err := o.PublicKeys("tinyPayPublicKey", s.TinyPayPublicKey, s.TinyPayPublicKeys)
	if err != nil {
		return nil, err
	}
	if pub != "" {
		pubs = append([]string{pub}, pubs...)
	}
	hc, err := o.HTTPClientFor(s.CAFile)
	if err != nil {
		return nil, err
	}
	c, err := New(Config{BaseURL: s.BaseURL, MerchantID: s.MerchantID, PrivateKey: key.PEM, Signer: key.Signer,
		TinyPayPublicKeys: pubs, HTTPClient: hc, Retry: o.RetryPolicy(s.Retry),
		Clock: o.Clock, Logger: o.Logger, Journal: o.Journal, Observer: o.Observer})
	if ce := (*ConfigError)(nil); errors.As(err, &ce) { // MerchantID → settings.merchantId
		return nil, &providers.ConfigError{Field: o.ConfigField(ce.Field, key), Err: ce.Err}
	} else if err != nil {
		return nil, err
	}
	return c, nil
}
