package alipayplustest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// maxBody caps a request body. Alipay+ bodies are a few kilobytes at most.
const maxBody = 256 << 10

// timeWindow is how far Request-Time may be from the clock, either way
// (REQUEST_TIME_INVALID, as Rebell documents it).
const timeWindow = 5 * time.Minute

var apiPaths = map[string]bool{
	wire.PathPay:           true,
	wire.PathInquiry:       true,
	wire.PathCancel:        true,
	wire.PathRefund:        true,
	wire.PathInquiryRefund: true,
}

// newHandler routes: POST {prefix}{endpoint} to the API, /cashier/ to the
// cashier page, any other POST under the prefix to an INVALID_API answer,
// everything else to 404.
func (s *Server) newHandler() http.Handler {
	cashier := s.cashierMux()
	prefix := s.cfg.prefix
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if rest, ok := strings.CutPrefix(p, prefix); ok && apiPaths[rest] && r.Method == http.MethodPost {
			s.serveAPI(w, r, rest)
			return
		}
		if strings.HasPrefix(p, "/cashier/") {
			cashier.ServeHTTP(w, r)
			return
		}
		if rest, ok := strings.CutPrefix(p, prefix+"/"); ok && r.Method == http.MethodPost {
			s.serveAPI(w, r, "/"+rest)
			return
		}
		http.NotFound(w, r)
	})
}

func ok(code, msg string) wire.Result {
	return wire.Result{ResultCode: code, ResultStatus: wire.StatusS, ResultMessage: msg}
}

func fail(code, msg string) wire.Result {
	return wire.Result{ResultCode: code, ResultStatus: wire.StatusF, ResultMessage: msg}
}

// failp is fail as a pointer, for the check functions.
func failp(code, msg string) *wire.Result {
	res := fail(code, msg)
	return &res
}

// resultOnly is the body of answers that carry nothing but a result.
type resultOnly struct {
	Result wire.Result `json:"result"`
}

// serveAPI handles one POST under the prefix (path is without it): record,
// scripted faults, verification, processing, signed answer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, path string) {
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
	switch {
	case !apiPaths[path]:
		res = fail(wire.CodeInvalidAPI, "no API at this path")
	case tooLarge:
		res = fail(wire.CodeParamIllegal, "request body is too large")
	default:
		if bad := s.verify(r, body); bad != nil {
			res = *bad
		} else if fault.Result != nil {
			res = wireResult(*fault.Result)
		} else {
			resp, res = s.process(path, r, body)
		}
	}
	if resp == nil {
		resp = &resultOnly{Result: res}
	}

	if fault.DropAfter {
		s.finish(path, idx, wire.Result{})
		drop(w)
		return
	}
	if !s.cfg.answerAmounts && !fault.ChangeAmount {
		dropUndocumentedAmounts(resp)
	}
	if fault.ChangeAmount {
		changeAmount(resp)
	}
	if fault.RedirectField == RedirectionURL || fault.RedirectField == RedirectURL {
		respell(resp, fault.RedirectField)
	}
	payload, err := json.Marshal(resp)
	if err != nil {
		// Cannot happen with the wire types; answer U rather than nothing.
		res = wire.Result{ResultCode: wire.CodeUnknownException, ResultStatus: wire.StatusU, ResultMessage: "internal error"}
		payload, _ = json.Marshal(resultOnly{Result: res})
	}
	s.finish(path, idx, res)
	s.log.Debug("alipayplustest: request", "path", path, "resultCode", res.ResultCode, "resultStatus", res.ResultStatus)
	s.writeAnswer(w, r, payload, res, fault)
}

// record appends the request to the log and takes the path's next
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

