package antomtest

import (
	"cmp"
	"encoding/json"
	"errors"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/antom/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// ErrNoNotification reports a payment that never succeeded or failed.
var ErrNoNotification = errors.New("antomtest: no notification for this payment")

// Field limits, in characters [assumption: the API reference's maxima].
const (
	maxID, maxDescription, maxURL, maxDigits = 64, 256, 2048, 16
)

var (
	schema         = simulator.NewSchema(wire.PayRequest{}, wire.PaymentRef{}, wire.RefundRequest{}, wire.RefundRef{})
	terminals      = map[string]bool{wire.TerminalWeb: true, wire.TerminalWAP: true, wire.TerminalApp: true, wire.TerminalMiniApp: true}
	osTypes        = map[string]bool{"IOS": true, "ANDROID": true}
	notifySchedule = familytest.NotifySchedule
	cashier        = &simulator.Cashier{Title: "Antom sandbox cashier", StatusLabel: "Antom status", Who: "Antom",
		Pages: []string{"/checkout/"}, RedirectQuery: true, MaxURL: maxURL, NotifiesFailures: true,
		Schedule: notifySchedule, WireStatus: wireStatus}
	success    = familytest.OK(alipayfamily.CodeSuccess, "success")
	noPayment  = familytest.Failp(alipayfamily.CodeOrderNotExist, "the payment does not exist")
	inProcess  = alipayfamily.Result{ResultCode: alipayfamily.CodePaymentInProcess, ResultStatus: alipayfamily.StatusU, ResultMessage: "payment in process"}
	fmtTime    = familytest.FormatTime
	wireAmount = familytest.WireAmount
)

// order is what Antom keeps of a payment beyond the ledger's fields.
type order struct{ method, terminal string }

// wireStatus is the family's paymentStatus (refunds show per refund).
var wireStatus = familytest.WireStatus

func snapshot(p *simulator.Payment) PaymentSnapshot {
	return PaymentSnapshot{PaymentID: p.ID, PaymentRequestID: p.RequestID, PaymentMethodType: p.Ext.(*order).method,
		Status: wireStatus(p), Amount: p.Amount, Refunded: p.Refunded, NotifyURL: p.NotifyURL}
}

// checkPay validates a CASHIER_PAYMENT and returns its amount and expiry.
func (s *Server) checkPay(r *wire.PayRequest) (money.Amount, time.Time, *familytest.Result) {
	var expires time.Time
	if r.ProductCode != wire.ProductCodeCashier {
		return money.Amount{}, expires, familytest.Failp(alipayfamily.CodeParamIllegal, "productCode must be CASHIER_PAYMENT")
	}
	if r.Order == nil || r.PaymentMethod == nil || r.Env == nil {
		return money.Amount{}, expires, familytest.Failp(alipayfamily.CodeParamIllegal, "order, paymentMethod and env are required")
	}
	amt, res := familytest.ParseAmount(r.PaymentAmount, "paymentAmount", maxDigits, s.currencies)
	if res == nil && r.Order.OrderAmount == nil {
		res = familytest.Failp(alipayfamily.CodeParamIllegal, "order.orderAmount is required")
	} else if res == nil {
		_, res = familytest.ParseAmount(*r.Order.OrderAmount, "order.orderAmount", maxDigits, familytest.AnyCurrency)
	}
	if res == nil && r.PaymentExpiryTime != "" {
		expires, res = familytest.CheckTime(r.PaymentExpiryTime, "paymentExpiryTime")
	}
	res = familytest.First(
		familytest.CheckRequired(r.PaymentRequestID, "paymentRequestId", maxID), res,
		familytest.CheckRequired(r.Order.ReferenceOrderID, "order.referenceOrderId", maxID),
		familytest.CheckRequired(r.Order.OrderDescription, "order.orderDescription", maxDescription),
		familytest.CheckRequired(r.PaymentMethod.PaymentMethodType, "paymentMethod.paymentMethodType", maxID),
		familytest.CheckURL(r.PaymentRedirectURL, "paymentRedirectUrl", maxURL),
	)
	switch {
	case res != nil:
	case r.PaymentNotifyURL != "":
		res = familytest.CheckURL(r.PaymentNotifyURL, "paymentNotifyUrl", maxURL)
	}
	if res == nil && !terminals[r.Env.TerminalType] {
		res = familytest.Failp(alipayfamily.CodeParamIllegal, "env.terminalType must be WEB, WAP, APP or MINI_APP")
	}
	if res == nil && r.Env.OSType != "" && !osTypes[r.Env.OSType] {
		res = familytest.Failp(alipayfamily.CodeParamIllegal, "env.osType must be IOS or ANDROID")
	}
	return amt, expires, res
}

// pay creates a cashier payment, or answers a repeated one.
func (s *Server) pay(r *wire.PayRequest, base string) (any, *familytest.Result) {
	amt, expires, res := s.checkPay(r)
	if res != nil {
		return nil, res
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.ByRequestIDLocked(r.PaymentRequestID)
	now := s.clock.Now()
	switch {
	case p != nil && (!p.Amount.Equal(amt) || p.Ext.(*order).method != r.PaymentMethod.PaymentMethodType):
		return nil, familytest.Failp(alipayfamily.CodeRepeatReqInconsistent, "paymentRequestId was used with a different amount or method")
	case p != nil && p.Status != payment.StatusPending:
		// [assumption] a repeat of a settled payment is acknowledged
		// without its URLs: the merchant inquires.
		resp := s.payResponse(p, familytest.OK(alipayfamily.CodeRepeatRequest, "repeat request"))
		return resp, &resp.Result
	case p != nil:
	case !expires.IsZero() && !expires.After(now):
		return nil, familytest.Failp(alipayfamily.CodeParamIllegal, "paymentExpiryTime must be in the future")
	default:
		if expires.IsZero() {
			expires = now.Add(expiry)
		}
		p = &simulator.Payment{RequestID: r.PaymentRequestID, Amount: amt, Description: r.Order.OrderDescription,
			NotifyURL: r.PaymentNotifyURL, RedirectURL: r.PaymentRedirectURL, Base: base, Created: now, Expires: expires,
			Ext: &order{method: r.PaymentMethod.PaymentMethodType, terminal: r.Env.TerminalType}}
		s.ledger.AddLocked(p)
	}
	resp := s.payResponse(p, inProcess)
	resp.NormalURL = cashier.URL(p)
	if p.Ext.(*order).terminal == wire.TerminalWAP {
		// [assumption] the sandbox has no app: its applink is the same
		// page, marked so that a test sees which URL a client chose.
		resp.ApplinkURL = resp.NormalURL + "&applink=1"
	}
	return resp, &resp.Result
}

func (s *Server) payResponse(p *simulator.Payment, res familytest.Result) *wire.PayResponse {
	f := paymentFacts(p)
	f.PaymentMethodType = "" // not in a pay answer
	return &wire.PayResponse{Result: res, PaymentFacts: f}
}

// paymentFacts and refundFacts are what answers and notifications say of
// a payment and a refund.
func paymentFacts(p *simulator.Payment) wire.PaymentFacts {
	return wire.PaymentFacts{PaymentRequestID: p.RequestID, PaymentID: p.ID, PaymentAmount: wireAmount(p.Amount),
		PaymentCreateTime: fmtTime(p.Created), PaymentTime: fmtTime(p.Paid), PaymentMethodType: p.Ext.(*order).method}
}

func refundFacts(r *simulator.Refund) wire.RefundFacts {
	return wire.RefundFacts{RefundRequestID: r.RequestID, RefundID: r.ID, RefundAmount: wireAmount(r.Amount), RefundTime: fmtTime(r.At)}
}

// find looks a payment up for inquiryPayment and cancel; the caller
// unlocks the ledger when p is not nil.
func (s *Server) find(r *wire.PaymentRef) (*simulator.Payment, *familytest.Result) {
	if res := familytest.CheckPaymentRef(r); res != nil {
		return nil, res
	}
	s.ledger.Lock()
	p := s.ledger.FindLocked(r.PaymentID, r.PaymentRequestID)
	if p == nil {
		s.ledger.Unlock()
		return nil, noPayment
	}
	return p, nil
}

func (s *Server) inquiry(r *wire.PaymentRef) (any, *familytest.Result) {
	p, res := s.find(r)
	if res != nil {
		return nil, res
	}
	defer s.ledger.Unlock()
	resp := &wire.InquiryResponse{Result: success, PaymentStatus: wireStatus(p), PaymentFacts: paymentFacts(p)}
	if p.Status == payment.StatusFailed {
		resp.PaymentResultCode, resp.PaymentResultMessage = p.FailReason, "the customer did not pay"
	}
	return resp, &resp.Result
}

func (s *Server) cancel(r *wire.PaymentRef) (any, *familytest.Result) {
	p, res := s.find(r)
	if res != nil {
		return nil, res
	}
	defer s.ledger.Unlock()
	if res := familytest.CancelLocked(s.ledger, p, s.clock.Now(), cancelWindow, wireStatus(p)); res != nil {
		return nil, res
	}
	resp := &wire.CancelResponse{Result: success, PaymentID: p.ID, PaymentRequestID: p.RequestID, CancelTime: fmtTime(p.Closed)}
	return resp, &resp.Result
}

func (s *Server) refund(r *wire.RefundRequest) (any, *familytest.Result) {
	amt, res := familytest.ParseAmount(r.RefundAmount, "refundAmount", maxDigits, familytest.AnyCurrency)
	if res = familytest.First(
		familytest.CheckRequired(r.RefundRequestID, "refundRequestId", maxID),
		familytest.CheckRequired(r.PaymentID, "paymentId", maxID), res,
		familytest.CheckLen(r.RefundReason, "refundReason", maxDescription),
	); res == nil && r.RefundNotifyURL != "" {
		res = familytest.CheckURL(r.RefundNotifyURL, "refundNotifyUrl", maxURL)
	}
	if res != nil {
		return nil, res
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.PaymentLocked(r.PaymentID)
	if p == nil {
		return nil, noPayment
	}
	known := s.ledger.RefundByRequestIDLocked(r.RefundRequestID) != nil
	rf, res := familytest.RefundLocked(s.ledger, p, r.RefundRequestID, amt, r.RefundReason, wireStatus(p))
	if res != nil {
		return nil, res
	}
	if !known && r.RefundNotifyURL != "" {
		rf.NotifyURL = r.RefundNotifyURL
		s.notify(simulator.KindRefund, rf.ID, rf.RequestID, rf.NotifyURL, refundNotification(rf))
	}
	resp := &wire.RefundResponse{Result: success, PaymentID: p.ID, RefundFacts: refundFacts(rf)}
	return resp, &resp.Result
}

func (s *Server) inquiryRefund(r *wire.RefundRef) (any, *familytest.Result) {
	if res := familytest.CheckRefundRef(r); res != nil {
		return nil, res
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	rf, res := familytest.FindRefundLocked(s.ledger, r.RefundID, r.RefundRequestID)
	if res != nil {
		return nil, res
	}
	resp := &wire.InquiryRefundResponse{Result: success, RefundStatus: wire.StatusSuccess, RefundFacts: refundFacts(rf)}
	return resp, &resp.Result
}

// paymentNotification is the PAYMENT_RESULT body of a payment that
// succeeded or failed.
func paymentNotification(p *simulator.Payment) ([]byte, bool) {
	res := familytest.Fail(cmp.Or(p.FailReason, alipayfamily.CodeProcessFail), "the customer did not pay")
	switch {
	case !p.Paid.IsZero():
		res = success
	case p.Status != payment.StatusFailed:
		return nil, false
	}
	b, err := json.Marshal(wire.Notification{NotifyType: wire.NotifyPaymentResult, Result: &res, PaymentFacts: paymentFacts(p)})
	return b, err == nil
}

func refundNotification(r *simulator.Refund) []byte {
	b, _ := json.Marshal(wire.Notification{NotifyType: wire.NotifyRefundResult, Result: &success, RefundStatus: wire.StatusSuccess,
		RefundFacts: refundFacts(r)})
	return b
}

// notifyLocked notifies a payment the customer ended, if it has a notify
// URL.
func (s *Server) notifyLocked(p *simulator.Payment) {
	if body, ok := paymentNotification(p); ok && p.NotifyURL != "" {
		s.notify(simulator.KindPayment, p.ID, p.RequestID, p.NotifyURL, body)
	}
}

func (s *Server) notify(kind, id, requestID, url string, body []byte) {
	s.Notify(simulator.Notification{Kind: kind, ID: id, RequestID: requestID, URL: url, Body: body, Schedule: notifySchedule})
}
