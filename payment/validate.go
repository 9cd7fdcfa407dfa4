package payment

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/paybridge/paybridge/money"
)

// The operation names used in Error.Op.
const (
	OpPay           = "pay"
	OpInquire       = "inquire"
	OpCancel        = "cancel"
	OpRefund        = "refund"
	OpInquireRefund = "inquire-refund"
)

// ValidatePay checks req against the neutral rules and the provider's
// capabilities, before anything is sent. Adapters call it first in Pay and may
// add their own findings in extra; the result names every bad field at once.
//
// It returns nil, or an *Error of kind KindInvalidRequest (some field is
// wrong) or KindUnsupported (the request is well formed but the provider does
// not offer what it asks), whose cause is a *ValidationError.
//
// The neutral rules: the struct tags on PayRequest and its parts; a positive
// Amount; the scenario's extras (a PaymentCode for in-store scan, Customer
// AppID and PayerID for mini program and native JSAPI, Device OS and Version
// for app, a Card token or full card details for credit card, and no card data
// or payment code in scenarios that do not use them); ProviderOptions of this
// provider's type.
func ValidatePay(provider string, caps Capabilities, req *PayRequest, extra ...FieldError) error {
	if req == nil {
		return invalid(provider, OpPay, "", []FieldError{{"PayRequest", "is required"}}, nil)
	}
	var bad, unsupported []FieldError
	bad = append(bad, structErrors(req)...)
	bad = append(bad, amountErrors("Amount", req.Amount, caps)...)

	maxDesc := caps.MaxDescription
	if maxDesc == 0 {
		maxDesc = 256
	}
	if n := len([]rune(req.Description)); n > maxDesc {
		bad = appendOnce(bad, FieldError{"Description", fmt.Sprintf("must be at most %d characters", maxDesc)})
	}

	bad = append(bad, scenarioErrors(req)...)

	if req.Scenario.Valid() && !caps.SupportsScenario(req.Scenario) {
		unsupported = append(unsupported, FieldError{"Scenario", fmt.Sprintf("%s is not supported by %s", req.Scenario, provider)})
	}
	// Only a known scenario and a well-formed method (a token: no spaces,
	// no control characters, at most 64 bytes) are named in the message:
	// anything else is caller input, reported as such above, and must not
	// reach error text. Methods are an open set: a well-formed method the
	// provider does not list is unsupported, not invalid.
	if req.Method != "" && req.Method.Valid() && req.Scenario.Valid() && !caps.SupportsMethodIn(req.Method, req.Scenario) {
		unsupported = append(unsupported, FieldError{"Method", fmt.Sprintf("%s is not supported by %s in scenario %s", req.Method, provider, req.Scenario)})
	}
	if !req.ExpiresAt.IsZero() && !caps.ExpiresAt {
		unsupported = append(unsupported, FieldError{"ExpiresAt", "is not supported by " + provider})
	}
	if req.Method == "" && containsScenario(caps.MethodRequired, req.Scenario) {
		bad = append(bad, FieldError{"Method", fmt.Sprintf("is required for scenario %s", req.Scenario)})
	}
	if c := req.Amount.Currency(); !c.IsZero() && !caps.SupportsCurrency(c) {
		unsupported = append(unsupported, FieldError{"Amount", fmt.Sprintf("currency %s is not supported by %s", c.Code(), provider)})
	}
	if o := req.ProviderOptions; o != nil && !isNilPointer(o) && o.ProviderName() != provider {
		bad = append(bad, FieldError{"ProviderOptions", fmt.Sprintf("are for provider %q, not %q", o.ProviderName(), provider)})
	}
	bad = append(bad, extra...)
	return verdict(provider, OpPay, req.PaymentRequestID, bad, unsupported)
}

