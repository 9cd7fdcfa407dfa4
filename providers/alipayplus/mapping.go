package alipayplus

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

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

// payRequest builds the wire body. Field order and omissions follow the
// wallets' documented example, so the bytes signed are the documented ones.
func (d *walletDriver) payRequest(req *payment.PayRequest, opts PayOptions) wire.PayRequest {
	amt := alipayfamily.WireAmount(req.Amount)
	orderAmt := amt
	w := wire.PayRequest{
		ProductCode:        firstNonEmpty(opts.ProductCode, d.cfg.productCode),
		PaymentRequestID:   req.PaymentRequestID,
		PaymentAmount:      amt,
		Order:              wire.Order{ReferenceOrderID: req.PaymentRequestID, OrderDescription: req.Description, OrderAmount: &orderAmt},
		PaymentNotifyURL:   req.NotifyURL,
		PaymentRedirectURL: req.RedirectURL,
		PaymentAuthCode:    opts.AuthCode,
		ExtendInfo:         opts.ExtendInfo,
	}
	if !req.ExpiresAt.IsZero() {
		w.PaymentExpiryTime = req.ExpiresAt.In(d.clock.Now().Location()).Format(expiryLayout)
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
				u := alipayfamily.WireAmount(g.UnitAmount)
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

// paymentFromInquiry maps an inquiryPayment answer, as far as it goes: the
// request ID and amount only when the answer carries them.
func paymentFromInquiry(r *wire.InquiryResponse) (*payment.Payment, error) {
	status, err := alipayfamily.PaymentStatus(r.PaymentStatus)
	if err != nil {
		return nil, err
	}
	p := &payment.Payment{
		PaymentRequestID: r.PaymentRequestID,
		PaymentID:        r.PaymentID,
		Status:           status,
		Scenario:         payment.ScenarioCashier,
		PaidAt:           alipayfamily.ParseTime(r.PaymentTime),
		ExpiresAt:        alipayfamily.ParseTime(r.AuthExpiryTime),
		FailureReason:    r.PaymentFailReason,
	}
	if status == payment.StatusFailed && p.FailureReason == "" {
		// The SDK's inquiry answer names the failure paymentResultCode.
		p.FailureReason = r.PaymentResultCode
	}
	if r.PaymentAmount != nil {
		amt, err := r.PaymentAmount.Money()
		if err != nil {
			return nil, fmt.Errorf("paymentAmount: %w", err)
		}
		p.Amount = amt
	}
	return p, nil
}

// refundFromInquiry maps an inquiryRefund answer.
func refundFromInquiry(r *wire.InquiryRefundResponse) (*payment.Refund, error) {
	status, err := alipayfamily.RefundStatus(r.RefundStatus)
	if err != nil {
		return nil, err
	}
	rf := &payment.Refund{
		RefundRequestID: r.RefundRequestID,
		RefundID:        r.RefundID,
		Status:          status,
		Reason:          r.RefundReason,
		CreatedAt:       alipayfamily.ParseTime(r.RefundTime),
		FailureReason:   r.RefundFailReason,
	}
	if status.Final() {
		rf.CompletedAt = rf.CreatedAt
	}
	if r.RefundAmount != nil {
		amt, err := r.RefundAmount.Money()
		if err != nil {
			return nil, fmt.Errorf("refundAmount: %w", err)
		}
		rf.Amount = amt
	}
	return rf, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// short cuts a value taken from an answer for an error message
// (alipayfamily.Clip).
var short = alipayfamily.Clip
