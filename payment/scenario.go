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

// Method is the wallet, scheme or network the customer pays with, for
// providers that serve several (AlphaPay; Antom). Wallet-hosted APIs
// (Alipay+) take none: the wallet is the method.
//
// The set is open (docs/semantics.md, "Payment methods"):
//
//   - the well-known methods are the constants below (WellKnownMethods):
//     neutral names every adapter uses for the same method, whatever its
//     provider calls it (AlphaPay's WECHAT, Antom's TNG);
//   - a provider may take methods of its own, which its adapter documents
//     and lists in Capabilities.Methods, such as Method("yourpay_points").
//     Name one with a well-known constant where there is one.
//
// A method is a token of 1 to 64 lower-case ASCII letters, digits and
// underscores; Valid checks that syntax and nothing else. Whether a
// provider takes a method is its Capabilities.Methods (and
// ScenarioMethods): ValidatePay reports a well-formed method the provider
// does not list as unsupported, before anything is sent, and one that is
// not a token as an invalid request.
type Method string

// The well-known payment methods.
const (
	// MethodAlipay is Alipay where the provider does not tell its wallets
	// apart (AlphaPay's ALIPAY, which serves Alipay China and Alipay HK
	// alike). A provider that does uses MethodAlipayCN and MethodAlipayHK.
	MethodAlipay Method = "alipay"
	// MethodWeChatPay is WeChat Pay.
	MethodWeChatPay Method = "wechat_pay"
	// MethodUnionPay is UnionPay (AlphaPay's UNIONPAY: UnionPay QR).
	MethodUnionPay Method = "unionpay"
	// MethodAlipayCN is Alipay (mainland China) as a wallet of its own
	// (Antom's ALIPAY_CN).
	MethodAlipayCN Method = "alipay_cn"
	// MethodAlipayHK is AlipayHK, Hong Kong (Antom's ALIPAY_HK).
	MethodAlipayHK Method = "alipay_hk"
	// MethodGCash is GCash, the Philippines (Antom's GCASH).
	MethodGCash Method = "gcash"
	// MethodDANA is DANA, Indonesia (Antom's DANA).
	MethodDANA Method = "dana"
	// MethodTouchNGo is Touch 'n Go eWallet, Malaysia (Antom's TNG).
	MethodTouchNGo Method = "touch_n_go"
	// MethodTrueMoney is TrueMoney Wallet, Thailand (Antom's TRUEMONEY).
	MethodTrueMoney Method = "truemoney"
	// MethodKakaoPay is KakaoPay, South Korea (Antom's KAKAOPAY).
	MethodKakaoPay Method = "kakaopay"
)

// WellKnownMethods lists the well-known methods, in the order above. A
// provider's own methods are not among them: see its
// Capabilities().Methods.
func WellKnownMethods() []Method {
	return []Method{
		MethodAlipay, MethodWeChatPay, MethodUnionPay, MethodAlipayCN, MethodAlipayHK,
		MethodGCash, MethodDANA, MethodTouchNGo, MethodTrueMoney, MethodKakaoPay,
	}
}

// WellKnown reports whether m is one of the well-known method constants.
func (m Method) WellKnown() bool {
	switch m {
	case MethodAlipay, MethodWeChatPay, MethodUnionPay, MethodAlipayCN, MethodAlipayHK,
		MethodGCash, MethodDANA, MethodTouchNGo, MethodTrueMoney, MethodKakaoPay:
		return true
	}
	return false
}

// Valid reports whether m is a method token: 1 to 64 lower-case ASCII
// letters, digits and underscores. It says nothing about whether any
// provider takes m (Capabilities.SupportsMethod does).
func (m Method) Valid() bool {
	if len(m) == 0 || len(m) > 64 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
