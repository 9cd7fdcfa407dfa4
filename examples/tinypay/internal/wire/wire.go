// Package wire is TinyPay's wire format — paths, headers, JSON shapes and
// codes — shared by the adapter and its simulator. It holds no mapping to
// paybridge's neutral terms: each side keeps its own, so that a wrong
// mapping in one cannot be mirrored by the other.
package wire

// The endpoints; every request is a signed POST of a JSON body.
const (
	PathPay           = "/v1/pay"
	PathInquire       = "/v1/inquire"
	PathCancel        = "/v1/cancel"
	PathRefund        = "/v1/refund"
	PathInquireRefund = "/v1/inquire-refund"
)

// The envelope's headers. A request, an answer and a notification are each
// signed (RSA-SHA256, package signing) over
//
//	POST <request URI>\n<Tiny-Merchant>.<Tiny-Time>.<body>
//
// with the merchant's key for requests and TinyPay's for answers and
// notifications; Tiny-Signature is the signature in standard base64.
const (
	HeaderMerchant  = "Tiny-Merchant"
	HeaderTime      = "Tiny-Time" // RFC 3339
	HeaderSignature = "Tiny-Signature"
)

// Payment statuses.
const (
	StatusWaiting      = "WAITING"
	StatusPaid         = "PAID"
	StatusFailed       = "FAILED"
	StatusClosed       = "CLOSED"
	StatusPartRefunded = "PART_REFUNDED"
	StatusRefunded     = "REFUNDED"
	RefundDone         = "DONE"
)

// Products: how the customer pays. QR answers a qrCode, WEB a payUrl.
const (
	ProductQR  = "QR"
	ProductWeb = "WEB"
)

// Methods: the wallet or scheme the customer pays with. WEB takes GCASH only.
const (
	MethodGCash  = "GCASH"
	MethodPoints = "POINTS" // TinyPay's loyalty points
)

// Result codes. Result statuses are S (done), F (refused) and U (unsure:
// ask again).
const (
	CodeOK          = "OK"
	CodeBusy        = "BUSY"        // U
	CodeDeclined    = "DECLINED"    // F: the customer's wallet said no
	CodeDuplicate   = "DUPLICATE"   // F: request ID reused with other content
	CodeNotFound    = "NOT_FOUND"   // F
	CodeBadRequest  = "BAD_REQUEST" // F
	CodeNotAllowed  = "NOT_ALLOWED" // F: the payment's status forbids it
	CodeTooMuch     = "TOO_MUCH"    // F: the refunds would exceed the payment
	CodeUnsupported = "UNSUPPORTED" // F: currency or method not offered
)

// Amount is an amount in minor units: {"value":"1999","currency":"USD"}.
type Amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

// Result is every answer's verdict.
type Result struct {
	Status  string `json:"resultStatus"`
	Code    string `json:"resultCode"`
	Message string `json:"resultMessage,omitempty"`
}

// PayRequest creates a payment.
type PayRequest struct {
	RequestID   string `json:"requestId"`
	Amount      Amount `json:"amount"`
	Product     string `json:"product"`
	Method      string `json:"method,omitempty"`
	Description string `json:"description,omitempty"`
	NotifyURL   string `json:"notifyUrl,omitempty"`
	ReturnURL   string `json:"returnUrl,omitempty"`
}

// Ref names a payment (inquire, cancel) or a refund (inquire-refund).
type Ref struct {
	PaymentID       string `json:"paymentId,omitempty"`
	RequestID       string `json:"requestId,omitempty"`
	RefundID        string `json:"refundId,omitempty"`
	RefundRequestID string `json:"refundRequestId,omitempty"`
}

// RefundRequest refunds part or all of a paid payment, named by its
// paymentId or its requestId.
type RefundRequest struct {
	RefundRequestID string `json:"refundRequestId"`
	PaymentID       string `json:"paymentId,omitempty"`
	RequestID       string `json:"requestId,omitempty"`
	Amount          Amount `json:"amount"`
}

// Answer is every answer's body, and a notification's without Result.
type Answer struct {
	Result          *Result `json:"result,omitempty"`
	PaymentID       string  `json:"paymentId,omitempty"`
	RequestID       string  `json:"requestId,omitempty"`
	Status          string  `json:"status,omitempty"`
	Amount          *Amount `json:"amount,omitempty"`
	QRCode          string  `json:"qrCode,omitempty"`
	PayURL          string  `json:"payUrl,omitempty"`
	RefundID        string  `json:"refundId,omitempty"`
	RefundRequestID string  `json:"refundRequestId,omitempty"`
}

// Ack is the body a merchant answers a notification with (HTTP 200).
const Ack = `{"result":{"resultStatus":"S","resultCode":"OK"}}`
