package journal

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// PayRequest returns what a journal may keep of req: a copy without its
// secrets — PaymentCode, the card's Number, ExpMonth, ExpYear and CVV — and
// without ProviderOptions, which are the adapter's type and may hold a
// credential. incomplete reports that something was left out. A card Token
// is kept: a platform keeps a saved card's token anyway, and a pay with it
// can be replayed.
func PayRequest(req *payment.PayRequest) (kept *payment.PayRequest, incomplete bool) {
	if req == nil {
		return nil, true
	}
	c := *req
	if c.PaymentCode != "" {
		c.PaymentCode, incomplete = "", true
	}
	if c.ProviderOptions != nil {
		c.ProviderOptions, incomplete = nil, true
	}
	if req.Card != nil {
		card := *req.Card
		if card.Number != "" || card.CVV != "" || card.ExpMonth != 0 || card.ExpYear != 0 {
			card.Number, card.CVV, card.ExpMonth, card.ExpYear = "", "", 0, 0
			incomplete = true
		}
		c.Card = &card
	}
	c.Customer = clonePtr(req.Customer)
	c.Device = clonePtr(req.Device)
	if req.Order != nil {
		o := *req.Order
		o.Merchant = clonePtr(req.Order.Merchant)
		o.Goods = append([]payment.Goods(nil), req.Order.Goods...)
		c.Order = &o
	}
	return &c, incomplete
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// The JSON forms a journal stores. They are the journal's own, written out
// field by field, because the neutral types render themselves redacted for
// logs (Card, PayRequest) and a zero money.Amount has no JSON form.
type payForm struct {
	PaymentRequestID string            `json:"paymentRequestId"`
	Scenario         payment.Scenario  `json:"scenario"`
	Amount           *money.Amount     `json:"amount,omitempty"`
	Description      string            `json:"description,omitempty"`
	Method           payment.Method    `json:"method,omitempty"`
	NotifyURL        string            `json:"notifyUrl,omitempty"`
	RedirectURL      string            `json:"redirectUrl,omitempty"`
	ExpiresAt        *time.Time        `json:"expiresAt,omitempty"`
	Customer         *payment.Customer `json:"customer,omitempty"`
	Device           *payment.Device   `json:"device,omitempty"`
	Card             *cardForm         `json:"card,omitempty"`
	Order            *orderForm        `json:"order,omitempty"`
}

// cardForm has no field for the number, expiry or CVV: they cannot be
// stored by mistake.
type cardForm struct {
	Token      string `json:"token,omitempty"`
	Holder     string `json:"holder,omitempty"`
	Address    string `json:"address,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	Country    string `json:"country,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Remember   bool   `json:"remember,omitempty"`
	CustomerID string `json:"customerId,omitempty"`
	Email      string `json:"email,omitempty"`
}

type orderForm struct {
	ReferenceOrderID string            `json:"referenceOrderId,omitempty"`
	Merchant         *payment.Merchant `json:"merchant,omitempty"`
	Goods            []goodsForm       `json:"goods,omitempty"`
	BuyerID          string            `json:"buyerId,omitempty"`
}

type goodsForm struct {
	ID         string        `json:"id,omitempty"`
	Name       string        `json:"name,omitempty"`
	Category   string        `json:"category,omitempty"`
	Quantity   int           `json:"quantity,omitempty"`
	UnitAmount *money.Amount `json:"unitAmount,omitempty"`
}

type refundForm struct {
	RefundRequestID string        `json:"refundRequestId"`
	Payment         refForm       `json:"payment"`
	Amount          *money.Amount `json:"amount,omitempty"`
	Reason          string        `json:"reason,omitempty"`
	NotifyURL       string        `json:"notifyUrl,omitempty"`
}

type refForm struct {
	PaymentID        string `json:"paymentId,omitempty"`
	PaymentRequestID string `json:"paymentRequestId,omitempty"`
}

type requestForm struct {
	Pay        *payForm    `json:"pay,omitempty"`
	Refund     *refundForm `json:"refund,omitempty"`
	Cancel     *refForm    `json:"cancel,omitempty"`
	Incomplete bool        `json:"incomplete,omitempty"`
}

func amountPtr(a money.Amount) *money.Amount {
	if a.Currency().IsZero() {
		return nil
	}
	return &a
}

func amountOf(p *money.Amount) money.Amount {
	if p == nil {
		return money.Amount{}
	}
	return *p
}

// MarshalRequest encodes r for storage. A pay request is stripped of its
// secrets first (PayRequest), whatever r holds, and marked incomplete if
// anything was left out.
func MarshalRequest(r Request) ([]byte, error) {
	f := requestForm{Incomplete: r.Incomplete}
	if r.Pay != nil {
		req, incomplete := PayRequest(r.Pay)
		f.Incomplete = f.Incomplete || incomplete
		p := &payForm{
			PaymentRequestID: req.PaymentRequestID, Scenario: req.Scenario, Amount: amountPtr(req.Amount),
			Description: req.Description, Method: req.Method, NotifyURL: req.NotifyURL, RedirectURL: req.RedirectURL,
			Customer: req.Customer, Device: req.Device,
		}
		if !req.ExpiresAt.IsZero() {
			t := req.ExpiresAt
			p.ExpiresAt = &t
		}
		if c := req.Card; c != nil {
			p.Card = &cardForm{Token: c.Token, Holder: c.Holder, Address: c.Address, City: c.City, State: c.State,
				Country: c.Country, PostalCode: c.PostalCode, Remember: c.Remember, CustomerID: c.CustomerID, Email: c.Email}
		}
		if o := req.Order; o != nil {
			of := &orderForm{ReferenceOrderID: o.ReferenceOrderID, Merchant: o.Merchant, BuyerID: o.BuyerID}
			for _, g := range o.Goods {
				of.Goods = append(of.Goods, goodsForm{ID: g.ID, Name: g.Name, Category: g.Category, Quantity: g.Quantity, UnitAmount: amountPtr(g.UnitAmount)})
			}
			p.Order = of
		}
		f.Pay = p
	}
	if r.Refund != nil {
		f.Refund = &refundForm{
			RefundRequestID: r.Refund.RefundRequestID,
			Payment:         refForm{PaymentID: r.Refund.Payment.PaymentID, PaymentRequestID: r.Refund.Payment.PaymentRequestID},
			Amount:          amountPtr(r.Refund.Amount), Reason: r.Refund.Reason, NotifyURL: r.Refund.NotifyURL,
		}
	}
	if r.Cancel != nil {
		f.Cancel = &refForm{PaymentID: r.Cancel.PaymentID, PaymentRequestID: r.Cancel.PaymentRequestID}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("journal: encoding the request: %w", err)
	}
	return b, nil
}

// UnmarshalRequest decodes what MarshalRequest encoded.
func UnmarshalRequest(b []byte) (Request, error) {
	var f requestForm
	if err := json.Unmarshal(b, &f); err != nil {
		return Request{}, fmt.Errorf("journal: decoding a stored request: %w", err)
	}
	r := Request{Incomplete: f.Incomplete}
	if p := f.Pay; p != nil {
		req := &payment.PayRequest{
			PaymentRequestID: p.PaymentRequestID, Scenario: p.Scenario, Amount: amountOf(p.Amount),
			Description: p.Description, Method: p.Method, NotifyURL: p.NotifyURL, RedirectURL: p.RedirectURL,
			Customer: p.Customer, Device: p.Device,
		}
		if p.ExpiresAt != nil {
			req.ExpiresAt = *p.ExpiresAt
		}
		if c := p.Card; c != nil {
			req.Card = &payment.Card{Token: c.Token, Holder: c.Holder, Address: c.Address, City: c.City, State: c.State,
				Country: c.Country, PostalCode: c.PostalCode, Remember: c.Remember, CustomerID: c.CustomerID, Email: c.Email}
		}
		if o := p.Order; o != nil {
			order := &payment.Order{ReferenceOrderID: o.ReferenceOrderID, Merchant: o.Merchant, BuyerID: o.BuyerID}
			for _, g := range o.Goods {
				order.Goods = append(order.Goods, payment.Goods{ID: g.ID, Name: g.Name, Category: g.Category, Quantity: g.Quantity, UnitAmount: amountOf(g.UnitAmount)})
			}
			req.Order = order
		}
		r.Pay = req
	}
	if f.Refund != nil {
		r.Refund = &payment.RefundRequest{
			RefundRequestID: f.Refund.RefundRequestID,
			Payment:         payment.Ref{PaymentID: f.Refund.Payment.PaymentID, PaymentRequestID: f.Refund.Payment.PaymentRequestID},
			Amount:          amountOf(f.Refund.Amount), Reason: f.Refund.Reason, NotifyURL: f.Refund.NotifyURL,
		}
	}
	if f.Cancel != nil {
		r.Cancel = &payment.Ref{PaymentID: f.Cancel.PaymentID, PaymentRequestID: f.Cancel.PaymentRequestID}
	}
	return r, nil
}

type outcomeForm struct {
	Kind      string `json:"kind,omitempty"`
	Code      string `json:"code,omitempty"`
	PaymentID string `json:"paymentId,omitempty"`
	RefundID  string `json:"refundId,omitempty"`
	Status    string `json:"status,omitempty"`
	By        string `json:"by,omitempty"`
}

// MarshalOutcome encodes o for storage; the kind is stored by name.
func MarshalOutcome(o Outcome) ([]byte, error) {
	f := outcomeForm{Code: o.Code, PaymentID: o.PaymentID, RefundID: o.RefundID, Status: o.Status, By: o.By}
	if o.Kind != 0 {
		f.Kind = o.Kind.String()
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("journal: encoding an outcome: %w", err)
	}
	return b, nil
}

// UnmarshalOutcome decodes what MarshalOutcome encoded.
func UnmarshalOutcome(b []byte) (Outcome, error) {
	var f outcomeForm
	if err := json.Unmarshal(b, &f); err != nil {
		return Outcome{}, fmt.Errorf("journal: decoding a stored outcome: %w", err)
	}
	o := Outcome{Code: f.Code, PaymentID: f.PaymentID, RefundID: f.RefundID, Status: f.Status, By: f.By}
	if f.Kind != "" {
		k, ok := kindNamed(f.Kind)
		if !ok {
			return Outcome{}, fmt.Errorf("journal: decoding a stored outcome: unknown kind %q", f.Kind)
		}
		o.Kind = k
	}
	return o, nil
}

func kindNamed(name string) (payment.Kind, bool) {
	for k := payment.Kind(1); k < 32; k++ {
		if s := k.String(); s == name {
			return k, true
		} else if s == "invalid kind" {
			break
		}
	}
	return 0, false
}
