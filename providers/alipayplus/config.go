package alipayplus

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
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// Name is the provider name in payments, events and errors.
const Name = "alipayplus"

// Config configures a Client for one wallet and one merchant. Everything that
// differs between Alipay+ wallets — path prefix, time format, signature
// encoding, key version, product code — is a field here, not code
// (docs/providers/alipayplus.md has GCash, Super Qi and generic examples).
//
// The keys are secrets: Config's String, GoString, LogValue and MarshalJSON
// show only whether each is set (see payment.Redact), so a Config can go
// through fmt, log/slog and encoding/json, and no error or log line of the
// adapter ever contains them.
type Config struct {
	// BaseURL is the wallet's API host, such as
	// "https://api.wallet.example", or a simulator's URL. Plain http is
	// refused unless the host is loopback.
	BaseURL string
	// PathPrefix goes between BaseURL and "/v1/payments/...": "" (Super Qi),
	// "/api" (generic) or "/miniprogram/api" (GCash). It is part of the
	// signed URI.
	PathPrefix string
	// ClientID is the Client-Id the wallet issued to the merchant.
	ClientID string
	// KeyVersion is the Signature header's keyVersion: which of the
	// merchant's public keys registered with the wallet signs the requests
	// (docs/key-rotation.md). Default "1".
	KeyVersion string
	// PrivateKey is the merchant's RSA private key, as PEM (PKCS#8 or
	// PKCS#1) or bare base64 DER. Requests are signed with it; its public
	// half is registered with the wallet. Set it or Signer, not both.
	PrivateKey string
	// Signer signs requests in place of PrivateKey, for a merchant key that
	// never leaves a KMS or an HSM: any crypto.Signer whose public key is
	// RSA of 2048 bits or more, asked once per attempt for a PKCS#1 v1.5
	// signature of a SHA-256 digest (see signing.Sign). It should bound
	// its own calls in time: the attempt waits for it. An attempt it cannot
	// sign is not sent, and the call stops there — on its first attempt
	// with payment.ErrUnavailable — rather than try again.
	Signer crypto.Signer
	// WalletPublicKey is the wallet's RSA public key, as PEM or bare base64
	// DER. Answers and notifications are verified with it.
	WalletPublicKey string
	// WalletPublicKeys are more of the wallet's public keys, trusted as
	// WalletPublicKey is: while the wallet changes its key, list the old and
	// the new one, and answers and notifications signed by either verify
	// (docs/key-rotation.md). At least one key is required, in either
	// field.
	WalletPublicKeys []string
	// ProductCode is sent as productCode unless PayOptions overrides it;
	// default wire.ProductCodeOnlinePurchase ("51051000101000000011"). It
	// comes from the merchant's contract with the wallet.
	ProductCode string
	// TimeLayout formats Request-Time (a time.Format layout). The default,
	// "2006-01-02T15:04:05.000-07:00", sends milliseconds and a numeric
	// offset, never "Z" (Super Qi rejects "Z"), as the wallets document.
	// Use "2006-01-02T15:04:05-07:00" for a wallet that wants whole
	// seconds, or TimeUnixMilli or TimeUnixNano for one that wants Unix
	// time, as Alipay's official SDKs send it.
	TimeLayout string
	// RawSignature sends the signature as raw base64 instead of the
	// documented URL-encoded base64, for wallets whose verifier does not
	// percent-decode. Answers are accepted in either form regardless.
	RawSignature bool
	// Currencies restricts the currencies payments may be in; empty means
	// any ISO 4217 currency (the wallet refuses what it does not settle with
	// CURRENCY_NOT_SUPPORT).
	Currencies []money.Currency
	// HTTPClient sends the requests; nil means a pooled client of the
	// adapter's own. TLS verification cannot be turned off except for
	// loopback hosts.
	HTTPClient *http.Client
	// Retry bounds the attempts of each call; the zero value means
	// payment's defaults.
	Retry payment.RetryPolicy
	// Clock stamps requests, times retries and sets the time zone of
	// paymentExpiryTime; nil means the system clock.
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
	BaseURL         string `json:"base_url"`
	PathPrefix      string `json:"path_prefix"`
	ClientID        string `json:"client_id"`
	KeyVersion      string `json:"key_version"`
	ProductCode     string `json:"product_code"`
	RawSignature    bool   `json:"raw_signature"`
	PrivateKey      string `json:"private_key"`
	Signer          string `json:"signer"`
	WalletPublicKey string `json:"wallet_public_key"`
}

