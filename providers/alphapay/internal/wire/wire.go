// Package wire holds the JSON shapes of the AlphaPay v2 API
// (spec: docs/providers/alphapay.md), shared by the adapter and its
// simulator so the two cannot disagree about a field name. Field names and
// nesting are the official Java SDK's (providers/alphapay/golden_test.go
// names the SDK file each request was checked against); field order
// follows AlphaPay's documentation, and carries no meaning to the server,
// which verifies the signature over the bytes as sent.
package wire

import (
	"bytes"
	"encoding/json"

	"github.com/paybridge/paybridge/internal/jsonamount"
)

// Endpoint paths, relative to the base URL.
const (
	PathPay           = "/api/v2.0/payments/pay"
	PathInquiry       = "/api/v2.0/payments/inquiryPayment"
	PathCancel        = "/api/v2.0/payments/cancel"
	PathRefund        = "/api/v2.0/payments/refund"
	PathInquiryRefund = "/api/v2.0/payments/inquiryRefund"
	PathTransactions  = "/api/v2.0/payments/transactions"
)

// Header names.
const (
	HeaderMerchantCode = "Merchant-Code"
	HeaderRequestTime  = "Request-Time"
	HeaderResponseTime = "Response-Time"
	HeaderNonce        = "Nonce"
	HeaderSignature    = "Signature"
)

// Algorithm is the Signature header's algorithm value.
const Algorithm = "RS256"

// Result statuses.
const (
	StatusS = "S"
	StatusF = "F"
	StatusU = "U"
)

// Result codes: documented ones, then the simulator's own ([ours]).
const (
	CodeSuccess                = "SUCCESS"
	CodePaymentInProcess       = "PAYMENT_IN_PROCESS"
	CodeOrderMismatch          = "ORDER_MISMATCH"
	CodeOrderPaid              = "ORDER_PAID"
	CodeSystemError            = "SYSTEMERROR"
	CodeInvalidMerchantCode    = "INVALID_MERCHANT_CODE"
	CodeSignTimeout            = "SIGN_TIMEOUT"
	CodeInvalidSign            = "INVALID_SIGN"
	CodeParamInvalid           = "PARAM_INVALID"
	CodeInvalidMethodType      = "INVALID_METHOD_TYPE"
	CodeExistProcessingRefund  = "EXIST_PROCESSING_REFUND"
	CodeRefundValidDateExceed  = "REFUND_VALID_DATE_EXCEED"
	CodeRefundNeedReview       = "REFUND_NEED_REVIEW"
	CodeInvalidRefundAmount    = "INVALID_REFUND_AMOUNT"
	CodeRefundNotEnoughBalance = "REFUND_NOT_ENOUGH_BALANCE"
	CodeFullRefundCompleted    = "FULL_REFUND_COMPLETED"
	CodeInvalidPaymentCode     = "INVALID_PAYMENT_CODE"

	CodeOrderNotExist         = "ORDER_NOT_EXIST"
	CodeRepeatReqInconsistent = "REPEAT_REQ_INCONSISTENT"
	CodeOrderClosed           = "ORDER_CLOSED"
	CodeCurrencyNotSupport    = "CURRENCY_NOT_SUPPORT"
	CodeUnknownException      = "UNKNOWN_EXCEPTION"
)

// Scenario codes.
const (
	ScenarioOnlineQRCode  = "ONLINE_QRCODE"
	ScenarioOnlineWeb     = "ONLINE_WEB"
	ScenarioJSAPI         = "JSAPI"
	ScenarioNativeJSAPI   = "NATIVE_JSAPI"
	ScenarioOnlineWAP     = "ONLINE_WAP"
	ScenarioApp           = "APP"
	ScenarioMiniApp       = "MINI_APP"
	ScenarioCreditCard    = "CREDIT_CARD"
	ScenarioOfflineQRCode = "OFFLINE_QRCODE"
	ScenarioOffline       = "OFFLINE"
)

// Payment method types (exact case).
const (
	MethodAlipay   = "Alipay"
	MethodWechat   = "Wechat"
	MethodUnionPay = "UnionPay"
)

// Payment statuses.
const (
	PaymentInProcess     = "PAYMENT_IN_PROCESS"
	PaymentSuccess       = "SUCCESS"
	PaymentFailed        = "FAILED"
	PaymentClosed        = "CLOSED"
	PaymentPartialRefund = "PARTIAL_REFUND"
	PaymentFullRefund    = "FULL_REFUND"
)

// Refund statuses.
const (
	RefundInProcess = "REFUND_IN_PROCESS"
	RefundSuccess   = "SUCCESS"
	RefundFailed    = "FAILED"
)

// TimeLayout is the layout of Request-Time and of the time fields in bodies
// as the official SDK sends them: RFC 3339, seconds, numeric offset. Parsers
// accept any RFC 3339 form (fractions, Z).
const TimeLayout = "2006-01-02T15:04:05-07:00"

