package payment_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

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
		{"unknown method", payment.ScenarioQRCode, func(r *payment.PayRequest) { r.Method = "paypal" }, payment.KindInvalidRequest, []string{"Method"}},
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

func TestCardSecretsNeverLeak(t *testing.T) {
	req := validPay(payment.ScenarioCreditCard)
	req.Card.ExpYear = 0 // make validation fail while the number and CVV are present
	err := payment.ValidatePay("test", testCaps, req)
	if err == nil {
		t.Fatal("accepted")
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("paying", "card", req.Card, "cardValue", *req.Card, "request", req)
	js, _ := json.Marshal(req)
	outputs := map[string]string{
		"error":          err.Error(),
		"%v of *Card":    fmt.Sprintf("%v", req.Card),
		"%+v of Card":    fmt.Sprintf("%+v", *req.Card),
		"%#v of Card":    fmt.Sprintf("%#v", *req.Card),
		"%s of Card":     fmt.Sprintf("%s", *req.Card),
		"%+v of request": fmt.Sprintf("%+v", *req),
		"slog":           logs.String(),
		"json":           string(js),
	}
	for name, out := range outputs {
		if strings.Contains(out, "4111111111111111") || strings.Contains(out, "987") {
			t.Errorf("%s shows card data: %s", name, out)
		}
	}
	if !strings.Contains(fmt.Sprint(req.Card), "1111") {
		t.Errorf("the last four digits should stay visible for support: %v", req.Card)
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
