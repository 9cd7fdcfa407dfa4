package alipayplustest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
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
	maxDepth               = 32
)

// Enumerations of order.env.
var (
	terminalTypes = map[string]bool{"MINI_APP": true, "APP": true, "WEB": true, "WAP": true, "SYSTEM": true}
	osTypes       = map[string]bool{"IOS": true, "ANDROID": true}
)

// requestTypes are the bodies the server accepts.
var requestTypes = []any{wire.PayRequest{}, wire.PaymentRef{}, wire.RefundRequest{}, wire.RefundRef{}}

// knownKeys maps the folded form of every field name of the request types
// to its exact spelling. encoding/json matches names case-insensitively;
// the wallets (Java) do not, so a name in the wrong case is rejected rather
// than silently accepted.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if name := jsonName(f); name != "" {
				m[fold(name)] = name
			}
			walk(f.Type)
		}
	}
	for _, v := range requestTypes {
		walk(reflect.TypeOf(v))
	}
	return m
}()

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// fold is encoding/json's case folding of field names.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		b.WriteRune(unicode.ToUpper(unicode.SimpleFold(r)))
	}
	return b.String()
}

// A bodyError is a rejected body: MSG_PARSE_ERROR when it cannot be read
// as JSON, PARAM_ILLEGAL when it can but breaks the schema.
type bodyError struct{ code, msg string }

func (e *bodyError) Error() string { return e.msg }

func parseError(msg string) error   { return &bodyError{wire.CodeMsgParseError, msg} }
func illegalError(msg string) error { return &bodyError{wire.CodeParamIllegal, msg} }

// checkJSON insists on one JSON object in valid UTF-8, no duplicate keys,
// no field name in the wrong case, and bounded nesting. Its errors name at
// most a known field, never a value.
func checkJSON(body []byte) error {
	if !utf8.Valid(body) {
		return parseError("body is not valid UTF-8")
	}
	type frame struct {
		obj       bool
		expectKey bool
		keys      map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*frame
	started := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !started {
				return parseError("body is empty")
			}
			if len(stack) != 0 {
				return parseError("body is not valid JSON")
			}
			return nil
		}
		if err != nil {
			return parseError("body is not valid JSON")
		}
		if !started {
			started = true
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				// JSON that no endpoint takes, or not JSON at all.
				if !json.Valid(body) {
					return parseError("body is not valid JSON")
				}
				return illegalError("body must be a JSON object")
			}
		} else if len(stack) == 0 {
			return parseError("body has data after the JSON object")
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && top.obj {
					top.expectKey = true
				}
				if len(stack) >= maxDepth {
					return parseError("body is nested too deeply")
				}
				stack = append(stack, &frame{obj: t == '{', expectKey: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.obj && top.expectKey {
				exact, known := knownKeys[fold(t)]
				if known && exact != t {
					return illegalError("field name " + exact + " has the wrong case")
				}
				if top.keys == nil {
					top.keys = map[string]bool{}
				}
				if top.keys[t] {
					if known {
						return illegalError("duplicate field " + exact)
					}
					return illegalError("duplicate field")
				}
				top.keys[t] = true
				top.expectKey = false
				continue
			}
			if top != nil && top.obj {
				top.expectKey = true
			}
		default:
			if top != nil && top.obj {
				top.expectKey = true
			}
		}
	}
}

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
			fn := jsonName(f)
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
		var be *bodyError
		if errors.As(err, &be) {
			return nil, failp(be.code, be.msg)
		}
		return nil, failp(wire.CodeParamIllegal, "body does not fit the schema")
	}
	if err := checkJSON(body); err != nil {
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

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

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
	if !isHTTPURL(v) {
		return failp(wire.CodeParamIllegal, field+" must be an absolute http(s) URL")
	}
	return nil
}

func isHTTPURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
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
	bad := func(code, msg string) (money.Amount, *wire.Result) { return money.Amount{}, failp(code, msg) }
	if a.Value == "" {
		return bad(wire.CodeParamIllegal, field+".value is required")
	}
	if len(a.Value) > maxValueDigits || !allDigits(a.Value) {
		return bad(wire.CodeParamIllegal, field+".value must be 1 to 16 digits")
	}
	if a.Currency == "" {
		return bad(wire.CodeParamIllegal, field+".currency is required")
	}
	c, err := money.LookupCurrency(a.Currency)
	if err != nil || !allowed(a.Currency) {
		return bad(wire.CodeCurrencyNotSupport, field+".currency is not supported")
	}
	amt, err := money.ParseMinor(a.Value, c)
	if err != nil {
		return bad(wire.CodeParamIllegal, field+".value must be 1 to 16 digits")
	}
	if !amt.IsPositive() {
		return bad(wire.CodeParamIllegal, field+".value must be greater than 0")
	}
	return amt, nil
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
