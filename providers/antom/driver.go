package antom

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/antom/internal/wire"
)

// antomDriver is Antom's codec under the engine: it translates requests
// and answers and classifies result codes; every decision about outcomes
// is the engine's.
type antomDriver struct {
	env   *alipayfamily.Envelope
	clock payment.Clock
	caps  payment.Capabilities
}

var _ driver.Driver = (*antomDriver)(nil)

// reasons is the family's table of F codes: Antom's codes for the same
// situations have the same names (docs/providers/antom.md, Result codes).
var reasons = alipayfamily.StandardReasons()

func (d *antomDriver) Name() string                       { return Name }
func (d *antomDriver) Capabilities() payment.Capabilities { return d.caps }
func (d *antomDriver) Envelope() driver.Envelope          { return d.env }

// codePaymentInProcess is pay's U answer to a cashier payment: in process,
// waiting for the customer at the URL the answer carries.
const codePaymentInProcess = alipayfamily.CodePaymentInProcess

func encode(path string, body any) (driver.Request, error) {
	b, err := json.Marshal(body)
	return driver.Request{Path: path, Body: b}, err
}

// terminal is env.terminalType: WAP on H5, WEB on the web, and in the
// cashier the device's terminal (whose neutral names are Antom's in lower
// case), WEB if none.
func terminal(req *payment.PayRequest) string {
	if req.Scenario == payment.ScenarioH5 {
		return wire.TerminalWAP
	}
	if d := req.Device; req.Scenario == payment.ScenarioCashier && d != nil && d.TerminalType != "" && d.TerminalType != payment.TerminalSystem {
		return strings.ToUpper(string(d.TerminalType))
	}
	return wire.TerminalWeb
}

// CheckPay finds what Antom cannot take beyond payment.ValidatePay:
// paymentRedirectUrl and order.orderDescription are required, Antom knows no
// Customer or provider options, and an expiry must be ahead.
func (d *antomDriver) CheckPay(req *payment.PayRequest) []payment.FieldError {
	var bad []payment.FieldError
	if req.RedirectURL == "" {
		bad = append(bad, payment.FieldError{Field: "RedirectURL", Problem: "is required by antom (paymentRedirectUrl)"})
	}
	if req.Description == "" {
		bad = append(bad, payment.FieldError{Field: "Description", Problem: "is required by antom (order.orderDescription)"})
	}
	if req.Customer != nil {
		bad = append(bad, payment.FieldError{Field: "Customer", Problem: "is not used by antom"})
	}
	if req.ProviderOptions != nil {
		bad = append(bad, payment.FieldError{Field: "ProviderOptions", Problem: "antom takes none"})
	}
	if !req.ExpiresAt.IsZero() && !req.ExpiresAt.After(d.clock.Now()) {
		bad = append(bad, payment.FieldError{Field: "ExpiresAt", Problem: "must be in the future"})
	}
	return bad
}

// EncodePay builds the pay body of a cashier payment.
func (d *antomDriver) EncodePay(req *payment.PayRequest) (driver.Request, error) {
	amt := alipayfamily.WireAmount(req.Amount)
	w := wire.PayRequest{
		ProductCode:        wire.ProductCodeCashier,
		PaymentRequestID:   req.PaymentRequestID,
		Order:              &wire.Order{ReferenceOrderID: req.PaymentRequestID, OrderDescription: req.Description, OrderAmount: &amt},
		PaymentAmount:      amt,
		PaymentMethod:      &wire.PaymentMethod{PaymentMethodType: wireMethod(req.Method)},
		PaymentRedirectURL: req.RedirectURL,
		PaymentNotifyURL:   req.NotifyURL,
		Env:                &wire.Env{TerminalType: terminal(req)},
	}
	if o := req.Order; o != nil {
		if o.ReferenceOrderID != "" {
			w.Order.ReferenceOrderID = o.ReferenceOrderID
		}
		if o.BuyerID != "" {
			w.Order.Buyer = &wire.Buyer{ReferenceBuyerID: o.BuyerID}
		}
	}
	if dev := req.Device; dev != nil {
		w.Env.OSType = map[payment.OS]string{payment.OSIOS: "IOS", payment.OSAndroid: "ANDROID"}[dev.OS]
	}
	if !req.ExpiresAt.IsZero() {
		w.PaymentExpiryTime = req.ExpiresAt.In(d.clock.Now().Location()).Format("2006-01-02T15:04:05-07:00")
	}
	return encode(wire.PathPay, w)
}

// DecodePay reads a pay answer. A cashier payment is answered U
// PAYMENT_IN_PROCESS with the URLs of the method's page: the payment
// stands and waits for the customer, so it is Done and pending with a
// redirect Action. S or A with a URL reads the same. An answer without a
// URL does not say where the payment is: Status is left empty and the
// engine inquires (or, for U, asks again).
func (d *antomDriver) DecodePay(req *payment.PayRequest, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	var resp wire.PayResponse
	if err := json.Unmarshal(a.Body, &resp); err != nil {
		return nil, driver.Verdict{}, err
	}
	url, method := actionURL(&resp, req.Scenario)
	res := resp.Result
	if res.ResultStatus == alipayfamily.StatusU && res.ResultCode == codePaymentInProcess && url != "" {
		res.ResultStatus = alipayfamily.StatusS // a standing payment, as the engine reads S
	}
	v, err := reasons.Classify(res, payment.OpPay)
	v.Result = resp.Result.Neutral()
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	p := &payment.Payment{PaymentID: resp.PaymentID, Scenario: req.Scenario, Method: req.Method,
		CreatedAt: alipayfamily.ParseTime(resp.PaymentCreateTime)}
	if p.Amount, err = alipayfamily.AmountOf(resp.PaymentAmount, "paymentAmount"); err != nil {
		return nil, v, err
	}
	if url != "" {
		p.Status = payment.StatusPending
		p.Action = &payment.Action{Kind: payment.ActionRedirect, URL: url, HTTPMethod: method}
	}
	return p, v, nil
}

