package alipayfamily

import (
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/signing"
)

// Header names of the envelope.
const (
	HeaderClientID     = "Client-Id"
	HeaderRequestTime  = "Request-Time"
	HeaderResponseTime = "Response-Time"
	HeaderSignature    = "Signature"
)

// Algorithm is the Signature header's algorithm as the envelope sends it.
// Answers and notifications may spell it "RSA256", "RS256" or
// "SHA256withRSA", in any case (signing.AlgorithmOK).
const Algorithm = "RSA256"

// Errors of answer and notification verification: the causes of unknown
// outcomes (answers) or of the notify handler's rejections
// (notifications). An adapter may give the envelope sentinels of its own
// (EnvelopeConfig.ErrUnsigned, ErrWrongClient); the errors then match
// both.
var (
	// ErrUnsigned: a signature, Client-Id or time header is missing where
	// the protocol requires it.
	ErrUnsigned = errors.New("alipayfamily: not signed")
	// ErrWrongClient: the Client-Id header names another client.
	ErrWrongClient = errors.New("alipayfamily: Client-Id is not ours")
)

// UnsignedPolicy is what an Envelope does with an answer that carries no
// Signature header. It is a field of EnvelopeConfig so that an adapter
// states its policy where a reader looks for it, and so that the choice is
// made once, for the family, rather than by each adapter's Verify.
//
// NeverTrust, the zero value, is the only policy: NewEnvelope refuses any
// other value. Alipay's official SDKs differ here — the Go SDK fails on an
// unsigned answer, the Java SDK returns one unverified, whatever its result
// — and a port of the Java SDK would believe an unsigned F. That is the
// mistake this type exists to rule out: anyone between the merchant and
// the server (a proxy, a captive portal, an attacker) can write an
// unsigned answer, and an unsigned F taken as a definite failure lets the
// merchant charge the customer again for a payment the server may have
// taken. The driver contract says it too: driver.Envelope must never trust
// an unsigned answer.
type UnsignedPolicy uint8

// NeverTrust: an answer without a Signature header is an error wrapping
// ErrUnsigned whatever it says, and the engine ends the call as an unknown
// outcome, which an inquiry settles. The error repeats the answer's status
// and code (only values in the protocol's alphabet, never its message) so
// that support staff can see what the server, or whoever answered, claimed:
// "not signed (the answer says F ACCESS_DENIED)".
const NeverTrust UnsignedPolicy = 0

// String names the policy.
func (p UnsignedPolicy) String() string {
	if p == NeverTrust {
		return "never trust"
	}
	return fmt.Sprintf("UnsignedPolicy(%d)", uint8(p))
}

// EnvelopeConfig configures an Envelope for one client (merchant) of one
// server. Format, LogValue and MarshalJSON show the Signer only by its
// type, so a config can be logged.
type EnvelopeConfig struct {
	// ClientID is the Client-Id the server issued: printable ASCII without
	// spaces (required).
	ClientID string
	// KeyVersion is the Signature header's keyVersion: which of the
	// merchant's registered public keys signs. Default "1".
	KeyVersion string
	// Signer signs requests: an *rsa.PrivateKey (signing.ParsePrivateKey)
	// or a key in a KMS or an HSM, under the contract of signing.Sign
	// (required).
	Signer crypto.Signer
	// PublicKeys are the server's public keys; an answer or notification
	// signed by any of them verifies (several while the server changes its
	// key). At least one.
	PublicKeys []*rsa.PublicKey
	// TimeLayout formats Request-Time: a time.Format layout writing ISO
	// 8601 with seconds and an offset, TimeUnixMilli or TimeUnixNano.
	// Default TimeLayout.
	TimeLayout string
	// RawSignature sends the signature as raw base64 instead of the
	// documented URL-encoded base64. Answers and notifications are accepted
	// in either form regardless.
	RawSignature bool
	// Unsigned is the policy for answers without a signature; NeverTrust,
	// the zero value, is the only one (see UnsignedPolicy).
	Unsigned UnsignedPolicy
	// ErrUnsigned and ErrWrongClient, if set, are the adapter's own
	// sentinels for the package's ErrUnsigned and ErrWrongClient: the
	// envelope's errors then read as the adapter's ("yourpay: not signed")
	// and match both with errors.Is.
	ErrUnsigned, ErrWrongClient error
}

