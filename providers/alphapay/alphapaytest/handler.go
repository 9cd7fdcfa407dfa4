package alphapaytest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// maxBody caps a request body. AlphaPay bodies are a few hundred bytes.
const maxBody = 256 << 10

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

func (s *Server) newHandler() http.Handler {
	cashier := s.cashierMux()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if apiPaths[r.URL.Path] {
			if r.Method != http.MethodPost {
				http.NotFound(w, r)
				return
			}
			s.serveAPI(w, r)
			return
		}
		cashier.ServeHTTP(w, r)
	})
}

func ok(code, msg string) wire.Result {
	return wire.Result{ResultCode: code, ResultMessage: msg, ResultStatus: wire.StatusS}
}

func fail(code, msg string) wire.Result {
	return wire.Result{ResultCode: code, ResultMessage: msg, ResultStatus: wire.StatusF}
}

// resultOnly is the body of answers that carry nothing but a result.
type resultOnly struct {
	Result wire.Result `json:"result"`
}

// serveAPI handles one request to an endpoint: record, scripted faults,
// verification, processing, signed answer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if s.cfg.onAPIDone != nil {
		defer s.cfg.onAPIDone(path)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		// The client went away mid-body: nothing to answer.
		s.record(path, r, nil)
		return
	}
	tooLarge := len(body) > maxBody
	if tooLarge {
		body = body[:maxBody]
	}
	idx, fault := s.record(path, r, body)
	ctx := r.Context()

	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			drop(w)
			return
		}
	}
	switch {
	case fault.Hang:
		select {
		case <-ctx.Done():
		case <-s.done:
			// Returning would send an empty 200; a hang ends in silence.
			drop(w)
		}
		return
	case fault.DropBefore:
		drop(w)
		return
	case fault.HTTPStatus != 0:
		status := fault.HTTPStatus
		if status < 100 || status > 999 {
			status = http.StatusInternalServerError // WriteHeader panics otherwise
		}
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status)+"\n")
		return
	}

	var resp any
	var res wire.Result
	if tooLarge {
		res = fail(wire.CodeParamInvalid, "request body is too large")
		resp = &resultOnly{Result: res}
	} else if bad := s.verify(r, body); bad != nil {
		res = *bad
		resp = &resultOnly{Result: res}
	} else if fault.Result != nil {
		res = wire.Result{ResultCode: fault.Result.Code, ResultMessage: fault.Result.Message, ResultStatus: string(fault.Result.Status)}
		resp = &resultOnly{Result: res}
	} else {
		resp, res = s.process(path, r, body)
	}

	if fault.DropAfter {
		s.finish(path, idx, wire.Result{})
		drop(w)
		return
	}
	if fault.ChangeAmount {
		changeAmount(resp)
	}
	payload, err := json.Marshal(resp)
	if err != nil {
		// Cannot happen with the wire types; answer a signed U rather than
		// nothing.
		res = wire.Result{ResultCode: wire.CodeUnknownException, ResultMessage: "internal error", ResultStatus: wire.StatusU}
		payload, _ = json.Marshal(resultOnly{Result: res})
	}
	s.finish(path, idx, res)
	s.log.Debug("alphapaytest: request", "path", path, "resultCode", res.ResultCode, "resultStatus", res.ResultStatus)
	s.writeAnswer(w, r, payload, fault)
}

