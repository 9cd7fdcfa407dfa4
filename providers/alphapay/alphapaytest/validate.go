package alphapaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// Field limits.
const (
	maxRequestID   = 64
	maxDescription = 128
	maxURL         = 2048
	maxDepth       = 32
	maxValueDigits = 7
)

// knownKeys maps the folded form of every field name of the request types
// to its exact spelling. encoding/json matches names case-insensitively;
// the real server (Java) does not, so a name in the wrong case is rejected
// rather than silently accepted.
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
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				m[fold(name)] = name
			}
			walk(f.Type)
		}
	}
	for _, v := range []any{wire.PayRequest{}, wire.PaymentIDRequest{}, wire.RefundRequest{}, wire.InquiryRefundRequest{}, wire.TransactionsRequest{}} {
		walk(reflect.TypeOf(v))
	}
	return m
}()

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

// checkJSON insists on one JSON object, no duplicate keys, no field name
// in the wrong case, and bounded nesting. Its errors name at most a known
// field, never a value.
func checkJSON(body []byte) error {
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
				return errors.New("body is empty")
			}
			if len(stack) != 0 {
				return errors.New("body is not valid JSON")
			}
			return nil
		}
		if err != nil {
			return errors.New("body is not valid JSON")
		}
		if !started {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return errors.New("body is not a JSON object")
			}
			started = true
		} else if len(stack) == 0 {
			return errors.New("body has data after the JSON object")
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
					return errors.New("body is nested too deeply")
				}
				stack = append(stack, &frame{obj: t == '{', expectKey: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.obj && top.expectKey {
				if exact, known := knownKeys[fold(t)]; known && exact != t {
					return errors.New("field name " + exact + " has the wrong case")
				}
				if top.keys == nil {
					top.keys = map[string]bool{}
				}
				if top.keys[t] {
					if exact, known := knownKeys[fold(t)]; known {
						return errors.New("duplicate field " + exact)
					}
					return errors.New("duplicate field")
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

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseAmount checks a wire amount: value ^\d{1,7}$ and positive, currency
// one of allowed. field names the amount in messages.
func parseAmount(a wire.Amount, field string, allowed func(string) bool) (money.Amount, *wire.Result) {
	bad := func(code, msg string) (money.Amount, *wire.Result) {
		res := fail(code, msg)
		return money.Amount{}, &res
	}
	if a.Value == "" {
		return bad(wire.CodeParamInvalid, field+".value is required")
	}
	if len(a.Value) > maxValueDigits || !allDigits(a.Value) {
		return bad(wire.CodeParamInvalid, field+".value must be 1 to 7 digits")
	}
	if a.Currency == "" {
		return bad(wire.CodeParamInvalid, field+".currency is required")
	}
	if !allowed(a.Currency) {
		return bad(wire.CodeCurrencyNotSupport, field+".currency is not supported")
	}
	c, err := money.LookupCurrency(a.Currency)
	if err != nil {
		return bad(wire.CodeCurrencyNotSupport, field+".currency is not supported")
	}
	amt, err := money.ParseMinor(a.Value, c)
	if err != nil {
		return bad(wire.CodeParamInvalid, field+".value must be 1 to 7 digits")
	}
	if !amt.IsPositive() {
		return bad(wire.CodeParamInvalid, field+".value must be greater than 0")
	}
	return amt, nil
}

// cut returns s cut to n characters (runes), as the real server does with
// long descriptions.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// checkURL reports whether s is an absolute http(s) URL with a host.
func checkURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}

// scenarios lists the ten scenario codes.
var scenarios = map[string]bool{
	wire.ScenarioOnlineQRCode: true, wire.ScenarioOnlineWeb: true, wire.ScenarioJSAPI: true,
	wire.ScenarioNativeJSAPI: true, wire.ScenarioOnlineWAP: true, wire.ScenarioApp: true,
	wire.ScenarioMiniApp: true, wire.ScenarioCreditCard: true, wire.ScenarioOfflineQRCode: true,
	wire.ScenarioOffline: true,
}

// methodScenarios need paymentMethod.paymentMethodType.
var methodScenarios = map[string]bool{
	wire.ScenarioOnlineQRCode: true, wire.ScenarioOnlineWeb: true, wire.ScenarioJSAPI: true,
	wire.ScenarioNativeJSAPI: true, wire.ScenarioOnlineWAP: true, wire.ScenarioApp: true,
	wire.ScenarioMiniApp: true,
}

// checkPay validates a pay request and returns the order amount
// and the description as the server keeps it. Messages name fields and
// never quote values, so card data cannot leak through them.
func (s *Server) checkPay(req *wire.PayRequest) (money.Amount, string, *wire.Result) {
	bad := func(code, msg string) (money.Amount, string, *wire.Result) {
		res := fail(code, msg)
		return money.Amount{}, "", &res
	}
	if req.ScenarioCode == "" {
		return bad(wire.CodeParamInvalid, "scenarioCode is required")
	}
	if !scenarios[req.ScenarioCode] {
		return bad(wire.CodeParamInvalid, "scenarioCode is not supported")
	}
	if n := utf8.RuneCountInString(req.PaymentRequestID); n == 0 || n > maxRequestID {
		return bad(wire.CodeParamInvalid, "paymentRequestId must be 1 to 64 characters")
	}
	amt, res := parseAmount(req.Order.OrderAmount, "order.orderAmount", func(c string) bool {
		return c == s.cfg.domain || c == "CNY"
	})
	if res != nil {
		return money.Amount{}, "", res
	}
	if strings.TrimSpace(req.Order.Description) == "" {
		return bad(wire.CodeParamInvalid, "order.description is required")
	}
	desc := cut(req.Order.Description, maxDescription)
	if req.Order.NotifyURL != "" && !checkURL(req.Order.NotifyURL) {
		return bad(wire.CodeParamInvalid, "order.notifyUrl must be an absolute http(s) URL")
	}
	if req.Order.RedirectURL != "" && !checkURL(req.Order.RedirectURL) {
		return bad(wire.CodeParamInvalid, "order.redirectUrl must be an absolute http(s) URL")
	}

	pm := req.PaymentMethod
	if pm == nil {
		pm = &wire.PaymentMethod{}
	}
	sc := req.ScenarioCode
	switch {
	case methodScenarios[sc]:
		switch pm.PaymentMethodType {
		case "":
			return bad(wire.CodeInvalidMethodType, "paymentMethod.paymentMethodType is required")
		case wire.MethodAlipay, wire.MethodWechat, wire.MethodUnionPay:
		default:
			return bad(wire.CodeInvalidMethodType, "paymentMethod.paymentMethodType must be Alipay, Wechat or UnionPay")
		}
		if sc == wire.ScenarioOnlineWeb && pm.PaymentMethodType == wire.MethodWechat {
			return bad(wire.CodeInvalidMethodType, "ONLINE_WEB accepts only Alipay and UnionPay")
		}
	case pm.PaymentMethodType != "":
		return bad(wire.CodeParamInvalid, "paymentMethod.paymentMethodType is not allowed for "+sc)
	}
	if (sc == wire.ScenarioCreditCard || sc == wire.ScenarioOfflineQRCode) && req.PaymentMethod != nil {
		return bad(wire.CodeParamInvalid, "paymentMethod is not allowed for "+sc)
	}
	if sc == wire.ScenarioOffline {
		if c := pm.PaymentCode; len(c) < 10 || len(c) > 32 || !allDigits(c) {
			return bad(wire.CodeInvalidPaymentCode, "paymentMethod.paymentCode must be 10 to 32 digits")
		}
	} else if pm.PaymentCode != "" {
		return bad(wire.CodeParamInvalid, "paymentMethod.paymentCode is only for OFFLINE")
	}

	if sc == wire.ScenarioNativeJSAPI || sc == wire.ScenarioMiniApp {
		if req.Customer == nil || req.Customer.AppID == "" {
			return bad(wire.CodeParamInvalid, "customer.appId is required for "+sc)
		}
		if req.Customer.CustomerID == "" {
			return bad(wire.CodeParamInvalid, "customer.customerId is required for "+sc)
		}
	}
	if sc == wire.ScenarioApp {
		if req.Env == nil || (req.Env.OSType != "IOS" && req.Env.OSType != "ANDROID") {
			return bad(wire.CodeParamInvalid, "env.osType must be IOS or ANDROID")
		}
		if req.Env.Version == "" {
			return bad(wire.CodeParamInvalid, "env.version is required for APP")
		}
	}
	if sc == wire.ScenarioCreditCard {
		if res := checkCard(req.Card); res != nil {
			return money.Amount{}, "", res
		}
	} else if req.Card != nil {
		return bad(wire.CodeParamInvalid, "card is only for CREDIT_CARD")
	}
	return amt, desc, nil
}

// checkCard validates the card of a CREDIT_CARD pay. Card data is secret:
// messages name the field and never its value.
func checkCard(c *wire.Card) *wire.Result {
	bad := func(msg string) *wire.Result { res := fail(wire.CodeParamInvalid, msg); return &res }
	if c == nil {
		return bad("card is required for CREDIT_CARD")
	}
	switch {
	case c.CardID != "" && c.Info != nil:
		return bad("card: give cardId or info, not both")
	case c.CardID == "" && c.Info == nil:
		return bad("card.cardId or card.info is required")
	case c.Info != nil:
		in := c.Info
		if len(in.Number) < 12 || len(in.Number) > 19 || !allDigits(in.Number) {
			return bad("card.info.number must be 12 to 19 digits")
		}
		if in.ExpMonth < 1 || in.ExpMonth > 12 {
			return bad("card.info.expMonth must be 1 to 12")
		}
		if in.ExpYear < 2000 || in.ExpYear > 2999 {
			return bad("card.info.expYear must be a four-digit year")
		}
		if len(in.CVV) < 3 || len(in.CVV) > 4 || !allDigits(in.CVV) {
			return bad("card.info.cvv must be 3 or 4 digits")
		}
	case len(c.CardID) > maxRequestID:
		return bad("card.cardId is too long")
	}
	if c.Remember && c.CustomerID == "" {
		return bad("card.customerId is required to remember a card")
	}
	return nil
}
