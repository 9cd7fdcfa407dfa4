package paymenttest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// The simulated provider's wire protocol, spoken between the driver and the
// server over the in-process transport. Each operation posts JSON to "/" +
// its payment.Op name and is answered with an answerJSON; both directions
// are signed (see keys). Requests are what Call.Payload holds:
// encoding/json writes struct fields in declaration order, so equal
// requests encode to equal bytes.

// The result codes the simulated provider answers with.
const (
	codeSuccess                   = "SUCCESS"
	codeAccepted                  = "ACCEPTED"
	codeProcessFail               = "PROCESS_FAIL"
	codeUnknownException          = "UNKNOWN_EXCEPTION"
	codeParamInvalid              = "PARAM_INVALID"
	codeInternalError             = "INTERNAL_ERROR"
	codeRepeatReqInconsistent     = "REPEAT_REQ_INCONSISTENT"
	codeOrderNotExist             = "ORDER_NOT_EXIST"
	codeRefundNotExist            = "REFUND_NOT_EXIST"
	codeOrderClosed               = "ORDER_CLOSED"
	codeOrderPaid                 = "ORDER_PAID"
	codeOrderStatusInvalid        = "ORDER_STATUS_INVALID"
	codeCurrencyNotSupport        = "CURRENCY_NOT_SUPPORT"
	codeRefundAmountExceed        = "REFUND_AMOUNT_EXCEED"
	codePartialRefundNotSupported = "PARTIAL_REFUND_NOT_SUPPORTED"
)

// pathOf is the path an operation posts to.
func pathOf(op string) string { return "/" + op }

type payPayload struct {
	PaymentRequestID string        `json:"paymentRequestId"`
	Scenario         string        `json:"scenario"`
	Amount           money.Amount  `json:"amount"`
	Description      string        `json:"description,omitempty"`
	Method           string        `json:"method,omitempty"`
	NotifyURL        string        `json:"notifyUrl,omitempty"`
	RedirectURL      string        `json:"redirectUrl,omitempty"`
	ExpiresAt        string        `json:"expiresAt,omitempty"`
	Customer         *customerJSON `json:"customer,omitempty"`
	Device           *deviceJSON   `json:"device,omitempty"`
	PaymentCode      string        `json:"paymentCode,omitempty"`
	// Card marshals through payment.Card.MarshalJSON: the last four
	// digits and whether there is a token, never the number or the CVV.
	Card  *payment.Card `json:"card,omitempty"`
	Order *orderJSON    `json:"order,omitempty"`
}

type customerJSON struct {
	AppID   string `json:"appId,omitempty"`
	PayerID string `json:"payerId,omitempty"`
}

type deviceJSON struct {
	OS           string `json:"os,omitempty"`
	Version      string `json:"version,omitempty"`
	TerminalType string `json:"terminalType,omitempty"`
}

type orderJSON struct {
	ReferenceOrderID string        `json:"referenceOrderId,omitempty"`
	Merchant         *merchantJSON `json:"merchant,omitempty"`
	Goods            []goodsJSON   `json:"goods,omitempty"`
	BuyerID          string        `json:"buyerId,omitempty"`
}

