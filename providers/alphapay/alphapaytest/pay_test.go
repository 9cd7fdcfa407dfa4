package alphapaytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

func method(m string) *wire.PaymentMethod { return &wire.PaymentMethod{PaymentMethodType: m} }

// validPays returns one valid pay request per scenario (and wallet where
// the answer differs).
func validPays() map[string]*wire.PayRequest {
	amount := wire.Order{OrderAmount: wire.Amount{Value: "1999", Currency: "CAD"}, Description: "Coffee"}
	customer := &wire.Customer{AppID: "wx1234567890", CustomerID: "openid-1"}
	return map[string]*wire.PayRequest{
		"ONLINE_QRCODE":        {ScenarioCode: wire.ScenarioOnlineQRCode, Order: amount, PaymentMethod: method(wire.MethodWechat)},
		"ONLINE_WEB":           {ScenarioCode: wire.ScenarioOnlineWeb, Order: amount, PaymentMethod: method(wire.MethodAlipay)},
		"JSAPI":                {ScenarioCode: wire.ScenarioJSAPI, Order: amount, PaymentMethod: method(wire.MethodWechat)},
		"NATIVE_JSAPI/Wechat":  {ScenarioCode: wire.ScenarioNativeJSAPI, Order: amount, PaymentMethod: method(wire.MethodWechat), Customer: customer},
		"NATIVE_JSAPI/Alipay":  {ScenarioCode: wire.ScenarioNativeJSAPI, Order: amount, PaymentMethod: method(wire.MethodAlipay), Customer: customer},
		"ONLINE_WAP":           {ScenarioCode: wire.ScenarioOnlineWAP, Order: amount, PaymentMethod: method(wire.MethodAlipay)},
		"APP/Wechat":           {ScenarioCode: wire.ScenarioApp, Order: amount, PaymentMethod: method(wire.MethodWechat), Env: &wire.Env{OSType: "IOS", Version: "17.1"}},
		"APP/Alipay":           {ScenarioCode: wire.ScenarioApp, Order: amount, PaymentMethod: method(wire.MethodAlipay), Env: &wire.Env{OSType: "ANDROID", Version: "14"}},
		"APP/UnionPay":         {ScenarioCode: wire.ScenarioApp, Order: amount, PaymentMethod: method(wire.MethodUnionPay), Env: &wire.Env{OSType: "IOS", Version: "17"}},
		"MINI_APP/Wechat":      {ScenarioCode: wire.ScenarioMiniApp, Order: amount, PaymentMethod: method(wire.MethodWechat), Customer: customer},
		"MINI_APP/Alipay":      {ScenarioCode: wire.ScenarioMiniApp, Order: amount, PaymentMethod: method(wire.MethodAlipay), Customer: customer},
		"CREDIT_CARD/info":     {ScenarioCode: wire.ScenarioCreditCard, Order: amount, Card: &wire.Card{Info: testCardInfo()}},
		"CREDIT_CARD/remember": {ScenarioCode: wire.ScenarioCreditCard, Order: amount, Card: &wire.Card{Info: testCardInfo(), Remember: true, CustomerID: "cust-1"}},
		"CREDIT_CARD/cardId":   {ScenarioCode: wire.ScenarioCreditCard, Order: amount, Card: &wire.Card{CardID: "card_abc"}},
		"OFFLINE_QRCODE":       {ScenarioCode: wire.ScenarioOfflineQRCode, Order: amount},
		"OFFLINE":              {ScenarioCode: wire.ScenarioOffline, Order: amount, PaymentMethod: &wire.PaymentMethod{PaymentCode: "134567890123456789"}},
	}
}

const testCardNumber = "4111111111111111"

func testCardInfo() *wire.CardInfo {
	return &wire.CardInfo{Number: testCardNumber, ExpMonth: 12, ExpYear: 2030, CVV: "737", Holder: "A Person"}
}

