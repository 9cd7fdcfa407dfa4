package antomtest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

var t0 = time.Date(2026, 11, 22, 18, 15, 30, 0, time.UTC)

type env struct {
	srv *antomtest.Server
	c   *familytest.Client
	clk *clock.Fake
	ctx context.Context
}

// newEnv starts a gateway on a fake clock and a merchant that signs with
// key (the registered one if nil).
func newEnv(t *testing.T, key *rsa.PrivateKey) *env {
	clk := clock.NewFake(t0)
	srv := antomtest.NewServer(antomtest.WithClock(clk), antomtest.WithCurrencies("USD", "PHP"))
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	if key == nil {
		key = must(signing.ParsePrivateKey(cr.MerchantPrivateKey))
	}
	c, err := familytest.NewClient(srv.Client(), srv.URL, cr.ClientID, cr.KeyVersion, key, must(signing.ParsePublicKey(cr.AntomPublicKey)), clk)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, c: c, clk: clk, ctx: simtest.Context(t)}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// payBody is a valid pay request, changed by edit (nil: none).
func payBody(id string, edit func(m map[string]any)) map[string]any {
	m := map[string]any{
		"productCode": "CASHIER_PAYMENT", "paymentRequestId": id,
		"order":              map[string]any{"referenceOrderId": id, "orderDescription": "tea", "orderAmount": map[string]any{"currency": "USD", "value": "1000"}},
		"paymentAmount":      map[string]any{"currency": "USD", "value": "1000"},
		"paymentMethod":      map[string]any{"paymentMethodType": "GCASH"},
		"paymentRedirectUrl": "https://shop.example/done",
		"env":                map[string]any{"terminalType": "WAP"},
	}
	if edit != nil {
		edit(m)
	}
	return m
}

func (e *env) call(t *testing.T, path string, req any, resp any) familytest.Result {
	t.Helper()
	res, err := e.c.Call(e.ctx, path, req, resp)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res
}

func want(t *testing.T, what string, got familytest.Result, status, code string) {
	t.Helper()
	if got.ResultStatus != status || got.ResultCode != code {
		t.Errorf("%s: %s %s (%s), want %s %s", what, got.ResultStatus, got.ResultCode, got.ResultMessage, status, code)
	}
}

type answer struct {
	PaymentID, NormalURL, ApplinkURL, PaymentStatus, RefundID, RefundStatus string
}

// A cashier payment from pay to refunds, with the idempotency and
// bookkeeping rules on the way.
func TestLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	var a, again answer
	want(t, "pay", e.call(t, antomtest.PathPay, payBody("P-1", nil), &a), "U", "PAYMENT_IN_PROCESS")
	if a.PaymentID == "" || !strings.Contains(a.NormalURL, "/checkout/"+a.PaymentID) || a.ApplinkURL == "" {
		t.Fatalf("pay answer %+v", a)
	}
	want(t, "repeat", e.call(t, antomtest.PathPay, payBody("P-1", nil), &again), "U", "PAYMENT_IN_PROCESS")
	other := payBody("P-1", func(m map[string]any) { m["paymentAmount"] = map[string]any{"currency": "USD", "value": "999"} })
	want(t, "repeat, other amount", e.call(t, antomtest.PathPay, other, nil), "F", "REPEAT_REQ_INCONSISTENT")
	if again.PaymentID != a.PaymentID || e.srv.Orders("P-1") != 1 {
		t.Fatalf("repeat made another payment: %s %s", again.PaymentID, a.PaymentID)
	}
	refund := func(id, value string) map[string]any {
		return map[string]any{"refundRequestId": id, "paymentId": a.PaymentID, "refundAmount": map[string]any{"currency": "USD", "value": value}}
	}
	want(t, "refund unpaid", e.call(t, antomtest.PathRefund, refund("R-0", "100"), nil), "F", "ORDER_STATUS_INVALID")
	if err := e.srv.Complete(a.PaymentID); err != nil {
		t.Fatal(err)
	}
	var q answer
	want(t, "inquiry", e.call(t, antomtest.PathInquiry, map[string]any{"paymentRequestId": "P-1"}, &q), "S", "SUCCESS")
	var r1, r1again answer
	want(t, "refund", e.call(t, antomtest.PathRefund, refund("R-1", "600"), &r1), "S", "SUCCESS")
	want(t, "refund repeated", e.call(t, antomtest.PathRefund, refund("R-1", "600"), &r1again), "S", "SUCCESS")
	want(t, "refund repeated, other amount", e.call(t, antomtest.PathRefund, refund("R-1", "500"), nil), "F", "REPEAT_REQ_INCONSISTENT")
	want(t, "over-refund", e.call(t, antomtest.PathRefund, refund("R-2", "401"), nil), "F", "REFUND_AMOUNT_EXCEED")
	var rq answer
	want(t, "inquiryRefund", e.call(t, antomtest.PathInquiryRefund, map[string]any{"refundRequestId": "R-1"}, &rq), "S", "SUCCESS")
	if q.PaymentStatus != "SUCCESS" || r1.RefundID == "" || r1again.RefundID != r1.RefundID || rq.RefundStatus != "SUCCESS" || e.srv.RefundCount("R-1") != 1 {
		t.Errorf("inquiry %+v, refunds %+v %+v %+v", q, r1, r1again, rq)
	}
	want(t, "cancel with refunds", e.call(t, antomtest.PathCancel, map[string]any{"paymentId": a.PaymentID}, nil), "F", "ORDER_STATUS_INVALID")
	for path, body := range map[string]any{
		antomtest.PathInquiry:       map[string]any{"paymentId": "nope"},
		antomtest.PathCancel:        map[string]any{"paymentRequestId": "nope"},
		antomtest.PathRefund:        map[string]any{"refundRequestId": "R-9", "paymentId": "nope", "refundAmount": map[string]any{"currency": "USD", "value": "1"}},
		antomtest.PathInquiryRefund: map[string]any{"refundId": "nope"},
	} {
		code := "ORDER_NOT_EXIST"
		if path == antomtest.PathInquiryRefund {
			code = "REFUND_NOT_EXIST"
		}
		want(t, path+" unknown", e.call(t, path, body, nil), "F", code)
	}
}