// ValidateRefund checks a refund request before anything is sent, like
// ValidatePay.
func ValidateRefund(provider string, caps Capabilities, req *RefundRequest, extra ...FieldError) error {
	if req == nil {
		return invalid(provider, OpRefund, "", []FieldError{{"RefundRequest", "is required"}}, nil)
	}
	var bad, unsupported []FieldError
	if !caps.Refund {
		unsupported = append(unsupported, FieldError{"RefundRequest", "refunds are not supported by " + provider})
	}
	bad = append(bad, structErrors(req)...)
	bad = append(bad, amountErrors("Amount", req.Amount, caps)...)
	if c := req.Amount.Currency(); !c.IsZero() && !caps.SupportsCurrency(c) {
		unsupported = append(unsupported, FieldError{"Amount", fmt.Sprintf("currency %s is not supported by %s", c.Code(), provider)})
	}
	b, u := refErrors("Payment", req.Payment, caps.InquireByRequestID)
	bad, unsupported = append(bad, b...), append(unsupported, u...)
	bad = append(bad, extra...)
	return verdict(provider, OpRefund, req.RefundRequestID, bad, unsupported)
}

// ValidateRef checks the reference given to Inquire or Cancel (op names
// which).
func ValidateRef(provider string, caps Capabilities, op string, ref Ref) error {
	var unsupported []FieldError
	if op == OpCancel && !caps.Cancel {
		unsupported = append(unsupported, FieldError{"Ref", "cancel is not supported by " + provider})
	}
	bad := structErrors(&ref)
	b, u := refErrors("Ref", ref, caps.InquireByRequestID)
	return verdict(provider, op, ref.String(), append(bad, b...), append(unsupported, u...))
}

// ValidateRefundRef checks the reference given to InquireRefund.
func ValidateRefundRef(provider string, caps Capabilities, ref RefundRef) error {
	var bad, unsupported []FieldError
	if !caps.Refund {
		unsupported = append(unsupported, FieldError{"RefundRef", "refunds are not supported by " + provider})
	}
	bad = append(bad, structErrors(&ref)...)
	switch {
	case ref.RefundID == "" && ref.RefundRequestID == "":
		bad = append(bad, FieldError{"RefundRef", "needs a RefundID or a RefundRequestID"})
	case ref.RefundID == "" && !caps.InquireRefundByRequestID:
		unsupported = append(unsupported, FieldError{"RefundRef.RefundID", "is required: " + provider + " cannot look up a refund by RefundRequestID"})
	}
	return verdict(provider, OpInquireRefund, ref.String(), bad, unsupported)
}

func refErrors(name string, ref Ref, byRequestID bool) (bad, unsupported []FieldError) {
	switch {
	case ref.PaymentID == "" && ref.PaymentRequestID == "":
		bad = append(bad, FieldError{name, "needs a PaymentID or a PaymentRequestID"})
	case ref.PaymentID == "" && !byRequestID:
		unsupported = append(unsupported, FieldError{name + ".PaymentID", "is required: the provider cannot look up a payment by PaymentRequestID"})
	}
	return bad, unsupported
}

func amountErrors(field string, a money.Amount, caps Capabilities) []FieldError {
	switch {
	case a.Currency().IsZero():
		return []FieldError{{field, "is required"}}
	case !a.IsPositive():
		return []FieldError{{field, "must be positive"}}
	case caps.MaxAmountDigits > 0 && a.CheckDigits(caps.MaxAmountDigits) != nil:
		return []FieldError{{field, fmt.Sprintf("must have at most %d digits in minor units", caps.MaxAmountDigits)}}
	}
	return nil
}

func scenarioErrors(req *PayRequest) []FieldError {
	var bad []FieldError
	need := func(ok bool, field string) {
		if !ok {
			bad = append(bad, FieldError{field, "is required for scenario " + string(req.Scenario)})
		}
	}
	forbid := func(present bool, field string, only Scenario) {
		if present {
			bad = append(bad, FieldError{field, "is only for scenario " + string(only)})
		}
	}
	c := req.Customer
	if c == nil {
		c = &Customer{}
	}
	d := req.Device
	if d == nil {
		d = &Device{}
	}
	switch req.Scenario {
	case ScenarioInStoreScan:
		need(req.PaymentCode != "", "PaymentCode")
	case ScenarioMiniProgram, ScenarioNativeJSAPI:
		need(c.AppID != "", "Customer.AppID")
		need(c.PayerID != "", "Customer.PayerID")
	case ScenarioApp:
		need(d.OS != "", "Device.OS")
		need(d.Version != "", "Device.Version")
	case ScenarioCreditCard:
		card := req.Card
		if card == nil {
			need(false, "Card")
			break
		}
		if card.Token == "" {
			need(card.Number != "", "Card.Number")
			need(card.ExpMonth != 0, "Card.ExpMonth")
			need(card.ExpYear != 0, "Card.ExpYear")
			need(card.CVV != "", "Card.CVV")
		}
		if card.Remember {
			if card.CustomerID == "" {
				bad = append(bad, FieldError{"Card.CustomerID", "is required to remember a card"})
			}
		}
	}
	if req.Scenario != ScenarioCreditCard {
		forbid(req.Card != nil, "Card", ScenarioCreditCard)
	}
	if req.Scenario != ScenarioInStoreScan {
		forbid(req.PaymentCode != "", "PaymentCode", ScenarioInStoreScan)
	}
	return bad
}

