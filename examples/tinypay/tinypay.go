// Package tinypay is a paybridge adapter for TinyPay, a made-up provider
// with a small JSON API: the template of an adapter that lives outside
// paybridge's module (docs/writing-an-adapter.md quotes it). It uses only
// paybridge's exported packages: a driver (payment/driver) run by
// payment/engine, a notify.Source, and an Opener for providers.Registry.
package tinypay

import (
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/signing"
)

// Name is the provider's name on payments, errors and events.
const Name = "tinypay"

// Config configures a Client. Its keys never show in logs or encodings.
type Config struct {
	BaseURL    string // https://…, or http:// to a loopback simulator
	MerchantID string
	// PrivateKey is the merchant's PEM key; or set Signer (a KMS key).
	PrivateKey string
	Signer     crypto.Signer
	// TinyPayPublicKeys verify answers and notifications; list two while
	// TinyPay changes its key.
	TinyPayPublicKeys []string

	HTTPClient *http.Client
	Retry      payment.RetryPolicy
	Clock      payment.Clock
	Logger     *slog.Logger
	Journal    journal.Journal
	Observer   observe.Observer
}

// shown is what Format, MarshalJSON and LogValue show of a Config.
type shown struct {
	BaseURL, MerchantID, PrivateKey, Signer string
	TinyPayPublicKeys                       []string
}

func (c Config) shown() shown {
	s := shown{c.BaseURL, c.MerchantID, payment.Redact(c.PrivateKey), payment.Redact(""), c.TinyPayPublicKeys}
	if c.Signer != nil {
		s.Signer = payment.Redact("set")
	}
	return s
}

// Format prints the config for every verb with its keys redacted.
func (c Config) Format(f fmt.State, verb rune) { fmt.Fprintf(f, fmt.FormatString(f, verb), c.shown()) }

// MarshalJSON encodes the config with its keys redacted.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.shown()) }

// LogValue logs the config with its keys redacted.
func (c Config) LogValue() slog.Value { return slog.AnyValue(c.shown()) }

// ConfigError names the Config field New refused.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "tinypay: config " + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Client is a payment.Provider for one TinyPay merchant account, and a
// notify.Source for its notifications.
type Client struct {
	*engine.Provider
	d *tinyDriver
}

// New checks cfg, parses the keys once and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.MerchantID == "" {
		return nil, &ConfigError{"MerchantID", errors.New("is required")}
	}
	signer := cfg.Signer
	switch {
	case signer != nil && cfg.PrivateKey != "":
		return nil, &ConfigError{"Signer", errors.New("set PrivateKey or Signer, not both")}
	case signer == nil:
		k, err := signing.ParsePrivateKey(cfg.PrivateKey)
		if err != nil {
			return nil, &ConfigError{"PrivateKey", err}
		}
		signer = k
	}
	if len(cfg.TinyPayPublicKeys) == 0 {
		return nil, &ConfigError{"TinyPayPublicKeys", errors.New("is required")}
	}
	keys := make([]*rsa.PublicKey, len(cfg.TinyPayPublicKeys))
	for i, pem := range cfg.TinyPayPublicKeys {
		k, err := signing.ParsePublicKey(pem)
		if err != nil {
			return nil, &ConfigError{fmt.Sprintf("TinyPayPublicKeys[%d]", i), err}
		}
		keys[i] = k
	}
	d := &tinyDriver{env: &envelope{merchant: cfg.MerchantID, signer: signer, keys: keys}}
	p, err := engine.New(d, engine.Config{
		BaseURL: cfg.BaseURL, HTTPClient: cfg.HTTPClient, Retry: cfg.Retry, Clock: cfg.Clock,
		Logger: cfg.Logger, Journal: cfg.Journal, Observer: cfg.Observer,
	})
	if err != nil {
		return nil, fmt.Errorf("tinypay: %w", err) // wraps engine.ErrInvalidConfig
	}
	return &Client{Provider: p, d: d}, nil
}
