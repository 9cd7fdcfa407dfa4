package simulator_test

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// toy is a small provider the kit's tests serve: three endpoints, requests
// and answers signed over the URI, the Client-Id and the Request-Time or
// Response-Time, notifications of paid payments.

const (
	toyClientID = "toy"
	pathPay     = "/pay"
	pathInquiry = "/inquiry"
	pathRefund  = "/refund"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 11, 22, 10, 15, 30, 0, time.UTC)

type toyResult struct {
	Status  string `json:"resultStatus"`
	Code    string `json:"resultCode"`
	Message string `json:"resultMessage,omitempty"`
}

type toyAmount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

type toyCard struct {
	Number string `json:"number,omitempty"`
	CVV    string `json:"cvv,omitempty"`
}

type toyRequest struct {
	PaymentRequestID string     `json:"paymentRequestId,omitempty"`
	PaymentID        string     `json:"paymentId,omitempty"`
	RefundRequestID  string     `json:"refundRequestId,omitempty"`
	Amount           *toyAmount `json:"amount,omitempty"`
	NotifyURL        string     `json:"notifyUrl,omitempty"`
	RedirectURL      string     `json:"redirectUrl,omitempty"`
	Description      string     `json:"description,omitempty"`
	Card             *toyCard   `json:"card,omitempty"`
}

type toyAnswer struct {
	Result    toyResult  `json:"result"`
	PaymentID string     `json:"paymentId,omitempty"`
	RefundID  string     `json:"refundId,omitempty"`
	Status    string     `json:"status,omitempty"`
	Amount    *toyAmount `json:"amount,omitempty"`
}

var toySchema = simulator.NewSchema(toyRequest{})

// toyServer is the provider: the kit's server with the toy protocol.
type toyServer struct {
	*simulator.Server
	ledger *simulator.Ledger
	clock  payment.Clock
	sched  simulator.Schedule
}

type toyProtocol toyServer

func newToy(t testing.TB, edit func(*simulator.Config)) (*toyServer, *clock.Fake) {
	t.Helper()
	srv, clk := newUnstartedToy(edit)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, clk
}

func newUnstartedToy(edit func(*simulator.Config)) (*toyServer, *clock.Fake) {
	clk := clock.NewFake(t0)
	s := &toyServer{clock: clk, sched: simulator.Schedule{Waits: []time.Duration{0, 0}, Every: 30 * time.Minute, Until: 2 * time.Hour}}
	s.ledger = simulator.NewLedger(simulator.LedgerConfig{Name: "toy", Clock: clk, DeclineReason: "declined", Settled: func(p *simulator.Payment) {
		if p.Status == payment.StatusSucceeded && p.NotifyURL != "" {
			s.Notify(simulator.Notification{Kind: simulator.KindPayment, ID: p.ID, RequestID: p.RequestID, URL: p.NotifyURL, Body: s.state(p), Schedule: s.sched})
		}
	}})
	cfg := simulator.Config{
		Name: "toy", Protocol: (*toyProtocol)(s), Ledger: s.ledger, Clock: clk,
		Cashier:           toyCashier(s),
		RequestTimeHeader: "Request-Time",
	}
	if edit != nil {
		edit(&cfg)
	}
	s.Server = simulator.NewUnstartedServer(cfg)
	return s, clk
}

func toyCashier(s *toyServer) *simulator.Cashier {
	return &simulator.Cashier{
		Title: "Toy cashier", StatusLabel: "Toy status", Who: "Toy", Pages: []string{"/pay/", "/qr/"},
		MaxURL: 2048, Schedule: s.sched, WireStatus: func(p *simulator.Payment) string { return "TOY_" + string(p.Status) },
	}
}

func (s *toyServer) state(p *simulator.Payment) []byte {
	b, _ := json.Marshal(toyAnswer{PaymentID: p.ID, Status: string(p.Status), Amount: &toyAmount{p.Amount.MinorString(), p.Amount.Currency().Code()}})
	return b
}

func (p *toyProtocol) Route(r *http.Request) (string, bool) {
	switch r.URL.Path {
	case pathPay, pathInquiry, pathRefund:
		return r.URL.Path, r.Method == http.MethodPost
	}
	return "", false
}

func (p *toyProtocol) RequestID(_ string, body []byte) string {
	return simulator.JSONField(body, "refundRequestId", "paymentRequestId")
}

func (p *toyProtocol) Redact(_ string, body []byte) []byte {
	return simulator.RedactJSON(body, "card.number", "card.cvv")
}

func result(status payment.ResultStatus, code, msg string) payment.Result {
	return payment.Result{Status: status, Code: code, Message: msg}
}

func refusal(code, msg string) *payment.Result {
	r := result(payment.ResultFailed, code, msg)
	return &r
}

