package alipayplustest

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// A small merchant client for the tests: it signs like the adapter would,
// from Credentials only, and checks every answer's signature. It is not the
// adapter and shares nothing with it.

// t0 is the fake clock's start: a Manila time with a numeric offset.
var t0 = time.Date(2026, 11, 22, 18, 15, 30, 0, time.FixedZone("PHT", 8*3600))

type testClient struct {
	*simtest.Client[wire.Result]
	t         testing.TB
	srv       *Server
	creds     Credentials
	key       *rsa.PrivateKey
	walletPub *rsa.PublicKey
	clock     payment.Clock
	raw       bool // send the request signature as raw base64
}

// answer is a received answer.
type answer = simtest.Answer[wire.Result]

func newTestClient(t testing.TB, srv *Server, clk payment.Clock) *testClient {
	t.Helper()
	creds := srv.Credentials()
	key, pub := simtest.ParseKeys(t, creds.MerchantPrivateKey, creds.WalletPublicKey)
	c := &testClient{t: t, srv: srv, creds: creds, key: key, walletPub: pub, clock: payment.OrSystem(clk)}
	c.Client = &simtest.Client[wire.Result]{T: t, HTTP: srv.Client(), BaseURL: creds.BaseURL, Prefix: creds.Prefix,
		Sign: func(req *http.Request, uri string, body []byte) {
			rt := c.clock.Now().Format(wire.TimeLayout)
			req.Header.Set(wire.HeaderClientID, c.creds.ClientID)
			req.Header.Set(wire.HeaderRequestTime, rt)
			req.Header.Set(wire.HeaderSignature, c.sign(c.key, uri, body, c.creds.ClientID, rt))
		},
		Verify: c.verifyAnswer}
	return c
}

// newFakeServer starts a server on a fake clock and returns a client for it.
func newFakeServer(t testing.TB, opts ...Option) (*Server, *testClient, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	srv := NewServer(append([]Option{WithClock(clk)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, newTestClient(t, srv, clk), clk
}

// sign returns the Signature header of body posted to uri.
func (c *testClient) sign(key *rsa.PrivateKey, uri string, body []byte, clientID, requestTime string) string {
	c.t.Helper()
	sig, err := signing.Sign(key, signing.Message("POST", uri, body, clientID, requestTime))
	if err != nil {
		c.t.Fatal(err)
	}
	return signing.Header{Algorithm: wire.Algorithm, KeyVersion: c.creds.KeyVersion, Signature: sig}.Format(!c.raw)
}

// resign signs req again with key over uri and body, keeping its
// Client-Id and Request-Time.
func (c *testClient) resign(req *http.Request, key *rsa.PrivateKey, uri string, body []byte) {
	c.t.Helper()
	req.Header.Set(wire.HeaderSignature, c.sign(key, uri, body, req.Header.Get(wire.HeaderClientID), req.Header.Get(wire.HeaderRequestTime)))
}

// verifyAnswer checks an answer as the wallets document a merchant does it: the
// wallet's key, over POST, the request's URI (prefix included), the
// answer's Client-Id and Response-Time and the body bytes.
func (c *testClient) verifyAnswer(req *http.Request, h http.Header, body []byte) error {
	sh, err := signing.ParseHeader(h.Get(wire.HeaderSignature))
	if err != nil {
		return err
	}
	if sh.KeyVersion != c.creds.KeyVersion || !signing.AlgorithmOK(sh.Algorithm) {
		return errors.New("unexpected keyVersion or algorithm")
	}
	msg := signing.Message("POST", req.URL.RequestURI(), body, h.Get(wire.HeaderClientID), h.Get(wire.HeaderResponseTime))
	return signing.Verify(c.walletPub, msg, sh.Signature)
}

func (c *testClient) pay(req *wire.PayRequest) (*wire.PayResponse, wire.Result) {
	c.t.Helper()
	return simtest.CallFor[wire.PayResponse](c.Client, wire.PathPay, req)
}

func (c *testClient) inquiry(ref wire.PaymentRef) (*wire.InquiryResponse, wire.Result) {
	c.t.Helper()
	return simtest.CallFor[wire.InquiryResponse](c.Client, wire.PathInquiry, ref)
}

func (c *testClient) status(paymentID string) string {
	c.t.Helper()
	resp, res := c.inquiry(wire.PaymentRef{PaymentID: paymentID})
	wantResult(c.t, res, wire.CodeSuccess, wire.StatusS)
	return resp.PaymentStatus
}

func (c *testClient) cancel(ref wire.PaymentRef) (*wire.CancelResponse, wire.Result) {
	c.t.Helper()
	return simtest.CallFor[wire.CancelResponse](c.Client, wire.PathCancel, ref)
}

func (c *testClient) refund(paymentID, refundRequestID, value, currency string) (*wire.RefundResponse, wire.Result) {
	c.t.Helper()
	return simtest.CallFor[wire.RefundResponse](c.Client, wire.PathRefund, wire.RefundRequest{
		RefundRequestID: refundRequestID, PaymentID: paymentID,
		RefundAmount: wire.Amount{Currency: currency, Value: value},
	})
}

// cashierPay returns a valid cashier pay request for 19.99 USD.
func cashierPay(id string) *wire.PayRequest {
	return &wire.PayRequest{
		ProductCode:      wire.ProductCodeOnlinePurchase,
		PaymentRequestID: id,
		PaymentAmount:    wire.Amount{Currency: "USD", Value: "1999"},
		Order: wire.Order{
			ReferenceOrderID: "ref-" + id,
			OrderDescription: "Coffee",
			OrderAmount:      &wire.Amount{Currency: "USD", Value: "1999"},
			Env:              &wire.Env{TerminalType: "MINI_APP", OSType: "ANDROID"},
		},
	}
}

// agreementPay returns a valid agreement pay request with authCode.
func agreementPay(id, authCode string) *wire.PayRequest {
	r := cashierPay(id)
	r.PaymentAuthCode = authCode
	return r
}

func payBody(id string) []byte {
	b, _ := json.Marshal(cashierPay(id))
	return b
}

// paid creates a 19.99 USD cashier payment and completes it.
func (c *testClient) paid(id string) string {
	c.t.Helper()
	resp, res := c.pay(cashierPay(id))
	wantResult(c.t, res, wire.CodeSuccess, wire.StatusS)
	if err := c.srv.Complete(resp.PaymentID); err != nil {
		c.t.Fatal(err)
	}
	return resp.PaymentID
}

func wantResult(t testing.TB, got wire.Result, code, status string) {
	t.Helper()
	simtest.WantResult(t, kitResult(got), code, status)
}

// kitResult is a wire result as the kit records it.
func kitResult(r wire.Result) payment.Result {
	return payment.Result{Status: payment.ResultStatus(r.ResultStatus), Code: r.ResultCode, Message: r.ResultMessage}
}
