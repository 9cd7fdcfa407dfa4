package alipayplustest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

func TestCashierPay(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	first, res := c.pay(cashierPay("C-1"))
	// The documented example: S SUCCESS together with the action form.
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	id := first.PaymentID
	if id == "" || len(id) > 64 || !simulator.AllDigits(id) {
		t.Errorf("paymentId %q is not at most 64 digits", id)
	}
	f := first.RedirectActionForm
	if f == nil || f.Method != "GET" || f.RedirectionURL != srv.URL+"/cashier/"+id || f.RedirectURL != "" {
		t.Fatalf("redirectActionForm %+v", f)
	}
	if srv.CashierURL(id) != f.URL() {
		t.Errorf("CashierURL %q", srv.CashierURL(id))
	}
	// The documented answer names no amount (WithAnswerAmounts adds it).
	if first.PaymentTime != "" || first.PaymentAmount != nil {
		t.Errorf("answer %+v", first)
	}
	p, ok := srv.Payment(id)
	if !ok || p.Status != wire.PaymentProcessing || p.PaymentRequestID != "C-1" || p.ProductCode != wire.ProductCodeOnlinePurchase ||
		p.Amount.String() != "19.99 USD" || !p.Refunded.IsZero() || !p.CreatedAt.Equal(t0) || !p.ExpiresAt.Equal(t0.Add(15*time.Minute)) || !p.PaidAt.IsZero() {
		t.Errorf("snapshot %+v", p)
	}
	if q, _ := srv.PaymentByRequestID("C-1"); q != p {
		t.Errorf("PaymentByRequestID %+v", q)
	}
	if srv.Orders("C-1") != 1 || srv.Charges("C-1") != 0 {
		t.Errorf("Orders %d Charges %d", srv.Orders("C-1"), srv.Charges("C-1"))
	}
	second, _ := c.pay(cashierPay("C-2"))
	if second.PaymentID == id {
		t.Errorf("two payments share a paymentId")
	}

	// With a redirect URL the form carries it for the cashier page.
	r := cashierPay("C-3")
	r.PaymentRedirectURL = "https://shop.example/done?order=3&x=a b"
	third, _ := c.pay(r)
	u, err := url.Parse(third.RedirectActionForm.URL())
	if err != nil || u.Path != "/cashier/"+third.PaymentID || u.Query().Get("redirect") != r.PaymentRedirectURL {
		t.Errorf("form URL %q", third.RedirectActionForm.URL())
	}
	if srv.CashierURL(third.PaymentID) != third.RedirectActionForm.URL() {
		t.Errorf("CashierURL %q", srv.CashierURL(third.PaymentID))
	}
}

func TestAcceptStatus(t *testing.T) {
	_, c, _ := newFakeServer(t, WithAcceptStatus("A"))
	resp, res := c.pay(cashierPay("A-1"))
	wantResult(t, res, wire.CodeAccept, wire.StatusA)
	if resp.RedirectActionForm == nil || resp.RedirectActionForm.URL() == "" || resp.PaymentID == "" {
		t.Fatalf("A answer %+v", resp)
	}
	if st := c.status(resp.PaymentID); st != wire.PaymentProcessing {
		t.Errorf("status %s", st)
	}
	// Agreement pay stays synchronous.
	resp, res = c.pay(agreementPay("A-2", "token-1"))
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.RedirectActionForm != nil {
		t.Errorf("agreement pay has a form")
	}
}

func TestRedirectFieldSpellings(t *testing.T) {
	for _, field := range []string{RedirectionURL, RedirectURL} {
		t.Run(field, func(t *testing.T) {
			srv, c, _ := newFakeServer(t, WithRedirectField(field))
			a := c.Post(wire.PathPay, payBody("RF-1"))
			var raw struct {
				Form map[string]string `json:"redirectActionForm"`
			}
			if err := json.Unmarshal(a.Body, &raw); err != nil {
				t.Fatal(err)
			}
			p, _ := srv.PaymentByRequestID("RF-1")
			want := map[string]string{"method": "GET", field: srv.URL + "/cashier/" + p.PaymentID}
			if len(raw.Form) != 2 || raw.Form["method"] != want["method"] || raw.Form[field] != want[field] {
				t.Errorf("form %v, want %v", raw.Form, want)
			}
			// The repeat answer spells it the same way.
			a = c.Post(wire.PathPay, payBody("RF-1"))
			wantResult(t, a.Result, wire.CodeRepeatRequest, wire.StatusS)
			if !strings.Contains(string(a.Body), `"`+field+`":`) {
				t.Errorf("repeat answer %s", a.Body)
			}
		})
	}
}

