package payment_test

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// testCaps resembles a multi-wallet provider: every scenario but the
// cashier, three methods, three currencies, 7-digit amounts.
var testCaps = payment.Capabilities{
	Scenarios: []payment.Scenario{
		payment.ScenarioQRCode, payment.ScenarioWeb, payment.ScenarioJSAPI, payment.ScenarioNativeJSAPI,
		payment.ScenarioH5, payment.ScenarioApp, payment.ScenarioMiniProgram, payment.ScenarioCreditCard,
		payment.ScenarioInStoreQR, payment.ScenarioInStoreScan,
	},
	Methods:         []payment.Method{payment.MethodAlipay, payment.MethodWeChatPay},
	MethodRequired:  []payment.Scenario{payment.ScenarioQRCode, payment.ScenarioMiniProgram},
	ScenarioMethods: map[payment.Scenario][]payment.Method{payment.ScenarioWeb: {payment.MethodAlipay}, payment.ScenarioCreditCard: {}},
	Currencies:      []money.Currency{money.CAD, money.USD, money.CNY},
	MaxAmountDigits: 7,
	MaxDescription:  128,
	Cancel:          true,
	Refund:          true,
	PartialRefund:   true,
}

type otherOptions struct{}

func (otherOptions) ProviderName() string { return "other" }

type testOptions struct{}

func (testOptions) ProviderName() string { return "test" }

func validPay(s payment.Scenario) *payment.PayRequest {
	req := &payment.PayRequest{
		PaymentRequestID: "ORDER-20261122-0001",
		Scenario:         s,
		Amount:           money.MustParse("19.99 CAD"),
		Description:      "Two coffees",
		Method:           payment.MethodWeChatPay,
		NotifyURL:        "https://shop.example/notify",
		RedirectURL:      "https://shop.example/done",
	}
	switch s {
	case payment.ScenarioWeb:
		req.Method = payment.MethodAlipay
	case payment.ScenarioInStoreScan:
		req.PaymentCode = "134567890123456789"
		req.Method = ""
	case payment.ScenarioMiniProgram, payment.ScenarioNativeJSAPI:
		req.Customer = &payment.Customer{AppID: "wx123", PayerID: "openid-1"}
	case payment.ScenarioApp:
		req.Device = &payment.Device{OS: payment.OSIOS, Version: "17.1"}
	case payment.ScenarioCreditCard:
		req.Method = ""
		req.Card = &payment.Card{Number: "4111111111111111", ExpMonth: 12, ExpYear: 2030, CVV: "987", Holder: "A Person"}
	}
	return req
}

func TestValidatePayAcceptsEveryScenarioWithItsExtras(t *testing.T) {
	for _, s := range testCaps.Scenarios {
		t.Run(string(s), func(t *testing.T) {
			if err := payment.ValidatePay("test", testCaps, validPay(s)); err != nil {
				t.Fatalf("valid request rejected: %v", err)
			}
		})
	}
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *payment.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v has no *ValidationError", err)
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field)
	}
	sort.Strings(out)
	return out
}

