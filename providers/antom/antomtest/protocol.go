package antomtest

import (
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/antom/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// protocol is Antom's wire format for the kit: the family's envelope,
// verification and faults (familytest.Protocol), Antom's routes and
// handlers.
type protocol struct {
	familytest.Protocol
	s *Server
}

var apiPaths = map[string]bool{PathPay: true, PathInquiry: true, PathCancel: true, PathRefund: true, PathInquiryRefund: true}

// Route takes every POST under /ams/api/ (an unknown one is answered
// INVALID_API); the rest is the cashier page's or 404.
func (p *protocol) Route(r *http.Request) (string, bool) {
	return r.URL.Path, r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/ams/api/")
}

// Process decodes a verified request strictly and executes it.
func (p *protocol) Process(in *simulator.Incoming) (any, payment.Result) {
	s := p.s
	var resp any
	res := familytest.Failp(alipayfamily.CodeInvalidAPI, "no API at this path")
	switch in.Path {
	case PathPay:
		resp, res = familytest.Handle(schema, in.Body, func(r *wire.PayRequest) (any, *familytest.Result) { return s.pay(r, in.BaseURL) })
	case PathInquiry:
		resp, res = familytest.Handle(schema, in.Body, s.inquiry)
	case PathCancel:
		resp, res = familytest.Handle(schema, in.Body, s.cancel)
	case PathRefund:
		resp, res = familytest.Handle(schema, in.Body, s.refund)
	case PathInquiryRefund:
		resp, res = familytest.Handle(schema, in.Body, s.inquiryRefund)
	}
	return resp, res.Neutral()
}