// envelopeView is all that may be shown of an EnvelopeConfig or an
// Envelope.
type envelopeView struct {
	ClientID     string `json:"client_id"`
	KeyVersion   string `json:"key_version"`
	Signer       string `json:"signer"`
	PublicKeys   int    `json:"public_keys"`
	TimeLayout   string `json:"time_layout"`
	RawSignature bool   `json:"raw_signature"`
}

func (v envelopeView) String() string {
	return fmt.Sprintf("{ClientID: %q, KeyVersion: %q, Signer: %s, PublicKeys: %d, TimeLayout: %q, RawSignature: %t}",
		v.ClientID, v.KeyVersion, v.Signer, v.PublicKeys, v.TimeLayout, v.RawSignature)
}

func (v envelopeView) logValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", v.ClientID),
		slog.String("key_version", v.KeyVersion),
		slog.String("signer", v.Signer),
		slog.Int("public_keys", v.PublicKeys),
		slog.String("time_layout", v.TimeLayout),
		slog.Bool("raw_signature", v.RawSignature),
	)
}

// signerShown is all that is shown of a Signer: its type, never its value
// (an *rsa.PrivateKey's fields are the key).
func signerShown(s crypto.Signer) string {
	if s == nil {
		return "[none]"
	}
	return fmt.Sprintf("%T", s)
}

func (c EnvelopeConfig) view() envelopeView {
	return envelopeView{ClientID: c.ClientID, KeyVersion: c.KeyVersion, Signer: signerShown(c.Signer),
		PublicKeys: len(c.PublicKeys), TimeLayout: c.TimeLayout, RawSignature: c.RawSignature}
}

// Format prints the config for every verb without the Signer's value.
func (c EnvelopeConfig) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, "alipayfamily.EnvelopeConfig"+c.view().String())
}

// LogValue makes log/slog print the config without the Signer's value.
func (c EnvelopeConfig) LogValue() slog.Value { return c.view().logValue() }

// MarshalJSON encodes the config without the Signer's value and with the
// count of public keys, for logs.
func (c EnvelopeConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }

// ConfigError names the EnvelopeConfig field NewEnvelope refused.
type ConfigError struct {
	Field string
	Err   error
}

// Error returns "alipayfamily: config <Field>: <cause>".
func (e *ConfigError) Error() string { return "alipayfamily: config " + e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// CheckClientID returns nil if id can be sent as Client-Id: non-empty
// printable ASCII without spaces.
func CheckClientID(id string) error {
	switch {
	case id == "":
		return errors.New("is required")
	case !HeaderSafe(id):
		return errors.New("must be printable ASCII without spaces")
	}
	return nil
}

// CheckKeyVersion returns nil if v can be sent as the Signature header's
// keyVersion: printable ASCII without spaces, commas or '=', or empty (the
// default, "1").
func CheckKeyVersion(v string) error {
	if v != "" && (!HeaderSafe(v) || strings.ContainsAny(v, ",=")) {
		return errors.New("must be printable ASCII without spaces, commas or '='")
	}
	return nil
}

// HeaderSafe reports whether s can stand in a header or in the signed
// request line as it is: non-empty printable ASCII without spaces.
func HeaderSafe(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e }) < 0
}

// Envelope is the family's authentication: RSA-SHA256 (PKCS#1 v1.5) over
//
//	POST <request URI>
//	<Client-Id>.<Request-Time or Response-Time>.<body>
//
// with the merchant's key for requests and the server's for answers and
// notifications. It implements driver.Envelope. It is immutable and safe
// for concurrent use (as far as its Signer is).
type Envelope struct {
	clientID       string
	keyVersion     string
	timeLayout     string
	urlEncode      bool
	signer         crypto.Signer
	keys           []*rsa.PublicKey // any of them verifies
	errUnsigned    error
	errWrongClient error
}

