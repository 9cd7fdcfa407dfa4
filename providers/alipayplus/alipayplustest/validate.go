package alipayplustest

import (
	"strconv"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// Field limits, in characters, as the wallets document them.
const (
	maxProductCode         = 32
	maxRequestID           = 64 // paymentRequestId, refundRequestId
	maxID                  = 64 // paymentId, refundId
	maxReferenceOrderID    = 64
	maxOrderDescription    = 256
	maxReferenceMerchantID = 32
	maxMerchantMCC         = 32
	maxMerchantName        = 256
	maxMerchantDisplayName = 64
	maxURL                 = 1024
	maxAuthCode            = 128
	maxRefundReason        = 256
	maxValueDigits         = 16
)

// Enumerations of order.env.
var (
	terminalTypes = map[string]bool{"MINI_APP": true, "APP": true, "WEB": true, "WAP": true, "SYSTEM": true}
	osTypes       = map[string]bool{"IOS": true, "ANDROID": true}
)

// schema is the field names of the bodies the server accepts.
var schema = simulator.NewSchema(wire.PayRequest{}, wire.PaymentRef{}, wire.RefundRequest{}, wire.RefundRef{})

// The family's strict body rules (providers/alipayfamily/familytest),
// with the wallets' limits.
var (
	present       = familytest.Present
	checkLen      = familytest.CheckLen
	checkRequired = familytest.CheckRequired
	checkTime     = familytest.CheckTime
	anyCurrency   = familytest.AnyCurrency
	first         = familytest.First
)

// decode checks body and unmarshals it into v (familytest.Decode).
func decode(body []byte, v any) (map[string]any, *wire.Result) {
	return familytest.Decode(schema, body, v)
}

// checkURL rejects a value that is not an absolute http(s) URL of at most
// maxURL characters.
func checkURL(v, field string) *wire.Result { return familytest.CheckURL(v, field, maxURL) }

// parseAmount checks a wire amount: value of 1 to 16 digits and positive,
// currency a known ISO 4217 code that allowed accepts.
func parseAmount(a wire.Amount, field string, allowed func(code string) bool) (money.Amount, *wire.Result) {
	return familytest.ParseAmount(a, field, maxValueDigits, allowed)
}

// allowedCurrency reports whether payments may be in code (WithCurrencies).
func (s *Server) allowedCurrency(code string) bool {
	return s.currencies(code)
}

// checkPay validates a pay request and returns its amount and
// expiry time (zero when the request sets none). Messages name fields and
// never quote values: paymentAuthCode is a credential.
func (s *Server) checkPay(req *wire.PayRequest, tree map[string]any) (money.Amount, time.Time, *wire.Result) {
	bad := func(res *wire.Result) (money.Amount, time.Time, *wire.Result) {
		return money.Amount{}, time.Time{}, res
	}
	if res := first(
		checkRequired(req.ProductCode, "productCode", maxProductCode),
		checkRequired(req.PaymentRequestID, "paymentRequestId", maxRequestID),
	); res != nil {
		return bad(res)
	}
	if !present(tree, "paymentAmount") {
		return bad(failp(wire.CodeParamIllegal, "paymentAmount is required"))
	}
	amt, res := parseAmount(req.PaymentAmount, "paymentAmount", s.allowedCurrency)
	if res != nil {
		return bad(res)
	}
	if !present(tree, "order") {
		return bad(failp(wire.CodeParamIllegal, "order is required"))
	}
	if res := checkOrder(&req.Order); res != nil {
		return bad(res)
	}
	var expires time.Time
	if req.PaymentExpiryTime != "" {
		t, res := checkTime(req.PaymentExpiryTime, "paymentExpiryTime")
		if res != nil {
			return bad(res)
		}
		// That it is in the future is checked for new payments only: a
		// repeated request must still find its payment.
		expires = t
	}
	if req.PaymentNotifyURL != "" {
		if res := checkURL(req.PaymentNotifyURL, "paymentNotifyUrl"); res != nil {
			return bad(res)
		}
	}
	if req.PaymentRedirectURL != "" {
		if res := checkURL(req.PaymentRedirectURL, "paymentRedirectUrl"); res != nil {
			return bad(res)
		}
	}
	if res := checkLen(req.PaymentAuthCode, "paymentAuthCode", maxAuthCode); res != nil {
		return bad(res)
	}
	return amt, expires, nil
}

// checkOrder validates the pay request's order.
func checkOrder(o *wire.Order) *wire.Result {
	if res := first(
		checkLen(o.ReferenceOrderID, "order.referenceOrderId", maxReferenceOrderID),
		checkLen(o.OrderDescription, "order.orderDescription", maxOrderDescription),
	); res != nil {
		return res
	}
	if o.OrderAmount != nil {
		// Display only: any known currency, not only the payment's.
		if _, res := parseAmount(*o.OrderAmount, "order.orderAmount", anyCurrency); res != nil {
			return res
		}
	}
	if o.OrderCreateTime != "" {
		if _, res := checkTime(o.OrderCreateTime, "order.orderCreateTime"); res != nil {
			return res
		}
	}
	if m := o.Merchant; m != nil {
		if res := first(
			checkLen(m.ReferenceMerchantID, "order.merchant.referenceMerchantId", maxReferenceMerchantID),
			checkLen(m.MerchantMCC, "order.merchant.merchantMCC", maxMerchantMCC),
			checkLen(m.MerchantName, "order.merchant.merchantName", maxMerchantName),
			checkLen(m.MerchantDisplayName, "order.merchant.merchantDisplayName", maxMerchantDisplayName),
		); res != nil {
			return res
		}
		if a := m.MerchantAddress; a != nil && a.Region != "" && !isRegion(a.Region) {
			return failp(wire.CodeParamIllegal, "order.merchant.merchantAddress.region must be an ISO 3166 alpha-2 code")
		}
	}
	for i, g := range o.Goods {
		if g.GoodsUnitAmount != nil {
			field := "order.goods[" + strconv.Itoa(i) + "].goodsUnitAmount"
			if _, res := parseAmount(*g.GoodsUnitAmount, field, anyCurrency); res != nil {
				return res
			}
		}
	}
	if e := o.Env; e != nil {
		if e.TerminalType != "" && !terminalTypes[e.TerminalType] {
			return failp(wire.CodeParamIllegal, "order.env.terminalType must be MINI_APP, APP, WEB, WAP or SYSTEM")
		}
		if e.OSType != "" && !osTypes[e.OSType] {
			return failp(wire.CodeParamIllegal, "order.env.osType must be IOS or ANDROID")
		}
	}
	return nil
}

// isRegion reports whether v has the shape of an ISO 3166 alpha-2 code.
func isRegion(v string) bool {
	return len(v) == 2 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z'
}

// checkPaymentRef and checkRefundRef validate the bodies of
// inquiryPayment, cancel and inquiryRefund, as the family does.
var (
	checkPaymentRef = familytest.CheckPaymentRef
	checkRefundRef  = familytest.CheckRefundRef
)

// checkRefund validates a refund request and returns its
// amount; that the currency is the payment's is checked against the
// payment.
func checkRefund(req *wire.RefundRequest, tree map[string]any) (money.Amount, *wire.Result) {
	if res := checkRequired(req.RefundRequestID, "refundRequestId", maxRequestID); res != nil {
		return money.Amount{}, res
	}
	if res := checkPaymentRef(&wire.PaymentRef{PaymentID: req.PaymentID, PaymentRequestID: req.PaymentRequestID}); res != nil {
		return money.Amount{}, res
	}
	if !present(tree, "refundAmount") {
		return money.Amount{}, failp(wire.CodeParamIllegal, "refundAmount is required")
	}
	amt, res := parseAmount(req.RefundAmount, "refundAmount", anyCurrency)
	if res != nil {
		return money.Amount{}, res
	}
	if res := checkLen(req.RefundReason, "refundReason", maxRefundReason); res != nil {
		return money.Amount{}, res
	}
	return amt, nil
}