type merchantJSON struct {
	ID          string `json:"id,omitempty"`
	MCC         string `json:"mcc,omitempty"`
	Name        string `json:"name,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	Region      string `json:"region,omitempty"`
	City        string `json:"city,omitempty"`
}

type goodsJSON struct {
	ID         string        `json:"id,omitempty"`
	Name       string        `json:"name,omitempty"`
	Category   string        `json:"category,omitempty"`
	Quantity   int           `json:"quantity,omitempty"`
	UnitAmount *money.Amount `json:"unitAmount,omitempty"`
}

type refPayload struct {
	PaymentID        string `json:"paymentId,omitempty"`
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
}

type refundPayload struct {
	RefundRequestID string       `json:"refundRequestId"`
	Payment         refPayload   `json:"payment"`
	Amount          money.Amount `json:"amount"`
	Reason          string       `json:"reason,omitempty"`
	NotifyURL       string       `json:"notifyUrl,omitempty"`
}

type refundRefPayload struct {
	RefundID        string `json:"refundId,omitempty"`
	RefundRequestID string `json:"refundRequestId,omitempty"`
}

func payPayloadOf(req *payment.PayRequest) payPayload {
	w := payPayload{
		PaymentRequestID: req.PaymentRequestID,
		Scenario:         string(req.Scenario),
		Amount:           req.Amount,
		Description:      req.Description,
		Method:           string(req.Method),
		NotifyURL:        req.NotifyURL,
		RedirectURL:      req.RedirectURL,
		PaymentCode:      req.PaymentCode,
		Card:             req.Card,
	}
	if !req.ExpiresAt.IsZero() {
		w.ExpiresAt = req.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	if c := req.Customer; c != nil {
		w.Customer = &customerJSON{AppID: c.AppID, PayerID: c.PayerID}
	}
	if d := req.Device; d != nil {
		w.Device = &deviceJSON{OS: string(d.OS), Version: d.Version, TerminalType: string(d.TerminalType)}
	}
	if o := req.Order; o != nil {
		wo := &orderJSON{ReferenceOrderID: o.ReferenceOrderID, BuyerID: o.BuyerID}
		if m := o.Merchant; m != nil {
			wo.Merchant = &merchantJSON{ID: m.ID, MCC: m.MCC, Name: m.Name, DisplayName: m.DisplayName, Region: m.Region, City: m.City}
		}
		for _, g := range o.Goods {
			wg := goodsJSON{ID: g.ID, Name: g.Name, Category: g.Category, Quantity: g.Quantity}
			if !g.UnitAmount.Currency().IsZero() {
				u := g.UnitAmount
				wg.UnitAmount = &u
			}
			wo.Goods = append(wo.Goods, wg)
		}
		w.Order = wo
	}
	return w
}

func refundPayloadOf(req *payment.RefundRequest) refundPayload {
	return refundPayload{
		RefundRequestID: req.RefundRequestID,
		Payment:         refPayload{PaymentID: req.Payment.PaymentID, PaymentRequestID: req.Payment.PaymentRequestID},
		Amount:          req.Amount,
		Reason:          req.Reason,
		NotifyURL:       req.NotifyURL,
	}
}

// requestIDOf reads the idempotency key or reference of a request body, as
// the engine names the call in errors: for Call.RequestID.
func requestIDOf(op string, body []byte) string {
	var ids struct {
		PaymentID        string `json:"paymentId"`
		PaymentRequestID string `json:"paymentRequestId"`
		RefundID         string `json:"refundId"`
		RefundRequestID  string `json:"refundRequestId"`
	}
	if json.Unmarshal(body, &ids) != nil {
		return ""
	}
	switch op {
	case payment.OpPay:
		return ids.PaymentRequestID
	case payment.OpRefund:
		return ids.RefundRequestID
	case payment.OpInquire, payment.OpCancel:
		return payment.Ref{PaymentID: ids.PaymentID, PaymentRequestID: ids.PaymentRequestID}.String()
	case payment.OpInquireRefund:
		return payment.RefundRef{RefundID: ids.RefundID, RefundRequestID: ids.RefundRequestID}.String()
	}
	return ""
}

// answerJSON is every answer: the result, and the payment or refund it is
// about when the result is S or A.
type answerJSON struct {
	Result  resultJSON   `json:"result"`
	Payment *paymentJSON `json:"payment,omitempty"`
	Refund  *refundJSON  `json:"refund,omitempty"`
}

type resultJSON struct {
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

type paymentJSON struct {
	PaymentID        string        `json:"paymentId"`
	PaymentRequestID string        `json:"paymentRequestId"`
	Status           string        `json:"status"`
	Amount           *money.Amount `json:"amount,omitempty"`
	Refunded         *money.Amount `json:"refunded,omitempty"`
	Scenario         string        `json:"scenario,omitempty"`
	Method           string        `json:"method,omitempty"`
	Action           *actionJSON   `json:"action,omitempty"`
	CreatedAt        string        `json:"createdAt,omitempty"`
	ExpiresAt        string        `json:"expiresAt,omitempty"`
	PaidAt           string        `json:"paidAt,omitempty"`
	CancelledAt      string        `json:"cancelledAt,omitempty"`
	FailureReason    string        `json:"failureReason,omitempty"`
}

type actionJSON struct {
	Kind       string            `json:"kind"`
	QRCode     string            `json:"qrCode,omitempty"`
	QRImage    string            `json:"qrImage,omitempty"`
	URL        string            `json:"url,omitempty"`
	HTTPMethod string            `json:"httpMethod,omitempty"`
	SDKParams  map[string]string `json:"sdkParams,omitempty"`
}

type refundJSON struct {
	RefundID        string        `json:"refundId"`
	RefundRequestID string        `json:"refundRequestId"`
	PaymentID       string        `json:"paymentId"`
	Status          string        `json:"status"`
	Amount          *money.Amount `json:"amount,omitempty"`
	Reason          string        `json:"reason,omitempty"`
	CreatedAt       string        `json:"createdAt,omitempty"`
	CompletedAt     string        `json:"completedAt,omitempty"`
	FailureReason   string        `json:"failureReason,omitempty"`
}

func amountJSON(a money.Amount) *money.Amount {
	if a.Currency().IsZero() {
		return nil
	}
	return &a
}

func amountOf(a *money.Amount) money.Amount {
	if a == nil {
		return money.Amount{}
	}
	return *a
}

func timeJSON(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func timeOf(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func resultOf(r payment.Result) resultJSON {
	return resultJSON{Status: string(r.Status), Code: r.Code, Message: r.Message}
}

func (r resultJSON) neutral() payment.Result {
	return payment.Result{Status: payment.ResultStatus(r.Status), Code: r.Code, Message: r.Message}
}

func paymentOf(p *payment.Payment) *paymentJSON {
	w := &paymentJSON{
		PaymentID:        p.PaymentID,
		PaymentRequestID: p.PaymentRequestID,
		Status:           string(p.Status),
		Amount:           amountJSON(p.Amount),
		Refunded:         amountJSON(p.Refunded),
		Scenario:         string(p.Scenario),
		Method:           string(p.Method),
		CreatedAt:        timeJSON(p.CreatedAt),
		ExpiresAt:        timeJSON(p.ExpiresAt),
		PaidAt:           timeJSON(p.PaidAt),
		CancelledAt:      timeJSON(p.CancelledAt),
		FailureReason:    p.FailureReason,
	}
	if a := p.Action; a != nil {
		w.Action = &actionJSON{Kind: string(a.Kind), QRCode: a.QRCode, QRImage: a.QRImage, URL: a.URL, HTTPMethod: a.HTTPMethod, SDKParams: a.SDKParams}
	}
	return w
}

// neutral returns the payment the answer describes, and nothing more: the
// engine checks it against the request and fills in the rest.
func (w *paymentJSON) neutral() (*payment.Payment, error) {
	p := &payment.Payment{
		PaymentID:        w.PaymentID,
		PaymentRequestID: w.PaymentRequestID,
		Status:           payment.Status(w.Status),
		Amount:           amountOf(w.Amount),
		Refunded:         amountOf(w.Refunded),
		Scenario:         payment.Scenario(w.Scenario),
		Method:           payment.Method(w.Method),
		FailureReason:    w.FailureReason,
	}
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&p.CreatedAt, w.CreatedAt}, {&p.ExpiresAt, w.ExpiresAt}, {&p.PaidAt, w.PaidAt}, {&p.CancelledAt, w.CancelledAt}} {
		v, err := timeOf(t.src)
		if err != nil {
			return nil, fmt.Errorf("payment time: %w", err)
		}
		*t.dst = v
	}
	if a := w.Action; a != nil {
		p.Action = &payment.Action{Kind: payment.ActionKind(a.Kind), QRCode: a.QRCode, QRImage: a.QRImage, URL: a.URL, HTTPMethod: a.HTTPMethod, SDKParams: a.SDKParams}
	}
	return p, nil
}

func refundOf(r *payment.Refund) *refundJSON {
	return &refundJSON{
		RefundID:        r.RefundID,
		RefundRequestID: r.RefundRequestID,
		PaymentID:       r.PaymentID,
		Status:          string(r.Status),
		Amount:          amountJSON(r.Amount),
		Reason:          r.Reason,
		CreatedAt:       timeJSON(r.CreatedAt),
		CompletedAt:     timeJSON(r.CompletedAt),
		FailureReason:   r.FailureReason,
	}
}

func (w *refundJSON) neutral() (*payment.Refund, error) {
	created, err := timeOf(w.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("refund time: %w", err)
	}
	completed, err := timeOf(w.CompletedAt)
	if err != nil {
		return nil, fmt.Errorf("refund time: %w", err)
	}
	return &payment.Refund{
		RefundID:        w.RefundID,
		RefundRequestID: w.RefundRequestID,
		PaymentID:       w.PaymentID,
		Status:          payment.RefundStatus(w.Status),
		Amount:          amountOf(w.Amount),
		Reason:          w.Reason,
		CreatedAt:       created,
		CompletedAt:     completed,
		FailureReason:   w.FailureReason,
	}, nil
}
