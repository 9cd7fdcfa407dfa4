package antomtest

import (
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/antom/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// protocol is the Server as the kit sees it: Antom's wire format, with
// the family's envelope.
type protocol Server

var apiPaths = map[string]bool{PathPay: true, PathInquiry: true, PathCancel: true, PathRefund: true, PathInquiryRefund: true}

// Route takes every POST under /ams/api/ (an unknown one is answered
// INVALID_API); the rest is the cashier page's or 404.
func (p *protocol) Route(r *http.Request) (string, bool) {
	return r.URL.Path, r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/ams/api/")
}

func (p *protocol) RequestID(_ string, body []byte) string {
	return simulator.JSONField(body, "refundRequestId", "paymentRequestId")
}

// Redact keeps bodies as they are: no card data travels here.
func (p *protocol) Redact(_ string, body []byte) []byte { return body }

func (p *protocol) ResultOnly(r payment.Result) any { return familytest.ResultOnly(r) }

func (p *protocol) Verify(in *simulator.Incoming) *payment.Result {
	var bad *familytest.Result
	switch {
	case !apiPaths[in.Path]:
		bad = familytest.Failp(alipayfamily.CodeInvalidAPI, "no API at this path")
	case in.TooLarge:
		bad = familytest.Failp(alipayfamily.CodeParamIllegal, "request body is too large")
	default:
		bad = p.env.Verify(in.Request, in.Body)
	}
	if bad == nil {
		return nil
	}
	res := bad.Neutral()
	return &res
}

// Process decodes a verified request strictly and executes it.
func (p *protocol) Process(in *simulator.Incoming) (any, payment.Result) {
	s := (*Server)(p)
	var resp any
	var res *familytest.Result
	switch in.Path {
	case PathPay:
		var req wire.PayRequest
		if res = decode(in.Body, &req); res == nil {
			resp, res = s.pay(&req, in.BaseURL)
		}
	case PathInquiry:
		var req wire.PaymentRef
		if res = decode(in.Body, &req); res == nil {
			resp, res = s.inquiry(&req)
		}
	case PathCancel:
		var req wire.PaymentRef
		if res = decode(in.Body, &req); res == nil {
			resp, res = s.cancel(&req)
		}
	case PathRefund:
		var req wire.RefundRequest
		if res = decode(in.Body, &req); res == nil {
			resp, res = s.refund(&req)
		}
	case PathInquiryRefund:
		var req wire.RefundRef
		if res = decode(in.Body, &req); res == nil {
			resp, res = s.inquiryRefund(&req)
		}
	}
	if resp == nil {
		return nil, res.Neutral()
	}
	return resp, res.Neutral()
}

// Alter states an amount one minor unit higher (ChangeAmount). The
// amounts are fresh copies, so state is never touched.
func (p *protocol) Alter(answer any, f simulator.Fault) {
	if !f.ChangeAmount {
		return
	}
	bump := func(a *wire.Amount) {
		if a != nil {
			a.Value = simulator.BumpMinor(a.Value)
		}
	}
	switch v := answer.(type) {
	case *wire.PayResponse:
		bump(v.PaymentAmount)
	case *wire.InquiryResponse:
		bump(v.PaymentAmount)
	case *wire.RefundResponse:
		bump(v.RefundAmount)
	case *wire.InquiryRefundResponse:
		bump(v.RefundAmount)
	}
}

func (p *protocol) AnswerHeaders(h http.Header, in *simulator.Incoming, payload []byte, res payment.Result) ([]byte, bool) {
	return p.env.AnswerHeaders(h, in, payload, res)
}

func (p *protocol) NotificationHeaders(h http.Header, uri string, body []byte, now time.Time) []byte {
	return p.env.NotificationHeaders(h, uri, body, now)
}

func (p *protocol) FormatSignature(sig []byte) string { return p.env.FormatSignature(sig) }
