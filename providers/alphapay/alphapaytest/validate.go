package alphapaytest

import (
	"strings"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// Field limits.
const (
	maxRequestID   = 64
	maxDescription = 128
	maxURL         = 2048
	maxValueDigits = 7
)

// parseAmount checks a wire amount: value ^\d{1,7}$ and positive, currency
// one of allowed. field names the amount in messages.
func parseAmount(a wire.Amount, field string, allowed func(string) bool) (money.Amount, *wire.Result) {
	amt, bad := simulator.CheckAmount(a.Value, a.Currency, field, maxValueDigits, allowed)
	if bad == nil {
		return amt, nil
	}
	code := wire.CodeParamInvalid
	if bad.Currency {
		code = wire.CodeCurrencyNotSupport
	}
	res := fail(code, bad.Msg)
	return money.Amount{}, &res
}

// checkURL reports whether s is an absolute http(s) URL with a host.
func checkURL(s string) bool { return len(s) <= maxURL && simulator.IsHTTPURL(s) }

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
	desc := simulator.Cut(req.Order.Description, maxDescription)
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
		if c := pm.PaymentCode; len(c) < 10 || len(c) > 32 || !simulator.AllDigits(c) {
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
		if len(in.Number) < 12 || len(in.Number) > 19 || !simulator.AllDigits(in.Number) {
			return bad("card.info.number must be 12 to 19 digits")
		}
		if in.ExpMonth < 1 || in.ExpMonth > 12 {
			return bad("card.info.expMonth must be 1 to 12")
		}
		if in.ExpYear < 2000 || in.ExpYear > 2999 {
			return bad("card.info.expYear must be a four-digit year")
		}
		if len(in.CVV) < 3 || len(in.CVV) > 4 || !simulator.AllDigits(in.CVV) {
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