func TestAgreementPay(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	resp, res := c.pay(agreementPay("AG-1", "281005030000000001"))
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.PaymentID == "" || resp.PaymentTime != t0.Format(wire.TimeLayout) || resp.RedirectActionForm != nil {
		t.Fatalf("answer %+v", resp)
	}
	if p, _ := srv.Payment(resp.PaymentID); p.Status != wire.PaymentSuccess || !p.PaidAt.Equal(t0) {
		t.Errorf("snapshot %+v", p)
	}
	if srv.Charges("AG-1") != 1 || srv.Orders("AG-1") != 1 {
		t.Errorf("Charges %d Orders %d", srv.Charges("AG-1"), srv.Orders("AG-1"))
	}
	if err := srv.Complete(resp.PaymentID); err == nil {
		t.Errorf("Complete on a paid payment")
	}
	// The repeat is REPEAT_REQUEST with the payment time and no form.
	again, res := c.pay(agreementPay("AG-1", "281005030000000001"))
	wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
	if again.PaymentID != resp.PaymentID || again.PaymentTime != resp.PaymentTime || again.RedirectActionForm != nil || srv.Charges("AG-1") != 1 {
		t.Errorf("repeat %+v", again)
	}

	for code, want := range map[string]string{
		AuthCodeExpired: "EXPIRED_ACCESS_TOKEN",
		AuthCodeUsed:    wire.CodeAuthCodeAlreadyUsed,
		AuthCodePoor:    wire.CodeUserBalanceNotEnough,
	} {
		id := "AG-F-" + code
		for range 2 { // the same final answer again
			resp, res := c.pay(agreementPay(id, code))
			wantResult(t, res, want, wire.StatusF)
			if resp.PaymentID != "" || srv.Orders(id) != 0 || srv.Charges(id) != 0 {
				t.Errorf("%s: a failed agreement pay created a payment", code)
			}
		}
		// The request ID is still free for a good token.
		_, res := c.pay(agreementPay(id, "good-token"))
		wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	}
}

