package alipayplus

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// The status tables: wallet status → neutral status.
var statuses = map[string]payment.Status{
	wire.PaymentProcessing:  payment.StatusPending,
	wire.PaymentAuthSuccess: payment.StatusAuthorized,
	wire.PaymentSuccess:     payment.StatusSucceeded,
	wire.PaymentFail:        payment.StatusFailed,
	wire.PaymentCancelled:   payment.StatusCancelled,
}

var refundStatuses = map[string]payment.RefundStatus{
	wire.RefundProcessing: payment.RefundPending,
	wire.RefundSuccess:    payment.RefundSucceeded,
	wire.RefundFail:       payment.RefundFailed,
}

var osTypes = map[payment.OS]string{payment.OSIOS: "IOS", payment.OSAndroid: "ANDROID"}

var terminalTypes = map[payment.TerminalType]string{
	payment.TerminalMiniApp: "MINI_APP",
	payment.TerminalApp:     "APP",
	payment.TerminalWeb:     "WEB",
	payment.TerminalWAP:     "WAP",
	payment.TerminalSystem:  "SYSTEM",
}

// expiryLayout writes paymentExpiryTime: RFC 3339 with a numeric offset,
// never "Z".
const expiryLayout = "2006-01-02T15:04:05-07:00"

func toWireAmount(a money.Amount) wire.Amount {
	return wire.Amount{Currency: a.Currency().Code(), Value: a.MinorString()}
}

func fromWireAmount(a wire.Amount) (money.Amount, error) {
	cur, err := money.LookupCurrency(a.Currency)
	if err != nil {
		return money.Amount{}, err
	}
	return money.ParseMinor(a.Value, cur)
}

// parseTime reads the wallets' ISO 8601 timestamps; an absent or unreadable
// one is the zero time (timestamps are informative, never decisive).
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// checkPay reads the request's PayOptions and finds what the wallet cannot
// take, beyond what payment.ValidatePay checks. It returns the request to
// validate (a copy without a nil *PayOptions, which ValidatePay could not
// ask for its name).
func (c *Client) checkPay(req *payment.PayRequest) (*payment.PayRequest, PayOptions, []payment.FieldError) {
	var opts PayOptions
	var bad []payment.FieldError
	if req == nil {
		return nil, opts, nil
	}
	switch o := req.ProviderOptions.(type) {
	case PayOptions:
		opts = o
	case *PayOptions:
		if o == nil {
			r := *req
			r.ProviderOptions = nil
			req = &r
		} else {
			opts = *o
		}
	}
	if len(opts.ProductCode) > 32 {
		bad = append(bad, payment.FieldError{Field: "ProviderOptions.ProductCode", Problem: "must be at most 32 characters"})
	}
	if len(opts.AuthCode) > 128 {
		bad = append(bad, payment.FieldError{Field: "ProviderOptions.AuthCode", Problem: "must be at most 128 characters"})
	}
	if req.Customer != nil {
		bad = append(bad, payment.FieldError{Field: "Customer", Problem: "is not used by alipayplus (the wallet knows its user)"})
	}
	if !req.ExpiresAt.IsZero() && !req.ExpiresAt.After(c.clock.Now()) {
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
			case u.CheckDigits(c.caps.MaxAmountDigits) != nil:
				bad = append(bad, payment.FieldError{Field: field, Problem: fmt.Sprintf("must have at most %d digits in minor units", c.caps.MaxAmountDigits)})
			}
		}
	}
	return req, opts, bad
}

