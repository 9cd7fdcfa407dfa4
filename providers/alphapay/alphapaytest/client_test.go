package alphapaytest

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// A small merchant client for the tests: it signs like the adapter would,
// from Credentials only, and checks every answer's signature.

// t0 is the fake clock's start: a Pacific time with a numeric offset.
var t0 = time.Date(2026, 11, 22, 10, 15, 30, 0, time.FixedZone("PST", -8*3600))

type testClient struct {
	t     testing.TB
	srv   *Server
	creds Credentials
	key   *rsa.PrivateKey
	apPub *rsa.PublicKey
	clock payment.Clock
	http  *http.Client
}

func newTestClient(t testing.TB, srv *Server, clk payment.Clock) *testClient {
	t.Helper()
	creds := srv.Credentials()
	key, err := signing.ParsePrivateKey(creds.MerchantPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signing.ParsePublicKey(creds.AlphaPayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &testClient{t: t, srv: srv, creds: creds, key: key, apPub: pub, clock: payment.OrSystem(clk), http: srv.Client()}
}

// newFakeServer starts a server on a fake clock and returns a client for it.
func newFakeServer(t testing.TB, opts ...Option) (*Server, *testClient, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	srv := NewServer(append([]Option{WithClock(clk)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, newTestClient(t, srv, clk), clk
}

// answer is a received answer.
type answer struct {
	status int
	header http.Header
	body   []byte
	result wire.Result
	signed bool // the signature verified
}

func (c *testClient) nonce() string {
	return newNonce()
}

// signedRequest builds a correctly signed request; edit may change it
// afterwards (to break it).
func (c *testClient) signedRequest(path string, body []byte) *http.Request {
	c.t.Helper()
	rt := c.clock.Now().Format(wire.TimeLayout)
	nonce := c.nonce()
	sig, err := signing.Sign(c.key, signing.Message("POST", path, body, c.creds.MerchantCode, rt, nonce))
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(wire.HeaderMerchantCode, c.creds.MerchantCode)
	req.Header.Set(wire.HeaderRequestTime, rt)
	req.Header.Set(wire.HeaderNonce, nonce)
	req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
	return req
}

// do sends req and reads the answer, verifying its signature over the
// request's path and Merchant-Code.
func (c *testClient) do(req *http.Request) (*answer, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	a := &answer{status: resp.StatusCode, header: resp.Header, body: body}
	var r struct {
		Result wire.Result `json:"result"`
	}
	if json.Unmarshal(body, &r) == nil {
		a.result = r.Result
	}
	a.signed = c.verifyAnswer(req, resp.Header, body) == nil
	return a, nil
}

func (c *testClient) verifyAnswer(req *http.Request, h http.Header, body []byte) error {
	sh, err := signing.ParseHeader(h.Get(wire.HeaderSignature))
	if err != nil {
		return err
	}
	msg := signing.Message("POST", req.URL.RequestURI(), body, req.Header.Get(wire.HeaderMerchantCode), h.Get(wire.HeaderResponseTime), h.Get(wire.HeaderNonce))
	return signing.Verify(c.apPub, msg, sh.Signature)
}

// post signs and sends a raw body; the answer must be a signed 200.
func (c *testClient) post(path string, body []byte) *answer {
	c.t.Helper()
	a, err := c.do(c.signedRequest(path, body))
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	if a.status != http.StatusOK || !a.signed {
		c.t.Fatalf("POST %s: status %d, signed %v, body %s", path, a.status, a.signed, a.body)
	}
	return a
}

// call marshals req, posts it and unmarshals the answer into resp.
func (c *testClient) call(path string, req, resp any) wire.Result {
	c.t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		c.t.Fatal(err)
	}
	a := c.post(path, body)
	if resp != nil {
		if err := json.Unmarshal(a.body, resp); err != nil {
			c.t.Fatalf("POST %s: answer does not unmarshal: %v\n%s", path, err, a.body)
		}
	}
	return a.result
}

func (c *testClient) pay(req *wire.PayRequest) (*wire.PayResponse, wire.Result) {
	c.t.Helper()
	var resp wire.PayResponse
	res := c.call(wire.PathPay, req, &resp)
	return &resp, res
}

func (c *testClient) inquiry(id string) *wire.PaymentState {
	c.t.Helper()
	var st wire.PaymentState
	c.call(wire.PathInquiry, wire.PaymentIDRequest{PaymentID: id}, &st)
	return &st
}

func (c *testClient) refund(paymentID, requestID, value string) (*wire.RefundResponse, wire.Result) {
	c.t.Helper()
	var resp wire.RefundResponse
	res := c.call(wire.PathRefund, wire.RefundRequest{
		PaymentID: paymentID, RefundRequestID: requestID,
		Refund: wire.RefundDetail{RefundAmount: wire.Amount{Value: value, Currency: "CAD"}},
	}, &resp)
	return &resp, res
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
	if got.ResultCode != code || got.ResultStatus != status {
		t.Fatalf("result = %+v, want %s/%s", got, code, status)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