var _ driver.Envelope = (*Envelope)(nil)

// NewEnvelope checks c and returns its Envelope. Errors are *ConfigError
// naming the field; they never contain key material.
func NewEnvelope(c EnvelopeConfig) (*Envelope, error) {
	e := &Envelope{
		clientID:       c.ClientID,
		keyVersion:     c.KeyVersion,
		timeLayout:     c.TimeLayout,
		urlEncode:      !c.RawSignature,
		signer:         c.Signer,
		errUnsigned:    c.ErrUnsigned,
		errWrongClient: c.ErrWrongClient,
	}
	if e.keyVersion == "" {
		e.keyVersion = "1"
	}
	if e.timeLayout == "" {
		e.timeLayout = TimeLayout
	}
	if e.errUnsigned == nil {
		e.errUnsigned = ErrUnsigned
	}
	if e.errWrongClient == nil {
		e.errWrongClient = ErrWrongClient
	}
	if err := CheckClientID(c.ClientID); err != nil {
		return nil, &ConfigError{"ClientID", err}
	}
	if err := CheckKeyVersion(c.KeyVersion); err != nil {
		return nil, &ConfigError{"KeyVersion", err}
	}
	if err := CheckTimeLayout(c.TimeLayout); err != nil {
		return nil, &ConfigError{"TimeLayout", err}
	}
	if c.Unsigned != NeverTrust {
		return nil, &ConfigError{"Unsigned", errors.New("must be NeverTrust: an unsigned answer is never trusted")}
	}
	if c.Signer == nil {
		return nil, &ConfigError{"Signer", errors.New("is required")}
	}
	if _, err := signing.SignerPublicKey(c.Signer); err != nil {
		return nil, &ConfigError{"Signer", err}
	}
	if len(c.PublicKeys) == 0 {
		return nil, &ConfigError{"PublicKeys", errors.New("needs at least one key")}
	}
	for i, k := range c.PublicKeys {
		if k == nil {
			return nil, &ConfigError{fmt.Sprintf("PublicKeys[%d]", i), errors.New("is nil")}
		}
	}
	e.keys = append([]*rsa.PublicKey(nil), c.PublicKeys...)
	return e, nil
}

// ClientID returns the Client-Id the envelope signs and expects.
func (e *Envelope) ClientID() string { return e.clientID }

func (e Envelope) view() envelopeView {
	return envelopeView{ClientID: e.clientID, KeyVersion: e.keyVersion, Signer: signerShown(e.signer),
		PublicKeys: len(e.keys), TimeLayout: e.timeLayout, RawSignature: !e.urlEncode}
}

// Format prints the envelope for every verb without the Signer's value.
func (e Envelope) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, "alipayfamily.Envelope"+e.view().String())
}

// LogValue makes log/slog print the envelope without the Signer's value.
func (e Envelope) LogValue() slog.Value { return e.view().logValue() }

// Sign sets Client-Id, Request-Time (now in the configured form) and
// Signature for one attempt over uri and body.
func (e *Envelope) Sign(h http.Header, uri string, body []byte, now time.Time) error {
	ts := FormatRequestTime(now, e.timeLayout)
	sig, err := signing.Sign(e.signer, signing.Message(http.MethodPost, uri, body, e.clientID, ts))
	if err != nil {
		return err
	}
	h.Set(HeaderClientID, e.clientID)
	h.Set(HeaderRequestTime, ts)
	h.Set(HeaderSignature, signing.Header{Algorithm: Algorithm, KeyVersion: e.keyVersion, Signature: sig}.Format(e.urlEncode))
	return nil
}

// Verify accepts an answer to a request posted to uri only when it carries
// our Client-Id and a Response-Time and its signature verifies with one of
// the server's keys over uri, both headers and the body. An answer without
// a Signature is never accepted, whatever its result says (NeverTrust);
// its error repeats the claimed status and code.
func (e *Envelope) Verify(uri string, h http.Header, body []byte) error {
	if h.Get(HeaderSignature) == "" {
		if id := h.Get(HeaderClientID); id != "" && id != e.clientID {
			return e.wrongClient()
		}
		return e.unsigned(unsignedClaim(body))
	}
	return e.verifySigned(uri, h.Get(HeaderResponseTime), h, body)
}