func TestPayScenarios(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	type shape struct {
		paymentURL, qr, payURL, channel bool
		sdk                             []string
		cardID                          bool
	}
	want := map[string]shape{
		"ONLINE_QRCODE":        {paymentURL: true, qr: true, payURL: true},
		"ONLINE_WEB":           {payURL: true},
		"JSAPI":                {payURL: true},
		"NATIVE_JSAPI/Wechat":  {sdk: []string{"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}},
		"NATIVE_JSAPI/Alipay":  {sdk: []string{"tradeNO"}},
		"ONLINE_WAP":           {payURL: true, channel: true},
		"APP/Wechat":           {sdk: []string{"appid", "partnerid", "prepayid", "package", "noncestr", "timestamp", "sign"}},
		"APP/Alipay":           {sdk: []string{"orderStr"}},
		"APP/UnionPay":         {sdk: []string{"tn"}},
		"MINI_APP/Wechat":      {sdk: []string{"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}},
		"MINI_APP/Alipay":      {sdk: []string{"tradeNO"}},
		"CREDIT_CARD/info":     {cardID: true},
		"CREDIT_CARD/remember": {cardID: true},
		"CREDIT_CARD/cardId":   {cardID: true},
		"OFFLINE_QRCODE":       {paymentURL: true, qr: true},
		"OFFLINE":              {},
	}
	reqs := validPays()
	reqs["CREDIT_CARD/cardId"].Card = &wire.Card{CardID: c.rememberCard("S-SAVE", "cust-1"), CustomerID: "cust-1"}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			req.PaymentRequestID = "S-" + name
			body, _ := json.Marshal(req)
			a := c.Post(wire.PathPay, body)
			wantResult(t, a.Result, wire.CodePaymentInProcess, wire.StatusU)
			if a.Result.ResultMessage != "payment in process" {
				t.Errorf("message %q", a.Result.ResultMessage)
			}
			var resp wire.PayResponse
			if err := json.Unmarshal(a.Body, &resp); err != nil {
				t.Fatal(err)
			}
			if len(resp.PaymentID) != 25 || !simulator.AllDigits(resp.PaymentID) || !strings.HasPrefix(resp.PaymentID, t0.Format("060102150405")) {
				t.Errorf("paymentId %q: want 25 digits starting with the clock's yyMMddHHmmss", resp.PaymentID)
			}
			if resp.ScenarioCode != req.ScenarioCode || resp.PaymentRequestID != req.PaymentRequestID ||
				resp.Order == nil || resp.Order.OrderAmount != req.Order.OrderAmount || resp.Order.Description != "Coffee" {
				t.Errorf("request not echoed: %s", a.Body)
			}
			if resp.PaymentCreateTime != t0.Format(wire.TimeLayout) || resp.PaymentExpireTime != t0.Add(5*time.Minute).Format(wire.TimeLayout) {
				t.Errorf("times %q %q", resp.PaymentCreateTime, resp.PaymentExpireTime)
			}
			if bytes.Contains(a.Body, []byte(testCardNumber)) || bytes.Contains(a.Body, []byte(`"info"`)) || bytes.Contains(a.Body, []byte(`"cvv"`)) {
				t.Fatalf("card data echoed: %s", a.Body)
			}
			w := want[name]
			info := resp.PaymentInfo
			if info == nil {
				info = &wire.PaymentInfo{}
			}
			if !w.paymentURL && !w.qr && !w.payURL && !w.channel && len(w.sdk) == 0 && resp.PaymentInfo != nil {
				t.Errorf("unexpected paymentInfo %s", a.Body)
			}
			id := resp.PaymentID
			check := func(field string, present bool, got, wantValue string) {
				t.Helper()
				switch {
				case present && got == "":
					t.Errorf("%s missing", field)
				case !present && got != "":
					t.Errorf("%s present: %q", field, got)
				case present && wantValue != "" && got != wantValue:
					t.Errorf("%s = %q, want %q", field, got, wantValue)
				}
			}
			check("paymentUrl", w.paymentURL, info.PaymentURL, srv.URL+"/qr/"+id)
			check("payUrl", w.payURL, info.PayURL, srv.URL+"/pay/"+id)
			check("channelPayUrl", w.channel, info.ChannelPayURL, "")
			check("paymentQRImage", w.qr, info.PaymentQRImage, "")
			if w.qr {
				data, ok := strings.CutPrefix(info.PaymentQRImage, "data:image/png;base64,")
				if !ok {
					t.Fatalf("paymentQRImage is not a PNG data URI")
				}
				raw, err := base64.StdEncoding.DecodeString(data)
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(raw))
				if err != nil {
					t.Fatalf("QR image does not decode: %v", err)
				}
				if b := img.Bounds(); b.Dx() < 21 || b.Dx() != b.Dy() {
					t.Errorf("QR image bounds %v", b)
				}
			}
			if w.payURL && srv.CashierURL(id) != info.PayURL {
				t.Errorf("CashierURL %q != payUrl %q", srv.CashierURL(id), info.PayURL)
			}
			if len(w.sdk) > 0 {
				var params map[string]any
				if err := json.Unmarshal(info.SDKParams, &params); err != nil {
					t.Fatalf("sdkParams: %v", err)
				}
				for _, k := range w.sdk {
					if s, _ := params[k].(string); s == "" {
						t.Errorf("sdkParams.%s missing in %s", k, info.SDKParams)
					}
				}
				if len(params) != len(w.sdk) {
					t.Errorf("sdkParams has extra fields: %s", info.SDKParams)
				}
				if p, ok := params["package"].(string); ok && strings.HasPrefix(name, "APP") && p != "Sign=WXPay" {
					t.Errorf("APP package %q", p)
				}
				if p, ok := params["package"].(string); ok && !strings.HasPrefix(name, "APP") && !strings.HasPrefix(p, "prepay_id=wx") {
					t.Errorf("JSAPI package %q", p)
				}
				if st, ok := params["signType"]; ok && st != "RSA" {
					t.Errorf("signType %v", st)
				}
			} else if len(info.SDKParams) != 0 {
				t.Errorf("unexpected sdkParams %s", info.SDKParams)
			}
			if w.cardID != (resp.Card != nil && strings.HasPrefix(resp.Card.CardID, "card_")) {
				t.Errorf("card echo %+v, want cardId %v", resp.Card, w.cardID)
			}
			if resp.Card != nil && (resp.Card.Info != nil || resp.Card.CustomerID != "" || resp.Card.Remember) {
				t.Errorf("card echoed beyond cardId: %+v", resp.Card)
			}
			snap, ok := srv.Payment(id)
			if !ok || snap.Status != wire.PaymentInProcess || snap.Amount.String() != "19.99 CAD" || snap.PaymentRequestID != req.PaymentRequestID {
				t.Errorf("snapshot %+v", snap)
			}
			if byReq, ok := srv.PaymentByRequestID(req.PaymentRequestID); !ok || byReq.PaymentID != id {
				t.Errorf("PaymentByRequestID %+v", byReq)
			}
		})
	}
}