func (p *toyProtocol) Verify(in *simulator.Incoming) *payment.Result {
	h := in.Request.Header
	if in.TooLarge {
		return refusal("TOO_LARGE", "request body is too large")
	}
	id, ok := simulator.SingleHeader(h, "Client-Id")
	if !ok || id != toyClientID {
		return refusal("INVALID_CLIENT", "unknown Client-Id")
	}
	sh, err := signing.ParseHeader(h.Get("Signature"))
	if err != nil {
		return refusal("INVALID_SIGNATURE", "Signature header is malformed")
	}
	pub, ok := (*toyServer)(p).MerchantKey(sh.KeyVersion)
	if !ok {
		return refusal("KEY_NOT_FOUND", "no key with this keyVersion")
	}
	if signing.Verify(pub, signing.Message(http.MethodPost, in.Request.URL.RequestURI(), in.Body, id, h.Get("Request-Time")), sh.Signature) != nil {
		return refusal("INVALID_SIGNATURE", "signature does not verify")
	}
	if !simulator.CheckContentType(h) {
		return refusal("BAD_CONTENT_TYPE", "Content-Type must be JSON")
	}
	return nil
}

func (p *toyProtocol) Process(in *simulator.Incoming) (any, payment.Result) {
	if err := toySchema.CheckJSON(in.Body); err != nil {
		return nil, result(payment.ResultFailed, "PARAM_ILLEGAL", err.Error())
	}
	var req toyRequest
	if err := json.Unmarshal(in.Body, &req); err != nil {
		return nil, result(payment.ResultFailed, "PARAM_ILLEGAL", "body does not fit")
	}
	l := p.ledger
	l.Lock()
	defer l.Unlock()
	ok := result(payment.ResultSucceeded, "SUCCESS", "success")
	answer := func(pay *simulator.Payment, res payment.Result) (any, payment.Result) {
		return &toyAnswer{Result: toyResult{string(res.Status), res.Code, res.Message}, PaymentID: pay.ID, Status: string(pay.Status),
			Amount: &toyAmount{pay.Amount.MinorString(), pay.Amount.Currency().Code()}}, res
	}
	switch in.Path {
	case pathPay:
		if req.Amount == nil {
			return nil, result(payment.ResultFailed, "PARAM_ILLEGAL", "amount is required")
		}
		amt, bad := simulator.CheckAmount(req.Amount.Value, req.Amount.Currency, "amount", 12, func(string) bool { return true })
		if bad != nil {
			return nil, result(payment.ResultFailed, "PARAM_ILLEGAL", bad.Msg)
		}
		if pay := l.ByRequestIDLocked(req.PaymentRequestID); pay != nil {
			return answer(pay, result(payment.ResultSucceeded, "REPEAT_REQUEST", "repeat"))
		}
		now := p.clock.Now()
		pay := &simulator.Payment{RequestID: req.PaymentRequestID, Amount: amt, Description: req.Description, NotifyURL: req.NotifyURL,
			RedirectURL: req.RedirectURL, Base: in.BaseURL, Created: now, Expires: now.Add(15 * time.Minute)}
		l.AddLocked(pay)
		return answer(pay, result(payment.ResultAccepted, "ACCEPT", "accept"))
	case pathInquiry:
		pay := l.PaymentLocked(req.PaymentID)
		if pay == nil {
			return nil, result(payment.ResultFailed, "ORDER_NOT_EXIST", "no such payment")
		}
		return answer(pay, ok)
	case pathRefund:
		pay := l.PaymentLocked(req.PaymentID)
		if pay == nil || !pay.IsPaid() || req.Amount == nil {
			return nil, result(payment.ResultFailed, "ORDER_STATUS_INVALID", "not refundable")
		}
		if r := l.RefundByRequestIDLocked(req.RefundRequestID); r != nil {
			return &toyAnswer{Result: toyResult{"S", "SUCCESS", "success"}, RefundID: r.ID, Amount: &toyAmount{r.Amount.MinorString(), r.Amount.Currency().Code()}}, ok
		}
		amt, bad := simulator.CheckAmount(req.Amount.Value, req.Amount.Currency, "amount", 12, func(c string) bool { return c == pay.Amount.Currency().Code() })
		if bad != nil {
			return nil, result(payment.ResultFailed, "PARAM_ILLEGAL", bad.Msg)
		}
		r := &simulator.Refund{RequestID: req.RefundRequestID, Amount: amt}
		if l.AddRefundLocked(pay, r) != nil {
			return nil, result(payment.ResultFailed, "REFUND_AMOUNT_EXCEED", "too much")
		}
		return &toyAnswer{Result: toyResult{"S", "SUCCESS", "success"}, RefundID: r.ID, Amount: &toyAmount{amt.MinorString(), amt.Currency().Code()}}, ok
	}
	return nil, result(payment.ResultFailed, "INVALID_API", "no such API")
}

