package paymenttest

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
)

// driver is the simulated adapter: it translates the neutral API into the
// protocol of wire.go and back, and classifies the provider's F codes. Like
// every driver it decides no outcome; package engine does, with the same
// code it runs for every real adapter.
type driver struct {
	name string
	caps payment.Capabilities
	keys keys
}

var _ pd.Driver = (*driver)(nil)

// reasons classifies the simulated provider's F codes; codes it does not
// list (PROCESS_FAIL, INTERNAL_ERROR, any scripted code) are declines.
var reasons = map[string]pd.Reason{
	codeRepeatReqInconsistent:     pd.Conflict,
	codeOrderNotExist:             pd.NotFound,
	codeRefundNotExist:            pd.NotFound,
	codeParamInvalid:              pd.Invalid,
	codeCurrencyNotSupport:        pd.Unsupported,
	codePartialRefundNotSupported: pd.Unsupported,
	codeRefundAmountExceed:        pd.OverRefund,
	codeOrderPaid:                 pd.WrongState,
	codeOrderClosed:               pd.WrongState,
	codeOrderStatusInvalid:        pd.WrongState,
}

func (d *driver) Name() string                       { return d.name }
func (d *driver) Capabilities() payment.Capabilities { return d.caps }
func (d *driver) Envelope() pd.Envelope              { return envelope(d.keys) }

// CheckPay finds nothing: the simulated provider takes whatever the
// capabilities allow.
func (d *driver) CheckPay(*payment.PayRequest) []payment.FieldError { return nil }

// CheckRefund finds nothing, as CheckPay.
func (d *driver) CheckRefund(*payment.RefundRequest) []payment.FieldError { return nil }

func encode(op string, body any) (pd.Request, error) {
	b, err := json.Marshal(body)
	return pd.Request{Path: pathOf(op), Body: b}, err
}

func (d *driver) EncodePay(req *payment.PayRequest) (pd.Request, error) {
	return encode(payment.OpPay, payPayloadOf(req))
}

func (d *driver) DecodePay(_ *payment.PayRequest, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	return decodePayment(a)
}

func (d *driver) EncodeInquire(ref payment.Ref) (pd.Request, error) {
	return encode(payment.OpInquire, refPayload{PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID})
}

func (d *driver) DecodeInquire(_ payment.Ref, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	return decodePayment(a)
}

func (d *driver) EncodeCancel(ref payment.Ref) (pd.Request, error) {
	return encode(payment.OpCancel, refPayload{PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID})
}

func (d *driver) DecodeCancel(_ payment.Ref, a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	return decodePayment(a)
}

func (d *driver) EncodeRefund(req *payment.RefundRequest) (pd.Request, error) {
	return encode(payment.OpRefund, refundPayloadOf(req))
}

func (d *driver) DecodeRefund(_ *payment.RefundRequest, a *pd.Answer) (*payment.Refund, pd.Verdict, error) {
	return decodeRefund(a)
}

func (d *driver) EncodeInquireRefund(ref payment.RefundRef) (pd.Request, error) {
	return encode(payment.OpInquireRefund, refundRefPayload{RefundID: ref.RefundID, RefundRequestID: ref.RefundRequestID})
}

func (d *driver) DecodeInquireRefund(_ payment.RefundRef, a *pd.Answer) (*payment.Refund, pd.Verdict, error) {
	return decodeRefund(a)
}

// decodeAnswer reads an answer and classifies its result by the default
// reading: the simulated provider has no exceptions to it.
func decodeAnswer(a *pd.Answer) (answerJSON, pd.Verdict, error) {
	var w answerJSON
	if err := json.Unmarshal(a.Body, &w); err != nil {
		return w, pd.Verdict{}, err
	}
	return w, pd.Classify(w.Result.neutral(), reasons), nil
}

func decodePayment(a *pd.Answer) (*payment.Payment, pd.Verdict, error) {
	w, v, err := decodeAnswer(a)
	if err != nil || v.Outcome != pd.Done {
		return nil, v, err
	}
	if w.Payment == nil {
		return nil, v, errors.New("no payment in the answer")
	}
	p, err := w.Payment.neutral()
	return p, v, err
}

func decodeRefund(a *pd.Answer) (*payment.Refund, pd.Verdict, error) {
	w, v, err := decodeAnswer(a)
	if err != nil || v.Outcome != pd.Done {
		return nil, v, err
	}
	if w.Refund == nil {
		return nil, v, errors.New("no refund in the answer")
	}
	r, err := w.Refund.neutral()
	return r, v, err
}

// envelope signs requests and verifies answers with the shared keys.
type envelope keys

func (e envelope) Sign(h http.Header, uri string, body []byte, now time.Time) error {
	keys(e).sign(roleRequest, uri, h, body, now)
	return nil
}

func (e envelope) Verify(uri string, h http.Header, body []byte) error {
	return keys(e).verify(roleAnswer, uri, h, body)
}
