package alphapaytest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// protocol is the Server as the kit sees it: AlphaPay's wire format.
type protocol Server

// Request-Time window and nonce memory.
const (
	timeWindow  = 5 * time.Minute
	nonceMemory = 10 * time.Minute
	maxNonceLen = 64
)

var apiPaths = map[string]bool{
	wire.PathPay:           true,
	wire.PathInquiry:       true,
	wire.PathCancel:        true,
	wire.PathRefund:        true,
	wire.PathInquiryRefund: true,
	wire.PathTransactions:  true,
}

// Route takes POSTs to the six endpoints; anything else is the cashier's
// or 404.
func (p *protocol) Route(r *http.Request) (string, bool) {
	return r.URL.Path, apiPaths[r.URL.Path] && r.Method == http.MethodPost
}

func (p *protocol) RequestID(_ string, body []byte) string {
	return simulator.JSONField(body, "refundRequestId", "paymentRequestId")
}

// Redact keeps no card details in the request log: card.info goes as a
// whole (number, expiry, CVV, holder and address).
func (p *protocol) Redact(path string, body []byte) []byte {
	if path != wire.PathPay {
		return body
	}
	return simulator.RedactJSON(body, "card.info")
}

func ok(code, msg string) wire.Result {
	return wire.Result{ResultCode: code, ResultMessage: msg, ResultStatus: wire.StatusS}
}

func fail(code, msg string) wire.Result {
	return wire.Result{ResultCode: code, ResultMessage: msg, ResultStatus: wire.StatusF}
}

// neutral is a wire result as the kit records it.
func neutral(r wire.Result) payment.Result {
	return payment.Result{Status: payment.ResultStatus(r.ResultStatus), Code: r.ResultCode, Message: r.ResultMessage}
}

// resultOnly is the body of answers that carry nothing but a result.
type resultOnly struct {
	Result wire.Result `json:"result"`
}

func (p *protocol) ResultOnly(r payment.Result) any {
	return &resultOnly{Result: wire.Result{ResultCode: r.Code, ResultMessage: r.Message, ResultStatus: string(r.Status)}}
}

func (p *protocol) Verify(in *simulator.Incoming) *payment.Result {
	if in.TooLarge {
		res := neutral(fail(wire.CodeParamInvalid, "request body is too large"))
		return &res
	}
	if bad := (*Server)(p).verify(in.Request, in.Body); bad != nil {
		res := neutral(*bad)
		return &res
	}
	return nil
}

func (p *protocol) Process(in *simulator.Incoming) (any, payment.Result) {
	resp, res := (*Server)(p).process(in.Path, in.BaseURL, in.Body)
	return resp, neutral(res)
}

func (p *protocol) Alter(answer any, f simulator.Fault) {
	if f.ChangeAmount {
		changeAmount(answer)
	}
}

// AnswerHeaders signs an answer with AlphaPay's key over the request's
// URI, Merchant-Code and the answer's Response-Time and Nonce.
func (p *protocol) AnswerHeaders(h http.Header, in *simulator.Incoming, payload []byte, _ payment.Result) ([]byte, bool) {
	respTime := p.clock.Now().Format(wire.TimeLayout)
	nonce := newNonce()
	h.Set(wire.HeaderResponseTime, respTime)
	h.Set(wire.HeaderNonce, nonce)
	merchant := in.Request.Header.Get(wire.HeaderMerchantCode)
	return signing.Message(http.MethodPost, in.Request.URL.RequestURI(), payload, merchant, respTime, nonce), true
}

// NotificationHeaders signs a notification like a request, by AlphaPay's
// key (spec §7).
func (p *protocol) NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte {
	reqTime := now.Format(wire.TimeLayout)
	nonce := newNonce()
	h.Set(wire.HeaderMerchantCode, p.cfg.merchantCode)
	h.Set(wire.HeaderRequestTime, reqTime)
	h.Set(wire.HeaderNonce, nonce)
	return signing.Message(http.MethodPost, uri, body, p.cfg.merchantCode, reqTime, nonce)
}

func (p *protocol) FormatSignature(sig []byte) string {
	return signing.Header{Algorithm: wire.Algorithm, KeyVersion: "1", Signature: sig}.Format(true)
}

