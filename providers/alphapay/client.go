package alphapay

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// Client is the AlphaPay v2 adapter: a payment.Provider whose calls go
// through paybridge's engine (validation, retries, the outcome table,
// cross-checks), and a notification source for package notify. It is safe
// for concurrent use; create one per merchant and reuse it, so that
// connections are reused.
type Client struct {
	*engine.Provider
	d *driver
}

var _ payment.Provider = (*Client)(nil)

// New checks cfg, parses the keys (or checks the Signer's) and returns a
// Client. Errors wrap ErrInvalidConfig and name the field; they never
// contain key material.
func New(cfg Config) (*Client, error) {
	k, cur, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	d := &driver{
		merchantCode: cfg.MerchantCode,
		keys:         k,
		caps:         capabilities(cur),
		newNonce:     randomNonce,
	}
	p, err := engine.New(d, engine.Config{
		BaseURL:    cfg.BaseURL,
		HTTPClient: cfg.HTTPClient,
		Retry:      cfg.Retry,
		Clock:      cfg.Clock,
		Logger:     cfg.Logger,
		Observer:   cfg.Observer,
		Journal:    cfg.Journal,
	})
	if err != nil {
		return nil, &ConfigError{"BaseURL", err}
	}
	return &Client{Provider: p, d: d}, nil
}

func capabilities(cur money.Currency) payment.Capabilities {
	online := []payment.Scenario{
		payment.ScenarioQRCode, payment.ScenarioWeb, payment.ScenarioJSAPI, payment.ScenarioNativeJSAPI,
		payment.ScenarioH5, payment.ScenarioApp, payment.ScenarioMiniProgram,
	}
	return payment.Capabilities{
		Scenarios: append(append([]payment.Scenario{}, online...),
			payment.ScenarioCreditCard, payment.ScenarioInStoreQR, payment.ScenarioInStoreScan),
		Methods:        []payment.Method{payment.MethodAlipay, payment.MethodWeChatPay, payment.MethodUnionPay},
		MethodRequired: online,
		ScenarioMethods: map[payment.Scenario][]payment.Method{
			payment.ScenarioWeb:         {payment.MethodAlipay, payment.MethodUnionPay},
			payment.ScenarioCreditCard:  {},
			payment.ScenarioInStoreQR:   {},
			payment.ScenarioInStoreScan: {},
		},
		Currencies:          []money.Currency{cur, money.CNY},
		MaxAmountDigits:     7,
		MaxDescription:      128,
		Cancel:              true,
		Refund:              true,
		PartialRefund:       true,
		InquiryShowsRefunds: true,
		Notifications:       true,
	}
}

// randomNonce returns 32 lower-case hex characters, like the official SDK's
// dash-less UUID.
func randomNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// ErrUnsigned is the cause of an unknown outcome whose answer carried no
// signature, and the notify handler's rejection of an unsigned
// notification.
var ErrUnsigned = errors.New("alphapay: answer is not signed")

// envelope is AlphaPay's signature scheme: the merchant signs requests with
// Merchant-Code, Request-Time and Nonce; AlphaPay signs answers with
// Response-Time and Nonce over the request's path and merchant code.
type envelope struct{ d *driver }

// Sign sets Merchant-Code, Request-Time, Nonce and Signature for one
// attempt.
func (e envelope) Sign(h http.Header, uri string, body []byte, now time.Time) error {
	d := e.d
	nonce, err := d.newNonce()
	if err != nil {
		return err
	}
	ts := now.Format(wire.TimeLayout)
	sig, err := signing.Sign(d.keys.merchant, signing.Message(http.MethodPost, uri, body, d.merchantCode, ts, nonce))
	if err != nil {
		return err
	}
	h.Set(wire.HeaderMerchantCode, d.merchantCode)
	h.Set(wire.HeaderRequestTime, ts)
	h.Set(wire.HeaderNonce, nonce)
	h.Set(wire.HeaderSignature, signing.Header{Algorithm: wire.Algorithm, KeyVersion: d.keys.version, Signature: sig}.Format(true))
	return nil
}

// Verify checks an answer's signature with AlphaPay's public key.
func (e envelope) Verify(uri string, h http.Header, body []byte) error {
	return verifySigned(e.d.keys, e.d.merchantCode, uri, h, body)
}

func verifySigned(k keys, merchantCode, uri string, h http.Header, body []byte) error {
	sigHeader, ts, nonce := h.Get(wire.HeaderSignature), h.Get(wire.HeaderResponseTime), h.Get(wire.HeaderNonce)
	if ts == "" {
		ts = h.Get(wire.HeaderRequestTime) // notifications carry Request-Time
	}
	if sigHeader == "" || ts == "" || nonce == "" {
		return ErrUnsigned
	}
	hdr, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return err
	}
	if !signing.AlgorithmOK(hdr.Algorithm) {
		return fmt.Errorf("%w: unsupported algorithm", signing.ErrMalformedHeader)
	}
	return signing.VerifyAny(k.alphapay, signing.Message(http.MethodPost, uri, body, merchantCode, ts, nonce), hdr.Signature)
}