// wireResult is a scripted result as the wallet writes it.
func wireResult(r payment.Result) wire.Result {
	return wire.Result{ResultCode: r.Code, ResultStatus: string(r.Status), ResultMessage: r.Message}
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

// verify checks the request's headers and signature (Signing) and returns
// the failure, or nil. Messages name what is wrong, never a header's
// value.
func (s *Server) verify(r *http.Request, body []byte) *wire.Result {
	clientID, ok := single(r.Header, wire.HeaderClientID)
	if !ok {
		return failp(wire.CodeInvalidClient, "Client-Id header is missing or repeated")
	}
	if clientID != s.cfg.clientID {
		return failp(wire.CodeInvalidClient, "unknown Client-Id")
	}
	rt, ok := single(r.Header, wire.HeaderRequestTime)
	if !ok {
		return failp(wire.CodeRequestTimeInvalid, "Request-Time header is missing or repeated")
	}
	t, ok := parseRequestTime(rt, s.cfg.strictRequestTime)
	if !ok {
		if s.cfg.strictRequestTime {
			return failp(wire.CodeRequestTimeInvalid, "Request-Time is not an ISO 8601 time with an offset")
		}
		return failp(wire.CodeRequestTimeInvalid, "Request-Time is neither an ISO 8601 time with an offset nor Unix time digits")
	}
	if d := s.clock.Now().Sub(t); d > timeWindow || d < -timeWindow {
		return failp(wire.CodeRequestTimeInvalid, "Request-Time is more than 5 minutes from the server time")
	}
	sigHeader, ok := single(r.Header, wire.HeaderSignature)
	if !ok {
		return failp(wire.CodeInvalidSignature, "Signature header is missing or repeated")
	}
	h, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return failp(wire.CodeInvalidSignature, "Signature header is malformed")
	}
	pub, ok := s.keys.Load().merchant[h.KeyVersion]
	if !ok {
		return failp(wire.CodeKeyNotFound, "no key with this keyVersion")
	}
	if !signing.AlgorithmOK(h.Algorithm) {
		return failp(wire.CodeInvalidSignature, "Signature algorithm must be RSA256")
	}
	msg := signing.Message(http.MethodPost, r.URL.RequestURI(), body, clientID, rt)
	if err := signing.Verify(pub, msg, h.Signature); err != nil {
		return failp(wire.CodeInvalidSignature, "signature does not verify")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
			return failp(wire.CodeMsgParseError, "Content-Type must be application/json; charset=UTF-8")
		}
	}
	return nil
}

// unixUnits maps the digit count of a Unix-time Request-Time to its unit:
// 13 digits are milliseconds (Alipay's official Java SDK sends
// System.currentTimeMillis), 19 nanoseconds (the official Go SDK sends
// time.Now().UnixNano()); 10 (seconds) and 16 (microseconds) are read too.
var unixUnits = map[int]time.Duration{10: time.Second, 13: time.Millisecond, 16: time.Microsecond, 19: time.Nanosecond}