// verify checks the request's headers and signature in the order the real
// server is known to and returns the failure, or nil.
func (s *Server) verify(r *http.Request, body []byte) *wire.Result {
	bad := func(code, msg string) *wire.Result { res := fail(code, msg); return &res }
	merchant, ok := simulator.SingleHeader(r.Header, wire.HeaderMerchantCode)
	if !ok {
		return bad(wire.CodeInvalidMerchantCode, "Merchant-Code header is missing")
	}
	if merchant != s.cfg.merchantCode {
		return bad(wire.CodeInvalidMerchantCode, "unknown merchant code")
	}
	rt, ok := simulator.SingleHeader(r.Header, wire.HeaderRequestTime)
	if !ok {
		return bad(wire.CodeSignTimeout, "Request-Time header is missing")
	}
	t, err := time.Parse(time.RFC3339, rt)
	if err != nil {
		return bad(wire.CodeSignTimeout, "Request-Time is not an RFC 3339 time")
	}
	if d := s.clock.Now().Sub(t); d > timeWindow || d < -timeWindow {
		return bad(wire.CodeSignTimeout, "Request-Time is more than 5 minutes from the server time")
	}
	nonce, ok := simulator.SingleHeader(r.Header, wire.HeaderNonce)
	if !ok {
		return bad(wire.CodeParamInvalid, "Nonce header is missing")
	}
	if len(nonce) > maxNonceLen || !simulator.PrintableASCII(nonce) {
		return bad(wire.CodeParamInvalid, "Nonce header is invalid")
	}
	sigHeader, ok := simulator.SingleHeader(r.Header, wire.HeaderSignature)
	if !ok {
		// [ours]: AlphaPay documents INVALID_SIGN for a bad signature; for a
		// missing one it documents nothing.
		return bad(wire.CodeInvalidSign, "Signature header is missing")
	}
	h, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return bad(wire.CodeInvalidSign, "Signature header is malformed")
	}
	if !strings.EqualFold(h.Algorithm, wire.Algorithm) {
		return bad(wire.CodeInvalidSign, "Signature algorithm must be RS256")
	}
	pub, ok := s.MerchantKey(h.KeyVersion)
	if !ok {
		// [ours]: AlphaPay documents no code for a keyVersion it does not
		// know.
		return bad(wire.CodeInvalidSign, "no merchant key with this keyVersion")
	}
	msg := signing.Message(http.MethodPost, r.URL.RequestURI(), body, merchant, rt, nonce)
	if err := signing.Verify(pub, msg, h.Signature); err != nil {
		return bad(wire.CodeInvalidSign, "signature does not verify")
	}
	if !s.nonces.use(merchant+"\x00"+nonce, s.clock.Now()) {
		return bad(wire.CodeInvalidSign, "nonce already used")
	}
	if !simulator.CheckContentType(r.Header) {
		return bad(wire.CodeParamInvalid, "Content-Type must be application/json; charset=UTF-8")
	}
	return nil
}

// nonces remembers the nonces of verified requests for nonceMemory.
type nonces struct {
	mu      sync.Mutex
	at      map[string]time.Time
	inserts int
}

// use records key and reports whether it was new within the nonce memory.
func (n *nonces) use(key string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if at, seen := n.at[key]; seen && now.Sub(at) < nonceMemory {
		return false
	}
	if n.at == nil {
		n.at = map[string]time.Time{}
	}
	n.at[key] = now
	n.inserts++
	if n.inserts%256 == 0 {
		for k, at := range n.at {
			if now.Sub(at) >= nonceMemory {
				delete(n.at, k)
			}
		}
	}
	return true
}

// len returns how many nonces are remembered.
func (n *nonces) len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.at)
}