// Result is every answer's result object.
type Result struct {
	ResultCode    string `json:"resultCode"`
	ResultMessage string `json:"resultMessage,omitempty"`
	ResultStatus  string `json:"resultStatus"`
}

// Amount is an amount in minor units: {"value":"1999","currency":"CAD"}.
// Unmarshal also accepts a JSON number for value.
type Amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

// UnmarshalJSON accepts value as a string or a plain JSON number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	v, c, err := jsonamount.Decode(b)
	if err != nil {
		return err
	}
	a.Value, a.Currency = v, c
	return nil
}

// Order is the pay request's order object.
type Order struct {
	OrderAmount Amount `json:"orderAmount"`
	Description string `json:"description,omitempty"`
	NotifyURL   string `json:"notifyUrl,omitempty"`
	RedirectURL string `json:"redirectUrl,omitempty"`
}

// PaymentMethod chooses the wallet, or carries the scanned code (OFFLINE).
type PaymentMethod struct {
	PaymentMethodType string `json:"paymentMethodType,omitempty"`
	PaymentCode       string `json:"paymentCode,omitempty"`
}

// Customer identifies the payer (mini program, native JSAPI).
type Customer struct {
	AppID      string `json:"appId,omitempty"`
	CustomerID string `json:"customerId,omitempty"`
}

// Env describes the app's device (APP).
type Env struct {
	OSType  string `json:"osType,omitempty"`
	Version string `json:"version,omitempty"`
}

// Card is the CREDIT_CARD scenario's card: a saved card's ID, or its details.
// Card data is secret: it is never logged, and simulators never echo Info.
type Card struct {
	CardID     string    `json:"cardId,omitempty"`
	Info       *CardInfo `json:"info,omitempty"`
	Remember   bool      `json:"remember,omitempty"`
	CustomerID string    `json:"customerId,omitempty"`
	Email      string    `json:"email,omitempty"`
}

// CardInfo holds a card's details.
type CardInfo struct {
	Number     string `json:"number"`
	ExpMonth   int    `json:"expMonth"`
	ExpYear    int    `json:"expYear"`
	CVV        string `json:"cvv,omitempty"`
	Holder     string `json:"holder,omitempty"`
	Address    string `json:"address,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	Country    string `json:"country,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
}

// PayRequest is the body of pay.
type PayRequest struct {
	ScenarioCode     string         `json:"scenarioCode"`
	PaymentRequestID string         `json:"paymentRequestId"`
	Order            Order          `json:"order"`
	PaymentMethod    *PaymentMethod `json:"paymentMethod,omitempty"`
	Customer         *Customer      `json:"customer,omitempty"`
	Env              *Env           `json:"env,omitempty"`
	Card             *Card          `json:"card,omitempty"`
}

// PaymentInfo is what the customer is shown or sent to.
type PaymentInfo struct {
	PaymentURL     string          `json:"paymentUrl,omitempty"`
	PaymentQRImage string          `json:"paymentQRImage,omitempty"`
	PayURL         string          `json:"payUrl,omitempty"`
	ChannelPayURL  string          `json:"channelPayUrl,omitempty"`
	SDKParams      json.RawMessage `json:"sdkParams,omitempty"`
}

// PayResponse is the answer to pay: the request echoed, plus the payment.
type PayResponse struct {
	ScenarioCode      string         `json:"scenarioCode,omitempty"`
	PaymentRequestID  string         `json:"paymentRequestId,omitempty"`
	PaymentID         string         `json:"paymentId,omitempty"`
	Order             *Order         `json:"order,omitempty"`
	PaymentMethod     *PaymentMethod `json:"paymentMethod,omitempty"`
	Customer          *Customer      `json:"customer,omitempty"`
	Card              *Card          `json:"card,omitempty"`
	PaymentInfo       *PaymentInfo   `json:"paymentInfo,omitempty"`
	PaymentCreateTime string         `json:"paymentCreateTime,omitempty"`
	PaymentExpireTime string         `json:"paymentExpireTime,omitempty"`
	Result            Result         `json:"result"`
}

// PaymentIDRequest is the body of inquiryPayment and cancel.
type PaymentIDRequest struct {
	PaymentID string `json:"paymentId"`
}

// PaymentState is the answer to inquiryPayment and, without Result, the
// body of a payment notification.
type PaymentState struct {
	ScenarioCode      string  `json:"scenarioCode,omitempty"`
	PaymentRequestID  string  `json:"paymentRequestId,omitempty"`
	PaymentID         string  `json:"paymentId,omitempty"`
	Order             *Order  `json:"order,omitempty"`
	PaymentCreateTime string  `json:"paymentCreateTime,omitempty"`
	PaymentExpireTime string  `json:"paymentExpireTime,omitempty"`
	PaymentTime       string  `json:"paymentTime,omitempty"`
	PaymentStatus     string  `json:"paymentStatus,omitempty"`
	Result            *Result `json:"result,omitempty"`
}