func (p *toyProtocol) ResultOnly(r payment.Result) any {
	return &toyAnswer{Result: toyResult{string(r.Status), r.Code, r.Message}}
}

func (p *toyProtocol) Alter(answer any, f simulator.Fault) {
	if a, ok := answer.(*toyAnswer); ok && f.ChangeAmount && a.Amount != nil {
		c := *a.Amount
		c.Value = simulator.BumpMinor(c.Value)
		a.Amount = &c
	}
}

func (p *toyProtocol) AnswerHeaders(h http.Header, in *simulator.Incoming, payload []byte, _ payment.Result) ([]byte, bool) {
	rt := p.clock.Now().Format(time.RFC3339)
	h.Set("Response-Time", rt)
	return signing.Message(http.MethodPost, in.Request.URL.RequestURI(), payload, toyClientID, rt), true
}

func (p *toyProtocol) NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte {
	rt := now.Format(time.RFC3339)
	h.Set("Client-Id", toyClientID)
	h.Set("Request-Time", rt)
	return signing.Message(http.MethodPost, uri, body, toyClientID, rt)
}

func (p *toyProtocol) FormatSignature(sig []byte) string {
	return signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true)
}

// A toy client: it signs with the merchant's key and checks every answer's
// signature with the provider's.

type toyClient struct {
	*simtest.Client[toyAnswer]
	t        testing.TB
	srv      *toyServer
	key      *rsa.PrivateKey
	provider *rsa.PublicKey
}

// toyReply is a received answer, decoded whole.
type toyReply = simtest.Answer[toyAnswer]

func newToyClient(t testing.TB, srv *toyServer) *toyClient {
	t.Helper()
	k := srv.KeyPEMs()
	key, pub := simtest.ParseKeys(t, k.MerchantPrivate, k.ProviderPublic)
	c := &toyClient{t: t, srv: srv, key: key, provider: pub}
	c.Client = &simtest.Client[toyAnswer]{T: t, HTTP: srv.Client(), BaseURL: srv.URL, Sign: c.sign, Verify: c.verify,
		Decode: func(body []byte) (a toyAnswer) { _ = json.Unmarshal(body, &a); return a }}
	return c
}

// toyFixture starts a toy server on a fake clock and a client for it.
func toyFixture(t testing.TB, edit func(*simulator.Config)) (*toyServer, *toyClient, *clock.Fake) {
	t.Helper()
	srv, clk := newToy(t, edit)
	return srv, newToyClient(t, srv), clk
}

func (c *toyClient) sign(req *http.Request, uri string, body []byte) {
	c.t.Helper()
	rt := c.srv.clock.Now().Format(time.RFC3339)
	sig, err := signing.Sign(c.key, signing.Message(http.MethodPost, uri, body, toyClientID, rt))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Client-Id", toyClientID)
	req.Header.Set("Request-Time", rt)
	req.Header.Set("Signature", signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true))
}

func (c *toyClient) verify(req *http.Request, h http.Header, body []byte) error {
	sh, err := signing.ParseHeader(h.Get("Signature"))
	if err != nil {
		return err
	}
	msg := signing.Message(http.MethodPost, req.URL.RequestURI(), body, toyClientID, h.Get("Response-Time"))
	return signing.Verify(c.provider, msg, sh.Signature)
}

// request builds a signed request of body, JSON or raw bytes.
func (c *toyClient) request(path string, body any) *http.Request {
	c.t.Helper()
	return c.SignedRequest(path, simtest.Marshal(c.t, body))
}

// post sends a request whose answer must be a signed 200.
func (c *toyClient) post(path string, body any) *toyReply {
	c.t.Helper()
	return c.Post(path, simtest.Marshal(c.t, body))
}

func payReq(id, value string) toyRequest {
	return toyRequest{PaymentRequestID: id, Amount: &toyAmount{value, "USD"}, Description: "Coffee"}
}

// pay creates a payment and returns its ID.
func (c *toyClient) pay(id string) string {
	c.t.Helper()
	r := c.post(pathPay, payReq(id, "1999"))
	if r.Result.PaymentID == "" {
		c.t.Fatalf("pay %s: %s", id, r.Body)
	}
	return r.Result.PaymentID
}

// paid creates a payment and completes it.
func (c *toyClient) paid(id string) string {
	c.t.Helper()
	pid := c.pay(id)
	if err := c.srv.Complete(pid); err != nil {
		c.t.Fatal(err)
	}
	return pid
}

func wantCode(t testing.TB, r *toyReply, code string) {
	t.Helper()
	if r.Result.Result.Code != code {
		t.Fatalf("result %+v, want %s", r.Result.Result, code)
	}
}

// usd is an amount in USD, written as money.MustParse reads it.
func usd(s string) money.Amount { return money.MustParse(s + " USD") }