// An unpaid payment expires on the clock and may be cancelled.
func TestExpiryAndCancel(t *testing.T) {
	e := newEnv(t, nil)
	var a, b, q answer
	e.call(t, antomtest.PathPay, payBody("E-1", nil), &a)
	e.call(t, antomtest.PathPay, payBody("E-2", nil), &b)
	want(t, "cancel", e.call(t, antomtest.PathCancel, map[string]any{"paymentRequestId": "E-2"}, nil), "S", "SUCCESS")
	e.clk.Advance(16 * time.Minute)
	e.call(t, antomtest.PathInquiry, map[string]any{"paymentId": a.PaymentID}, &q)
	if q.PaymentStatus != "CANCELLED" {
		t.Errorf("expired payment is %s", q.PaymentStatus)
	}
}

// Every request is verified and its body read strictly; failures name
// the field.
func TestStrictness(t *testing.T) {
	e := newEnv(t, nil)
	without := func(path ...string) func(m map[string]any) {
		return func(m map[string]any) {
			for _, p := range path[:len(path)-1] {
				m = m[p].(map[string]any)
			}
			delete(m, path[len(path)-1])
		}
	}
	for name, tc := range map[string]struct {
		edit       func(m map[string]any)
		code, says string
	}{
		"no paymentMethod":      {without("paymentMethod"), "PARAM_ILLEGAL", "paymentMethod"},
		"no paymentMethodType":  {without("paymentMethod", "paymentMethodType"), "PARAM_ILLEGAL", "paymentMethod.paymentMethodType"},
		"no terminalType":       {without("env", "terminalType"), "PARAM_ILLEGAL", "env.terminalType"},
		"no redirect URL":       {without("paymentRedirectUrl"), "PARAM_ILLEGAL", "paymentRedirectUrl"},
		"no orderDescription":   {without("order", "orderDescription"), "PARAM_ILLEGAL", "order.orderDescription"},
		"no paymentRequestId":   {without("paymentRequestId"), "PARAM_ILLEGAL", "paymentRequestId"},
		"amount as a number":    {func(m map[string]any) { m["paymentAmount"] = map[string]any{"currency": "USD", "value": 1000} }, "PARAM_ILLEGAL", "paymentAmount.value"},
		"field in another case": {func(m map[string]any) { m["PaymentRequestId"] = "x" }, "PARAM_ILLEGAL", "wrong case"},
		"another product":       {func(m map[string]any) { m["productCode"] = "AGREEMENT_PAYMENT" }, "PARAM_ILLEGAL", "productCode"},
		"currency not allowed":  {func(m map[string]any) { m["paymentAmount"] = map[string]any{"currency": "EUR", "value": "1"} }, "CURRENCY_NOT_SUPPORT", "paymentAmount"},
	} {
		res := e.call(t, antomtest.PathPay, payBody("S-"+name, tc.edit), nil)
		if want(t, name, res, "F", tc.code); !strings.Contains(res.ResultMessage, tc.says) {
			t.Errorf("%s: message %q does not name %s", name, res.ResultMessage, tc.says)
		}
	}
	body := must(json.Marshal(payBody("S-ct", nil)))
	req := must(e.c.Request(e.ctx, antomtest.PathPay, body))
	req.Header.Set("Content-Type", "text/plain")
	res, _, err := e.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "wrong content type", res, "F", "MSG_PARSE_ERROR")
	req = must(e.c.Request(e.ctx, "/ams/api/v1/payments/capture", body))
	res, _, _ = e.c.Do(req)
	want(t, "unknown API", res, "F", "INVALID_API")

	other := newEnv(t, must(rsa.GenerateKey(rand.Reader, 2048)))
	other.c.BaseURL, other.c.HTTP = e.srv.URL, e.srv.Client()
	res, err = other.c.Call(e.ctx, antomtest.PathPay, payBody("S-sig", nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "bad signature", res, "F", "INVALID_SIGNATURE")
	if e.srv.Orders("S-sig") != 0 || len(e.srv.Payments()) != 0 {
		t.Error("a refused request made a payment")
	}
}