// VerifyNotification checks the server's signature over a notification:
// the POST to uri (the notify URL's path and query as the server addressed
// it; notify's handler tries the path alone too), the Client-Id and
// Request-Time headers and the raw body. The signature may be URL-encoded
// or raw base64. It returns the time the server says it sent the
// notification, read with notify.ParseTimestamp only after the signature
// verified over the header as sent; an unreadable time is an error
// wrapping notify.ErrBadTimestamp. It has the signature of
// notify.Source's VerifyNotification, for an adapter to forward.
func (e *Envelope) VerifyNotification(h http.Header, uri string, body []byte) (time.Time, error) {
	if id := h.Get(HeaderClientID); id != e.clientID {
		if id == "" {
			return time.Time{}, e.unsigned("")
		}
		return time.Time{}, e.wrongClient()
	}
	ts := h.Get(HeaderRequestTime)
	if ts == "" {
		return time.Time{}, e.unsigned("")
	}
	if err := e.verifySigned(uri, ts, h, body); err != nil {
		return time.Time{}, err
	}
	sentAt, err := notify.ParseTimestamp(ts)
	if err != nil {
		return time.Time{}, fmt.Errorf("notification Request-Time: %w", err)
	}
	return sentAt, nil
}

// verifySigned checks the Client-Id and Signature headers over uri, the
// given time and body.
func (e *Envelope) verifySigned(uri, ts string, h http.Header, body []byte) error {
	id, sigHeader := h.Get(HeaderClientID), h.Get(HeaderSignature)
	if sigHeader == "" || id == "" || ts == "" {
		return e.unsigned("")
	}
	if id != e.clientID {
		return e.wrongClient()
	}
	hdr, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return err
	}
	if !signing.AlgorithmOK(hdr.Algorithm) {
		return fmt.Errorf("%w: unsupported algorithm", signing.ErrMalformedHeader)
	}
	return signing.VerifyAny(e.keys, signing.Message(http.MethodPost, uri, body, id, ts), hdr.Signature)
}

func (e *Envelope) unsigned(claim string) error {
	if claim == "" && e.errUnsigned == ErrUnsigned {
		return ErrUnsigned
	}
	return &verifyError{own: e.errUnsigned, family: ErrUnsigned, claim: claim}
}

func (e *Envelope) wrongClient() error {
	if e.errWrongClient == ErrWrongClient {
		return ErrWrongClient
	}
	return &verifyError{own: e.errWrongClient, family: ErrWrongClient}
}

// verifyError is a verification failure that matches the adapter's
// sentinel and the family's, and reads as the adapter's, followed by what
// an unsigned answer claimed.
type verifyError struct {
	own, family error
	claim       string
}

func (e *verifyError) Error() string {
	if e.claim == "" {
		return e.own.Error()
	}
	return e.own.Error() + " (the answer says " + e.claim + ")"
}

func (e *verifyError) Unwrap() []error {
	if e.own == e.family {
		return []error{e.own}
	}
	return []error{e.own, e.family}
}

// unsignedClaim returns "<status> <code>" of an unsigned answer's result,
// or "" when there is none. Only values in the protocol's alphabet are
// repeated: an unsigned body is anyone's text and must not carry arbitrary
// content into errors and logs.
func unsignedClaim(body []byte) string {
	var env struct {
		Result Result `json:"result"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	status, code := env.Result.ResultStatus, env.Result.ResultCode
	switch status {
	case StatusS, StatusF, StatusU, StatusA:
	default:
		return ""
	}
	if !codeLike(code) {
		return status
	}
	return status + " " + code
}

// codeLike reports whether s looks like a result code: 1 to 64 upper-case
// letters, digits and underscores.
func codeLike(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
