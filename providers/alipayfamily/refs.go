package alipayfamily

import "github.com/paybridge/paybridge/payment"

// The request and answer bodies every member of the family spells alike
// (Alipay's official SDK: AlipayPayQueryRequest, AlipayPayCancelRequest,
// AlipayPayCancelResponse and AlipayInquiryRefundRequest of
// github.com/alipay/global-open-sdk-go, and the Alipay+ wallets'
// documentation).

// PaymentRef is the body of inquiryPayment and cancel: a payment by
// paymentId and/or paymentRequestId.
type PaymentRef struct {
	PaymentID        string `json:"paymentId,omitempty"`
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
}

// PaymentRefOf is ref on the wire.
func PaymentRefOf(ref payment.Ref) PaymentRef {
	return PaymentRef{PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID}
}

// RefundRef is the body of inquiryRefund: a refund by refundId and/or
// refundRequestId.
type RefundRef struct {
	RefundID        string `json:"refundId,omitempty"`
	RefundRequestID string `json:"refundRequestId,omitempty"`
}

// RefundRefOf is ref on the wire.
func RefundRefOf(ref payment.RefundRef) RefundRef {
	return RefundRef{RefundID: ref.RefundID, RefundRequestID: ref.RefundRequestID}
}

// CancelResponse is the answer to cancel.
type CancelResponse struct {
	Result           Result `json:"result"`
	PaymentID        string `json:"paymentId,omitempty"`
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
	CancelTime       string `json:"cancelTime,omitempty"`
}

// Cancelled is the payment a cancel answer describes: cancelled (S is the
// only answer read as one).
func (r *CancelResponse) Cancelled() *payment.Payment {
	return &payment.Payment{PaymentID: r.PaymentID, PaymentRequestID: r.PaymentRequestID, Status: payment.StatusCancelled,
		CancelledAt: ParseTime(r.CancelTime)}
}