// Payments and refunds are notified, signed, until acknowledged.
func TestNotifications(t *testing.T) {
	e := newEnv(t, nil)
	rc := simtest.NewReceiver(t, func(r *http.Request, body []byte) string {
		if err := e.c.VerifyNotification(r.Header, r.URL.RequestURI(), body); err != nil {
			return err.Error()
		}
		return ""
	})
	rc.Ack([]byte(alipayfamily.AckBody))
	var a answer
	e.call(t, antomtest.PathPay, payBody("N-1", func(m map[string]any) { m["paymentNotifyUrl"] = rc.Server.URL + "/pay?x=1" }), &a)
	if err := e.srv.Complete(a.PaymentID); err != nil {
		t.Fatal(err)
	}
	want(t, "refund", e.call(t, antomtest.PathRefund, map[string]any{"refundRequestId": "NR-1", "paymentId": a.PaymentID,
		"refundAmount": map[string]any{"currency": "USD", "value": "10"}, "refundNotifyUrl": rc.Server.URL + "/refund"}, nil), "S", "SUCCESS")
	if err := e.srv.AwaitDeliveries(e.ctx, 2); err != nil {
		t.Fatal(err)
	}
	rc.Check(t)
	var types []string
	for _, b := range rc.Bodies() {
		var n struct{ NotifyType string }
		_ = json.Unmarshal(b, &n)
		types = append(types, n.NotifyType)
	}
	if strings.Join(types, ",") != "PAYMENT_RESULT,REFUND_RESULT" && strings.Join(types, ",") != "REFUND_RESULT,PAYMENT_RESULT" {
		t.Errorf("notifications %v", types)
	}
}

// Credentials show no private key in any rendering, and follow a key
// change (SetSigner).
func TestCredentialsRedacted(t *testing.T) {
	srv := antomtest.NewUnstartedServer()
	defer srv.Close()
	simtest.CheckCredentialKeys(t, srv.Credentials, func(cr antomtest.Credentials) simulator.KeyPEMs {
		return simulator.KeyPEMs{MerchantPrivate: cr.MerchantPrivateKey, MerchantPublic: cr.MerchantPublicKey,
			ProviderPrivate: cr.AntomPrivateKey, ProviderPublic: cr.AntomPublicKey}
	}, srv.SetSigner, srv.Credentials().ClientID)
}

func TestOptionPanics(t *testing.T) {
	simtest.WantPanics(t, "antomtest: ", map[string]func(){
		"currency unknown": func() { antomtest.NewUnstartedServer(antomtest.WithCurrencies("USD", "XYZ")).Close() },
		"keys garbage":     func() { antomtest.NewUnstartedServer(antomtest.WithKeys("not a key", "not a key")).Close() },
	})
}
