package alphapaytest

import (
	"crypto/rsa"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// A small merchant client for the tests: it signs like the adapter would,
// from Credentials only, and checks every answer's signature.

// t0 is the fake clock's start: a Pacific time with a numeric offset.
var t0 = time.Date(2026, 11, 22, 10, 15, 30, 0, time.FixedZone("PST", -8*3600))

type testClient struct {
	*simtest.Client[wire.Result]
	t     testing.TB
	srv   *Server
	creds Credentials
	key   *rsa.PrivateKey
	apPub *rsa.PublicKey
	clock payment.Clock
}

func newTestClient(t testing.TB, srv *Server, clk payment.Clock) *testClient {
	t.Helper()
	creds := srv.Credentials()
	key, pub := simtest.ParseKeys(t, creds.MerchantPrivateKey, creds.AlphaPayPublicKey)
	c := &testClient{t: t, srv: srv, creds: creds, key: key, apPub: pub, clock: payment.OrSystem(clk)}
	c.Client = &simtest.Client[wire.Result]{T: t, HTTP: srv.Client(), BaseURL: srv.URL, Sign: c.sign, Verify: c.verifyAnswer}
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

// sign sets the headers of a correctly signed request.
func (c *testClient) sign(req *http.Request, uri string, body []byte) {
	c.t.Helper()
	rt := c.clock.Now().Format(wire.TimeLayout)
	nonce := newNonce()
	sig, err := signing.Sign(c.key, signing.Message("POST", uri, body, c.creds.MerchantCode, rt, nonce))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set(wire.HeaderMerchantCode, c.creds.MerchantCode)
	req.Header.Set(wire.HeaderRequestTime, rt)
	req.Header.Set(wire.HeaderNonce, nonce)
	req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
}

// verifyAnswer verifies an answer's signature over the request's path and
// Merchant-Code.
func (c *testClient) verifyAnswer(req *http.Request, h http.Header, body []byte) error {
	sh, err := signing.ParseHeader(h.Get(wire.HeaderSignature))
	if err != nil {
		return err
	}
	msg := signing.Message("POST", req.URL.RequestURI(), body, req.Header.Get(wire.HeaderMerchantCode), h.Get(wire.HeaderResponseTime), h.Get(wire.HeaderNonce))
	return signing.Verify(c.apPub, msg, sh.Signature)
}

func (c *testClient) pay(req *wire.PayRequest) (*wire.PayResponse, wire.Result) {
	c.t.Helper()
	return simtest.CallFor[wire.PayResponse](c.Client, wire.PathPay, req)
}

func (c *testClient) inquiry(id string) *wire.PaymentState {
	c.t.Helper()
	var st wire.PaymentState
	c.Call(wire.PathInquiry, wire.PaymentIDRequest{PaymentID: id}, &st)
	return &st
}

func (c *testClient) refund(paymentID, requestID, value string) (*wire.RefundResponse, wire.Result) {
	c.t.Helper()
	return simtest.CallFor[wire.RefundResponse](c.Client, wire.PathRefund, wire.RefundRequest{
		PaymentID: paymentID, RefundRequestID: requestID,
		Refund: wire.RefundDetail{RefundAmount: wire.Amount{Value: value, Currency: "CAD"}},
	})
}

// qrPay returns a valid ONLINE_QRCODE pay request for 19.99 CAD.
func qrPay(id string) *wire.PayRequest {
	return &wire.PayRequest{
		ScenarioCode:     wire.ScenarioOnlineQRCode,
		PaymentRequestID: id,
		Order:            wire.Order{OrderAmount: wire.Amount{Value: "1999", Currency: "CAD"}, Description: "Coffee"},
		PaymentMethod:    &wire.PaymentMethod{PaymentMethodType: wire.MethodAlipay},
	}
}

// rememberCard pays with a card remembered for customer and returns its
// cardId.
func (c *testClient) rememberCard(id, customer string) string {
	c.t.Helper()
	resp, res := c.pay(&wire.PayRequest{ScenarioCode: wire.ScenarioCreditCard, PaymentRequestID: id,
		Order: wire.Order{OrderAmount: wire.Amount{Value: "100", Currency: "CAD"}, Description: "Card"},
		Card:  &wire.Card{Info: testCardInfo(), Remember: true, CustomerID: customer, Email: "a@example.com"}})
	if res.ResultCode != wire.CodePaymentInProcess || resp.Card == nil || resp.Card.CardID == "" {
		c.t.Fatalf("pay remembering a card: %+v, %+v", res, resp.Card)
	}
	return resp.Card.CardID
}

// paid creates a 19.99 CAD payment and completes it.
func (c *testClient) paid(id string) string {
	c.t.Helper()
	resp, res := c.pay(qrPay(id))
	if res.ResultCode != wire.CodePaymentInProcess {
		c.t.Fatalf("pay %s: %+v", id, res)
	}
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
