package payment

// Scenario is how the customer pays: which page, app or device is involved.
// Each scenario implies the kind of Action the merchant takes next
// (Scenario.ActionKind).
type Scenario string

// The scenarios. The first ten are AlphaPay's unified scenarios (its
// scenarioCode in parentheses); ScenarioCashier is the Alipay+ wallet cashier.
const (
	// ScenarioQRCode: the merchant's web page shows a QR code that the
	// customer scans with the wallet app (ONLINE_QRCODE).
	ScenarioQRCode Scenario = "qr_code"
	// ScenarioWeb: the customer is redirected to the wallet's PC web
	// checkout (ONLINE_WEB).
	ScenarioWeb Scenario = "web"
	// ScenarioJSAPI: a page opened inside the wallet app is redirected to
	// the provider's pay URL (JSAPI).
	ScenarioJSAPI Scenario = "jsapi"
	// ScenarioNativeJSAPI: a page inside the wallet app calls the wallet's
	// JS bridge itself with the SDK parameters (NATIVE_JSAPI).
	ScenarioNativeJSAPI Scenario = "native_jsapi"
	// ScenarioH5: a mobile browser page is redirected to the wallet (ONLINE_WAP).
	ScenarioH5 Scenario = "h5"
	// ScenarioApp: a native app hands the SDK parameters to the wallet SDK (APP).
	ScenarioApp Scenario = "app"
	// ScenarioMiniProgram: a mini program inside the wallet app pays with the
	// SDK parameters (MINI_APP).
	ScenarioMiniProgram Scenario = "mini_program"
	// ScenarioCreditCard: card details entered on the merchant's site (CREDIT_CARD).
	ScenarioCreditCard Scenario = "credit_card"
	// ScenarioInStoreQR: in store, the merchant's terminal shows a QR code
	// (OFFLINE_QRCODE).
	ScenarioInStoreQR Scenario = "in_store_qr"
	// ScenarioInStoreScan: in store, the merchant scans the code shown in the
	// customer's wallet (OFFLINE).
	ScenarioInStoreScan Scenario = "in_store_scan"
	// ScenarioCashier: the wallet's own cashier page, opened by redirect or
	// by the mini program API (Alipay+ pay with a redirectActionForm).
	ScenarioCashier Scenario = "cashier"
)

// Scenarios lists every scenario, in the order above.
func Scenarios() []Scenario {
	return []Scenario{
		ScenarioQRCode, ScenarioWeb, ScenarioJSAPI, ScenarioNativeJSAPI, ScenarioH5,
		ScenarioApp, ScenarioMiniProgram, ScenarioCreditCard, ScenarioInStoreQR,
		ScenarioInStoreScan, ScenarioCashier,
	}
}

// Valid reports whether s is one of the Scenario constants.
func (s Scenario) Valid() bool { return s.ActionKind() != "" }

// ActionKind is the kind of Action a pending payment in this scenario asks
// the merchant to take. It is "" for an invalid scenario.
func (s Scenario) ActionKind() ActionKind {
	switch s {
	case ScenarioQRCode, ScenarioInStoreQR:
		return ActionShowQR
	case ScenarioWeb, ScenarioJSAPI, ScenarioH5, ScenarioCashier:
		return ActionRedirect
	case ScenarioNativeJSAPI, ScenarioApp, ScenarioMiniProgram:
		return ActionInvokeSDK
	case ScenarioCreditCard, ScenarioInStoreScan:
		return ActionNone
	}
	return ""
}

// Method is the wallet or network the customer pays with, for providers
// that serve several (AlphaPay). Wallet-hosted APIs (Alipay+) leave it empty:
// the wallet is the method.
type Method string

// The payment methods.
const (
	MethodAlipay    Method = "alipay"
	MethodWeChatPay Method = "wechat_pay"
	MethodUnionPay  Method = "unionpay"
)

// Valid reports whether m is one of the Method constants.
func (m Method) Valid() bool {
	return m == MethodAlipay || m == MethodWeChatPay || m == MethodUnionPay
}
