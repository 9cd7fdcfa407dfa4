package antom

import (
	"crypto"
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
	"github.com/paybridge/paybridge/providers/alipayfamily"
)

// Name is the provider name in payments, events and errors.
const Name = "antom"

// Config configures a Client for one Antom merchant.
//
// The keys are secrets: Config's Format (every fmt verb), LogValue and
// MarshalJSON show only whether each is set (payment.Redact) and a
// Signer's type, so a Config can go through fmt, log/slog and
// encoding/json.
type Config struct {
	// BaseURL is Antom's gateway for the merchant's region, such as
	// "https://open-sea-global.alipay.com", or a simulator's URL. Plain
	// http is refused unless the host is loopback.
	BaseURL string
	// HTTPClient sends the requests; nil means a pooled client of the
	// engine's. TLS verification cannot be turned off except for loopback.
	HTTPClient *http.Client
	// Retry bounds the attempts of each call; zero means payment's
	// defaults.
	Retry payment.RetryPolicy
	// ClientID is the Client-Id Antom issued to the merchant.
	ClientID string
	// KeyVersion is the Signature header's keyVersion; default "1".
	KeyVersion string
	// PrivateKey is the merchant's RSA private key, as PEM (PKCS#8 or
	// PKCS#1) or bare base64 DER. Set it or Signer, not both.
	PrivateKey string
	// Signer signs requests in place of PrivateKey, for a key in a KMS or
	// an HSM (see alipayplus.Config.Signer: the same contract).
	Signer crypto.Signer
	// AntomPublicKey is Antom's RSA public key, as PEM or bare base64 DER;
	// AntomPublicKeys are more, trusted alike while Antom changes its key.
	// At least one is required.
	AntomPublicKey  string
	AntomPublicKeys []string
	// TimeLayout formats Request-Time: a time.Format layout (default
	// alipayfamily.TimeLayout, milliseconds and a numeric offset), or
	// alipayfamily.TimeUnixMilli or TimeUnixNano, as the official SDKs send
	// it.
	TimeLayout string
	// RawSignature sends the signature as raw base64 instead of
	// URL-encoded base64. Answers are accepted in either form.
	RawSignature bool
	// Methods are the payment methods the merchant's contract enables
	// (Capabilities().Methods); empty means DefaultMethods. A method that
	// is not well known is sent upper-cased as paymentMethodType, so
	// Method("boost") pays with BOOST.
	Methods []payment.Method
	// Currencies restricts the currencies payments may be in; empty means
	// any ISO 4217 currency.
	Currencies []money.Currency
	// Clock stamps requests and times retries; nil means the system clock.
	Clock payment.Clock
	// Logger, Journal and Observer are the engine's (see
	// alipayplus.Config); nil means none.
	Logger   *slog.Logger
	Journal  journal.Journal
	Observer observe.Observer
}

// DefaultMethods are the methods a Config without Methods enables: the
// well-known wallets Antom serves.
func DefaultMethods() []payment.Method {
	return []payment.Method{
		payment.MethodAlipayCN, payment.MethodAlipayHK, payment.MethodGCash, payment.MethodDANA,
		payment.MethodTouchNGo, payment.MethodTrueMoney, payment.MethodKakaoPay,
	}
}

// configView is all that may be shown of a Config.
type configView struct {
	BaseURL        string `json:"base_url"`
	ClientID       string `json:"client_id"`
	KeyVersion     string `json:"key_version"`
	PrivateKey     string `json:"private_key"`
	Signer         string `json:"signer"`
	AntomPublicKey string `json:"antom_public_key"`
	RawSignature   bool   `json:"raw_signature"`
}

func (c Config) view() configView {
	signer := "[none]"
	if c.Signer != nil {
		signer = fmt.Sprintf("%T", c.Signer) // the type, never the value: an *rsa.PrivateKey's fields are the key
	}
	return configView{BaseURL: c.BaseURL, ClientID: c.ClientID, KeyVersion: c.KeyVersion, PrivateKey: payment.Redact(c.PrivateKey),
		Signer: signer, AntomPublicKey: payment.Redact(c.AntomPublicKey), RawSignature: c.RawSignature}
}

// Format prints the config for every verb without its keys.
func (c Config) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "antom.Config%+v", c.view()) }

// LogValue makes log/slog print the config without its keys.
func (c Config) LogValue() slog.Value { return slog.AnyValue(c.view()) }

// MarshalJSON encodes the config without its keys, for logs.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
var ErrInvalidConfig = errors.New("antom: invalid config")

// ConfigError names the Config field that is wrong.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string        { return "antom: config " + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error        { return e.Err }
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Errors of answer and notification verification, given to the family's
// envelope: its errors read as the adapter's and match these and
// alipayfamily.ErrUnsigned and ErrWrongClient. An unsigned answer is
// never believed (alipayfamily.NeverTrust).
var (
	ErrUnsigned    = errors.New("antom: not signed")
	ErrWrongClient = errors.New("antom: Client-Id is not ours")
)

// parse checks c and returns its envelope and capabilities.
func (c Config) parse() (*alipayfamily.Envelope, payment.Capabilities, error) {
	caps := payment.Capabilities{
		Scenarios:  []payment.Scenario{payment.ScenarioCashier, payment.ScenarioWeb, payment.ScenarioH5},
		Methods:    c.Methods,
		Currencies: c.Currencies,
		// Antom's amounts are Long in minor units; 16 digits as the family's.
		MaxAmountDigits: 16, MaxDescription: 256,
		ExpiresAt: true, InquireByRequestID: true, Cancel: true, CancelPaid: true,
		Refund: true, PartialRefund: true, InquireRefundByRequestID: true, Notifications: true,
	}
	caps.MethodRequired = caps.Scenarios
	if len(caps.Methods) == 0 {
		caps.Methods = DefaultMethods()
	}
	for _, m := range caps.Methods {
		if !m.Valid() {
			return nil, caps, &ConfigError{"Methods", fmt.Errorf("%q is not a method token", m)}
		}
	}
	for _, cur := range c.Currencies {
		if cur.IsZero() {
			return nil, caps, &ConfigError{"Currencies", errors.New("contains the zero Currency")}
		}
	}
	keys := alipayfamily.Keys{PrivateKey: c.PrivateKey, Signer: c.Signer,
		PublicKey: c.AntomPublicKey, PublicKeys: c.AntomPublicKeys, PublicKeyField: "AntomPublicKey"}
	env, ce := keys.Envelope(alipayfamily.EnvelopeConfig{
		ClientID: c.ClientID, KeyVersion: c.KeyVersion, TimeLayout: c.TimeLayout, RawSignature: c.RawSignature,
		Unsigned: alipayfamily.NeverTrust, ErrUnsigned: ErrUnsigned, ErrWrongClient: ErrWrongClient,
	})
	if ce != nil {
		return nil, caps, &ConfigError{ce.Field, ce.Err}
	}
	return env, caps.Clone(), nil
}

// wireMethod is the paymentMethodType of a neutral method: its name
// upper-cased, except Touch 'n Go, which Antom calls TNG.
func wireMethod(m payment.Method) string {
	if m == payment.MethodTouchNGo {
		return "TNG"
	}
	return strings.ToUpper(string(m))
}

// neutralMethod is the reverse of wireMethod, "" for a value that is not a
// method token.
func neutralMethod(s string) payment.Method {
	if s == "TNG" {
		return payment.MethodTouchNGo
	}
	m := payment.Method(strings.ToLower(s))
	if !m.Valid() {
		return ""
	}
	return m
}