func TestPayValidation(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes
	tests := []struct {
		name     string
		edit     func(r *wire.PayRequest)
		code     string
		contains string
	}{
		{"productCode missing", func(r *wire.PayRequest) { r.ProductCode = "" }, wire.CodeParamIllegal, "productCode is required"},
		{"productCode 33", func(r *wire.PayRequest) { r.ProductCode = long(33) }, wire.CodeParamIllegal, "productCode must be at most 32"},
		{"paymentRequestId missing", func(r *wire.PayRequest) { r.PaymentRequestID = "" }, wire.CodeParamIllegal, "paymentRequestId is required"},
		{"paymentRequestId 65", func(r *wire.PayRequest) { r.PaymentRequestID = long(65) }, wire.CodeParamIllegal, "paymentRequestId must be at most 64"},
		{"value missing", func(r *wire.PayRequest) { r.PaymentAmount.Value = "" }, wire.CodeParamIllegal, "paymentAmount.value is required"},
		{"value zero", func(r *wire.PayRequest) { r.PaymentAmount.Value = "0" }, wire.CodeParamIllegal, "greater than 0"},
		{"value 17 digits", func(r *wire.PayRequest) { r.PaymentAmount.Value = "12345678901234567" }, wire.CodeParamIllegal, "1 to 16 digits"},
		{"value decimal", func(r *wire.PayRequest) { r.PaymentAmount.Value = "19.99" }, wire.CodeParamIllegal, "1 to 16 digits"},
		{"value negative", func(r *wire.PayRequest) { r.PaymentAmount.Value = "-1" }, wire.CodeParamIllegal, "1 to 16 digits"},
		{"value exponent", func(r *wire.PayRequest) { r.PaymentAmount.Value = "1e3" }, wire.CodeParamIllegal, "1 to 16 digits"},
		{"value blank", func(r *wire.PayRequest) { r.PaymentAmount.Value = " 100" }, wire.CodeParamIllegal, "1 to 16 digits"},
		{"value Arabic digits", func(r *wire.PayRequest) { r.PaymentAmount.Value = "١٠٠" }, wire.CodeParamIllegal, "1 to 16 digits"},
		{"currency missing", func(r *wire.PayRequest) { r.PaymentAmount.Currency = "" }, wire.CodeParamIllegal, "paymentAmount.currency is required"},
		{"currency unknown", func(r *wire.PayRequest) { r.PaymentAmount.Currency = "XYZ" }, wire.CodeCurrencyNotSupport, "paymentAmount.currency"},
		{"currency lower case", func(r *wire.PayRequest) { r.PaymentAmount.Currency = "usd" }, wire.CodeCurrencyNotSupport, "paymentAmount.currency"},
		{"currency metal", func(r *wire.PayRequest) { r.PaymentAmount.Currency = "XAU" }, wire.CodeCurrencyNotSupport, "paymentAmount.currency"},
		{"referenceOrderId 65", func(r *wire.PayRequest) { r.Order.ReferenceOrderID = long(65) }, wire.CodeParamIllegal, "order.referenceOrderId"},
		{"orderDescription 257", func(r *wire.PayRequest) { r.Order.OrderDescription = long(257) }, wire.CodeParamIllegal, "order.orderDescription must be at most 256"},
		{"orderAmount bad", func(r *wire.PayRequest) { r.Order.OrderAmount = &wire.Amount{Currency: "USD", Value: "1.5"} }, wire.CodeParamIllegal, "order.orderAmount.value"},
		{"orderAmount currency", func(r *wire.PayRequest) { r.Order.OrderAmount = &wire.Amount{Currency: "ZZZ", Value: "15"} }, wire.CodeCurrencyNotSupport, "order.orderAmount.currency"},
		{"orderCreateTime", func(r *wire.PayRequest) { r.Order.OrderCreateTime = "2026-11-22 18:00" }, wire.CodeParamIllegal, "order.orderCreateTime"},
		{"referenceMerchantId 33", func(r *wire.PayRequest) { r.Order.Merchant = &wire.Merchant{ReferenceMerchantID: long(33)} }, wire.CodeParamIllegal, "order.merchant.referenceMerchantId"},
		{"merchantMCC 33", func(r *wire.PayRequest) { r.Order.Merchant = &wire.Merchant{MerchantMCC: long(33)} }, wire.CodeParamIllegal, "order.merchant.merchantMCC"},
		{"merchantName 257", func(r *wire.PayRequest) { r.Order.Merchant = &wire.Merchant{MerchantName: long(257)} }, wire.CodeParamIllegal, "order.merchant.merchantName"},
		{"merchantDisplayName 65", func(r *wire.PayRequest) { r.Order.Merchant = &wire.Merchant{MerchantDisplayName: long(65)} }, wire.CodeParamIllegal, "order.merchant.merchantDisplayName"},
		{"region", func(r *wire.PayRequest) {
			r.Order.Merchant = &wire.Merchant{MerchantAddress: &wire.Address{Region: "PHL"}}
		}, wire.CodeParamIllegal, "order.merchant.merchantAddress.region"},
		{"goods amount", func(r *wire.PayRequest) {
			r.Order.Goods = []wire.Goods{{GoodsName: "a"}, {GoodsUnitAmount: &wire.Amount{Currency: "USD"}}}
		}, wire.CodeParamIllegal, "order.goods[1].goodsUnitAmount.value"},
		{"terminalType", func(r *wire.PayRequest) { r.Order.Env = &wire.Env{TerminalType: "mini_app"} }, wire.CodeParamIllegal, "order.env.terminalType"},
		{"osType", func(r *wire.PayRequest) { r.Order.Env = &wire.Env{OSType: "WINDOWS"} }, wire.CodeParamIllegal, "order.env.osType"},
		{"expiry format", func(r *wire.PayRequest) { r.PaymentExpiryTime = "tomorrow" }, wire.CodeParamIllegal, "paymentExpiryTime must be an ISO 8601"},
		{"expiry past", func(r *wire.PayRequest) { r.PaymentExpiryTime = t0.Add(-time.Second).Format(time.RFC3339) }, wire.CodeParamIllegal, "future"},
		{"expiry now", func(r *wire.PayRequest) { r.PaymentExpiryTime = t0.Format(time.RFC3339) }, wire.CodeParamIllegal, "future"},
		{"notify relative", func(r *wire.PayRequest) { r.PaymentNotifyURL = "/notify" }, wire.CodeParamIllegal, "paymentNotifyUrl must be an absolute http(s) URL"},
		{"notify ftp", func(r *wire.PayRequest) { r.PaymentNotifyURL = "ftp://shop.example/n" }, wire.CodeParamIllegal, "paymentNotifyUrl"},
		{"notify 1025", func(r *wire.PayRequest) {
			r.PaymentNotifyURL = "https://shop.example/" + strings.Repeat("n", 1025-len("https://shop.example/"))
		}, wire.CodeParamIllegal, "paymentNotifyUrl must be at most 1024"},
		{"redirect javascript", func(r *wire.PayRequest) { r.PaymentRedirectURL = "javascript:alert(1)" }, wire.CodeParamIllegal, "paymentRedirectUrl"},
		{"authCode 129", func(r *wire.PayRequest) { r.PaymentAuthCode = strings.Repeat("a", 129) }, wire.CodeParamIllegal, "paymentAuthCode must be at most 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cashierPay("PV-1")
			tt.edit(r)
			_, res := c.pay(r)
			wantResult(t, res, tt.code, wire.StatusF)
			if !strings.Contains(res.ResultMessage, tt.contains) {
				t.Errorf("message %q does not mention %q", res.ResultMessage, tt.contains)
			}
		})
	}
	for name, body := range map[string]string{
		"paymentAmount missing": `{"productCode":"p","paymentRequestId":"PV-2","order":{}}`,
		"paymentAmount null":    `{"productCode":"p","paymentRequestId":"PV-2","paymentAmount":null,"order":{}}`,
		"order missing":         `{"productCode":"p","paymentRequestId":"PV-2","paymentAmount":{"currency":"USD","value":"1"}}`,
		"order null":            `{"productCode":"p","paymentRequestId":"PV-2","paymentAmount":{"currency":"USD","value":"1"},"order":null}`,
	} {
		a := c.Post(wire.PathPay, []byte(body))
		field, _, _ := strings.Cut(name, " ")
		wantResult(t, a.Result, wire.CodeParamIllegal, wire.StatusF)
		if a.Result.ResultMessage != field+" is required" {
			t.Errorf("%s: message %q", name, a.Result.ResultMessage)
		}
	}
	if srv.RequestCount() != len(tests)+4 || srv.Orders("PV-1")+srv.Orders("PV-2") != 0 {
		t.Errorf("rejected pays created payments")
	}

	// The limits themselves are fine, and a minimal order is enough.
	r := cashierPay("PV-3")
	r.ProductCode = long(32)
	r.PaymentRequestID = long(64)
	r.PaymentAmount.Value = "9999999999999999"
	r.Order = wire.Order{
		ReferenceOrderID: long(64), OrderDescription: long(256), OrderCreateTime: t0.Format(time.RFC3339),
		Merchant: &wire.Merchant{ReferenceMerchantID: long(32), MerchantMCC: "5812", MerchantName: long(256), MerchantDisplayName: long(64),
			MerchantAddress: &wire.Address{Region: "PH", City: "Manila"}},
		Goods: []wire.Goods{{ReferenceGoodsID: "g1", GoodsName: "Tea", GoodsUnitAmount: &wire.Amount{Currency: "PHP", Value: "5000"}, GoodsQuantity: "2"}},
		Buyer: &wire.Buyer{ReferenceBuyerID: "b1"},
		Env:   &wire.Env{TerminalType: "SYSTEM", OSType: "IOS"},
	}
	r.PaymentExpiryTime = t0.Add(time.Second).Format(time.RFC3339)
	r.PaymentNotifyURL = "https://shop.example/" + strings.Repeat("n", 1024-len("https://shop.example/"))
	r.PaymentRedirectURL = "http://localhost:8080/back"
	r.PaymentAuthCode = ""
	r.ExtendInfo = `{"k":"v"}`
	_, res := c.pay(r)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	minimal := `{"productCode":"p","paymentRequestId":"PV-4","paymentAmount":{"currency":"USD","value":"1"},"order":{}}`
	wantResult(t, c.Post(wire.PathPay, []byte(minimal)).Result, wire.CodeSuccess, wire.StatusS)
}

