// Package familytest is the simulator side of the Alipay family
// (providers/alipayfamily): what a simulated Alipay+ wallet
// (alipayplustest) and a simulated Antom gateway (antomtest) do alike on
// top of the simulator kit, so that each simulator keeps only its paths,
// bodies and rules.
//
//   - Envelope verifies a merchant's request in the family's order
//     (Client-Id, Request-Time, Signature, keyVersion, algorithm, RSA
//     signature, Content-Type) and signs answers and notifications; it
//     gives a simulator.Protocol its Verify, AnswerHeaders,
//     NotificationHeaders and FormatSignature.
//   - OK, Fail and ResultOnly write the result object.
//   - Decode and the Check functions are the strict body rules: one JSON
//     object in UTF-8, field names in the right case, amount values as
//     strings, required fields, lengths, URLs, times and amounts, each
//     failure MSG_PARSE_ERROR or PARAM_ILLEGAL naming the field, never a
//     value.
//   - Client is a merchant that signs requests and verifies answers, for
//     the simulators' tests.
package familytest

import (
	"crypto/rsa"
	"net/http"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// Result is the family's result object.
type Result = alipayfamily.Result

// OK is an S result.
func OK(code, msg string) Result {
	return Result{ResultCode: code, ResultStatus: alipayfamily.StatusS, ResultMessage: msg}
}

// Fail is an F result.
func Fail(code, msg string) Result {
	return Result{ResultCode: code, ResultStatus: alipayfamily.StatusF, ResultMessage: msg}
}

// Failp is Fail as a pointer, for check functions whose nil means "fine".
func Failp(code, msg string) *Result {
	r := Fail(code, msg)
	return &r
}

// Neutral is a wire result as the simulator kit records it.
func Neutral(r Result) payment.Result { return r.Neutral() }

// resultOnly is the body of answers that carry nothing but a result.
type resultOnly struct {
	Result Result `json:"result"`
}

// ResultOnly writes a result, scripted ones too, as the family does: a
// body with the result object alone.
func ResultOnly(r payment.Result) any {
	return &resultOnly{Result: Result{ResultCode: r.Code, ResultStatus: string(r.Status), ResultMessage: r.Message}}
}

// TimeWindow is how far Request-Time may be from the server's clock,
// either way, before REQUEST_TIME_INVALID (as Rebell documents it; Antom
// names no window).
const TimeWindow = 5 * time.Minute

// Envelope is the server side of the family's envelope for one merchant.
type Envelope struct {
	// ClientID is the Client-Id the server accepts and signs with;
	// KeyVersion the keyVersion its answers carry.
	ClientID, KeyVersion string
	// Clock is the server's clock.
	Clock payment.Clock
	// StrictRequestTime accepts only ISO 8601 Request-Times, not Unix
	// time digits.
	StrictRequestTime bool
	// RawSignature sends raw base64 signatures instead of URL-encoded
	// ones.
	RawSignature bool
	// UnsignedFailures leaves F and U answers unsigned.
	UnsignedFailures bool
	// MerchantKey returns the merchant's public key of a keyVersion
	// (simulator.Server.MerchantKey).
	MerchantKey func(keyVersion string) (*rsa.PublicKey, bool)
}

// Verify checks a request's headers and signature over its request URI
// and returns the failure to answer, or nil. Messages name what is wrong,
// never a header's value.
func (e *Envelope) Verify(r *http.Request, body []byte) *Result {
	clientID, ok := simulator.SingleHeader(r.Header, alipayfamily.HeaderClientID)
	if !ok {
		return Failp(alipayfamily.CodeInvalidClient, "Client-Id header is missing or repeated")
	}
	if clientID != e.ClientID {
		return Failp(alipayfamily.CodeInvalidClient, "unknown Client-Id")
	}
	rt, ok := simulator.SingleHeader(r.Header, alipayfamily.HeaderRequestTime)
	if !ok {
		return Failp(alipayfamily.CodeRequestTimeInvalid, "Request-Time header is missing or repeated")
	}
	t, ok := ParseRequestTime(rt, e.StrictRequestTime)
	switch {
	case !ok && e.StrictRequestTime:
		return Failp(alipayfamily.CodeRequestTimeInvalid, "Request-Time is not an ISO 8601 time with an offset")
	case !ok:
		return Failp(alipayfamily.CodeRequestTimeInvalid, "Request-Time is neither an ISO 8601 time with an offset nor Unix time digits")
	}
	if d := e.Clock.Now().Sub(t); d > TimeWindow || d < -TimeWindow {
		return Failp(alipayfamily.CodeRequestTimeInvalid, "Request-Time is more than 5 minutes from the server time")
	}
	sigHeader, ok := simulator.SingleHeader(r.Header, alipayfamily.HeaderSignature)
	if !ok {
		return Failp(alipayfamily.CodeInvalidSignature, "Signature header is missing or repeated")
	}
	h, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return Failp(alipayfamily.CodeInvalidSignature, "Signature header is malformed")
	}
	pub, ok := e.MerchantKey(h.KeyVersion)
	if !ok {
		return Failp(alipayfamily.CodeKeyNotFound, "no key with this keyVersion")
	}
	if !signing.AlgorithmOK(h.Algorithm) {
		return Failp(alipayfamily.CodeInvalidSignature, "Signature algorithm must be RSA256")
	}
	if signing.Verify(pub, signing.Message(http.MethodPost, r.URL.RequestURI(), body, clientID, rt), h.Signature) != nil {
		return Failp(alipayfamily.CodeInvalidSignature, "signature does not verify")
	}
	if !simulator.CheckContentType(r.Header) {
		return Failp(alipayfamily.CodeMsgParseError, "Content-Type must be application/json; charset=UTF-8")
	}
	return nil
}