func TestValidatePayNamesEveryBadField(t *testing.T) {
	long := strings.Repeat("x", 65)
	for _, tc := range []struct {
		name     string
		scenario payment.Scenario
		mutate   func(*payment.PayRequest)
		kind     payment.Kind
		fields   []string
	}{
		{"missing request ID", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.PaymentRequestID = "" }, payment.KindInvalidRequest, []string{"PaymentRequestID"}},
		{"request ID over 64 characters", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.PaymentRequestID = long }, payment.KindInvalidRequest, []string{"PaymentRequestID"}},
		{"request ID with a space", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.PaymentRequestID = "ORDER 1" }, payment.KindInvalidRequest, []string{"PaymentRequestID"}},
		{"missing scenario", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Scenario = "" }, payment.KindInvalidRequest, []string{"Scenario"}},
		{"provider scenario code instead of a neutral one", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Scenario = "ONLINE_QRCODE" }, payment.KindInvalidRequest, []string{"Scenario"}},
		{"no amount", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Amount = money.Amount{} }, payment.KindInvalidRequest, []string{"Amount"}},
		{"zero amount", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Amount = money.MustParse("0.00 CAD") }, payment.KindInvalidRequest, []string{"Amount"}},
		{"amount over the provider's digits", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Amount = money.MustParse("100000.00 CAD") }, payment.KindInvalidRequest, []string{"Amount"}},
		{"description over the provider's limit", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Description = strings.Repeat("é", 129) }, payment.KindInvalidRequest, []string{"Description"}},
		{"relative notify URL", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.NotifyURL = "/notify" }, payment.KindInvalidRequest, []string{"NotifyURL"}},
		{"non-http redirect URL", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.RedirectURL = "ftp://shop.example/x" }, payment.KindInvalidRequest, []string{"RedirectURL"}},
		{"method that is not a token", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = "PayPal" }, payment.KindInvalidRequest, []string{"Method"}},
		{"provider method code instead of a neutral one", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = "WECHAT" }, payment.KindInvalidRequest, []string{"Method"}},
		{"method over 64 characters", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = payment.Method(strings.Repeat("m", 65)) }, payment.KindInvalidRequest, []string{"Method"}},
		{"method required by the scenario", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = "" }, payment.KindInvalidRequest, []string{"Method"}},
		{"in-store scan without a payment code", payment.ScenarioInStoreScan, func(r *payment.PayRequest) { r.PaymentCode = "" }, payment.KindInvalidRequest, []string{"PaymentCode"}},
		{"payment code with letters", payment.ScenarioInStoreScan, func(r *payment.PayRequest) { r.PaymentCode = "13456789O123" }, payment.KindInvalidRequest, []string{"PaymentCode"}},
		{"payment code outside in-store scan", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.PaymentCode = "1345678901234" }, payment.KindInvalidRequest, []string{"PaymentCode"}},
		{"mini program without customer", payment.ScenarioMiniProgram, func(r *payment.PayRequest) { r.Customer = nil }, payment.KindInvalidRequest, []string{"Customer.AppID", "Customer.PayerID"}},
		{"native JSAPI without payer", payment.ScenarioNativeJSAPI, func(r *payment.PayRequest) { r.Customer.PayerID = "" }, payment.KindInvalidRequest, []string{"Customer.PayerID"}},
		{"app without device", payment.ScenarioApp, func(r *payment.PayRequest) { r.Device = nil }, payment.KindInvalidRequest, []string{"Device.OS", "Device.Version"}},
		{"app with unknown OS", payment.ScenarioApp, func(r *payment.PayRequest) { r.Device.OS = "beos" }, payment.KindInvalidRequest, []string{"Device.OS"}},
		{"credit card without card", payment.ScenarioCreditCard, func(r *payment.PayRequest) { r.Card = nil }, payment.KindInvalidRequest, []string{"Card"}},
		{"credit card missing expiry and CVV", payment.ScenarioCreditCard, func(r *payment.PayRequest) { r.Card.ExpMonth, r.Card.ExpYear, r.Card.CVV = 0, 0, "" }, payment.KindInvalidRequest, []string{"Card.CVV", "Card.ExpMonth", "Card.ExpYear"}},
		{"card number with letters and month 13", payment.ScenarioCreditCard, func(r *payment.PayRequest) { r.Card.Number = "4111x11111111111"; r.Card.ExpMonth = 13 }, payment.KindInvalidRequest, []string{"Card.ExpMonth", "Card.Number"}},
		{"remembered card without customer", payment.ScenarioCreditCard, func(r *payment.PayRequest) { r.Card.Remember = true }, payment.KindInvalidRequest, []string{"Card.CustomerID"}},
		{"card data outside the card scenario", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Card = &payment.Card{Token: "tok"} }, payment.KindInvalidRequest, []string{"Card"}},
		{"another provider's options", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.ProviderOptions = otherOptions{} }, payment.KindInvalidRequest, []string{"ProviderOptions"}},
		{"several problems at once", payment.ScenarioMiniProgram, func(r *payment.PayRequest) {
			r.PaymentRequestID = ""
			r.Amount = money.Amount{}
			r.Customer = nil
			r.NotifyURL = "notify"
		}, payment.KindInvalidRequest, []string{"Amount", "Customer.AppID", "Customer.PayerID", "NotifyURL", "PaymentRequestID"}},
		{"unsupported scenario", payment.ScenarioCashier, nil, payment.KindUnsupported, []string{"Scenario"}},
		{"unsupported currency", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Amount = money.MustParse("500 JPY") }, payment.KindUnsupported, []string{"Amount"}},
		{"unsupported method", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = payment.MethodUnionPay }, payment.KindUnsupported, []string{"Method"}},
		{"unsupported well-known method", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = payment.MethodGCash }, payment.KindUnsupported, []string{"Method"}},
		{"another provider's own method", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = "paypal" }, payment.KindUnsupported, []string{"Method"}},
		{"method not offered in this scenario", payment.ScenarioWeb, func(r *payment.PayRequest) { r.Method = payment.MethodWeChatPay }, payment.KindUnsupported, []string{"Method"}},
		{"a method where the scenario takes none", payment.ScenarioCreditCard, func(r *payment.PayRequest) { r.Method = payment.MethodAlipay }, payment.KindUnsupported, []string{"Method"}},
		{"expiry the provider cannot honour", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.ExpiresAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }, payment.KindUnsupported, []string{"ExpiresAt"}},
		{"invalid wins over unsupported and both are named", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = payment.MethodUnionPay; r.PaymentRequestID = "" }, payment.KindInvalidRequest, []string{"Method", "PaymentRequestID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := validPay(tc.scenario)
			if tc.mutate != nil {
				tc.mutate(req)
			}
			err := payment.ValidatePay("test", testCaps, req)
			if err == nil {
				t.Fatal("accepted")
			}
			if payment.KindOf(err) != tc.kind {
				t.Fatalf("kind = %v, want %v (%v)", payment.KindOf(err), tc.kind, err)
			}
			var pe *payment.Error
			if !errors.As(err, &pe) || pe.Op != payment.OpPay || pe.Provider != "test" {
				t.Fatalf("error lacks op or provider: %#v", pe)
			}
			if diff := cmp.Diff(tc.fields, fieldsOf(t, err)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			for _, f := range tc.fields {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("message %q does not name %s", err, f)
				}
			}
		})
	}
}