func TestCurrencies(t *testing.T) {
	_, c, _ := newFakeServer(t, WithCurrencies("PHP", "IQD"))
	for cur, code := range map[string]string{"PHP": wire.CodeSuccess, "IQD": wire.CodeSuccess, "USD": wire.CodeCurrencyNotSupport} {
		r := cashierPay("CUR-" + cur)
		r.PaymentAmount.Currency = cur
		_, res := c.pay(r)
		if res.ResultCode != code {
			t.Errorf("%s: %+v", cur, res)
		}
	}
}

// TestAmountExponents checks that 0- and 3-decimal currencies round-trip
// exactly through pay, inquiry, refund and inquiryRefund.
func TestAmountExponents(t *testing.T) {
	srv, c, _ := newFakeServer(t, WithAnswerAmounts(true))
	for _, tc := range []struct{ currency, value, major, refund, refundMajor string }{
		{"JPY", "1500", "1500 JPY", "1", "1 JPY"},
		{"CLP", "2000", "2000 CLP", "999", "999 CLP"},
		{"KWD", "1250", "1.250 KWD", "5", "0.005 KWD"},
		{"IQD", "150000", "150.000 IQD", "150000", "150.000 IQD"},
		{"USD", "9999999999999999", "99999999999999.99 USD", "1", "0.01 USD"},
	} {
		t.Run(tc.currency, func(t *testing.T) {
			r := cashierPay("EXP-" + tc.currency)
			r.PaymentAmount = wire.Amount{Currency: tc.currency, Value: tc.value}
			r.Order.OrderAmount = &wire.Amount{Currency: tc.currency, Value: tc.value}
			resp, res := c.pay(r)
			wantResult(t, res, wire.CodeSuccess, wire.StatusS)
			if *resp.PaymentAmount != r.PaymentAmount {
				t.Errorf("pay echoes %+v", resp.PaymentAmount)
			}
			p, _ := srv.Payment(resp.PaymentID)
			if p.Amount.String() != tc.major {
				t.Errorf("amount %s, want %s", p.Amount, tc.major)
			}
			_ = srv.Complete(resp.PaymentID)
			inq, _ := c.inquiry(wire.PaymentRef{PaymentID: resp.PaymentID})
			if *inq.PaymentAmount != r.PaymentAmount {
				t.Errorf("inquiry echoes %+v", inq.PaymentAmount)
			}
			ref, res := c.refund(resp.PaymentID, "EXP-R-"+tc.currency, tc.refund, tc.currency)
			wantResult(t, res, wire.CodeSuccess, wire.StatusS)
			if *ref.RefundAmount != (wire.Amount{Currency: tc.currency, Value: tc.refund}) {
				t.Errorf("refund echoes %+v", ref.RefundAmount)
			}
			var ir wire.InquiryRefundResponse
			c.Call(wire.PathInquiryRefund, wire.RefundRef{RefundID: ref.RefundID}, &ir)
			if *ir.RefundAmount != (wire.Amount{Currency: tc.currency, Value: tc.refund}) {
				t.Errorf("inquiryRefund echoes %+v", ir.RefundAmount)
			}
			if p, _ := srv.Payment(resp.PaymentID); p.Refunded.String() != tc.refundMajor {
				t.Errorf("refunded %s, want %s", p.Refunded, tc.refundMajor)
			}
		})
	}
}

