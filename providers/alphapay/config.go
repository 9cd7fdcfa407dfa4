package alphapay

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
)

// Name is the provider name in payments, events and errors.
const Name = "alphapay"

// AlphaPay's API hosts, one per merchant currency domain.
const (
	BaseURLCanada = "https://openapi.alphapay.ca"  // CAD merchants
	BaseURLUS     = "https://openapi.alphapay.com" // USD merchants
)

// Config configures a Client. The keys are secrets: Config's String,
// GoString, LogValue and MarshalJSON show only whether each is set (see
// payment.Redact), so a Config can go through fmt, log/slog and
// encoding/json, and no error or log line of the adapter ever contains them.
type Config struct {
	// BaseURL is the API host: BaseURLCanada, BaseURLUS, or a simulator's
	// URL. Plain http is refused unless the host is loopback.
	BaseURL string
	// MerchantCode is the code AlphaPay issued to the merchant.
	MerchantCode string
	// PrivateKey is the merchant's RSA private key, as PEM (PKCS#8 or
	// PKCS#1) or bare base64 DER. Requests are signed with it.
	PrivateKey string
	// AlphaPayPublicKey is AlphaPay's RSA public key, as PEM or bare base64
	// DER (as the dashboard shows it). Answers and notifications are
	// verified with it; an answer that does not verify is never trusted.
	AlphaPayPublicKey string
	// Currency is the merchant's domain currency, CAD (the default) or USD.
	// Orders may be in it or in CNY.
	Currency money.Currency
	// HTTPClient sends the requests; nil means a pooled client of the
	// adapter's own. TLS verification cannot be turned off except for
	// loopback hosts.
	HTTPClient *http.Client
	// Retry bounds the attempts of each call; the zero value means
	// payment's defaults.
	Retry payment.RetryPolicy
	// Clock stamps requests and times retries; nil means the system clock.
	Clock payment.Clock
	// Logger receives debug lines per attempt and warnings for unknown
	// outcomes, without secrets. Nil: no logs.
	Logger *slog.Logger
	// Journal, if set, records every pay, cancel and refund before it is
	// sent and settles it when its outcome is known, so that a call cut off
	// by a crash is found and settled afterwards (package journal;
	// journal/pgjournal keeps it in PostgreSQL). Nil: no journal.
	Journal journal.Journal
	// Observer, if set, is told of every call and attempt (package observe;
	// observe/otelpaybridge turns them into OpenTelemetry spans and
	// metrics). Nil: nothing is observed, at no cost.
	Observer observe.Observer
}

// configView is all that may be shown of a Config: String, LogValue and
// MarshalJSON render it and nothing else, so a field added to Config stays
// out of logs until it is added here, and the keys appear only as
// payment.Redact shows them.
type configView struct {
	BaseURL           string `json:"base_url"`
	MerchantCode      string `json:"merchant_code"`
	Currency          string `json:"currency"`
	PrivateKey        string `json:"private_key"`
	AlphaPayPublicKey string `json:"alphapay_public_key"`
}

func (c Config) view() configView {
	cur := "CAD"
	if !c.Currency.IsZero() {
		cur = c.Currency.Code()
	}
	return configView{
		BaseURL:           c.BaseURL,
		MerchantCode:      c.MerchantCode,
		Currency:          cur,
		PrivateKey:        payment.Redact(c.PrivateKey),
		AlphaPayPublicKey: payment.Redact(c.AlphaPayPublicKey),
	}
}

// String describes the config without its keys.
func (c Config) String() string {
	v := c.view()
	return fmt.Sprintf("alphapay.Config{BaseURL: %q, MerchantCode: %q, Currency: %s, PrivateKey: %s, AlphaPayPublicKey: %s}",
		v.BaseURL, v.MerchantCode, v.Currency, v.PrivateKey, v.AlphaPayPublicKey)
}

// GoString is String, so %#v does not print the keys either.
func (c Config) GoString() string { return c.String() }

// LogValue makes log/slog print the config without its keys.
func (c Config) LogValue() slog.Value {
	v := c.view()
	return slog.GroupValue(
		slog.String("base_url", v.BaseURL),
		slog.String("merchant_code", v.MerchantCode),
		slog.String("currency", v.Currency),
		slog.String("private_key", v.PrivateKey),
		slog.String("alphapay_public_key", v.AlphaPayPublicKey),
	)
}

// MarshalJSON encodes the config without its keys, with the keys LogValue
// uses, so a Config nested in a logged struct is as safe as one logged on
// its own. It is for logs; a Config cannot be read back from it.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
var ErrInvalidConfig = errors.New("alphapay: invalid config")

// ConfigError names the Config field that is wrong.
type ConfigError struct {
	Field string
	Err   error
}

// Error returns "alphapay: config <Field>: <cause>".
func (e *ConfigError) Error() string { return "alphapay: config " + e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

type keys struct {
	merchant *rsa.PrivateKey
	alphapay *rsa.PublicKey
}

func (c Config) parse() (keys, money.Currency, error) {
	var k keys
	var err error
	if c.MerchantCode == "" {
		return k, money.Currency{}, &ConfigError{"MerchantCode", errors.New("is required")}
	}
	if k.merchant, err = signing.ParsePrivateKey(c.PrivateKey); err != nil {
		return k, money.Currency{}, &ConfigError{"PrivateKey", err}
	}
	if k.alphapay, err = signing.ParsePublicKey(c.AlphaPayPublicKey); err != nil {
		return k, money.Currency{}, &ConfigError{"AlphaPayPublicKey", err}
	}
	cur := c.Currency
	switch {
	case cur.IsZero():
		cur = money.CAD
	case cur != money.CAD && cur != money.USD:
		return k, money.Currency{}, &ConfigError{"Currency", fmt.Errorf("must be CAD or USD, not %s", cur.Code())}
	}
	return k, cur, nil
}