// Every CREDIT_CARD answer carries card.cardId, as the official SDK's
// CreditCardOrderSpecification.groovy expects with remember null, false and
// true. A remembered card's ID pays again for the same card.customerId; an
// unremembered card's ID, an unknown ID or another customer's is refused.
func TestCardIDs(t *testing.T) {
	_, c, _ := newFakeServer(t)
	pay := func(id string, card *wire.Card) (*wire.PayResponse, wire.Result) {
		return c.pay(&wire.PayRequest{ScenarioCode: wire.ScenarioCreditCard, PaymentRequestID: id,
			Order: wire.Order{OrderAmount: wire.Amount{Value: "100", Currency: "CAD"}, Description: "Cake"}, Card: card})
	}
	once, res := pay("C-ONCE", &wire.Card{Info: testCardInfo()})
	wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
	if once.Card == nil || once.Card.CardID == "" {
		t.Fatalf("no card.cardId for a card not remembered: %+v", once.Card)
	}
	saved := c.rememberCard("C-SAVE", "C001")
	again, res := pay("C-AGAIN", &wire.Card{CardID: saved, CustomerID: "C001"})
	wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
	if again.Card == nil || again.Card.CardID != saved {
		t.Fatalf("paying with a saved card answered card %+v, want %s", again.Card, saved)
	}
	if replay, _ := pay("C-AGAIN", &wire.Card{CardID: saved, CustomerID: "C001"}); replay.PaymentID != again.PaymentID || replay.Card == nil || replay.Card.CardID != saved {
		t.Fatalf("replay: %+v", replay)
	}
	for name, card := range map[string]*wire.Card{
		"not remembered":   {CardID: once.Card.CardID},
		"unknown":          {CardID: "card_unknown", CustomerID: "C001"},
		"another customer": {CardID: saved, CustomerID: "C002"},
		"no customer":      {CardID: saved},
	} {
		if _, res := pay("C-BAD-"+name, card); res.ResultCode != wire.CodeParamInvalid || res.ResultStatus != wire.StatusF {
			t.Errorf("%s: %+v", name, res)
		}
	}
}

