package alphapay

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// driver translates the neutral API to AlphaPay v2 and back. It decides no
// policy: package engine validates, sends, retries, cross-checks and turns
// the verdicts below into results and errors.
type driver struct {
	merchantCode string
	keys         keys
	caps         payment.Capabilities
	newNonce     func() (string, error) // tests pin it to reproduce the signing vectors
}

var _ pd.Driver = (*driver)(nil)

func (d *driver) Name() string                       { return Name }
func (d *driver) Capabilities() payment.Capabilities { return d.caps }
func (d *driver) Envelope() pd.Envelope              { return envelope{d} }

// reasons classifies AlphaPay's F codes. Codes it does not list are
// declines (kind failed), with the code kept in the error.
var reasons = map[string]pd.Reason{
	wire.CodeRepeatReqInconsistent: pd.Conflict,
	wire.CodeOrderNotExist:         pd.NotFound,
	wire.CodeParamInvalid:          pd.Invalid,
	wire.CodeInvalidMethodType:     pd.Invalid,
	wire.CodeInvalidPaymentCode:    pd.Invalid,
	wire.CodeCurrencyNotSupport:    pd.Unsupported,
	wire.CodeInvalidRefundAmount:   pd.OverRefund,
	wire.CodeFullRefundCompleted:   pd.OverRefund,
	wire.CodeOrderPaid:             pd.WrongState,
	wire.CodeOrderClosed:           pd.WrongState,
	wire.CodeRefundValidDateExceed: pd.WrongState,
}

func verdictOf(r wire.Result) pd.Verdict {
	return pd.Classify(payment.Result{Status: payment.ResultStatus(r.ResultStatus), Code: r.ResultCode, Message: r.ResultMessage}, reasons)
}

func encode(path string, body any) (pd.Request, error) {
	b, err := json.Marshal(body)
	return pd.Request{Path: path, Body: b}, err
}

// CheckPay finds what AlphaPay cannot take beyond the capabilities:
// ProviderOptions, and a missing description — order.description is
// required (AlphaPay's documentation marks it so, and every pay in the
// official SDK's tests sets it), so the request is refused here rather than
// by the server.
func (d *driver) CheckPay(req *payment.PayRequest) []payment.FieldError {
	var bad []payment.FieldError
	if strings.TrimSpace(req.Description) == "" {
		bad = append(bad, payment.FieldError{Field: "Description", Problem: "is required by alphapay (order.description)"})
	}
	if req.ProviderOptions != nil {
		bad = append(bad, payment.FieldError{Field: "ProviderOptions", Problem: "are not used by alphapay"})
	}
	return bad
}

// CheckRefund finds what AlphaPay cannot take beyond the capabilities.
func (d *driver) CheckRefund(req *payment.RefundRequest) []payment.FieldError {
	if len([]rune(req.Reason)) > 128 {
		return []payment.FieldError{{Field: "Reason", Problem: "must be at most 128 characters"}}
	}
	return nil
}

func (d *driver) EncodePay(req *payment.PayRequest) (pd.Request, error) {
	return encode(wire.PathPay, payRequest(req))
}

// DecodePay reads a pay answer. A new order answers U PAYMENT_IN_PROCESS
// with a paymentId: that is a created order waiting for the customer (Done,
// pending), not an unknown outcome. S is a paid order (AlphaPay's answer to
// a repeat of a paid order, where it says so).
func (d *driver) DecodePay(req *payment.PayRequest, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	var resp wire.PayResponse
	if err := json.Unmarshal(a.Body, &resp); err != nil {
		return nil, pd.Verdict{}, err
	}
	v := verdictOf(resp.Result)
	if resp.Result.ResultStatus == wire.StatusU && resp.Result.ResultCode == wire.CodePaymentInProcess && resp.PaymentID != "" {
		v.Outcome = pd.Done
	}
	if v.Outcome != pd.Done {
		return nil, v, nil
	}
	p, err := payFromResponse(req, &resp)
	return p, v, err
}

