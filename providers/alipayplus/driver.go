package alipayplus

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// walletDriver is the Alipay+ v1 codec and envelope under the engine: it
// translates requests and answers and classifies the wallet's result codes.
// Every decision about outcomes (retries, what an unknown or contradicting
// answer means, inquiring an answer that does not say where a payment is)
// is the engine's.
type walletDriver struct {
	cfg   settings
	caps  payment.Capabilities
	env   *alipayfamily.Envelope
	clock payment.Clock
}

var _ driver.Driver = (*walletDriver)(nil)

func (d *walletDriver) Name() string                       { return Name }
func (d *walletDriver) Capabilities() payment.Capabilities { return d.caps }
func (d *walletDriver) Envelope() driver.Envelope          { return d.env }

// reasons says what each F code means in neutral terms: the Alipay
// family's standard table (alipayfamily.StandardReasons); a code not listed
// is driver.Declined (kind failed). docs/providers/alipayplus.md, "Result
// codes", is this table.
var reasons = alipayfamily.StandardReasons()

// decode unmarshals an answer once into resp, whose result is *res, and
// classifies the result for op: A is a pay status (open the cashier); an A
// answer to any other call says nothing definite, so it leaves the
// question open like U. An answer without a result status is not one the
// protocol defines, so nothing can be read from it.
func decode(body []byte, resp any, res *wire.Result, op string) (driver.Verdict, error) {
	return reasons.Decode(body, resp, res, op)
}

func encode(path string, body any) (driver.Request, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return driver.Request{}, err
	}
	return driver.Request{Path: path, Body: b}, nil
}

// CheckPay finds what the wallet cannot take beyond what
// payment.ValidatePay checks: PayOptions' lengths, a Customer (the wallet
// knows its user), an expiry that has passed, goods prices the wallet would
// refuse.
func (d *walletDriver) CheckPay(req *payment.PayRequest) []payment.FieldError {
	var bad []payment.FieldError
	opts := payOptions(req)
	if len(opts.ProductCode) > 32 {
		bad = append(bad, payment.FieldError{Field: "ProviderOptions.ProductCode", Problem: "must be at most 32 characters"})
	}
	if len(opts.AuthCode) > 128 {
		bad = append(bad, payment.FieldError{Field: "ProviderOptions.AuthCode", Problem: "must be at most 128 characters"})
	}
	if req.Customer != nil {
		bad = append(bad, payment.FieldError{Field: "Customer", Problem: "is not used by alipayplus (the wallet knows its user)"})
	}
	if !req.ExpiresAt.IsZero() && !req.ExpiresAt.After(d.clock.Now()) {
		bad = append(bad, payment.FieldError{Field: "ExpiresAt", Problem: "must be in the future"})
	}
	if o := req.Order; o != nil {
		for i, g := range o.Goods {
			u := g.UnitAmount
			field := fmt.Sprintf("Order.Goods[%d].UnitAmount", i)
			switch {
			case u.Currency().IsZero():
			case u.Currency() != req.Amount.Currency():
				bad = append(bad, payment.FieldError{Field: field, Problem: "must be in the payment's currency"})
			case u.IsNegative():
				bad = append(bad, payment.FieldError{Field: field, Problem: "must not be negative"})
			case u.CheckDigits(d.caps.MaxAmountDigits) != nil:
				bad = append(bad, payment.FieldError{Field: field, Problem: fmt.Sprintf("must have at most %d digits in minor units", d.caps.MaxAmountDigits)})
			}
		}
	}
	return bad
}

// payOptions returns the request's PayOptions, or none. Options of another
// provider are ValidatePay's to reject.
func payOptions(req *payment.PayRequest) PayOptions {
	switch o := req.ProviderOptions.(type) {
	case PayOptions:
		return o
	case *PayOptions:
		if o != nil {
			return *o
		}
	}
	return PayOptions{}
}

// EncodePay builds the pay body (mapping.go, payRequest).
func (d *walletDriver) EncodePay(req *payment.PayRequest) (driver.Request, error) {
	return encode(wire.PathPay, d.payRequest(req, payOptions(req)))
}

// DecodePay reads a pay answer (docs/providers/alipayplus.md, Pay):
//
//   - S or A with a redirectActionForm: the wallet accepted the payment and
//     the customer pays at its cashier: pending, with a redirect Action;
//   - S SUCCESS without a form on a pay with PayOptions.AuthCode: the wallet
//     debited the user at once (agreement or auth-code pay): succeeded;
//   - any other S or A without a form (REPEAT_REQUEST for a payment that is
//     no longer pending; a cashier pay answered without the cashier): the
//     answer does not say where the payment is, so Status is left empty and
//     the engine inquires. "Succeeded" would be a guess, and a wrong one for
//     a cashier payment nobody has paid.
//
// paymentAmount is not in the documented answer; when a wallet sends it,
// it is returned for the engine to compare with the request.
func (d *walletDriver) DecodePay(req *payment.PayRequest, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	var resp wire.PayResponse
	v, err := decode(a.Body, &resp, &resp.Result, payment.OpPay)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	p := &payment.Payment{PaymentID: resp.PaymentID, Scenario: payment.ScenarioCashier}
	if resp.PaymentAmount != nil {
		if p.Amount, err = resp.PaymentAmount.Money(); err != nil {
			return nil, v, fmt.Errorf("paymentAmount: %w", err)
		}
	}
	if f := resp.RedirectActionForm; f != nil && f.URL() != "" {
		p.Status = payment.StatusPending
		p.Action = &payment.Action{Kind: payment.ActionRedirect, URL: f.URL(), HTTPMethod: httpMethod(f.Method)}
		return p, v, nil
	}
	if resp.Result.ResultStatus == wire.StatusS && resp.Result.ResultCode != wire.CodeRepeatRequest && payOptions(req).AuthCode != "" {
		p.Status = payment.StatusSucceeded
		p.PaidAt = alipayfamily.ParseTime(resp.PaymentTime)
	}
	return p, v, nil
}

