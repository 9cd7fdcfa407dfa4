package engine

import (
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// ErrContradiction is the cause of an unknown outcome whose answer verified
// but contradicts the request: another payment's ID, another amount, a
// pending payment nobody can pay. The provider may have acted on something,
// so nothing is concluded.
var ErrContradiction = errors.New("answer contradicts the request")

type contradictionError struct{ err error }

func (c contradictionError) Error() string { return ErrContradiction.Error() + ": " + c.err.Error() }
func (c contradictionError) Unwrap() []error {
	return []error{ErrContradiction, c.err}
}

func contradiction(err error) error { return contradictionError{err} }

// present reports whether an answer stated an amount.
func present(a money.Amount) bool { return !a.Currency().IsZero() }

// checkPay cross-checks a pay answer (or the inquiry that completes one)
// against its request.
func checkPay(req *payment.PayRequest, got *payment.Payment) error {
	switch {
	case got == nil:
		return errors.New("no payment in the answer")
	case got.PaymentID == "":
		return errors.New("no paymentId")
	case got.PaymentRequestID != "" && got.PaymentRequestID != req.PaymentRequestID:
		return fmt.Errorf("the answer is about paymentRequestId %q", got.PaymentRequestID)
	case present(got.Amount) && !got.Amount.Equal(req.Amount):
		return fmt.Errorf("the answer's amount %s differs from the %s requested", got.Amount, req.Amount)
	case got.Status != "" && !got.Status.Valid():
		return fmt.Errorf("invalid status %q", got.Status)
	}
	return nil
}

// fillPay completes a checked pay answer from its request.
func fillPay(name string, req *payment.PayRequest, got *payment.Payment, res payment.Result) *payment.Payment {
	out := *got
	out.Provider = name
	out.PaymentRequestID = req.PaymentRequestID
	out.Amount = req.Amount
	if out.Scenario == "" {
		out.Scenario = req.Scenario
	}
	if out.Method == "" {
		out.Method = req.Method
	}
	if out.ExpiresAt.IsZero() {
		out.ExpiresAt = req.ExpiresAt
	}
	if out.Status != payment.StatusPending {
		out.Action = nil
	}
	out.Result = res
	return &out
}

// usableAction reports whether a is an action of kind k the merchant can
// carry out.
func usableAction(k payment.ActionKind, a *payment.Action) bool {
	if a == nil || a.Kind != k {
		return false
	}
	switch k {
	case payment.ActionShowQR:
		return a.QRCode != "" || a.QRImage != ""
	case payment.ActionRedirect:
		return a.URL != ""
	case payment.ActionInvokeSDK:
		return len(a.SDKParams) > 0
	}
	return true
}

// checkPaymentRef cross-checks an inquiry or cancel answer against the
// reference asked about. cancelled requires the cancelled status.
func checkPaymentRef(ref payment.Ref, got *payment.Payment, cancelled bool) error {
	switch {
	case got == nil:
		return errors.New("no payment in the answer")
	case !cancelled && got.PaymentID == "":
		return errors.New("no paymentId")
	case ref.PaymentID != "" && got.PaymentID != "" && got.PaymentID != ref.PaymentID:
		return fmt.Errorf("the answer is about paymentId %q", got.PaymentID)
	case ref.PaymentRequestID != "" && got.PaymentRequestID != "" && got.PaymentRequestID != ref.PaymentRequestID:
		return fmt.Errorf("the answer is about paymentRequestId %q", got.PaymentRequestID)
	case cancelled && got.Status != payment.StatusCancelled:
		return fmt.Errorf("a successful cancel with status %q", got.Status)
	case !got.Status.Valid():
		return fmt.Errorf("invalid status %q", got.Status)
	}
	return nil
}

// fillRef completes a checked inquiry or cancel answer from its reference.
func fillRef(name string, ref payment.Ref, got *payment.Payment, res payment.Result) *payment.Payment {
	out := *got
	out.Provider = name
	if out.PaymentID == "" {
		out.PaymentID = ref.PaymentID
	}
	if out.PaymentRequestID == "" {
		out.PaymentRequestID = ref.PaymentRequestID
	}
	if out.Status != payment.StatusPending {
		out.Action = nil
	}
	out.Result = res
	return &out
}

// checkRefund cross-checks a refund answer against its request.
func checkRefund(req *payment.RefundRequest, got *payment.Refund) error {
	switch {
	case got == nil:
		return errors.New("no refund in the answer")
	case got.RefundID == "":
		return errors.New("no refundId")
	case got.RefundRequestID != "" && got.RefundRequestID != req.RefundRequestID:
		return fmt.Errorf("the answer is about refundRequestId %q", got.RefundRequestID)
	case got.PaymentID != "" && req.Payment.PaymentID != "" && got.PaymentID != req.Payment.PaymentID:
		return fmt.Errorf("the answer is about paymentId %q", got.PaymentID)
	case present(got.Amount) && !got.Amount.Equal(req.Amount):
		return fmt.Errorf("the answer's refund amount %s differs from the %s requested", got.Amount, req.Amount)
	case got.Status != payment.RefundPending && got.Status != payment.RefundSucceeded:
		return fmt.Errorf("a successful refund call with refund status %q", got.Status)
	}
	return nil
}

// fillRefund completes a checked refund answer from its request.
func fillRefund(name string, req *payment.RefundRequest, got *payment.Refund, res payment.Result) *payment.Refund {
	out := *got
	out.Provider = name
	out.RefundRequestID = req.RefundRequestID
	if out.PaymentID == "" {
		out.PaymentID = req.Payment.PaymentID
	}
	out.Amount = req.Amount
	if out.Reason == "" {
		out.Reason = req.Reason
	}
	out.Result = res
	return &out
}

// checkRefundRef cross-checks a refund inquiry against its reference.
func checkRefundRef(ref payment.RefundRef, got *payment.Refund) error {
	switch {
	case got == nil:
		return errors.New("no refund in the answer")
	case got.RefundID == "":
		return errors.New("no refundId")
	case ref.RefundID != "" && got.RefundID != ref.RefundID:
		return fmt.Errorf("the answer is about refundId %q", got.RefundID)
	case ref.RefundRequestID != "" && got.RefundRequestID != "" && got.RefundRequestID != ref.RefundRequestID:
		return fmt.Errorf("the answer is about refundRequestId %q", got.RefundRequestID)
	case !got.Status.Valid():
		return fmt.Errorf("invalid refund status %q", got.Status)
	}
	return nil
}

// fillRefundRef completes a checked refund inquiry from its reference.
func fillRefundRef(name string, ref payment.RefundRef, got *payment.Refund, res payment.Result) *payment.Refund {
	out := *got
	out.Provider = name
	if out.RefundRequestID == "" {
		out.RefundRequestID = ref.RefundRequestID
	}
	out.Result = res
	return &out
}