func TestValidatePayAddsAdapterFindings(t *testing.T) {
	err := payment.ValidatePay("test", testCaps, validPay(payment.ScenarioQRCode),
		payment.FieldError{Field: "ExpiresAt", Problem: "must be in the future"})
	if !errors.Is(err, payment.ErrInvalidRequest) {
		t.Fatalf("err = %v", err)
	}
	if diff := cmp.Diff([]string{"ExpiresAt"}, fieldsOf(t, err)); diff != "" {
		t.Fatal(diff)
	}
}

func TestValidatePayAcceptsOwnProviderOptions(t *testing.T) {
	req := validPay(payment.ScenarioQRCode)
	req.ProviderOptions = testOptions{}
	if err := payment.ValidatePay("test", testCaps, req); err != nil {
		t.Fatal(err)
	}
}

func TestValidatePayNil(t *testing.T) {
	if err := payment.ValidatePay("test", testCaps, nil); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Fatalf("nil request: %v", err)
	}
}

func TestValidateRefund(t *testing.T) {
	good := func() *payment.RefundRequest {
		return &payment.RefundRequest{
			RefundRequestID: "REFUND-1",
			Payment:         payment.Ref{PaymentID: "2611221015304020147632479"},
			Amount:          money.MustParse("5.00 CAD"),
			Reason:          "one coffee was cold",
		}
	}
	if err := payment.ValidateRefund("test", testCaps, good()); err != nil {
		t.Fatalf("valid refund rejected: %v", err)
	}
	for _, tc := range []struct {
		name   string
		caps   func(*payment.Capabilities)
		mutate func(*payment.RefundRequest)
		kind   payment.Kind
		fields []string
	}{
		{"missing refund request ID", nil, func(r *payment.RefundRequest) { r.RefundRequestID = "" }, payment.KindInvalidRequest, []string{"RefundRequestID"}},
		{"no payment reference", nil, func(r *payment.RefundRequest) { r.Payment = payment.Ref{} }, payment.KindInvalidRequest, []string{"Payment"}},
		{"only a request ID where the provider needs a payment ID", nil, func(r *payment.RefundRequest) { r.Payment = payment.Ref{PaymentRequestID: "ORDER-1"} }, payment.KindUnsupported, []string{"Payment.PaymentID"}},
		{"negative-free zero amount", nil, func(r *payment.RefundRequest) { r.Amount = money.MustParse("0.00 CAD") }, payment.KindInvalidRequest, []string{"Amount"}},
		{"unsupported currency", nil, func(r *payment.RefundRequest) { r.Amount = money.MustParse("5 JPY") }, payment.KindUnsupported, []string{"Amount"}},
		{"reason too long", nil, func(r *payment.RefundRequest) { r.Reason = strings.Repeat("r", 257) }, payment.KindInvalidRequest, []string{"Reason"}},
		{"refunds not offered", func(c *payment.Capabilities) { c.Refund = false }, nil, payment.KindUnsupported, []string{"RefundRequest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			caps := testCaps
			if tc.caps != nil {
				tc.caps(&caps)
			}
			req := good()
			if tc.mutate != nil {
				tc.mutate(req)
			}
			err := payment.ValidateRefund("test", caps, req)
			if payment.KindOf(err) != tc.kind {
				t.Fatalf("kind = %v, want %v (%v)", payment.KindOf(err), tc.kind, err)
			}
			if diff := cmp.Diff(tc.fields, fieldsOf(t, err)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateRef(t *testing.T) {
	byReq := testCaps
	byReq.InquireByRequestID = true
	noCancel := testCaps
	noCancel.Cancel = false
	for _, tc := range []struct {
		name string
		caps payment.Capabilities
		op   string
		ref  payment.Ref
		kind payment.Kind
	}{
		{"payment ID", testCaps, payment.OpInquire, payment.Ref{PaymentID: "P1"}, 0},
		{"empty", testCaps, payment.OpInquire, payment.Ref{}, payment.KindInvalidRequest},
		{"request ID only, unsupported", testCaps, payment.OpInquire, payment.Ref{PaymentRequestID: "R1"}, payment.KindUnsupported},
		{"request ID only, supported", byReq, payment.OpCancel, payment.Ref{PaymentRequestID: "R1"}, 0},
		{"cancel not offered", noCancel, payment.OpCancel, payment.Ref{PaymentID: "P1"}, payment.KindUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := payment.ValidateRef("test", tc.caps, tc.op, tc.ref)
			if got := payment.KindOf(err); got != tc.kind {
				t.Fatalf("kind = %v, want %v (%v)", got, tc.kind, err)
			}
		})
	}
	byRefundReq := testCaps
	byRefundReq.InquireRefundByRequestID = true
	if err := payment.ValidateRefundRef("test", testCaps, payment.RefundRef{RefundRequestID: "X"}); !errors.Is(err, payment.ErrUnsupported) {
		t.Errorf("refund by request ID without support: %v", err)
	}
	if err := payment.ValidateRefundRef("test", byRefundReq, payment.RefundRef{RefundRequestID: "X"}); err != nil {
		t.Errorf("refund by request ID with support: %v", err)
	}
	if err := payment.ValidateRefundRef("test", testCaps, payment.RefundRef{}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("empty refund ref: %v", err)
	}
}

// Bad bytes in any field are refused before anything is sent, naming the
// field: invalid UTF-8 (encoding/json would send U+FFFD instead) and control
// characters (NUL, C1, and newlines that would forge log lines).
func TestValidatePayRefusesBadText(t *testing.T) {
	const (
		invalidUTF8 = "caf\xe9"
		nul         = "a\x00b"
		newline     = "a\nb"
		tab         = "a\tb"
		c1          = "a\u0085b" // NEL: a newline to some log viewers
		del         = "a\x7fb"
	)
	order := func(r *payment.PayRequest) *payment.Order {
		if r.Order == nil {
			r.Order = &payment.Order{Merchant: &payment.Merchant{}, Goods: []payment.Goods{{Name: "Coffee"}}}
		}
		return r.Order
	}
	for _, tc := range []struct {
		name     string
		scenario payment.Scenario
		field    string
		set      func(r *payment.PayRequest, v string)
	}{
		{"request ID", payment.ScenarioQRCode, "PaymentRequestID", func(r *payment.PayRequest, v string) { r.PaymentRequestID = v }},
		// With a method the provider lacks, whose message would name the scenario.
		{"scenario", payment.ScenarioQRCode, "Scenario", func(r *payment.PayRequest, v string) {
			r.Scenario, r.Method = payment.Scenario(v), payment.MethodUnionPay
		}},
		{"description", payment.ScenarioQRCode, "Description", func(r *payment.PayRequest, v string) { r.Description = v }},
		{"notify URL", payment.ScenarioQRCode, "NotifyURL", func(r *payment.PayRequest, v string) { r.NotifyURL = "https://shop.example/" + v }},
		{"redirect URL", payment.ScenarioQRCode, "RedirectURL", func(r *payment.PayRequest, v string) { r.RedirectURL = "https://shop.example/" + v }},
		{"customer app ID", payment.ScenarioMiniProgram, "Customer.AppID", func(r *payment.PayRequest, v string) { r.Customer.AppID = v }},
		{"customer payer ID", payment.ScenarioMiniProgram, "Customer.PayerID", func(r *payment.PayRequest, v string) { r.Customer.PayerID = v }},
		{"device version", payment.ScenarioApp, "Device.Version", func(r *payment.PayRequest, v string) { r.Device.Version = v }},
		{"order reference", payment.ScenarioQRCode, "Order.ReferenceOrderID", func(r *payment.PayRequest, v string) { order(r).ReferenceOrderID = v }},
		{"order buyer", payment.ScenarioQRCode, "Order.BuyerID", func(r *payment.PayRequest, v string) { order(r).BuyerID = v }},
		{"merchant ID", payment.ScenarioQRCode, "Order.Merchant.ID", func(r *payment.PayRequest, v string) { order(r).Merchant.ID = v }},
		{"merchant MCC", payment.ScenarioQRCode, "Order.Merchant.MCC", func(r *payment.PayRequest, v string) { order(r).Merchant.MCC = v }},
		{"merchant name", payment.ScenarioQRCode, "Order.Merchant.Name", func(r *payment.PayRequest, v string) { order(r).Merchant.Name = v }},
		{"merchant display name", payment.ScenarioQRCode, "Order.Merchant.DisplayName", func(r *payment.PayRequest, v string) { order(r).Merchant.DisplayName = v }},
		{"merchant city", payment.ScenarioQRCode, "Order.Merchant.City", func(r *payment.PayRequest, v string) { order(r).Merchant.City = v }},
		{"merchant region", payment.ScenarioQRCode, "Order.Merchant.Region", func(r *payment.PayRequest, v string) { order(r).Merchant.Region = v }},
		{"goods ID", payment.ScenarioQRCode, "Order.Goods[0].ID", func(r *payment.PayRequest, v string) { order(r).Goods[0].ID = v }},
		{"goods name", payment.ScenarioQRCode, "Order.Goods[0].Name", func(r *payment.PayRequest, v string) { order(r).Goods[0].Name = v }},
		{"goods category", payment.ScenarioQRCode, "Order.Goods[0].Category", func(r *payment.PayRequest, v string) { order(r).Goods[0].Category = v }},
		{"card token", payment.ScenarioCreditCard, "Card.Token", func(r *payment.PayRequest, v string) { r.Card.Token = v }},
		{"card holder", payment.ScenarioCreditCard, "Card.Holder", func(r *payment.PayRequest, v string) { r.Card.Holder = v }},
		{"card address", payment.ScenarioCreditCard, "Card.Address", func(r *payment.PayRequest, v string) { r.Card.Address = v }},
		{"card city", payment.ScenarioCreditCard, "Card.City", func(r *payment.PayRequest, v string) { r.Card.City = v }},
		{"card state", payment.ScenarioCreditCard, "Card.State", func(r *payment.PayRequest, v string) { r.Card.State = v }},
		{"card country", payment.ScenarioCreditCard, "Card.Country", func(r *payment.PayRequest, v string) { r.Card.Country = v }},
		{"card postal code", payment.ScenarioCreditCard, "Card.PostalCode", func(r *payment.PayRequest, v string) { r.Card.PostalCode = v }},
		{"card customer ID", payment.ScenarioCreditCard, "Card.CustomerID", func(r *payment.PayRequest, v string) { r.Card.CustomerID = v }},
		{"card email", payment.ScenarioCreditCard, "Card.Email", func(r *payment.PayRequest, v string) { r.Card.Email = "a" + v + "@shop.example" }},
	} {
		for _, bad := range []struct{ name, value string }{
			{"invalid UTF-8", invalidUTF8}, {"NUL", nul}, {"newline", newline}, {"tab", tab}, {"C1 control", c1}, {"DEL", del},
		} {
			t.Run(tc.name+" with "+bad.name, func(t *testing.T) {
				req := validPay(tc.scenario)
				tc.set(req, bad.value)
				err := payment.ValidatePay("test", testCaps, req)
				if payment.KindOf(err) != payment.KindInvalidRequest {
					t.Fatalf("kind = %v, want invalid request (%v)", payment.KindOf(err), err)
				}
				if diff := cmp.Diff([]string{tc.field}, fieldsOf(t, err)); diff != "" {
					t.Fatalf("fields (-want +got):\n%s\nerror: %v", diff, err)
				}
				assertPrintableError(t, err)
			})
		}
	}
}

// Text that is merely unusual is accepted: accents, CJK, emoji, and the
// Unicode characters that look like controls but are not (no-break space).
func TestValidatePayAcceptsUnicodeText(t *testing.T) {
	req := validPay(payment.ScenarioCreditCard)
	req.Description = "Deux cafés, 两杯咖啡 ☕\u00a0👍🏽"
	req.Card.Holder = "Zoë Ñúñez"
	req.Order = &payment.Order{
		Merchant: &payment.Merchant{Name: "Café Zoë", City: "Montréal"},
		Goods:    []payment.Goods{{Name: "Crème brûlée", Quantity: 1}},
	}
	if err := payment.ValidatePay("test", testCaps, req); err != nil {
		t.Fatalf("unicode text rejected: %v", err)
	}
}

// assertPrintableError checks that err's message cannot forge a log line or
// carry bytes a terminal would interpret.
func assertPrintableError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !utf8.ValidString(msg) || strings.IndexFunc(msg, unicode.IsControl) >= 0 {
		t.Fatalf("error text carries a raw control character or invalid UTF-8: %q", msg)
	}
}

func TestValidateRefundRefusesBadText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field string
		set   func(r *payment.RefundRequest)
	}{
		{"refund request ID with a newline", "RefundRequestID", func(r *payment.RefundRequest) { r.RefundRequestID = "R1\nlevel=error msg=forged" }},
		{"payment ID with a newline", "Payment.PaymentID", func(r *payment.RefundRequest) { r.Payment.PaymentID = "P1\n" }},
		{"payment ID with invalid UTF-8", "Payment.PaymentID", func(r *payment.RefundRequest) { r.Payment.PaymentID = "P\xff" }},
		{"payment request ID with a NUL", "Payment.PaymentRequestID", func(r *payment.RefundRequest) { r.Payment.PaymentRequestID = "ORDER\x00" }},
		{"reason with invalid UTF-8", "Reason", func(r *payment.RefundRequest) { r.Reason = "froid\xc3" }},
		{"reason with a C1 control", "Reason", func(r *payment.RefundRequest) { r.Reason = "cold\u009b31m" }},
		{"notify URL with a newline", "NotifyURL", func(r *payment.RefundRequest) { r.NotifyURL = "https://shop.example/\n" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &payment.RefundRequest{
				RefundRequestID: "REFUND-1",
				Payment:         payment.Ref{PaymentID: "2611221015304020147632479"},
				Amount:          money.MustParse("5.00 CAD"),
			}
			tc.set(req)
			err := payment.ValidateRefund("test", testCaps, req)
			if payment.KindOf(err) != payment.KindInvalidRequest {
				t.Fatalf("kind = %v, want invalid request (%v)", payment.KindOf(err), err)
			}
			if diff := cmp.Diff([]string{tc.field}, fieldsOf(t, err)); diff != "" {
				t.Fatalf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			assertPrintableError(t, err)
		})
	}
}

// A newline in --payment-id reaches Inquire, Cancel or InquireRefund as is:
// it is refused locally, the field is named, and the error text shows the ID
// escaped, so the log line cannot be forged — also where the ID is otherwise
// only unsupported, not invalid.
func TestValidateRefsRefuseControlCharacters(t *testing.T) {
	const forged = "P1\ntime=2026-11-22 level=INFO msg=\"refund approved\""
	byReq := testCaps
	byReq.InquireByRequestID = true
	byReq.InquireRefundByRequestID = true
	for _, tc := range []struct {
		name     string
		validate func(caps payment.Capabilities) error
		field    string
	}{
		{"inquire by payment ID", func(c payment.Capabilities) error {
			return payment.ValidateRef("test", c, payment.OpInquire, payment.Ref{PaymentID: forged})
		}, "PaymentID"},
		{"cancel by payment request ID", func(c payment.Capabilities) error {
			return payment.ValidateRef("test", c, payment.OpCancel, payment.Ref{PaymentRequestID: forged})
		}, "PaymentRequestID"},
		{"inquire with a C1 control", func(c payment.Capabilities) error {
			return payment.ValidateRef("test", c, payment.OpInquire, payment.Ref{PaymentID: "P1\u0085"})
		}, "PaymentID"},
		{"inquire with invalid UTF-8", func(c payment.Capabilities) error {
			return payment.ValidateRef("test", c, payment.OpInquire, payment.Ref{PaymentID: "P1\xfe"})
		}, "PaymentID"},
		{"inquire refund by refund ID", func(c payment.Capabilities) error {
			return payment.ValidateRefundRef("test", c, payment.RefundRef{RefundID: forged})
		}, "RefundID"},
		{"inquire refund by refund request ID", func(c payment.Capabilities) error {
			return payment.ValidateRefundRef("test", c, payment.RefundRef{RefundRequestID: forged})
		}, "RefundRequestID"},
	} {
		for capsName, caps := range map[string]payment.Capabilities{"by ID only": testCaps, "by request ID too": byReq} {
			t.Run(tc.name+", "+capsName, func(t *testing.T) {
				err := tc.validate(caps)
				if payment.KindOf(err) != payment.KindInvalidRequest {
					t.Fatalf("kind = %v, want invalid request (%v)", payment.KindOf(err), err)
				}
				if fields := fieldsOf(t, err); !slices.Contains(fields, tc.field) {
					t.Fatalf("fields %v do not name %s; error: %v", fields, tc.field, err)
				}
				assertPrintableError(t, err)
			})
		}
	}
}

// Whatever path builds an Error, its text shows an unusual RequestID quoted
// and cut, never raw; the field itself keeps what the caller gave.
func TestErrorQuotesUnusualRequestIDs(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"ORDER-1", "p: pay ORDER-1: unsupported"},
		{"ORDER 1", `p: pay "ORDER 1": unsupported`},
		{"P1\nlevel=INFO", `p: pay "P1\nlevel=INFO": unsupported`},
		{"P\u2028\u202e1", `p: pay "P\u2028\u202e1": unsupported`},
		{"\xff", `p: pay "\xff": unsupported`},
		{strings.Repeat("a", 65), `p: pay "` + strings.Repeat("a", 64) + `"...: unsupported`},
	} {
		e := &payment.Error{Op: payment.OpPay, Provider: "p", Kind: payment.KindUnsupported, RequestID: tc.id}
		if got := e.Error(); got != tc.want {
			t.Errorf("RequestID %q: Error() = %s, want %s", tc.id, got, tc.want)
		}
		assertPrintableError(t, e)
		if e.RequestID != tc.id {
			t.Errorf("RequestID changed to %q", e.RequestID)
		}
	}
}

