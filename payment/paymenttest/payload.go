package paymenttest

import (
	"encoding/json"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// The simulated wire format: what Call.Payload holds. encoding/json writes
// struct fields in declaration order, so equal requests encode to equal
// bytes.

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

func encode(v any) ([]byte, error) { return json.Marshal(v) }