// parseRequestTime reads a Request-Time header: ISO 8601 with an offset
// (RFC 3339), as the wallets document it, or, unless isoOnly, Unix time as
// 10, 13, 16 or 19 decimal digits, as Alipay's official SDKs send it. The
// signature covers the header as sent, whatever its form.
func parseRequestTime(v string, isoOnly bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	unit, ok := unixUnits[len(v)]
	if isoOnly || !ok || !allDigits(v) {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	per := int64(time.Second / unit)
	return time.Unix(n/per, (n%per)*int64(unit)), true
}

// process decodes and executes a verified request.
func (s *Server) process(path string, r *http.Request, body []byte) (any, wire.Result) {
	switch path {
	case wire.PathPay:
		var req wire.PayRequest
		tree, res := decode(body, &req)
		if res != nil {
			return nil, *res
		}
		resp := s.pay(&req, tree, s.baseURL(r))
		return resp, resp.Result
	case wire.PathInquiry:
		var req wire.PaymentRef
		if _, res := decode(body, &req); res != nil {
			return nil, *res
		}
		resp := s.inquiry(&req)
		return resp, resp.Result
	case wire.PathCancel:
		var req wire.PaymentRef
		if _, res := decode(body, &req); res != nil {
			return nil, *res
		}
		resp := s.cancelPayment(&req)
		return resp, resp.Result
	case wire.PathRefund:
		var req wire.RefundRequest
		tree, res := decode(body, &req)
		if res != nil {
			return nil, *res
		}
		resp := s.refund(&req, tree)
		return resp, resp.Result
	case wire.PathInquiryRefund:
		var req wire.RefundRef
		if _, res := decode(body, &req); res != nil {
			return nil, *res
		}
		resp := s.inquiryRefund(&req)
		return resp, resp.Result
	}
	return nil, fail(wire.CodeInvalidAPI, "no API at this path")
}

// baseURL is where cashier links point: URL once started, else the host
// the request was sent to (Handler served elsewhere).
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

// answerClientID is the Client-Id an answer carries and is signed with:
// the request's, or the configured one if the request had none.
func (s *Server) answerClientID(r *http.Request) string {
	if id, ok := single(r.Header, wire.HeaderClientID); ok {
		return id
	}
	return s.cfg.clientID
}

// signatureHeader signs msg with the wallet key and formats the Signature
// header, URL-encoded unless WithRawSignature.
func (s *Server) signatureHeader(msg []byte, corrupt bool) (string, bool) {
	sig, err := signing.Sign(s.keys.Load().signer, msg)
	if err != nil {
		return "", false
	}
	if corrupt {
		sig[len(sig)/2] ^= 0x01
	}
	return signing.Header{Algorithm: wire.Algorithm, KeyVersion: s.cfg.keyVersion, Signature: sig}.Format(!s.cfg.rawSignature), true
}

// writeAnswer signs payload as the wallet does (Signing) and writes it,
// applying the fault's signature and body alterations.
func (s *Server) writeAnswer(w http.ResponseWriter, r *http.Request, payload []byte, res wire.Result, fault Fault) {
	respTime := s.clock.Now().Format(wire.TimeLayout)
	clientID := s.answerClientID(r)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set(wire.HeaderClientID, clientID)
	h.Set(wire.HeaderResponseTime, respTime)
	unsigned := fault.NoSignature ||
		(s.cfg.unsignedFailures && (res.ResultStatus == wire.StatusF || res.ResultStatus == wire.StatusU))
	if !unsigned {
		msg := signing.Message(http.MethodPost, r.URL.RequestURI(), payload, clientID, respTime)
		if v, ok := s.signatureHeader(msg, fault.BadSignature); ok {
			h.Set(wire.HeaderSignature, v)
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
// JSON: the case of the first letter of resultMessage, or else a newline
// is appended.
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
	return append(p, '\n')
}

// changeAmount raises the answer's payment or refund amount by one minor
// unit. The amounts are fresh copies, so state is never touched.
func changeAmount(resp any) {
	bump := func(a *wire.Amount) *wire.Amount {
		if a == nil {
			return nil
		}
		c := *a
		if n, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
			c.Value = strconv.FormatInt(n+1, 10)
		}
		return &c
	}
	switch v := resp.(type) {
	case *wire.PayResponse:
		v.PaymentAmount = bump(v.PaymentAmount)
	case *wire.RefundResponse:
		v.RefundAmount = bump(v.RefundAmount)
	case *wire.InquiryResponse:
		v.PaymentAmount = bump(v.PaymentAmount)
	case *wire.InquiryRefundResponse:
		v.RefundAmount = bump(v.RefundAmount)
	}
}

// dropUndocumentedAmounts removes the amounts the wallets' documented pay
// and refund answers do not have. The handlers always fill them in, so
// that WithAnswerAmounts and the ChangeAmount fault can keep them.
func dropUndocumentedAmounts(resp any) {
	switch v := resp.(type) {
	case *wire.PayResponse:
		v.PaymentAmount = nil
	case *wire.RefundResponse:
		v.RefundAmount = nil
	}
}

// respell moves a pay answer's redirect URL to the field spelled name.
func respell(resp any, name string) {
	v, ok := resp.(*wire.PayResponse)
	if !ok || v.RedirectActionForm == nil {
		return
	}
	f := *v.RedirectActionForm
	v.RedirectActionForm = newForm(f.Method, f.URL(), name)
}

// newForm returns a redirect action form with the URL in the field spelled
// name.
func newForm(method, u, name string) *wire.RedirectActionForm {
	f := &wire.RedirectActionForm{Method: method}
	if name == RedirectURL {
		f.RedirectURL = u
	} else {
		f.RedirectionURL = u
	}
	return f
}
