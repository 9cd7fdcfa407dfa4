package alipayplustest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
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

// A body is rejected with MSG_PARSE_ERROR when it cannot be read as JSON
// in UTF-8, PARAM_ILLEGAL when it can but breaks the schema.
func parseError(msg string) error   { return &simulator.BodyError{Syntax: true, Msg: msg} }
func illegalError(msg string) error { return &simulator.BodyError{Msg: msg} }

var amountType = reflect.TypeOf(wire.Amount{})

// checkTypes returns an error naming the first field of v (a body decoded
// with UseNumber) whose JSON type does not fit the wire type t. A null is
// an absent field. Amount values must be strings, as documented; the wire
// type also takes numbers only to be tolerant of answers.
func checkTypes(v any, t reflect.Type, path string) error {
	if v == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := func(field string) string {
		if path == "" {
			return field
		}
		return path + "." + field
	}
	switch {
	case t == amountType:
		m, ok := v.(map[string]any)
		if !ok {
			return illegalError(path + " must be an object")
		}
		if c := m["currency"]; c != nil {
			if _, ok := c.(string); !ok {
				return illegalError(path + ".currency must be a string")
			}
		}
		if val := m["value"]; val != nil {
			if _, ok := val.(string); !ok {
				return illegalError(path + ".value must be a string of digits")
			}
		}
	case t.Kind() == reflect.String:
		if _, ok := v.(string); !ok {
			return illegalError(path + " must be a string")
		}
	case t.Kind() == reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return illegalError(path + " must be an object")
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fn := simulator.JSONName(f)
			if fn == "" {
				continue
			}
			if fv, present := m[fn]; present {
				if err := checkTypes(fv, f.Type, name(fn)); err != nil {
					return err
				}
			}
		}
	case t.Kind() == reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			return illegalError(path + " must be an array")
		}
		for i, e := range a {
			if err := checkTypes(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
	return nil
}

// decode checks body and unmarshals it into v (a pointer to a request
// type). It returns the body's top-level object too, which tells present
// fields from absent ones. Failures are MSG_PARSE_ERROR or PARAM_ILLEGAL
// with a message that names the offending field, never its value.
func decode(body []byte, v any) (map[string]any, *wire.Result) {
	bad := func(err error) (map[string]any, *wire.Result) {
		be := simulator.AsBodyError(err)
		if be.Syntax {
			return nil, failp(wire.CodeMsgParseError, be.Msg)
		}
		return nil, failp(wire.CodeParamIllegal, be.Msg)
	}
	if !utf8.Valid(body) {
		return bad(parseError("body is not valid UTF-8"))
	}
	if err := schema.CheckJSON(body); err != nil {
		return bad(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return bad(parseError("body is not valid JSON"))
	}
	if err := checkTypes(tree, reflect.TypeOf(v).Elem(), ""); err != nil {
		return bad(err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return bad(err)
	}
	return tree, nil
}

// present reports whether the object has the field with a non-null value.
func present(tree map[string]any, field string) bool { return tree[field] != nil }

// checkLen rejects a value longer than max characters.
func checkLen(v, field string, max int) *wire.Result {
	if utf8.RuneCountInString(v) > max {
		return failp(wire.CodeParamIllegal, field+" must be at most "+strconv.Itoa(max)+" characters")
	}
	return nil
}

// checkRequired rejects an empty value or one longer than max characters.
func checkRequired(v, field string, max int) *wire.Result {
	if v == "" {
		return failp(wire.CodeParamIllegal, field+" is required")
	}
	return checkLen(v, field, max)
}

// checkURL rejects a value that is not an absolute http(s) URL of at most
// maxURL characters.
func checkURL(v, field string) *wire.Result {
	if res := checkLen(v, field, maxURL); res != nil {
		return res
	}
	if !simulator.IsHTTPURL(v) {
		return failp(wire.CodeParamIllegal, field+" must be an absolute http(s) URL")
	}
	return nil
}

// checkTime rejects a value that is not an ISO 8601 (RFC 3339) time with
// an offset.
func checkTime(v, field string) (time.Time, *wire.Result) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, failp(wire.CodeParamIllegal, field+" must be an ISO 8601 time with an offset")
	}
	return t, nil
}

// parseAmount checks a wire amount: value of 1 to 16 digits and positive,
// currency a known ISO 4217 code that allowed accepts.
func parseAmount(a wire.Amount, field string, allowed func(code string) bool) (money.Amount, *wire.Result) {
	amt, bad := simulator.CheckAmount(a.Value, a.Currency, field, maxValueDigits, allowed)
	switch {
	case bad == nil:
		return amt, nil
	case bad.Currency:
		return money.Amount{}, failp(wire.CodeCurrencyNotSupport, bad.Msg)
	}
	return money.Amount{}, failp(wire.CodeParamIllegal, bad.Msg)
}

func anyCurrency(string) bool { return true }

// allowedCurrency reports whether payments may be in code (WithCurrencies).
func (s *Server) allowedCurrency(code string) bool {
	return s.currencies == nil || s.currencies[code]
}

// first returns the first non-nil result.
func first(checks ...*wire.Result) *wire.Result {
	for _, c := range checks {
		if c != nil {
			return c
		}
	}
	return nil
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

// checkPaymentRef validates the body of inquiryPayment and cancel.
func checkPaymentRef(ref *wire.PaymentRef) *wire.Result {
	if ref.PaymentID == "" && ref.PaymentRequestID == "" {
		return failp(wire.CodeParamIllegal, "paymentId or paymentRequestId is required")
	}
	return first(
		checkLen(ref.PaymentID, "paymentId", maxID),
		checkLen(ref.PaymentRequestID, "paymentRequestId", maxRequestID),
	)
}

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

// checkRefundRef validates the body of inquiryRefund.
func checkRefundRef(ref *wire.RefundRef) *wire.Result {
	if ref.RefundID == "" && ref.RefundRequestID == "" {
		return failp(wire.CodeParamIllegal, "refundId or refundRequestId is required")
	}
	return first(
		checkLen(ref.RefundID, "refundId", maxID),
		checkLen(ref.RefundRequestID, "refundRequestId", maxRequestID),
	)
}