// actionURL picks where the customer goes: on a phone (H5) the applink,
// which opens the wallet's app where it is installed; else the normal
// (web) URL; else the redirect action form's.
func actionURL(r *wire.PayResponse, s payment.Scenario) (url, method string) {
	if s == payment.ScenarioH5 && r.ApplinkURL != "" {
		return r.ApplinkURL, http.MethodGet
	}
	if r.NormalURL != "" {
		return r.NormalURL, http.MethodGet
	}
	if f := r.RedirectActionForm; f != nil && f.RedirectURL != "" {
		if m := strings.ToUpper(strings.TrimSpace(f.Method)); m != "" {
			return f.RedirectURL, m
		}
		return f.RedirectURL, http.MethodGet
	}
	return "", ""
}

// EncodeInquire asks for a payment by paymentId and/or paymentRequestId.
func (d *antomDriver) EncodeInquire(ref payment.Ref) (driver.Request, error) {
	return encode(wire.PathInquiry, alipayfamily.PaymentRefOf(ref))
}

// DecodeInquire reads an inquiryPayment answer; an unknown paymentStatus
// makes it unreadable (a status is never guessed).
func (d *antomDriver) DecodeInquire(_ payment.Ref, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	var r wire.InquiryResponse
	v, err := reasons.Decode(a.Body, &r, &r.Result, payment.OpInquire)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	status, err := alipayfamily.PaymentStatus(r.PaymentStatus)
	if err != nil {
		return nil, v, err
	}
	p := &payment.Payment{
		PaymentRequestID: r.PaymentRequestID, PaymentID: r.PaymentID, Status: status,
		Method:    neutralMethod(r.PaymentMethodType),
		CreatedAt: alipayfamily.ParseTime(r.PaymentCreateTime), PaidAt: alipayfamily.ParseTime(r.PaymentTime),
	}
	if status == payment.StatusFailed {
		p.FailureReason = r.PaymentResultCode
	}
	p.Amount, err = alipayfamily.AmountOf(r.PaymentAmount, "paymentAmount")
	return p, v, err
}

// EncodeCancel closes a payment by paymentId and/or paymentRequestId.
func (d *antomDriver) EncodeCancel(ref payment.Ref) (driver.Request, error) {
	return encode(wire.PathCancel, alipayfamily.PaymentRefOf(ref))
}

// DecodeCancel reads a cancel answer: S is a cancelled payment.
func (d *antomDriver) DecodeCancel(_ payment.Ref, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	var r wire.CancelResponse
	v, err := reasons.Decode(a.Body, &r, &r.Result, payment.OpCancel)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	return r.Cancelled(), v, nil
}

// CheckRefund requires the PaymentID: Antom refunds by paymentId only.
func (d *antomDriver) CheckRefund(req *payment.RefundRequest) []payment.FieldError {
	if req.Payment.PaymentID == "" {
		return []payment.FieldError{{Field: "Payment.PaymentID", Problem: "is required: antom refunds by paymentId"}}
	}
	return nil
}

// EncodeRefund builds the refund body.
func (d *antomDriver) EncodeRefund(req *payment.RefundRequest) (driver.Request, error) {
	return encode(wire.PathRefund, wire.RefundRequest{RefundRequestID: req.RefundRequestID, PaymentID: req.Payment.PaymentID,
		RefundAmount: alipayfamily.WireAmount(req.Amount), RefundReason: req.Reason, RefundNotifyURL: req.NotifyURL})
}

// DecodeRefund reads a refund answer: S is a succeeded refund; U
// REFUND_IN_PROCESS is asked again and settled by an inquiry.
func (d *antomDriver) DecodeRefund(_ *payment.RefundRequest, a *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	var r wire.RefundResponse
	v, err := reasons.Decode(a.Body, &r, &r.Result, payment.OpRefund)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	return refund(&r.RefundFacts, wire.StatusSuccess, v)
}

// EncodeInquireRefund asks for a refund by refundId and/or refundRequestId.
func (d *antomDriver) EncodeInquireRefund(ref payment.RefundRef) (driver.Request, error) {
	return encode(wire.PathInquiryRefund, alipayfamily.RefundRefOf(ref))
}

// DecodeInquireRefund reads an inquiryRefund answer.
func (d *antomDriver) DecodeInquireRefund(_ payment.RefundRef, a *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	var r wire.InquiryRefundResponse
	v, err := reasons.Decode(a.Body, &r, &r.Result, payment.OpInquireRefund)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	return refund(&r.RefundFacts, r.RefundStatus, v)
}

// refund is a refund as an answer or a notification states it.
func refund(f *wire.RefundFacts, status string, v driver.Verdict) (*payment.Refund, driver.Verdict, error) {
	st, err := alipayfamily.RefundStatus(status)
	if err != nil {
		return nil, v, err
	}
	r := &payment.Refund{RefundID: f.RefundID, RefundRequestID: f.RefundRequestID, Status: st, CreatedAt: alipayfamily.ParseTime(f.RefundTime)}
	if st.Final() {
		r.CompletedAt = r.CreatedAt
	}
	r.Amount, err = alipayfamily.AmountOf(f.RefundAmount, "refundAmount")
	return r, v, err
}