func TestPaySchema(t *testing.T) {
	_, c, _ := newFakeServer(t)
	base := func() *wire.PayRequest { return qrPay("SCHEMA") }
	long := strings.Repeat("x", 65)
	tests := []struct {
		name string
		edit func(r *wire.PayRequest)
		code string
	}{
		{"scenario missing", func(r *wire.PayRequest) { r.ScenarioCode = "" }, wire.CodeParamInvalid},
		{"scenario unknown", func(r *wire.PayRequest) { r.ScenarioCode = "online_qrcode" }, wire.CodeParamInvalid},
		{"request id missing", func(r *wire.PayRequest) { r.PaymentRequestID = "" }, wire.CodeParamInvalid},
		{"request id 65 chars", func(r *wire.PayRequest) { r.PaymentRequestID = long }, wire.CodeParamInvalid},
		{"amount missing", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "" }, wire.CodeParamInvalid},
		{"amount zero", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "0" }, wire.CodeParamInvalid},
		{"amount zeros", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "0000000" }, wire.CodeParamInvalid},
		{"amount 8 digits", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "10000000" }, wire.CodeParamInvalid},
		{"amount decimal", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "19.99" }, wire.CodeParamInvalid},
		{"amount negative", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "-1" }, wire.CodeParamInvalid},
		{"amount blank", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = " 1" }, wire.CodeParamInvalid},
		{"amount non-ASCII digit", func(r *wire.PayRequest) { r.Order.OrderAmount.Value = "１" }, wire.CodeParamInvalid},
		{"currency missing", func(r *wire.PayRequest) { r.Order.OrderAmount.Currency = "" }, wire.CodeParamInvalid},
		// order.description is required: AlphaPay documents it so and every
		// pay of the official SDK's tests (OrderSpecification.groovy,
		// CreditCardOrderSpecification.groovy) sets it.
		{"description missing", func(r *wire.PayRequest) { r.Order.Description = "" }, wire.CodeParamInvalid},
		{"description blank", func(r *wire.PayRequest) { r.Order.Description = " \u3000 " }, wire.CodeParamInvalid},
		{"currency USD in CAD domain", func(r *wire.PayRequest) { r.Order.OrderAmount.Currency = "USD" }, wire.CodeCurrencyNotSupport},
		{"currency EUR", func(r *wire.PayRequest) { r.Order.OrderAmount.Currency = "EUR" }, wire.CodeCurrencyNotSupport},
		{"currency lower case", func(r *wire.PayRequest) { r.Order.OrderAmount.Currency = "cad" }, wire.CodeCurrencyNotSupport},
		{"notify URL relative", func(r *wire.PayRequest) { r.Order.NotifyURL = "/notify" }, wire.CodeParamInvalid},
		{"notify URL ftp", func(r *wire.PayRequest) { r.Order.NotifyURL = "ftp://example.com/n" }, wire.CodeParamInvalid},
		{"redirect URL javascript", func(r *wire.PayRequest) { r.Order.RedirectURL = "javascript:alert(1)" }, wire.CodeParamInvalid},
		{"method missing", func(r *wire.PayRequest) { r.PaymentMethod = nil }, wire.CodeInvalidMethodType},
		{"method lower case", func(r *wire.PayRequest) { r.PaymentMethod.PaymentMethodType = "alipay" }, wire.CodeInvalidMethodType},
		{"method WeChat spelling", func(r *wire.PayRequest) { r.PaymentMethod.PaymentMethodType = "WeChat" }, wire.CodeInvalidMethodType},
		{"method unknown", func(r *wire.PayRequest) { r.PaymentMethod.PaymentMethodType = "Visa" }, wire.CodeInvalidMethodType},
		{"ONLINE_WEB Wechat", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioOnlineWeb
			r.PaymentMethod.PaymentMethodType = wire.MethodWechat
		}, wire.CodeInvalidMethodType},
		{"payment code outside OFFLINE", func(r *wire.PayRequest) { r.PaymentMethod.PaymentCode = "1234567890" }, wire.CodeParamInvalid},
		{"OFFLINE_QRCODE with method", func(r *wire.PayRequest) { r.ScenarioCode = wire.ScenarioOfflineQRCode }, wire.CodeParamInvalid},
		{"OFFLINE_QRCODE with empty method", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioOfflineQRCode
			r.PaymentMethod = &wire.PaymentMethod{}
		}, wire.CodeParamInvalid},
		{"OFFLINE with method type", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioOffline
			r.PaymentMethod.PaymentCode = "1234567890"
		}, wire.CodeParamInvalid},
		{"OFFLINE without code", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioOffline
			r.PaymentMethod = nil
		}, wire.CodeInvalidPaymentCode},
		{"OFFLINE code 9 digits", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioOffline
			r.PaymentMethod = &wire.PaymentMethod{PaymentCode: "123456789"}
		}, wire.CodeInvalidPaymentCode},
		{"OFFLINE code 33 digits", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioOffline
			r.PaymentMethod = &wire.PaymentMethod{PaymentCode: strings.Repeat("1", 33)}
		}, wire.CodeInvalidPaymentCode},
		{"OFFLINE code letters", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioOffline
			r.PaymentMethod = &wire.PaymentMethod{PaymentCode: "12345abcde"}
		}, wire.CodeInvalidPaymentCode},
		{"NATIVE_JSAPI without customer", func(r *wire.PayRequest) { r.ScenarioCode = wire.ScenarioNativeJSAPI }, wire.CodeParamInvalid},
		{"MINI_APP without customerId", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioMiniApp
			r.Customer = &wire.Customer{AppID: "wx1"}
		}, wire.CodeParamInvalid},
		{"MINI_APP without appId", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioMiniApp
			r.Customer = &wire.Customer{CustomerID: "o1"}
		}, wire.CodeParamInvalid},
		{"APP without env", func(r *wire.PayRequest) { r.ScenarioCode = wire.ScenarioApp }, wire.CodeParamInvalid},
		{"APP bad osType", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioApp
			r.Env = &wire.Env{OSType: "ios", Version: "1"}
		}, wire.CodeParamInvalid},
		{"APP without version", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioApp
			r.Env = &wire.Env{OSType: "IOS"}
		}, wire.CodeParamInvalid},
		{"card outside CREDIT_CARD", func(r *wire.PayRequest) { r.Card = &wire.Card{CardID: "card_1"} }, wire.CodeParamInvalid},
	}
	card := func(edit func(*wire.Card)) func(r *wire.PayRequest) {
		return func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioCreditCard
			r.PaymentMethod = nil
			r.Card = &wire.Card{Info: testCardInfo()}
			edit(r.Card)
		}
	}
	tests = append(tests, []struct {
		name string
		edit func(r *wire.PayRequest)
		code string
	}{
		{"CREDIT_CARD with method", func(r *wire.PayRequest) {
			r.ScenarioCode = wire.ScenarioCreditCard
			r.PaymentMethod = &wire.PaymentMethod{}
			r.Card = &wire.Card{CardID: "card_1"}
		}, wire.CodeParamInvalid},
		{"CREDIT_CARD without card", card(func(c *wire.Card) { *c = wire.Card{} }), wire.CodeParamInvalid},
		{"card number short", card(func(c *wire.Card) { c.Info.Number = "41111111111" }), wire.CodeParamInvalid},
		{"card number long", card(func(c *wire.Card) { c.Info.Number = "41111111111111111111" }), wire.CodeParamInvalid},
		{"card number spaces", card(func(c *wire.Card) { c.Info.Number = "4111 1111 1111 1111" }), wire.CodeParamInvalid},
		{"card month 0", card(func(c *wire.Card) { c.Info.ExpMonth = 0 }), wire.CodeParamInvalid},
		{"card month 13", card(func(c *wire.Card) { c.Info.ExpMonth = 13 }), wire.CodeParamInvalid},
		{"card year missing", card(func(c *wire.Card) { c.Info.ExpYear = 0 }), wire.CodeParamInvalid},
		{"card cvv missing", card(func(c *wire.Card) { c.Info.CVV = "" }), wire.CodeParamInvalid},
		{"card cvv 5 digits", card(func(c *wire.Card) { c.Info.CVV = "12345" }), wire.CodeParamInvalid},
		{"card remember without customer", card(func(c *wire.Card) { c.Remember = true }), wire.CodeParamInvalid},
		{"card id and info", card(func(c *wire.Card) { c.CardID = "card_1" }), wire.CodeParamInvalid},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.edit(r)
			body, _ := json.Marshal(r)
			a := c.Post(wire.PathPay, body)
			wantResult(t, a.Result, tt.code, wire.StatusF)
			if a.Result.ResultMessage == "" {
				t.Errorf("F answer without a message")
			}
			for _, secret := range []string{testCardNumber, "737", "41111111111", "12345abcde"} {
				if strings.Contains(a.Result.ResultMessage, secret) {
					t.Errorf("message %q echoes input", a.Result.ResultMessage)
				}
			}
			if bytes.Contains(a.Body, []byte(`"paymentId"`)) {
				t.Errorf("rejected pay answered a paymentId: %s", a.Body)
			}
		})
	}
	if n := c.srv.Orders("SCHEMA"); n != 0 {
		t.Errorf("rejected requests created %d orders", n)
	}
}