// Every string field of a request carries a rule that refuses invalid UTF-8
// and control characters: either "text" or a stricter ASCII-only rule. A new
// field without one fails here instead of reaching a provider unchecked.
func TestEveryStringFieldIsChecked(t *testing.T) {
	strict := []string{"text", "reqid", "digits", "oneof", "alpha", "scenario", "method"}
	var walk func(path string, typ reflect.Type, seen map[reflect.Type]bool)
	walk = func(path string, typ reflect.Type, seen map[reflect.Type]bool) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != reflect.TypeFor[payment.PayRequest]().PkgPath() {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				continue
			}
			name := path + "." + f.Name
			if f.Type.Kind() == reflect.String {
				rules := strings.Split(f.Tag.Get("validate"), ",")
				if !slices.ContainsFunc(rules, func(r string) bool {
					r, _, _ = strings.Cut(r, "=")
					return slices.Contains(strict, r)
				}) {
					t.Errorf("%s has no rule refusing control characters (validate:%q)", name, f.Tag.Get("validate"))
				}
				continue
			}
			walk(name, f.Type, seen)
		}
	}
	for _, v := range []any{payment.PayRequest{}, payment.RefundRequest{}, payment.Ref{}, payment.RefundRef{}} {
		walk(reflect.TypeOf(v).Name(), reflect.TypeOf(v), map[reflect.Type]bool{})
	}
}