// The wallets' documented pay and refund answers name no amount, and by
// default the server sends none; WithAnswerAmounts adds paymentAmount and
// refundAmount as Alipay's SDK models them. Inquiries always carry theirs.
func TestAnswerAmounts(t *testing.T) {
	for _, on := range []bool{false, true} {
		_, c, _ := newFakeServer(t, WithAnswerAmounts(on))
		has := func(what string, a *answer, field string) {
			t.Helper()
			var m map[string]json.RawMessage
			if err := json.Unmarshal(a.Body, &m); err != nil {
				t.Fatal(err)
			}
			if _, ok := m[field]; ok != on {
				t.Errorf("WithAnswerAmounts(%v): %s answer %s", on, what, a.Body)
			}
		}
		has("cashier pay", c.Post(wire.PathPay, payBody("AA-1")), "paymentAmount")
		has("repeated pay", c.Post(wire.PathPay, payBody("AA-1")), "paymentAmount")
		b, _ := json.Marshal(agreementPay("AA-2", "token-2"))
		a := c.Post(wire.PathPay, b)
		has("agreement pay", a, "paymentAmount")
		var pay wire.PayResponse
		_ = json.Unmarshal(a.Body, &pay)
		b, _ = json.Marshal(wire.RefundRequest{RefundRequestID: "AA-R", PaymentID: pay.PaymentID, RefundAmount: wire.Amount{Currency: "USD", Value: "100"}})
		has("refund", c.Post(wire.PathRefund, b), "refundAmount")
		has("repeated refund", c.Post(wire.PathRefund, b), "refundAmount")
		if on {
			var r wire.RefundResponse
			_ = json.Unmarshal(c.Post(wire.PathRefund, b).Body, &r)
			if r.RefundAmount == nil || *r.RefundAmount != (wire.Amount{Currency: "USD", Value: "100"}) {
				t.Errorf("refundAmount %+v", r.RefundAmount)
			}
		}
		if inq, _ := c.inquiry(wire.PaymentRef{PaymentID: pay.PaymentID}); inq.PaymentAmount == nil {
			t.Errorf("inquiry without paymentAmount")
		}
	}
}
