package alipayplustest

import (
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// protocol is the Server as the kit sees it: the wallets' wire format.
type protocol Server

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

// RequestID, Redact, ResultOnly and Verify are the family's
// (familytest.Protocol): the wallets' requests carry no card data, and a
// request is verified as every member of the family verifies it.
func (p *protocol) RequestID(path string, body []byte) string { return p.family.RequestID(path, body) }
func (p *protocol) Redact(path string, body []byte) []byte    { return p.family.Redact(path, body) }
func (p *protocol) ResultOnly(r payment.Result) any           { return p.family.ResultOnly(r) }
func (p *protocol) Verify(in *simulator.Incoming) *payment.Result {
	return p.family.Verify(in)
}

// The family's result helpers (providers/alipayfamily/familytest), under
// the names this package has always used.
var (
	ok      = familytest.OK
	fail    = familytest.Fail
	failp   = familytest.Failp
	neutral = familytest.Neutral
)

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
	return p.env.AnswerHeaders(h, in, payload, res)
}

// NotificationHeaders signs a notification like a request, by the
// wallet's key.
func (p *protocol) NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte {
	return p.env.NotificationHeaders(h, uri, body, now)
}

// FormatSignature writes the Signature header, URL-encoded unless
// WithRawSignature.
func (p *protocol) FormatSignature(sig []byte) string { return p.env.FormatSignature(sig) }

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
// unit (familytest.BumpAmounts). The amounts are fresh copies, so state
// is never touched.
var changeAmount = familytest.BumpAmounts

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
