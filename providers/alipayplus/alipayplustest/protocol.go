package alipayplustest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// protocol is the Server as the kit sees it: the wallets' wire format.
type protocol Server

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

// Route takes POST {prefix}{endpoint} and any other POST under the prefix
// (answered INVALID_API), except the cashier page's; the path is given
// without the prefix.
func (p *protocol) Route(r *http.Request) (string, bool) {
	path, prefix := r.URL.Path, p.cfg.prefix
	if r.Method != http.MethodPost {
		return "", false
	}
	if rest, ok := strings.CutPrefix(path, prefix); ok && apiPaths[rest] {
		return rest, true
	}
	if strings.HasPrefix(path, "/cashier/") {
		return "", false
	}
	if rest, ok := strings.CutPrefix(path, prefix+"/"); ok {
		return "/" + rest, true
	}
	return "", false
}

func (p *protocol) RequestID(_ string, body []byte) string {
	return simulator.JSONField(body, "refundRequestId", "paymentRequestId")
}

// Redact keeps bodies as they are: the wallets' requests carry no card
// data.
func (p *protocol) Redact(_ string, body []byte) []byte { return body }

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

// neutral is a wire result as the kit records it.
func neutral(r wire.Result) payment.Result {
	return payment.Result{Status: payment.ResultStatus(r.ResultStatus), Code: r.ResultCode, Message: r.ResultMessage}
}

// resultOnly is the body of answers that carry nothing but a result.
type resultOnly struct {
	Result wire.Result `json:"result"`
}

// ResultOnly writes a result, scripted ones too, as the wallet does.
func (p *protocol) ResultOnly(r payment.Result) any {
	return &resultOnly{Result: wire.Result{ResultCode: r.Code, ResultStatus: string(r.Status), ResultMessage: r.Message}}
}

func (p *protocol) Verify(in *simulator.Incoming) *payment.Result {
	var bad *wire.Result
	switch {
	case !apiPaths[in.Path]:
		bad = failp(wire.CodeInvalidAPI, "no API at this path")
	case in.TooLarge:
		bad = failp(wire.CodeParamIllegal, "request body is too large")
	default:
		bad = (*Server)(p).verify(in.Request, in.Body)
	}
	if bad == nil {
		return nil
	}
	res := neutral(*bad)
	return &res
}

func (p *protocol) Process(in *simulator.Incoming) (any, payment.Result) {
	resp, res := (*Server)(p).process(in.Path, in.BaseURL, in.Body)
	return resp, neutral(res)
}

// Alter drops the amounts the documented answers lack (unless
// WithAnswerAmounts or a ChangeAmount fault keeps them), changes an amount
// and respells the redirect URL as the fault says.
func (p *protocol) Alter(answer any, f simulator.Fault) {
	if !p.cfg.answerAmounts && !f.ChangeAmount {
		dropUndocumentedAmounts(answer)
	}
	if f.ChangeAmount {
		changeAmount(answer)
	}
	if f.Variant == RedirectionURL || f.Variant == RedirectURL {
		respell(answer, f.Variant)
	}
}

// AnswerHeaders signs an answer with the wallet's key over the request's
// URI, the Client-Id and the answer's Response-Time (Signing), unless
// WithUnsignedFailures leaves an F or U unsigned.
func (p *protocol) AnswerHeaders(h http.Header, in *simulator.Incoming, payload []byte, res payment.Result) ([]byte, bool) {
	respTime := p.clock.Now().Format(wire.TimeLayout)
	clientID := p.answerClientID(in.Request)
	h.Set(wire.HeaderClientID, clientID)
	h.Set(wire.HeaderResponseTime, respTime)
	unsigned := p.cfg.unsignedFailures && (res.Status == payment.ResultFailed || res.Status == payment.ResultUnknown)
	return signing.Message(http.MethodPost, in.Request.URL.RequestURI(), payload, clientID, respTime), !unsigned
}

// answerClientID is the Client-Id an answer carries and is signed with:
// the request's, or the configured one if the request had none.
func (p *protocol) answerClientID(r *http.Request) string {
	if id, ok := simulator.SingleHeader(r.Header, wire.HeaderClientID); ok {
		return id
	}
	return p.cfg.clientID
}

// NotificationHeaders signs a notification like a request, by the
// wallet's key.
func (p *protocol) NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte {
	reqTime := now.Format(wire.TimeLayout)
	h.Set(wire.HeaderClientID, p.cfg.clientID)
	h.Set(wire.HeaderRequestTime, reqTime)
	return signing.Message(http.MethodPost, uri, body, p.cfg.clientID, reqTime)
}

// FormatSignature writes the Signature header, URL-encoded unless
// WithRawSignature.
func (p *protocol) FormatSignature(sig []byte) string {
	return signing.Header{Algorithm: wire.Algorithm, KeyVersion: p.cfg.keyVersion, Signature: sig}.Format(!p.cfg.rawSignature)
}

// verify checks the request's headers and signature (Signing) and returns
// the failure, or nil. Messages name what is wrong, never a header's
// value.
func (s *Server) verify(r *http.Request, body []byte) *wire.Result {
	clientID, ok := simulator.SingleHeader(r.Header, wire.HeaderClientID)
	if !ok {
		return failp(wire.CodeInvalidClient, "Client-Id header is missing or repeated")
	}
	if clientID != s.cfg.clientID {
		return failp(wire.CodeInvalidClient, "unknown Client-Id")
	}
	rt, ok := simulator.SingleHeader(r.Header, wire.HeaderRequestTime)
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
	sigHeader, ok := simulator.SingleHeader(r.Header, wire.HeaderSignature)
	if !ok {
		return failp(wire.CodeInvalidSignature, "Signature header is missing or repeated")
	}
	h, err := signing.ParseHeader(sigHeader)
	if err != nil {
		return failp(wire.CodeInvalidSignature, "Signature header is malformed")
	}
	pub, ok := s.MerchantKey(h.KeyVersion)
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
	if !simulator.CheckContentType(r.Header) {
		return failp(wire.CodeMsgParseError, "Content-Type must be application/json; charset=UTF-8")
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

// process decodes and executes a verified request.
func (s *Server) process(path, base string, body []byte) (any, wire.Result) {
	switch path {
	case wire.PathPay:
		var req wire.PayRequest
		tree, res := decode(body, &req)
		if res != nil {
			return nil, *res
		}
		resp := s.pay(&req, tree, base)
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

// changeAmount raises the answer's payment or refund amount by one minor
// unit. The amounts are fresh copies, so state is never touched.
func changeAmount(resp any) {
	bump := func(a *wire.Amount) *wire.Amount {
		if a == nil {
			return nil
		}
		c := *a
		c.Value = simulator.BumpMinor(c.Value)
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
