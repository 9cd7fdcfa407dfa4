package familytest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/simulator"
)

// A body is rejected with MSG_PARSE_ERROR when it cannot be read as JSON
// in UTF-8, PARAM_ILLEGAL when it can but breaks the schema.
func parseError(msg string) error   { return &simulator.BodyError{Syntax: true, Msg: msg} }
func illegalError(msg string) error { return &simulator.BodyError{Msg: msg} }

var amountType = reflect.TypeOf(alipayfamily.Amount{})

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
	case t.Kind() == reflect.Bool:
		if _, ok := v.(bool); !ok {
			return illegalError(path + " must be true or false")
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

// Decode checks body against schema and unmarshals it into v (a pointer
// to a request type). It returns the body's top-level object too, which
// tells present fields from absent ones (Present). Failures are
// MSG_PARSE_ERROR or PARAM_ILLEGAL with a message that names the
// offending field, never its value.
func Decode(schema *simulator.Schema, body []byte, v any) (map[string]any, *Result) {
	bad := func(err error) (map[string]any, *Result) {
		be := simulator.AsBodyError(err)
		if be.Syntax {
			return nil, Failp(alipayfamily.CodeMsgParseError, be.Msg)
		}
		return nil, Failp(alipayfamily.CodeParamIllegal, be.Msg)
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

// Present reports whether the object has the field with a non-null value.
func Present(tree map[string]any, field string) bool { return tree[field] != nil }

// PresentIn is Present for the field of a nested object, such as
// ("env", "terminalType").
func PresentIn(tree map[string]any, object, field string) bool {
	m, _ := tree[object].(map[string]any)
	return m[field] != nil
}

// CheckLen rejects a value longer than max characters.
func CheckLen(v, field string, max int) *Result {
	if utf8.RuneCountInString(v) > max {
		return Failp(alipayfamily.CodeParamIllegal, field+" must be at most "+strconv.Itoa(max)+" characters")
	}
	return nil
}

// CheckRequired rejects an empty value or one longer than max characters.
func CheckRequired(v, field string, max int) *Result {
	if v == "" {
		return Failp(alipayfamily.CodeParamIllegal, field+" is required")
	}
	return CheckLen(v, field, max)
}

// CheckURL rejects a value that is not an absolute http(s) URL of at most
// max characters.
func CheckURL(v, field string, max int) *Result {
	if res := CheckLen(v, field, max); res != nil {
		return res
	}
	if !simulator.IsHTTPURL(v) {
		return Failp(alipayfamily.CodeParamIllegal, field+" must be an absolute http(s) URL")
	}
	return nil
}

// CheckTime rejects a value that is not an ISO 8601 (RFC 3339) time with
// an offset.
func CheckTime(v, field string) (time.Time, *Result) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, Failp(alipayfamily.CodeParamIllegal, field+" must be an ISO 8601 time with an offset")
	}
	return t, nil
}

// ParseAmount checks a wire amount: a value of 1 to maxDigits digits,
// positive, in a known ISO 4217 currency that allowed accepts
// (CURRENCY_NOT_SUPPORT otherwise).
func ParseAmount(a alipayfamily.Amount, field string, maxDigits int, allowed func(code string) bool) (money.Amount, *Result) {
	amt, bad := simulator.CheckAmount(a.Value, a.Currency, field, maxDigits, allowed)
	switch {
	case bad == nil:
		return amt, nil
	case bad.Currency:
		return money.Amount{}, Failp(alipayfamily.CodeCurrencyNotSupport, bad.Msg)
	}
	return money.Amount{}, Failp(alipayfamily.CodeParamIllegal, bad.Msg)
}

// AnyCurrency accepts every currency.
func AnyCurrency(string) bool { return true }

// First returns the first non-nil result.
func First(checks ...*Result) *Result {
	for _, c := range checks {
		if c != nil {
			return c
		}
	}
	return nil
}

// maxRef is the family's limit on paymentId, paymentRequestId, refundId
// and refundRequestId.
const maxRef = 64

// CheckPaymentRef validates the body of inquiryPayment and cancel: a
// paymentId or a paymentRequestId, each of at most 64 characters.
func CheckPaymentRef(r *alipayfamily.PaymentRef) *Result {
	if r.PaymentID == "" && r.PaymentRequestID == "" {
		return Failp(alipayfamily.CodeParamIllegal, "paymentId or paymentRequestId is required")
	}
	return First(CheckLen(r.PaymentID, "paymentId", maxRef), CheckLen(r.PaymentRequestID, "paymentRequestId", maxRef))
}

// CheckRefundRef validates the body of inquiryRefund: a refundId or a
// refundRequestId, each of at most 64 characters.
func CheckRefundRef(r *alipayfamily.RefundRef) *Result {
	if r.RefundID == "" && r.RefundRequestID == "" {
		return Failp(alipayfamily.CodeParamIllegal, "refundId or refundRequestId is required")
	}
	return First(CheckLen(r.RefundID, "refundId", maxRef), CheckLen(r.RefundRequestID, "refundRequestId", maxRef))
}

// Currencies returns the check of a simulator's WithCurrencies: nil
// codes allow every currency money knows, others only those. It panics,
// naming the simulator, on a code money does not know, as the
// simulators' constructors panic on invalid options.
func Currencies(name string, codes []string) func(code string) bool {
	if codes == nil {
		return AnyCurrency
	}
	allowed := map[string]bool{}
	for _, code := range codes {
		if _, err := money.LookupCurrency(code); err != nil {
			panic(name + ": WithCurrencies: " + err.Error())
		}
		allowed[code] = true
	}
	return func(code string) bool { return allowed[code] }
}