func containsScenario(list []Scenario, s Scenario) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func appendOnce(list []FieldError, f FieldError) []FieldError {
	for _, x := range list {
		if x.Field == f.Field {
			return list
		}
	}
	return append(list, f)
}

func verdict(provider, op, id string, bad, unsupported []FieldError) error {
	switch {
	case len(bad) > 0:
		return invalid(provider, op, id, bad, unsupported)
	case len(unsupported) > 0:
		return &Error{Op: op, Provider: provider, Kind: KindUnsupported, RequestID: id, Err: &ValidationError{Fields: unsupported}}
	}
	return nil
}

func invalid(provider, op, id string, bad, unsupported []FieldError) error {
	return &Error{Op: op, Provider: provider, Kind: KindInvalidRequest, RequestID: id,
		Err: &ValidationError{Fields: append(bad, unsupported...)}}
}

// isText reports whether s is valid UTF-8 without control characters (C0,
// DEL, C1). encoding/json would silently replace invalid UTF-8 with U+FFFD
// and send it, and control characters break the provider's display and let
// a value forge lines in logs, so both are refused before anything is sent.
func isText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// The validator caches struct metadata and is safe for concurrent use; it is
// built once, on first use, and never changed after.
var structValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	must := func(err error) {
		if err != nil {
			panic(err) // programming error in the tags below, caught by any test
		}
	}
	must(v.RegisterValidation("reqid", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		return strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e }) < 0
	}))
	must(v.RegisterValidation("text", func(fl validator.FieldLevel) bool {
		return isText(fl.Field().String())
	}))
	must(v.RegisterValidation("digits", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
	}))
	must(v.RegisterValidation("scenario", func(fl validator.FieldLevel) bool {
		return Scenario(fl.Field().String()).Valid()
	}))
	must(v.RegisterValidation("method", func(fl validator.FieldLevel) bool {
		return Method(fl.Field().String()).Valid()
	}))
	must(v.RegisterValidation("absurl", func(fl validator.FieldLevel) bool {
		return isAbsoluteHTTPURL(fl.Field().String())
	}))
	return v
})

func isAbsoluteHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// structErrors runs the struct tags and turns the findings into FieldErrors.
// Messages are built from the tags alone, never from the values, so card data
// cannot reach an error string.
func structErrors(s any) []FieldError {
	err := structValidator().Struct(s)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return nil
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		field := fe.StructNamespace()
		if i := strings.IndexByte(field, '.'); i >= 0 {
			field = field[i+1:] // drop the type name
		}
		out = append(out, FieldError{Field: field, Problem: problem(fe)})
	}
	return out
}

func problem(fe validator.FieldError) string {
	unit := ""
	if fe.Kind() == reflect.String {
		unit = " characters"
	}
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		return "must be at most " + fe.Param() + unit
	case "min":
		return "must be at least " + fe.Param() + unit
	case "len":
		return "must be exactly " + fe.Param() + unit
	case "gte":
		return "must be at least " + fe.Param()
	case "digits":
		return "must be ASCII digits only"
	case "alpha":
		return "must be letters only"
	case "email":
		return "must be an email address"
	case "oneof":
		return "must be one of: " + fe.Param()
	case "reqid":
		return "must be printable ASCII without spaces"
	case "text":
		return "must be valid UTF-8 without control characters"
	case "scenario":
		return "is not a known scenario"
	case "method":
		return "must be a payment method: 1 to 64 lower-case ASCII letters, digits and underscores"
	case "absurl":
		return "must be an absolute http or https URL"
	}
	return "fails rule " + fe.Tag()
}

// isNilPointer reports a typed nil pointer in an interface, which must not
// be called (its value-receiver methods would panic).
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