// httpMethod is the redirect's method: the form's, upper-cased, or GET.
func httpMethod(m string) string {
	if m = strings.ToUpper(strings.TrimSpace(m)); m == "" {
		return http.MethodGet
	}
	return m
}

// EncodeInquire asks for a payment by paymentId and/or paymentRequestId
// (the wallet prefers paymentId).
func (d *walletDriver) EncodeInquire(ref payment.Ref) (driver.Request, error) {
	return encode(wire.PathInquiry, alipayfamily.PaymentRefOf(ref))
}

// DecodeInquire reads an inquiryPayment answer. Its result is the query's;
// paymentStatus is the payment's. An unknown paymentStatus makes the answer
// unreadable: a status is never guessed.
func (d *walletDriver) DecodeInquire(_ payment.Ref, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	var resp wire.InquiryResponse
	v, err := decode(a.Body, &resp, &resp.Result, payment.OpInquire)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	p, err := paymentFromInquiry(&resp)
	return p, v, err
}

// EncodeCancel closes a payment by paymentId and/or paymentRequestId.
func (d *walletDriver) EncodeCancel(ref payment.Ref) (driver.Request, error) {
	return encode(wire.PathCancel, alipayfamily.PaymentRefOf(ref))
}

// DecodeCancel reads a cancel answer: S means the payment is cancelled (a
// paid one reversed in full). The answer carries no amount.
func (d *walletDriver) DecodeCancel(_ payment.Ref, a *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	var resp wire.CancelResponse
	v, err := decode(a.Body, &resp, &resp.Result, payment.OpCancel)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	p := resp.Cancelled()
	p.Scenario = payment.ScenarioCashier
	return p, v, nil
}

// CheckRefund refuses NotifyURL: the wallet sends no refund notifications,
// and silently dropping the URL would leave the merchant waiting for one.
// payment.Capabilities has no field for refund notifications, so this is
// reported as an invalid request naming the field.
func (d *walletDriver) CheckRefund(req *payment.RefundRequest) []payment.FieldError {
	if req.NotifyURL != "" {
		return []payment.FieldError{{Field: "NotifyURL", Problem: "is not supported by alipayplus: the wallet does not notify refunds; use InquireRefund"}}
	}
	return nil
}

// EncodeRefund builds the refund body.
func (d *walletDriver) EncodeRefund(req *payment.RefundRequest) (driver.Request, error) {
	return encode(wire.PathRefund, wire.RefundRequest{
		RefundRequestID:  req.RefundRequestID,
		PaymentID:        req.Payment.PaymentID,
		PaymentRequestID: req.Payment.PaymentRequestID,
		RefundAmount:     alipayfamily.WireAmount(req.Amount),
		RefundReason:     req.Reason,
	})
}

// DecodeRefund reads a refund answer: S is a succeeded refund. The
// documented answer has no amount; one a wallet adds is returned for the
// engine to compare.
func (d *walletDriver) DecodeRefund(_ *payment.RefundRequest, a *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	var resp wire.RefundResponse
	v, err := decode(a.Body, &resp, &resp.Result, payment.OpRefund)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	at := alipayfamily.ParseTime(resp.RefundTime)
	r := &payment.Refund{RefundID: resp.RefundID, Status: payment.RefundSucceeded, CreatedAt: at, CompletedAt: at}
	if resp.RefundAmount != nil {
		if r.Amount, err = resp.RefundAmount.Money(); err != nil {
			return nil, v, fmt.Errorf("refundAmount: %w", err)
		}
	}
	return r, v, nil
}

// EncodeInquireRefund asks for a refund by refundId and/or refundRequestId.
func (d *walletDriver) EncodeInquireRefund(ref payment.RefundRef) (driver.Request, error) {
	return encode(wire.PathInquiryRefund, alipayfamily.RefundRefOf(ref))
}

// DecodeInquireRefund reads an inquiryRefund answer. The answer does not
// name the payment.
func (d *walletDriver) DecodeInquireRefund(_ payment.RefundRef, a *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	var resp wire.InquiryRefundResponse
	v, err := decode(a.Body, &resp, &resp.Result, payment.OpInquireRefund)
	if err != nil || v.Outcome != driver.Done {
		return nil, v, err
	}
	r, err := refundFromInquiry(&resp)
	return r, v, err
}