// CancelResponse is the answer to cancel.
type CancelResponse struct {
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
	PaymentID        string `json:"paymentId,omitempty"`
	CancelTime       string `json:"cancelTime,omitempty"`
	Result           Result `json:"result"`
}

// RefundDetail is the refund object of refund requests and answers.
type RefundDetail struct {
	RefundAmount Amount `json:"refundAmount"`
	Description  string `json:"description,omitempty"`
	NotifyURL    string `json:"notifyUrl,omitempty"`
}

// RefundRequest is the body of refund.
type RefundRequest struct {
	PaymentID       string       `json:"paymentId"`
	RefundRequestID string       `json:"refundRequestId,omitempty"`
	Refund          RefundDetail `json:"refund"`
}

// RefundResponse is the answer to refund.
type RefundResponse struct {
	RefundID        string        `json:"refundId,omitempty"`
	PaymentID       string        `json:"paymentId,omitempty"`
	RefundRequestID string        `json:"refundRequestId,omitempty"`
	Refund          *RefundDetail `json:"refund,omitempty"`
	RefundTime      string        `json:"refundTime,omitempty"`
	Result          Result        `json:"result"`
}

// InquiryRefundRequest is the body of inquiryRefund.
type InquiryRefundRequest struct {
	RefundID        string `json:"refundId"`
	RefundRequestID string `json:"refundRequestId,omitempty"`
}

// RefundState is the answer to inquiryRefund and, without Result, the body
// of a refund notification (recognised by RefundID).
type RefundState struct {
	PaymentID       string        `json:"paymentId,omitempty"`
	RefundRequestID string        `json:"refundRequestId,omitempty"`
	RefundID        string        `json:"refundId,omitempty"`
	RefundTime      string        `json:"refundTime,omitempty"`
	RefundStatus    string        `json:"refundStatus,omitempty"`
	Refund          *RefundDetail `json:"refund,omitempty"`
	Result          *Result       `json:"result,omitempty"`
}

// TransactionsRequest is the body of transactions. Every field is required
// (AlphaPay's transaction page; the official SDK's
// request/beans/SearchTransactionsRequest.java has the same four). Date is
// the day in UTC−8, as the SDK's comment on the field says.
type TransactionsRequest struct {
	Date            string `json:"date"`
	Page            int    `json:"page"`
	PageLimit       int    `json:"pageLimit"`
	TransactionType string `json:"transactionType"`
}

// Transaction types of a transactions request ("All") and of its rows.
const (
	TransactionsAll    = "All"
	TransactionsCredit = "Credit" // a payment
	TransactionsDebit  = "Debit"  // a refund
)

// Transaction is one row of a transactions answer, with the fields of
// AlphaPay's transaction page and of the official SDK's
// model/beans/Transaction.java, all strings there (the two times are
// java.util.Date in the SDK, ISO 8601 text on the wire). One payment or
// refund may have several rows.
type Transaction struct {
	RequestID       string  `json:"requestId,omitempty"`     // the merchant's order ID
	TransactionID   string  `json:"transactionId,omitempty"` // AlphaPay's transaction ID
	Amount          Decimal `json:"amount"`
	Currency        string  `json:"currency"`
	TransactionType string  `json:"transactionType"` // Credit or Debit
	SettleAmount    Decimal `json:"settleAmount,omitempty"`
	SettleCurrency  string  `json:"settleCurrency,omitempty"`
	ExchangeRate    Decimal `json:"exchangeRate,omitempty"`
	PaymentMethod   string  `json:"paymentMethod,omitempty"` // Alipay, Wechat or UnionPay
	CreateTime      string  `json:"createTime,omitempty"`
	TransactionTime string  `json:"transactionTime,omitempty"`
}

// Decimal is a number AlphaPay documents as a JSON string ("amount":
// "1999"). A JSON number is read too, its text kept as sent, as the SDK's
// JSON library would read one into its String field; null reads as "".
// It marshals as a JSON string.
type Decimal string

// UnmarshalJSON reads a JSON string, number or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*d = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, (*string)(d))
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*d = Decimal(n)
	return nil
}

// Pagination is the page information of a transactions answer.
type Pagination struct {
	Page      int `json:"page"`
	PageLimit int `json:"pageLimit"`
	TotalPage int `json:"totalPage"`
	Total     int `json:"total"`
}

// TransactionsResponse is the answer to transactions.
type TransactionsResponse struct {
	Transactions []Transaction `json:"transactions"`
	Pagination   Pagination    `json:"pagination"`
	Result       Result        `json:"result"`
}

// Ack is the body a merchant answers a notification with [ours].
var Ack = []byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`)