func TestPayDescriptionCut(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	r := qrPay("DESC")
	r.Order.Description = strings.Repeat("é", 127) + "日本語"
	resp, res := c.pay(r)
	wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
	want := strings.Repeat("é", 127) + "日"
	if resp.Order.Description != want || utf8.RuneCountInString(resp.Order.Description) != 128 {
		t.Errorf("description %q, want cut to 128 characters", resp.Order.Description)
	}
	if st := c.inquiry(resp.PaymentID); st.Order.Description != want {
		t.Errorf("inquiry description %q", st.Order.Description)
	}
	_ = srv
}

func TestPayDomainAndCNY(t *testing.T) {
	t.Run("USD domain", func(t *testing.T) {
		_, c, _ := newFakeServer(t, WithDomain("USD"))
		for cur, code := range map[string]string{"USD": wire.CodePaymentInProcess, "CNY": wire.CodePaymentInProcess, "CAD": wire.CodeCurrencyNotSupport} {
			r := qrPay("D-" + cur)
			r.Order.OrderAmount.Currency = cur
			_, res := c.pay(r)
			if res.ResultCode != code {
				t.Errorf("%s: %+v, want %s", cur, res, code)
			}
		}
	})
	t.Run("tiny CNY fails on Complete", func(t *testing.T) {
		srv, c, _ := newFakeServer(t)
		for _, tc := range []struct {
			value, status string
		}{
			{"5", wire.PaymentFailed},    // 0.05 CNY = 0.0095 CAD
			{"1", wire.PaymentFailed},    // 0.01 CNY
			{"6", wire.PaymentSuccess},   // 0.06 CNY = 0.0114 CAD
			{"100", wire.PaymentSuccess}, // 1 CNY
		} {
			r := qrPay("CNY-" + tc.value)
			r.Order.OrderAmount.Currency = "CNY"
			r.Order.OrderAmount.Value = tc.value
			resp, res := c.pay(r)
			wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
			if err := srv.Complete(resp.PaymentID); err != nil {
				t.Fatal(err)
			}
			if st := c.inquiry(resp.PaymentID); st.PaymentStatus != tc.status {
				t.Errorf("%s fen: %s, want %s", tc.value, st.PaymentStatus, tc.status)
			}
			wantCharges := 0
			if tc.status == wire.PaymentSuccess {
				wantCharges = 1
			}
			if got := srv.Charges(r.PaymentRequestID); got != wantCharges {
				t.Errorf("%s fen: Charges = %d", tc.value, got)
			}
		}
	})
	t.Run("rate option", func(t *testing.T) {
		srv, c, _ := newFakeServer(t, WithCNYRate("0.0001"))
		r := qrPay("CNY-RATE")
		r.Order.OrderAmount.Currency = "CNY"
		r.Order.OrderAmount.Value = "100" // 1 CNY = 0.0001 CAD
		resp, _ := c.pay(r)
		_ = srv.Complete(resp.PaymentID)
		if p, _ := srv.Payment(resp.PaymentID); p.Status != wire.PaymentFailed {
			t.Errorf("status %s", p.Status)
		}
	})
}

func TestBadOptionsPanic(t *testing.T) {
	simtest.WantPanics(t, "alphapaytest: ", map[string]func(){
		"domain":   func() { NewUnstartedServer(WithDomain("EUR")).Close() },
		"rate":     func() { NewUnstartedServer(WithCNYRate("abc")).Close() },
		"rate0":    func() { NewUnstartedServer(WithCNYRate("0")).Close() },
		"rateexp":  func() { NewUnstartedServer(WithCNYRate("1e-2")).Close() },
		"keys":     func() { NewUnstartedServer(WithKeys("not a key", "not a key")).Close() },
		"pub keys": func() { NewUnstartedServer(WithKeys(srvPublicPEM(t), srvPublicPEM(t))).Close() },
	})
}

func srvPublicPEM(*testing.T) string {
	return string(signing.PublicKeyPEM(&simulator.DefaultKeys("alphapaytest").Merchant.PublicKey))
}