func (d *driver) EncodeInquire(ref payment.Ref) (pd.Request, error) {
	return encode(wire.PathInquiry, wire.PaymentIDRequest{PaymentID: ref.PaymentID})
}

func (d *driver) DecodeInquire(ref payment.Ref, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	var st wire.PaymentState
	if err := json.Unmarshal(a.Body, &st); err != nil {
		return nil, pd.Verdict{}, err
	}
	if st.Result == nil {
		return nil, pd.Verdict{}, fmt.Errorf("no result object")
	}
	v := verdictOf(*st.Result)
	if v.Outcome != pd.Done {
		return nil, v, nil
	}
	p, err := paymentFromState(&st)
	return p, v, err
}

func (d *driver) EncodeCancel(ref payment.Ref) (pd.Request, error) {
	return encode(wire.PathCancel, wire.PaymentIDRequest{PaymentID: ref.PaymentID})
}

// DecodeCancel reads a cancel answer: S means the order is closed.
func (d *driver) DecodeCancel(ref payment.Ref, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	var resp wire.CancelResponse
	if err := json.Unmarshal(a.Body, &resp); err != nil {
		return nil, pd.Verdict{}, err
	}
	v := verdictOf(resp.Result)
	if v.Outcome != pd.Done {
		return nil, v, nil
	}
	return &payment.Payment{
		Provider:         Name,
		PaymentID:        resp.PaymentID,
		PaymentRequestID: resp.PaymentRequestID,
		Status:           payment.StatusCancelled,
		CancelledAt:      parseTime(resp.CancelTime),
	}, v, nil
}

func (d *driver) EncodeRefund(req *payment.RefundRequest) (pd.Request, error) {
	return encode(wire.PathRefund, wire.RefundRequest{
		PaymentID:       req.Payment.PaymentID,
		RefundRequestID: req.RefundRequestID,
		Refund:          wire.RefundDetail{RefundAmount: toWireAmount(req.Amount), Description: req.Reason, NotifyURL: req.NotifyURL},
	})
}

// DecodeRefund reads a refund answer: S is a succeeded refund. U
// (REFUND_IN_PROCESS and the like) stays pending, for the engine to retry.
func (d *driver) DecodeRefund(req *payment.RefundRequest, a *pd.Answer) (*payment.Refund, pd.Verdict, error) {
	var resp wire.RefundResponse
	if err := json.Unmarshal(a.Body, &resp); err != nil {
		return nil, pd.Verdict{}, err
	}
	v := verdictOf(resp.Result)
	if v.Outcome != pd.Done {
		return nil, v, nil
	}
	r := &payment.Refund{
		Provider:        Name,
		RefundRequestID: resp.RefundRequestID,
		RefundID:        resp.RefundID,
		PaymentID:       resp.PaymentID,
		Status:          payment.RefundSucceeded,
		CreatedAt:       parseTime(resp.RefundTime),
		CompletedAt:     parseTime(resp.RefundTime),
	}
	if resp.Refund != nil {
		amt, err := fromWireAmount(resp.Refund.RefundAmount)
		if err != nil {
			return nil, v, fmt.Errorf("refund amount: %w", err)
		}
		r.Amount = amt
		r.Reason = resp.Refund.Description
	}
	return r, v, nil
}

func (d *driver) EncodeInquireRefund(ref payment.RefundRef) (pd.Request, error) {
	return encode(wire.PathInquiryRefund, wire.InquiryRefundRequest{RefundID: ref.RefundID, RefundRequestID: ref.RefundRequestID})
}

func (d *driver) DecodeInquireRefund(ref payment.RefundRef, a *pd.Answer) (*payment.Refund, pd.Verdict, error) {
	var st wire.RefundState
	if err := json.Unmarshal(a.Body, &st); err != nil {
		return nil, pd.Verdict{}, err
	}
	if st.Result == nil {
		return nil, pd.Verdict{}, fmt.Errorf("no result object")
	}
	v := verdictOf(*st.Result)
	if v.Outcome != pd.Done {
		return nil, v, nil
	}
	r, err := refundFromState(&st)
	return r, v, err
}
