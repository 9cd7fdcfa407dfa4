package alphapay

import (
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

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
	// PKCS#1) or bare base64 DER. Requests are signed with it. Set it or
	// Signer, not both.
	PrivateKey string
	// Signer signs requests in place of PrivateKey, for a merchant key that
	// never leaves a KMS or an HSM: any crypto.Signer whose public key is
	// RSA of 2048 bits or more, asked once per attempt for a PKCS#1 v1.5
	// signature of a SHA-256 digest (see signing.Sign). It should bound
	// its own calls in time: the attempt waits for it. An attempt it cannot
	// sign is not sent, and the call stops there — on its first attempt
	// with payment.ErrUnavailable — rather than try again.
	Signer crypto.Signer
	// KeyVersion is the Signature header's keyVersion: which of the
	// merchant's public keys registered with AlphaPay signs the requests
	// (docs/key-rotation.md). Default "1".
	KeyVersion string
	// AlphaPayPublicKey is AlphaPay's RSA public key, as PEM or bare base64
	// DER (as the dashboard shows it). Answers and notifications are
	// verified with it; an answer that does not verify is never trusted.
	AlphaPayPublicKey string
	// AlphaPayPublicKeys are more of AlphaPay's public keys, trusted as
	// AlphaPayPublicKey is: while AlphaPay changes its key, list the old
	// and the new one, and answers and notifications signed by either
	// verify (docs/key-rotation.md). At least one key is required, in
	// either field.
	AlphaPayPublicKeys []string
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
	KeyVersion        string `json:"key_version"`
	PrivateKey        string `json:"private_key"`
	Signer            string `json:"signer"`
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
		KeyVersion:        c.keyVersion(),
		PrivateKey:        payment.Redact(c.PrivateKey),
		Signer:            signerShown(c.Signer),
		AlphaPayPublicKey: payment.Redact(c.AlphaPayPublicKey),
	}
}

// signerShown is all that is shown of a Signer: its type, never its value
// (an *rsa.PrivateKey's fields are the key).
func signerShown(s crypto.Signer) string {
	if s == nil {
		return "[none]"
	}
	return fmt.Sprintf("%T", s)
}

func (c Config) keyVersion() string {
	if c.KeyVersion == "" {
		return "1"
	}
	return c.KeyVersion
}

// String describes the config without its keys.
func (c Config) String() string {
	v := c.view()
	return fmt.Sprintf("alphapay.Config{BaseURL: %q, MerchantCode: %q, Currency: %s, KeyVersion: %q, PrivateKey: %s, Signer: %s, AlphaPayPublicKey: %s}",
		v.BaseURL, v.MerchantCode, v.Currency, v.KeyVersion, v.PrivateKey, v.Signer, v.AlphaPayPublicKey)
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
		slog.String("key_version", v.KeyVersion),
		slog.String("private_key", v.PrivateKey),
		slog.String("signer", v.Signer),
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
	merchant crypto.Signer
	version  string
	alphapay []*rsa.PublicKey // any of them verifies
}

func (c Config) parse() (keys, money.Currency, error) {
	var k keys
	var err error
	if c.MerchantCode == "" {
		return k, money.Currency{}, &ConfigError{"MerchantCode", errors.New("is required")}
	}
	switch {
	case c.Signer != nil && c.PrivateKey != "":
		return k, money.Currency{}, &ConfigError{"Signer", errors.New("is set together with PrivateKey: set one of them")}
	case c.Signer != nil:
		if _, err := signing.SignerPublicKey(c.Signer); err != nil {
			return k, money.Currency{}, &ConfigError{"Signer", err}
		}
		k.merchant = c.Signer
	default:
		if k.merchant, err = signing.ParsePrivateKey(c.PrivateKey); err != nil {
			return k, money.Currency{}, &ConfigError{"PrivateKey", err}
		}
	}
	k.version = c.keyVersion()
	if !tokenLike(k.version) {
		return k, money.Currency{}, &ConfigError{"KeyVersion", errors.New("must be printable ASCII without spaces, commas or '='")}
	}
	if c.AlphaPayPublicKey != "" || len(c.AlphaPayPublicKeys) == 0 {
		pub, err := signing.ParsePublicKey(c.AlphaPayPublicKey)
		if err != nil {
			return k, money.Currency{}, &ConfigError{"AlphaPayPublicKey", err}
		}
		k.alphapay = append(k.alphapay, pub)
	}
	for i, s := range c.AlphaPayPublicKeys {
		pub, err := signing.ParsePublicKey(s)
		if err != nil {
			return k, money.Currency{}, &ConfigError{fmt.Sprintf("AlphaPayPublicKeys[%d]", i), err}
		}
		k.alphapay = append(k.alphapay, pub)
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

// tokenLike reports whether s can be a value of the Signature header: non-empty
// printable ASCII without spaces, commas or '='.
func tokenLike(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e || r == ',' || r == '=' }) < 0
}
