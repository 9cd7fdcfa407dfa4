package alipayplus

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// Errors of answer and notification verification. They are the causes of
// unknown outcomes (answers) or the notify handler's rejections
// (notifications).
var (
	// ErrUnsigned: a signature, Client-Id or time header is missing where
	// the protocol requires it.
	ErrUnsigned = errors.New("alipayplus: not signed")
	// ErrWrongClient: the Client-Id header names another client.
	ErrWrongClient = errors.New("alipayplus: Client-Id is not ours")
)

// envelope is the protocol's authentication (docs/providers/alipayplus.md,
// Signing): RSA-SHA256 over "POST <uri>\n<Client-Id>.<time>.<body>", the
// merchant key for requests, the wallet key for answers and notifications.
type envelope struct {
	cfg *settings
	raw bool // send the signature as raw base64
}

// Sign sets Client-Id, Request-Time and Signature for one attempt.
func (e *envelope) Sign(h http.Header, uri string, body []byte, now time.Time) error {
	ts := formatRequestTime(now, e.cfg.timeLayout)
	sig, err := signing.Sign(e.cfg.keys.merchant, signing.Message(http.MethodPost, uri, body, e.cfg.clientID, ts))
	if err != nil {
		return err
	}
	h.Set(wire.HeaderClientID, e.cfg.clientID)
	h.Set(wire.HeaderRequestTime, ts)
	h.Set(wire.HeaderSignature, signing.Header{Algorithm: wire.Algorithm, KeyVersion: e.cfg.keyVersion, Signature: sig}.Format(!e.raw))
	return nil
}

// Verify accepts an answer only when it carries our Client-Id and a
// Response-Time and its signature verifies with the wallet key over the
// request's URI.
//
// An unsigned answer is never accepted, whatever its result says. The
// official SDKs believe an unsigned F or U, but anyone between us and the
// wallet (a proxy, a captive portal, an attacker) can write one: an unsigned
// F taken as a definite failure would let the merchant charge the customer
// again for a payment the wallet may have taken. Such an answer therefore
// ends the call as an unknown outcome, which an inquiry settles. The error
// repeats the answer's status and code (never its message) so that support
// staff can see what the wallet, or whoever answered, claimed.
func (e *envelope) Verify(uri string, h http.Header, body []byte) error {
	if h.Get(wire.HeaderSignature) == "" {
		if id := h.Get(wire.HeaderClientID); id != "" && id != e.cfg.clientID {
			return ErrWrongClient
		}
		if claim := unsignedClaim(body); claim != "" {
			return fmt.Errorf("%w (the answer says %s)", ErrUnsigned, claim)
		}
		return ErrUnsigned
	}
	return e.verifySigned(uri, h.Get(wire.HeaderResponseTime), h, body)
}

// unsignedClaim returns "<status> <code>" of an unsigned answer's result,
// or "" when there is none. Only values in the protocol's alphabet are
// repeated: an unsigned body is anyone's text and must not carry arbitrary
// content into errors and logs.
func unsignedClaim(body []byte) string {
	var env struct {
		Result struct {
			ResultStatus string `json:"resultStatus"`
			ResultCode   string `json:"resultCode"`
		} `json:"result"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	status, code := env.Result.ResultStatus, env.Result.ResultCode
	switch status {
	case wire.StatusS, wire.StatusF, wire.StatusU, wire.StatusA:
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

// verifySigned checks the Client-Id and Signature headers over uri, the
// given time and body.
func (e *envelope) verifySigned(uri, ts string, h http.Header, body []byte) error {
	id, sigHeader := h.Get(wire.HeaderClientID), h.Get(wire.HeaderSignature)
	if sigHeader == "" || id == "" || ts == "" {
		return ErrUnsigned
	}
	if id != e.cfg.clientID {
		return ErrWrongClient
	}
	hdr, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return err
	}
	if !signing.AlgorithmOK(hdr.Algorithm) {
		return fmt.Errorf("%w: unsupported algorithm", signing.ErrMalformedHeader)
	}
	return signing.VerifyAny(e.cfg.keys.wallet, signing.Message(http.MethodPost, uri, body, id, ts), hdr.Signature)
}
