// Package wire holds the JSON shapes of the Alipay+ style v1 wallet OpenAPI
// (the protocol paybridge implements; mapping in docs/providers/alipayplus.md),
// shared by the adapter and its
// simulator. Field order follows the wallets' documentation, so the bytes the
// adapter signs match the official examples.
package wire

import "github.com/paybridge/paybridge/providers/alipayfamily"

// Endpoint paths, relative to base URL + prefix.
const (
	PathPay           = "/v1/payments/pay"
	PathInquiry       = "/v1/payments/inquiryPayment"
	PathCancel        = "/v1/payments/cancel"
	PathRefund        = "/v1/payments/refund"
	PathInquiryRefund = "/v1/payments/inquiryRefund"
)

// The envelope, the result object, the amount and the acknowledgement are
// the Alipay family's (package providers/alipayfamily), shared with other
// members of the family; the names below keep them where the adapter and
// the simulator have always found them.

// Header names.
const (
	HeaderClientID     = alipayfamily.HeaderClientID
	HeaderRequestTime  = alipayfamily.HeaderRequestTime
	HeaderResponseTime = alipayfamily.HeaderResponseTime
	HeaderSignature    = alipayfamily.HeaderSignature
)

// Algorithm is the Signature header's algorithm value.
const Algorithm = alipayfamily.Algorithm

// TimeLayout is the Request-Time the adapter sends by default:
// milliseconds and a numeric offset (Super Qi wants "+00:00", not "Z").
const TimeLayout = alipayfamily.TimeLayout

// Result statuses.
const (
	StatusS = alipayfamily.StatusS
	StatusF = alipayfamily.StatusF
	StatusU = alipayfamily.StatusU
	StatusA = alipayfamily.StatusA
)

// Result codes used by paybridge (docs/providers/alipayplus.md, Result codes).
const (
	CodeSuccess                 = alipayfamily.CodeSuccess
	CodeAccept                  = alipayfamily.CodeAccept
	CodeRepeatRequest           = alipayfamily.CodeRepeatRequest
	CodeUnknownException        = alipayfamily.CodeUnknownException
	CodeTrafficExceedLimit      = alipayfamily.CodeTrafficExceedLimit
	CodePaymentInProcess        = alipayfamily.CodePaymentInProcess
	CodeRefundInProcess         = alipayfamily.CodeRefundInProcess
	CodeRepeatReqInconsistent   = alipayfamily.CodeRepeatReqInconsistent
	CodeProcessFail             = alipayfamily.CodeProcessFail
	CodeParamIllegal            = alipayfamily.CodeParamIllegal
	CodeInvalidAPI              = alipayfamily.CodeInvalidAPI
	CodeAccessDenied            = alipayfamily.CodeAccessDenied
	CodeMsgParseError           = alipayfamily.CodeMsgParseError
	CodeInvalidClient           = alipayfamily.CodeInvalidClient
	CodeInvalidSignature        = alipayfamily.CodeInvalidSignature
	CodeKeyNotFound             = alipayfamily.CodeKeyNotFound
	CodeRequestTimeInvalid      = alipayfamily.CodeRequestTimeInvalid
	CodePaymentAmountExceed     = alipayfamily.CodePaymentAmountExceed
	CodeUserBalanceNotEnough    = alipayfamily.CodeUserBalanceNotEnough
	CodeRiskReject              = alipayfamily.CodeRiskReject
	CodeCurrencyNotSupport      = alipayfamily.CodeCurrencyNotSupport
	CodeOrderStatusInvalid      = alipayfamily.CodeOrderStatusInvalid
	CodeOrderNotExist           = alipayfamily.CodeOrderNotExist
	CodeCancelWindowExceed      = alipayfamily.CodeCancelWindowExceed
	CodeRefundWindowExceed      = alipayfamily.CodeRefundWindowExceed
	CodeRefundAmountExceed      = alipayfamily.CodeRefundAmountExceed
	CodeRefundNotExist          = alipayfamily.CodeRefundNotExist
	CodePartnerBalanceNotEnough = alipayfamily.CodePartnerBalanceNotEnough
	CodeInvalidAccessToken      = alipayfamily.CodeInvalidAccessToken
	CodeAuthCodeAlreadyUsed     = alipayfamily.CodeAuthCodeAlreadyUsed
)