func (c Config) view() configView {
	return configView{
		BaseURL:         c.BaseURL,
		PathPrefix:      c.PathPrefix,
		ClientID:        c.ClientID,
		KeyVersion:      c.keyVersion(),
		ProductCode:     c.productCode(),
		RawSignature:    c.RawSignature,
		PrivateKey:      payment.Redact(c.PrivateKey),
		Signer:          signerShown(c.Signer),
		WalletPublicKey: payment.Redact(c.WalletPublicKey),
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

// String describes the config without its keys.
func (c Config) String() string {
	v := c.view()
	return fmt.Sprintf("alipayplus.Config{BaseURL: %q, PathPrefix: %q, ClientID: %q, KeyVersion: %q, ProductCode: %q, RawSignature: %t, PrivateKey: %s, Signer: %s, WalletPublicKey: %s}",
		v.BaseURL, v.PathPrefix, v.ClientID, v.KeyVersion, v.ProductCode, v.RawSignature, v.PrivateKey, v.Signer, v.WalletPublicKey)
}

// GoString is String, so %#v does not print the keys either.
func (c Config) GoString() string { return c.String() }

// LogValue makes log/slog print the config without its keys.
func (c Config) LogValue() slog.Value {
	v := c.view()
	return slog.GroupValue(
		slog.String("base_url", v.BaseURL),
		slog.String("path_prefix", v.PathPrefix),
		slog.String("client_id", v.ClientID),
		slog.String("key_version", v.KeyVersion),
		slog.String("product_code", v.ProductCode),
		slog.Bool("raw_signature", v.RawSignature),
		slog.String("private_key", v.PrivateKey),
		slog.String("signer", v.Signer),
		slog.String("wallet_public_key", v.WalletPublicKey),
	)
}

// MarshalJSON encodes the config without its keys, with the keys LogValue
// uses, so a Config nested in a logged struct is as safe as one logged on
// its own. It is for logs; a Config cannot be read back from it.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }

func (c Config) keyVersion() string {
	if c.KeyVersion == "" {
		return "1"
	}
	return c.KeyVersion
}

func (c Config) productCode() string {
	if c.ProductCode == "" {
		return wire.ProductCodeOnlinePurchase
	}
	return c.ProductCode
}

func (c Config) timeLayout() string {
	if c.TimeLayout == "" {
		return wire.TimeLayout
	}
	return c.TimeLayout
}

// Config.TimeLayout values that send Request-Time as Unix time digits
// instead of ISO 8601. The wallets document ISO 8601; Alipay's official
// SDKs send Unix time, in milliseconds (Java) or nanoseconds (Go), and the
// gateways that serve them accept it. Use one of these only for a wallet
// that is known to accept it.
const (
	// TimeUnixMilli sends Unix time in milliseconds, 13 digits such as
	// "1795342530123".
	TimeUnixMilli = alipayfamily.TimeUnixMilli
	// TimeUnixNano sends Unix time in nanoseconds, 19 digits such as
	// "1795342530123456789".
	TimeUnixNano = alipayfamily.TimeUnixNano
)

// ErrInvalidConfig is wrapped by every error New returns for a bad Config.
var ErrInvalidConfig = errors.New("alipayplus: invalid config")

// ConfigError names the Config field that is wrong.
type ConfigError struct {
	Field string
	Err   error
}

// Error returns "alipayplus: config <Field>: <cause>".
func (e *ConfigError) Error() string { return "alipayplus: config " + e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// settings is a checked Config.
type settings struct {
	env         *alipayfamily.Envelope
	productCode string
	prefix      string
	currencies  []money.Currency
}

func (c Config) parse() (settings, error) {
	s := settings{
		productCode: c.productCode(),
		prefix:      strings.TrimSuffix(c.PathPrefix, "/"),
	}
	if err := alipayfamily.CheckClientID(c.ClientID); err != nil {
		return s, &ConfigError{"ClientID", err}
	}
	if err := alipayfamily.CheckKeyVersion(c.keyVersion()); err != nil {
		return s, &ConfigError{"KeyVersion", err}
	}
	if s.prefix != "" && (!strings.HasPrefix(s.prefix, "/") || strings.ContainsAny(s.prefix, "?#% ") || !alipayfamily.HeaderSafe(s.prefix)) {
		return s, &ConfigError{"PathPrefix", errors.New(`must be empty or a path such as "/api"`)}
	}
	if len(s.productCode) > 32 {
		return s, &ConfigError{"ProductCode", errors.New("must be at most 32 characters")}
	}
	if err := alipayfamily.CheckTimeLayout(c.timeLayout()); err != nil {
		return s, &ConfigError{"TimeLayout", err}
	}
	for _, cur := range c.Currencies {
		if cur.IsZero() {
			return s, &ConfigError{"Currencies", errors.New("contains the zero Currency")}
		}
	}
	s.currencies = append([]money.Currency(nil), c.Currencies...)
	env := alipayfamily.EnvelopeConfig{
		ClientID:       c.ClientID,
		KeyVersion:     c.keyVersion(),
		TimeLayout:     c.timeLayout(),
		RawSignature:   c.RawSignature,
		Unsigned:       alipayfamily.NeverTrust, // the only policy: see envelope.go
		ErrUnsigned:    ErrUnsigned,
		ErrWrongClient: ErrWrongClient,
	}
	keys := alipayfamily.Keys{PrivateKey: c.PrivateKey, Signer: c.Signer,
		PublicKey: c.WalletPublicKey, PublicKeys: c.WalletPublicKeys, PublicKeyField: "WalletPublicKey"}
	var ce *alipayfamily.ConfigError
	if s.env, ce = keys.Envelope(env); ce != nil {
		return s, &ConfigError{ce.Field, ce.Err}
	}
	return s, nil
}

// PayOptions are the Alipay+ fields of one pay request that have no neutral
// counterpart. Set a PayOptions (or a *PayOptions) as
// payment.PayRequest.ProviderOptions; options of any other type are
// rejected.
//
// AuthCode is a credential of the wallet user: String, GoString, LogValue
// and MarshalJSON show only whether it is set, so options can be logged on
// their own or inside a PayRequest.
type PayOptions struct {
	// ProductCode overrides Config.ProductCode for this payment (at most 32
	// characters), e.g. "51051000101000000012" for auth capture.
	ProductCode string
	// AuthCode is sent as paymentAuthCode (at most 128 characters): the
	// user's access token for agreement pay, or a scanned auth code. The
	// wallet then usually debits at once and Pay returns a succeeded
	// payment.
	AuthCode string
	// ExtendInfo is sent as extendInfo, as it is (typically a JSON string
	// the wallet documents).
	ExtendInfo string
}

// ProviderName returns Name: PayOptions are for this adapter.
func (PayOptions) ProviderName() string { return Name }

// payOptionsView is all that may be shown of PayOptions: the auth code
// appears only as payment.Redact shows it.
type payOptionsView struct {
	ProductCode string `json:"product_code"`
	AuthCode    string `json:"auth_code"`
	ExtendInfo  string `json:"extend_info"`
}

func (o PayOptions) view() payOptionsView {
	return payOptionsView{ProductCode: o.ProductCode, AuthCode: payment.Redact(o.AuthCode), ExtendInfo: o.ExtendInfo}
}

// String shows the options without the auth code, which is a credential of
// the wallet user.
func (o PayOptions) String() string {
	v := o.view()
	return fmt.Sprintf("alipayplus.PayOptions{ProductCode: %q, AuthCode: %s, ExtendInfo: %q}", v.ProductCode, v.AuthCode, v.ExtendInfo)
}

// GoString is String, so %#v does not print the auth code either.
func (o PayOptions) GoString() string { return o.String() }

// LogValue makes log/slog print the options without the auth code.
func (o PayOptions) LogValue() slog.Value {
	v := o.view()
	return slog.GroupValue(
		slog.String("product_code", v.ProductCode),
		slog.String("auth_code", v.AuthCode),
		slog.String("extend_info", v.ExtendInfo),
	)
}

// MarshalJSON encodes the options without the auth code, with the keys
// LogValue uses, so options logged inside a payment.PayRequest are safe too.
// It is for logs; the wire format is the adapter's own.
func (o PayOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.view()) }
