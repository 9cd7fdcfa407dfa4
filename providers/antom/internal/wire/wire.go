// Package wire holds the JSON shapes of Antom's online payment API
// (/ams/api/v1/payments/…; mapping and sources in docs/providers/antom.md),
// shared by the adapter and its simulator. Only the fields paybridge sends
// or reads are here; the envelope, the result object and the amount are
// the Alipay family's (package providers/alipayfamily).
package wire

import "github.com/paybridge/paybridge/providers/alipayfamily"

// Endpoint paths, relative to the base URL.
const (
	PathPay           = "/ams/api/v1/payments/pay"
	PathInquiry       = "/ams/api/v1/payments/inquiryPayment"
	PathCancel        = "/ams/api/v1/payments/cancel"
	PathRefund        = "/ams/api/v1/payments/refund"
	PathInquiryRefund = "/ams/api/v1/payments/inquiryRefund"
)

// ProductCodeCashier is the productCode of a cashier payment: the
// customer pays on the method's own page (model/ProductCodeType.go).
const ProductCodeCashier = "CASHIER_PAYMENT"

// Terminal types (model/TerminalType.go) and OS types (model/OsType.go).
const (
	TerminalWeb     = "WEB"
	TerminalWAP     = "WAP"
	TerminalApp     = "APP"
	TerminalMiniApp = "MINI_APP"
)

// Transaction statuses of payments and refunds
// (model/TransactionStatusType.go).
const (
	StatusSuccess    = "SUCCESS"
	StatusFail       = "FAIL"
	StatusProcessing = "PROCESSING"
	StatusCancelled  = "CANCELLED"
	StatusPending    = "PENDING"
)

// Notification types: a payment's final result, a refund's. (The third,
// PAYMENT_PENDING, says nothing final.)
const (
	NotifyPaymentResult = "PAYMENT_RESULT"
	NotifyRefundResult  = "REFUND_RESULT"
)

// Result and Amount are the family's.
type (
	Result = alipayfamily.Result
	Amount = alipayfamily.Amount
)

// Env is the pay request's env: the customer's terminal.
type Env struct {
	TerminalType string `json:"terminalType,omitempty"`
	OSType       string `json:"osType,omitempty"`
}

// Order is the pay request's order.
type Order struct {
	ReferenceOrderID string  `json:"referenceOrderId,omitempty"`
	OrderDescription string  `json:"orderDescription,omitempty"`
	OrderAmount      *Amount `json:"orderAmount,omitempty"`
	Buyer            *Buyer  `json:"buyer,omitempty"`
}

// Buyer is order.buyer.
type Buyer struct {
	ReferenceBuyerID string `json:"referenceBuyerId,omitempty"`
}

// PaymentMethod names the method the customer pays with.
type PaymentMethod struct {
	PaymentMethodType string `json:"paymentMethodType"`
}

// PayRequest is the body of pay.
type PayRequest struct {
	ProductCode        string         `json:"productCode"`
	PaymentRequestID   string         `json:"paymentRequestId"`
	Order              *Order         `json:"order"`
	PaymentAmount      Amount         `json:"paymentAmount"`
	PaymentMethod      *PaymentMethod `json:"paymentMethod"`
	PaymentExpiryTime  string         `json:"paymentExpiryTime,omitempty"`
	PaymentRedirectURL string         `json:"paymentRedirectUrl"`
	PaymentNotifyURL   string         `json:"paymentNotifyUrl,omitempty"`
	Env                *Env           `json:"env"`
}

// PaymentFacts are what pay and inquiryPayment answers and payment
// notifications say of a payment (the SDK's AlipayPayResponse,
// AlipayPayQueryResponse and AlipayPayResultNotify; a pay answer carries
// no paymentMethodType).
type PaymentFacts struct {
	PaymentRequestID  string  `json:"paymentRequestId,omitempty"`
	PaymentID         string  `json:"paymentId,omitempty"`
	PaymentAmount     *Amount `json:"paymentAmount,omitempty"`
	PaymentCreateTime string  `json:"paymentCreateTime,omitempty"`
	PaymentTime       string  `json:"paymentTime,omitempty"`
	PaymentMethodType string  `json:"paymentMethodType,omitempty"`
}

// RefundFacts are what refund and inquiryRefund answers and refund
// notifications say of a refund.
type RefundFacts struct {
	RefundRequestID string  `json:"refundRequestId,omitempty"`
	RefundID        string  `json:"refundId,omitempty"`
	RefundAmount    *Amount `json:"refundAmount,omitempty"`
	RefundTime      string  `json:"refundTime,omitempty"`
}

// RedirectActionForm is a pay answer's redirect (model/RedirectActionForm.go).
type RedirectActionForm struct {
	Method      string `json:"method,omitempty"`
	RedirectURL string `json:"redirectUrl,omitempty"`
}

// PayResponse is the answer to pay: for a cashier payment, the URLs of
// the method's page.
type PayResponse struct {
	Result Result `json:"result"`
	PaymentFacts
	NormalURL          string              `json:"normalUrl,omitempty"`
	ApplinkURL         string              `json:"applinkUrl,omitempty"`
	RedirectActionForm *RedirectActionForm `json:"redirectActionForm,omitempty"`
}

// PaymentRef is the family's (alipayfamily.PaymentRef).
type PaymentRef = alipayfamily.PaymentRef

// InquiryResponse is the answer to inquiryPayment. Result is the query's;
// paymentStatus and paymentResultCode are the payment's.
type InquiryResponse struct {
	Result               Result `json:"result"`
	PaymentStatus        string `json:"paymentStatus,omitempty"`
	PaymentResultCode    string `json:"paymentResultCode,omitempty"`
	PaymentResultMessage string `json:"paymentResultMessage,omitempty"`
	PaymentFacts
}

// CancelResponse is the family's (alipayfamily.CancelResponse).
type CancelResponse = alipayfamily.CancelResponse

// RefundRequest is the body of refund: Antom refunds by paymentId only.
type RefundRequest struct {
	RefundRequestID string `json:"refundRequestId"`
	PaymentID       string `json:"paymentId"`
	RefundAmount    Amount `json:"refundAmount"`
	RefundReason    string `json:"refundReason,omitempty"`
	RefundNotifyURL string `json:"refundNotifyUrl,omitempty"`
}

// RefundResponse is the answer to refund.
type RefundResponse struct {
	Result    Result `json:"result"`
	PaymentID string `json:"paymentId,omitempty"`
	RefundFacts
}

// RefundRef is the family's (alipayfamily.RefundRef).
type RefundRef = alipayfamily.RefundRef

// InquiryRefundResponse is the answer to inquiryRefund.
type InquiryRefundResponse struct {
	Result       Result `json:"result"`
	RefundStatus string `json:"refundStatus,omitempty"`
	RefundFacts
}

// Notification is the body of a payment notification (notifyType
// PAYMENT_RESULT or PAYMENT_PENDING, the payment's result in result) or a
// refund notification (REFUND_RESULT, the refund's in refundStatus).
type Notification struct {
	NotifyType   string  `json:"notifyType"`
	Result       *Result `json:"result,omitempty"`
	RefundStatus string  `json:"refundStatus,omitempty"`
	PaymentFacts
	RefundFacts
}