// record appends the request to the log and takes the endpoint's next
// scripted fault.
func (s *Server) record(path string, r *http.Request, body []byte) (int, Fault) {
	if s.cfg.onRecorded != nil {
		defer s.cfg.onRecorded(path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestCount++
	s.requests[path] = append(s.requests[path], RecordedRequest{
		Time:        s.clock.Now(),
		Nonce:       r.Header.Get(wire.HeaderNonce),
		RequestTime: r.Header.Get(wire.HeaderRequestTime),
		Header:      r.Header.Clone(),
		Body:        append([]byte(nil), body...),
	})
	var f Fault
	if q := s.scripts[path]; len(q) > 0 {
		f = q[0]
		s.scripts[path] = q[1:]
	}
	return len(s.requests[path]) - 1, f
}

func (s *Server) finish(path string, idx int, res wire.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reqs := s.requests[path]; idx < len(reqs) {
		reqs[idx].Result = payment.Result{Status: payment.ResultStatus(res.ResultStatus), Code: res.ResultCode, Message: res.ResultMessage}
	}
}

// drop closes the connection without an answer. Where the connection
// cannot be hijacked (HTTP/2, a recorder) the ErrAbortHandler panic makes
// net/http reset the stream instead.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// single returns the one value of header name; several values count as
// none, because two readers could pick different ones.
func single(h http.Header, name string) (string, bool) {
	v := h.Values(name)
	if len(v) != 1 || v[0] == "" {
		return "", false
	}
	return v[0], true
}

// verify checks the request's headers and signature in the order the real
// server is known to and returns the failure, or nil.
func (s *Server) verify(r *http.Request, body []byte) *wire.Result {
	bad := func(code, msg string) *wire.Result { res := fail(code, msg); return &res }
	merchant, ok := single(r.Header, wire.HeaderMerchantCode)
	if !ok {
		return bad(wire.CodeInvalidMerchantCode, "Merchant-Code header is missing")
	}
	if merchant != s.cfg.merchantCode {
		return bad(wire.CodeInvalidMerchantCode, "unknown merchant code")
	}
	rt, ok := single(r.Header, wire.HeaderRequestTime)
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
	nonce, ok := single(r.Header, wire.HeaderNonce)
	if !ok {
		return bad(wire.CodeParamInvalid, "Nonce header is missing")
	}
	if len(nonce) > maxNonceLen || !printableASCII(nonce) {
		return bad(wire.CodeParamInvalid, "Nonce header is invalid")
	}
	sigHeader, ok := single(r.Header, wire.HeaderSignature)
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
	pub, ok := s.keys.Load().merchant[h.KeyVersion]
	if !ok {
		// [ours]: AlphaPay documents no code for a keyVersion it does not
		// know.
		return bad(wire.CodeInvalidSign, "no merchant key with this keyVersion")
	}
	msg := signing.Message(http.MethodPost, r.URL.RequestURI(), body, merchant, rt, nonce)
	if err := signing.Verify(pub, msg, h.Signature); err != nil {
		return bad(wire.CodeInvalidSign, "signature does not verify")
	}
	if !s.useNonce(merchant, nonce) {
		return bad(wire.CodeInvalidSign, "nonce already used")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
			return bad(wire.CodeParamInvalid, "Content-Type must be application/json; charset=UTF-8")
		}
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// useNonce records (merchant, nonce) and reports whether it was new within
// the nonce memory.
func (s *Server) useNonce(merchant, nonce string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	key := merchant + "\x00" + nonce
	if at, seen := s.nonces[key]; seen && now.Sub(at) < nonceMemory {
		return false
	}
	s.nonces[key] = now
	s.nonceInserts++
	if s.nonceInserts%256 == 0 {
		for k, at := range s.nonces {
			if now.Sub(at) >= nonceMemory {
				delete(s.nonces, k)
			}
		}
	}
	return true
}

// process decodes and executes a verified request.
func (s *Server) process(path string, r *http.Request, body []byte) (any, wire.Result) {
	switch path {
	case wire.PathPay:
		var req wire.PayRequest
		if res := decode(body, &req); res != nil {
			return &resultOnly{Result: *res}, *res
		}
		if res := amountIsString(body, "order", "orderAmount"); res != nil {
			return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID, Result: *res}, *res
		}
		resp := s.pay(&req, s.baseURL(r))
		return resp, resp.Result
	case wire.PathInquiry:
		var req wire.PaymentIDRequest
		if res := decode(body, &req); res != nil {
			return &resultOnly{Result: *res}, *res
		}
		resp := s.inquiry(req.PaymentID)
		return resp, *resp.Result
	case wire.PathCancel:
		var req wire.PaymentIDRequest
		if res := decode(body, &req); res != nil {
			return &resultOnly{Result: *res}, *res
		}
		resp := s.cancelOrder(req.PaymentID)
		return resp, resp.Result
	case wire.PathRefund:
		var req wire.RefundRequest
		if res := decode(body, &req); res != nil {
			return &resultOnly{Result: *res}, *res
		}
		if res := amountIsString(body, "refund", "refundAmount"); res != nil {
			return &wire.RefundResponse{PaymentID: req.PaymentID, RefundRequestID: req.RefundRequestID, Result: *res}, *res
		}
		resp := s.refund(&req)
		return resp, resp.Result
	case wire.PathInquiryRefund:
		var req wire.InquiryRefundRequest
		if res := decode(body, &req); res != nil {
			return &resultOnly{Result: *res}, *res
		}
		resp := s.inquiryRefund(&req)
		return resp, *resp.Result
	case wire.PathTransactions:
		var req wire.TransactionsRequest
		if res := decode(body, &req); res != nil {
			return &resultOnly{Result: *res}, *res
		}
		resp := s.transactions(&req)
		return resp, resp.Result
	}
	res := fail(wire.CodeParamInvalid, "unknown endpoint")
	return &resultOnly{Result: res}, res
}

// baseURL is where the payment and cashier links point: URL once started,
// else the host the request was sent to (Handler served elsewhere).
func (s *Server) baseURL(r *http.Request) string {
	if s.URL != "" {
		return s.URL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// writeAnswer signs payload as AlphaPay does and writes it,
// applying the fault's signature and body alterations.
func (s *Server) writeAnswer(w http.ResponseWriter, r *http.Request, payload []byte, fault Fault) {
	respTime := s.clock.Now().Format(wire.TimeLayout)
	nonce := newNonce()
	merchant := r.Header.Get(wire.HeaderMerchantCode)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set(wire.HeaderResponseTime, respTime)
	h.Set(wire.HeaderNonce, nonce)
	if !fault.NoSignature {
		sig, err := signing.Sign(s.keys.Load().signer, signing.Message(http.MethodPost, r.URL.RequestURI(), payload, merchant, respTime, nonce))
		if err == nil {
			if fault.BadSignature {
				sig[len(sig)/2] ^= 0x01
			}
			h.Set(wire.HeaderSignature, signing.Header{Algorithm: wire.Algorithm, KeyVersion: "1", Signature: sig}.Format(true))
		}
	}
	if fault.TamperBody {
		payload = tamper(payload)
	}
	h.Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
}

// tamper changes one byte of a signed JSON body so that it stays valid
// JSON: the case of the first letter of resultMessage, or else a space
// becomes a newline.
func tamper(payload []byte) []byte {
	p := bytes.Clone(payload)
	key := []byte(`"resultMessage":"`)
	if i := bytes.Index(p, key); i >= 0 {
		for j := i + len(key); j < len(p) && p[j] != '"'; j++ {
			if c := p[j]; (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
				p[j] = c ^ 0x20
				return p
			}
		}
	}
	// No message letter: append insignificant whitespace.
	return append(p, '\n')
}

// changeAmount raises the answer's order or refund amount by one minor unit.
func changeAmount(resp any) {
	bump := func(a *wire.Amount) {
		if n, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
			a.Value = strconv.FormatInt(n+1, 10)
		}
	}
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
			a := wire.Amount{Value: string(v.Transactions[0].Amount)}
			bump(&a)
			v.Transactions[0].Amount = wire.Decimal(a.Value)
		}
	}
}

// newNonce returns 32 lower-case hex characters.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// decode checks body with checkJSON and unmarshals it into v, answering
// PARAM_INVALID with the offending field's name (never its value).
func decode(body []byte, v any) *wire.Result {
	if err := checkJSON(body); err != nil {
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