// payRequest builds the wire body. Field order and omissions follow the
// wallets' documented example, so the bytes signed are the documented ones.
func (c *Client) payRequest(req *payment.PayRequest, opts PayOptions) wire.PayRequest {
	amt := toWireAmount(req.Amount)
	orderAmt := amt
	w := wire.PayRequest{
		ProductCode:        firstNonEmpty(opts.ProductCode, c.cfg.productCode),
		PaymentRequestID:   req.PaymentRequestID,
		PaymentAmount:      amt,
		Order:              wire.Order{ReferenceOrderID: req.PaymentRequestID, OrderDescription: req.Description, OrderAmount: &orderAmt},
		PaymentNotifyURL:   req.NotifyURL,
		PaymentRedirectURL: req.RedirectURL,
		PaymentAuthCode:    opts.AuthCode,
		ExtendInfo:         opts.ExtendInfo,
	}
	if !req.ExpiresAt.IsZero() {
		w.PaymentExpiryTime = req.ExpiresAt.In(c.clock.Now().Location()).Format(expiryLayout)
	}
	if o := req.Order; o != nil {
		w.Order.ReferenceOrderID = firstNonEmpty(o.ReferenceOrderID, req.PaymentRequestID)
		if m := o.Merchant; m != nil {
			wm := &wire.Merchant{ReferenceMerchantID: m.ID, MerchantMCC: m.MCC, MerchantName: m.Name, MerchantDisplayName: m.DisplayName}
			if m.Region != "" || m.City != "" {
				wm.MerchantAddress = &wire.Address{Region: strings.ToUpper(m.Region), City: m.City}
			}
			w.Order.Merchant = wm
		}
		for _, g := range o.Goods {
			wg := wire.Goods{ReferenceGoodsID: g.ID, GoodsName: g.Name, GoodsCategory: g.Category}
			if !g.UnitAmount.Currency().IsZero() {
				u := toWireAmount(g.UnitAmount)
				wg.GoodsUnitAmount = &u
			}
			if g.Quantity > 0 {
				wg.GoodsQuantity = strconv.Itoa(g.Quantity)
			}
			w.Order.Goods = append(w.Order.Goods, wg)
		}
		if o.BuyerID != "" {
			w.Order.Buyer = &wire.Buyer{ReferenceBuyerID: o.BuyerID}
		}
	}
	if d := req.Device; d != nil && (d.OS != "" || d.TerminalType != "") {
		w.Order.Env = &wire.Env{OSType: osTypes[d.OS], TerminalType: terminalTypes[d.TerminalType]}
	}
	return w
}

// paymentFromInquiry maps an inquiryPayment answer.
func paymentFromInquiry(r *wire.InquiryResponse) (*payment.Payment, error) {
	status, ok := statuses[r.PaymentStatus]
	if !ok {
		return nil, fmt.Errorf("unknown paymentStatus %q", r.PaymentStatus)
	}
	p := &payment.Payment{
		Provider:         Name,
		PaymentRequestID: r.PaymentRequestID,
		PaymentID:        r.PaymentID,
		Status:           status,
		Scenario:         payment.ScenarioCashier,
		PaidAt:           parseTime(r.PaymentTime),
		ExpiresAt:        parseTime(r.AuthExpiryTime),
		FailureReason:    r.PaymentFailReason,
	}
	if r.PaymentAmount != nil {
		amt, err := fromWireAmount(*r.PaymentAmount)
		if err != nil {
			return nil, fmt.Errorf("paymentAmount: %w", err)
		}
		p.Amount = amt
	}
	return p, nil
}

// refundFromInquiry maps an inquiryRefund answer.
func refundFromInquiry(r *wire.InquiryRefundResponse) (*payment.Refund, error) {
	status, ok := refundStatuses[r.RefundStatus]
	if !ok {
		return nil, fmt.Errorf("unknown refundStatus %q", r.RefundStatus)
	}
	rf := &payment.Refund{
		Provider:        Name,
		RefundRequestID: r.RefundRequestID,
		RefundID:        r.RefundID,
		Status:          status,
		Reason:          r.RefundReason,
		CreatedAt:       parseTime(r.RefundTime),
		FailureReason:   r.RefundFailReason,
	}
	if status.Final() {
		rf.CompletedAt = rf.CreatedAt
	}
	if r.RefundAmount != nil {
		amt, err := fromWireAmount(*r.RefundAmount)
		if err != nil {
			return nil, fmt.Errorf("refundAmount: %w", err)
		}
		rf.Amount = amt
	}
	return rf, nil
}