// Payment statuses (inquiryPayment, notification shape A). PENDING is not
// in the wallets' documentation; Alipay's official SDK lists it among the
// transaction statuses (model/TransactionStatusType.go).
const (
	PaymentProcessing  = "PROCESSING"
	PaymentPending     = "PENDING"
	PaymentAuthSuccess = "AUTH_SUCCESS"
	PaymentSuccess     = "SUCCESS"
	PaymentFail        = "FAIL"
	PaymentCancelled   = "CANCELLED"
)

// Refund statuses; PENDING as for payments.
const (
	RefundProcessing = "PROCESSING"
	RefundPending    = "PENDING"
	RefundSuccess    = "SUCCESS"
	RefundFail       = "FAIL"
)

// NotifyPaymentResult is the notifyType of a payment's final result in
// notification shape C.
const NotifyPaymentResult = "PAYMENT_RESULT"

// ProductCodeOnlinePurchase is the default product code: online purchase.
const ProductCodeOnlinePurchase = "51051000101000000011"

// Result is every answer's result object.
type Result = alipayfamily.Result

// Amount is {"currency":"CLP","value":"2000"}; value in minor units. Unmarshal
// accepts value as a JSON number too (some wallets send one).
type Amount = alipayfamily.Amount

// Address is a merchant's address.
type Address struct {
	Region string `json:"region,omitempty"`
	City   string `json:"city,omitempty"`
}

// Merchant is order.merchant.
type Merchant struct {
	ReferenceMerchantID string   `json:"referenceMerchantId,omitempty"`
	MerchantMCC         string   `json:"merchantMCC,omitempty"`
	MerchantName        string   `json:"merchantName,omitempty"`
	MerchantDisplayName string   `json:"merchantDisplayName,omitempty"`
	MerchantAddress     *Address `json:"merchantAddress,omitempty"`
}

// Goods is one item of order.goods.
type Goods struct {
	ReferenceGoodsID string  `json:"referenceGoodsId,omitempty"`
	GoodsName        string  `json:"goodsName,omitempty"`
	GoodsCategory    string  `json:"goodsCategory,omitempty"`
	GoodsUnitAmount  *Amount `json:"goodsUnitAmount,omitempty"`
	GoodsQuantity    string  `json:"goodsQuantity,omitempty"`
}

// Buyer is order.buyer.
type Buyer struct {
	ReferenceBuyerID string `json:"referenceBuyerId,omitempty"`
}

// Env is order.env.
type Env struct {
	OSType       string `json:"osType,omitempty"`       // IOS, ANDROID
	TerminalType string `json:"terminalType,omitempty"` // MINI_APP, APP, WEB, WAP, SYSTEM
}

// Order is the pay request's order.
type Order struct {
	ReferenceOrderID string    `json:"referenceOrderId,omitempty"`
	OrderDescription string    `json:"orderDescription,omitempty"`
	OrderAmount      *Amount   `json:"orderAmount,omitempty"`
	OrderCreateTime  string    `json:"orderCreateTime,omitempty"`
	Merchant         *Merchant `json:"merchant,omitempty"`
	Goods            []Goods   `json:"goods,omitempty"`
	Buyer            *Buyer    `json:"buyer,omitempty"`
	Env              *Env      `json:"env,omitempty"`
}

// PayRequest is the body of pay.
type PayRequest struct {
	ProductCode        string `json:"productCode"`
	PaymentRequestID   string `json:"paymentRequestId"`
	PaymentAmount      Amount `json:"paymentAmount"`
	Order              Order  `json:"order"`
	PaymentExpiryTime  string `json:"paymentExpiryTime,omitempty"`
	PaymentNotifyURL   string `json:"paymentNotifyUrl,omitempty"`
	PaymentRedirectURL string `json:"paymentRedirectUrl,omitempty"`
	PaymentAuthCode    string `json:"paymentAuthCode,omitempty"`
	ExtendInfo         string `json:"extendInfo,omitempty"`
}

// RedirectActionForm tells the merchant where to send the customer. Wallets
// spell the URL redirectionUrl or (Super Qi) redirectUrl; read both.
type RedirectActionForm struct {
	Method         string `json:"method,omitempty"`
	RedirectionURL string `json:"redirectionUrl,omitempty"`
	RedirectURL    string `json:"redirectUrl,omitempty"`
}

// URL returns whichever spelling the wallet used.
func (f *RedirectActionForm) URL() string {
	if f.RedirectionURL != "" {
		return f.RedirectionURL
	}
	return f.RedirectURL
}