// AnswerHeaders signs an answer over the request's URI, the Client-Id
// (the request's, or the server's if it had none) and the answer's
// Response-Time, unless UnsignedFailures leaves an F or U unsigned.
func (e *Envelope) AnswerHeaders(h http.Header, in *simulator.Incoming, payload []byte, res payment.Result) ([]byte, bool) {
	respTime := e.Clock.Now().Format(alipayfamily.TimeLayout)
	clientID, ok := simulator.SingleHeader(in.Request.Header, alipayfamily.HeaderClientID)
	if !ok {
		clientID = e.ClientID
	}
	h.Set(alipayfamily.HeaderClientID, clientID)
	h.Set(alipayfamily.HeaderResponseTime, respTime)
	unsigned := e.UnsignedFailures && (res.Status == payment.ResultFailed || res.Status == payment.ResultUnknown)
	return signing.Message(http.MethodPost, in.Request.URL.RequestURI(), payload, clientID, respTime), !unsigned
}

// NotificationHeaders signs a notification as a request is signed, by the
// server's key.
func (e *Envelope) NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte {
	reqTime := now.Format(alipayfamily.TimeLayout)
	h.Set(alipayfamily.HeaderClientID, e.ClientID)
	h.Set(alipayfamily.HeaderRequestTime, reqTime)
	return signing.Message(http.MethodPost, uri, body, e.ClientID, reqTime)
}

// FormatSignature writes the Signature header, URL-encoded unless
// RawSignature.
func (e *Envelope) FormatSignature(sig []byte) string {
	return signing.Header{Algorithm: alipayfamily.Algorithm, KeyVersion: e.KeyVersion, Signature: sig}.Format(!e.RawSignature)
}

// unixUnits maps the digit count of a Unix-time Request-Time to its unit:
// 13 digits are milliseconds (Alipay's official Java SDK sends
// System.currentTimeMillis), 19 nanoseconds (the official Go SDK sends
// time.Now().UnixNano()); 10 (seconds) and 16 (microseconds) are read too.
var unixUnits = map[int]time.Duration{10: time.Second, 13: time.Millisecond, 16: time.Microsecond, 19: time.Nanosecond}

// ParseRequestTime reads a Request-Time header: ISO 8601 with an offset
// (RFC 3339), as the family documents it, or, unless isoOnly, Unix time as
// 10, 13, 16 or 19 decimal digits, as Alipay's official SDKs send it. The
// signature covers the header as sent, whatever its form.
func ParseRequestTime(v string, isoOnly bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	unit, ok := unixUnits[len(v)]
	if isoOnly || !ok || !simulator.AllDigits(v) {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	per := int64(time.Second / unit)
	return time.Unix(n/per, (n%per)*int64(unit)), true
}

// FormatTime writes a body's time as the family does, "" for the zero
// time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(alipayfamily.TimeLayout)
}

// WireAmount is a as a fresh wire amount.
func WireAmount(a money.Amount) *alipayfamily.Amount {
	w := alipayfamily.WireAmount(a)
	return &w
}