// process decodes and executes a verified request.
func (s *Server) process(path, base string, body []byte) (any, wire.Result) {
	switch path {
	case wire.PathPay:
		var req wire.PayRequest
		if res := decode(body, &req); res != nil {
			return nil, *res
		}
		if res := amountIsString(body, "order", "orderAmount"); res != nil {
			return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID, Result: *res}, *res
		}
		resp := s.pay(&req, base)
		return resp, resp.Result
	case wire.PathInquiry:
		var req wire.PaymentIDRequest
		if res := decode(body, &req); res != nil {
			return nil, *res
		}
		resp := s.inquiry(req.PaymentID)
		return resp, *resp.Result
	case wire.PathCancel:
		var req wire.PaymentIDRequest
		if res := decode(body, &req); res != nil {
			return nil, *res
		}
		resp := s.cancelOrder(req.PaymentID)
		return resp, resp.Result
	case wire.PathRefund:
		var req wire.RefundRequest
		if res := decode(body, &req); res != nil {
			return nil, *res
		}
		if res := amountIsString(body, "refund", "refundAmount"); res != nil {
			return &wire.RefundResponse{PaymentID: req.PaymentID, RefundRequestID: req.RefundRequestID, Result: *res}, *res
		}
		resp := s.refund(&req)
		return resp, resp.Result
	case wire.PathInquiryRefund:
		var req wire.InquiryRefundRequest
		if res := decode(body, &req); res != nil {
			return nil, *res
		}
		resp := s.inquiryRefund(&req)
		return resp, *resp.Result
	case wire.PathTransactions:
		var req wire.TransactionsRequest
		if res := decode(body, &req); res != nil {
			return nil, *res
		}
		resp := s.transactions(&req)
		return resp, resp.Result
	}
	return nil, fail(wire.CodeParamInvalid, "unknown endpoint")
}

// changeAmount raises the answer's order or refund amount by one minor unit.
func changeAmount(resp any) {
	bump := func(a *wire.Amount) { a.Value = simulator.BumpMinor(a.Value) }
	switch v := resp.(type) {
	case *wire.PayResponse:
		if v.Order != nil {
			o := *v.Order
			bump(&o.OrderAmount)
			v.Order = &o
		}
	case *wire.PaymentState:
		if v.Order != nil {
			o := *v.Order
			bump(&o.OrderAmount)
			v.Order = &o
		}
	case *wire.RefundResponse:
		if v.Refund != nil {
			d := *v.Refund
			bump(&d.RefundAmount)
			v.Refund = &d
		}
	case *wire.RefundState:
		if v.Refund != nil {
			d := *v.Refund
			bump(&d.RefundAmount)
			v.Refund = &d
		}
	case *wire.TransactionsResponse:
		if len(v.Transactions) > 0 {
			v.Transactions[0].Amount = wire.Decimal(simulator.BumpMinor(string(v.Transactions[0].Amount)))
		}
	}
}

// newNonce returns 32 lower-case hex characters.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// schema is the field names of the request bodies.
var schema = simulator.NewSchema(wire.PayRequest{}, wire.PaymentIDRequest{}, wire.RefundRequest{}, wire.InquiryRefundRequest{}, wire.TransactionsRequest{})

// decode checks body with the kit's strict JSON rules and unmarshals it
// into v, answering PARAM_INVALID with the offending field's name (never
// its value).
func decode(body []byte, v any) *wire.Result {
	if err := schema.CheckJSON(body); err != nil {
		res := fail(wire.CodeParamInvalid, "invalid JSON body: "+err.Error())
		return &res
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		msg := "invalid JSON body: a field has an invalid value"
		if errors.As(err, &te) && te.Field != "" {
			msg = "invalid JSON body: field " + te.Field + " has the wrong type"
		}
		res := fail(wire.CodeParamInvalid, msg)
		return &res
	}
	return nil
}

// amountIsString insists that an amount's value is a JSON string, as the
// documentation shows it; wire.Amount itself also accepts numbers so the
// adapter is tolerant of answers.
func amountIsString(body []byte, outer, inner string) *wire.Result {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	var mid map[string]json.RawMessage
	if json.Unmarshal(raw[outer], &mid) != nil {
		return nil
	}
	var amt map[string]json.RawMessage
	if json.Unmarshal(mid[inner], &amt) != nil {
		return nil
	}
	v := bytes.TrimSpace(amt["value"])
	if len(v) == 0 || v[0] == '"' || string(v) == "null" {
		return nil
	}
	res := fail(wire.CodeParamInvalid, outer+"."+inner+".value must be a string of digits")
	return &res
}