// PayResponse is the answer to pay. PaymentAmount is not in the documented
// answer; a wallet (and the simulator) that adds it is held to it.
type PayResponse struct {
	Result             Result              `json:"result"`
	PaymentID          string              `json:"paymentId,omitempty"`
	PaymentTime        string              `json:"paymentTime,omitempty"`
	PaymentAmount      *Amount             `json:"paymentAmount,omitempty"`
	RedirectActionForm *RedirectActionForm `json:"redirectActionForm,omitempty"`
}

// PaymentRef is the family's (alipayfamily.PaymentRef).
type PaymentRef = alipayfamily.PaymentRef

// InquiryResponse is the answer to inquiryPayment. Result is the query's.
// PaymentResultCode is not in the wallets' documentation: Alipay's official
// SDK has it (response/pay/AlipayPayQueryResponse.go) where the wallets
// have paymentFailReason.
type InquiryResponse struct {
	Result            Result  `json:"result"`
	PaymentID         string  `json:"paymentId,omitempty"`
	PaymentRequestID  string  `json:"paymentRequestId,omitempty"`
	PaymentAmount     *Amount `json:"paymentAmount,omitempty"`
	PaymentTime       string  `json:"paymentTime,omitempty"`
	PaymentStatus     string  `json:"paymentStatus,omitempty"`
	PaymentFailReason string  `json:"paymentFailReason,omitempty"`
	PaymentResultCode string  `json:"paymentResultCode,omitempty"`
	AuthExpiryTime    string  `json:"authExpiryTime,omitempty"`
}

// CancelResponse is the family's (alipayfamily.CancelResponse).
type CancelResponse = alipayfamily.CancelResponse

// RefundRequest is the body of refund.
type RefundRequest struct {
	RefundRequestID  string `json:"refundRequestId"`
	PaymentID        string `json:"paymentId,omitempty"`
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
	RefundAmount     Amount `json:"refundAmount"`
	RefundReason     string `json:"refundReason,omitempty"`
	ExtendInfo       string `json:"extendInfo,omitempty"`
}

// RefundResponse is the answer to refund. RefundAmount is not in the
// documented answer; a wallet that adds it is held to it.
type RefundResponse struct {
	Result       Result  `json:"result"`
	RefundID     string  `json:"refundId,omitempty"`
	RefundAmount *Amount `json:"refundAmount,omitempty"`
	RefundTime   string  `json:"refundTime,omitempty"`
}

// RefundRef is the family's (alipayfamily.RefundRef).
type RefundRef = alipayfamily.RefundRef

// InquiryRefundResponse is the answer to inquiryRefund.
type InquiryRefundResponse struct {
	Result           Result  `json:"result"`
	RefundID         string  `json:"refundId,omitempty"`
	RefundRequestID  string  `json:"refundRequestId,omitempty"`
	RefundAmount     *Amount `json:"refundAmount,omitempty"`
	RefundReason     string  `json:"refundReason,omitempty"`
	RefundTime       string  `json:"refundTime,omitempty"`
	RefundStatus     string  `json:"refundStatus,omitempty"`
	RefundFailReason string  `json:"refundFailReason,omitempty"`
}

// Notification is the body of notifyPayment, in any of three shapes: the
// wallets document A, which carries PaymentStatus (SUCCESS|FAIL) and
// PaymentFailReason, and B, which carries PaymentResult (S success, F
// failure) and PaymentCreateTime; C is B as Alipay's official SDK models it
// (request/notify/AlipayPayResultNotify.go), with NotifyType
// PAYMENT_RESULT and the payment's result in Result.
type Notification struct {
	NotifyType        string  `json:"notifyType,omitempty"`
	Result            *Result `json:"result,omitempty"`
	PaymentID         string  `json:"paymentId"`
	PaymentRequestID  string  `json:"paymentRequestId"`
	PaymentAmount     *Amount `json:"paymentAmount,omitempty"`
	PaymentTime       string  `json:"paymentTime,omitempty"`
	PaymentCreateTime string  `json:"paymentCreateTime,omitempty"`
	PaymentStatus     string  `json:"paymentStatus,omitempty"`
	PaymentFailReason string  `json:"paymentFailReason,omitempty"`
	PaymentResult     *Result `json:"paymentResult,omitempty"`
}

// Ack is the body a merchant answers notifyPayment with (HTTP 200, unsigned).
var Ack = []byte(alipayfamily.AckBody)
