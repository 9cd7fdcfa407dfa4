package alphapay

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

type otherOpts struct{}

func (otherOpts) ProviderName() string { return "alipayplus" }

func TestInvalidRequestsSendNothing(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	vf := loadVectors(t)
	c, err := New(Config{BaseURL: srv.URL, MerchantCode: "PFA9QX",
		PrivateKey: vf.Keys["merchant"].PrivateKeyPEM, AlphaPayPublicKey: vf.Keys["alphapay"].PublicKeyPEM})
	if err != nil {
		t.Fatal(err)
	}
	good := func() *payment.PayRequest {
		return &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode,
			Method: payment.MethodAlipay, Amount: money.MustParse("19.99 CAD"), Description: "Green tea x2"}
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		req    func() *payment.PayRequest
		kind   payment.Kind
		fields string
	}{
		{"nil request", func() *payment.PayRequest { return nil }, payment.KindInvalidRequest, "PayRequest"},
		{"no description", func() *payment.PayRequest { r := good(); r.Description = ""; return r }, payment.KindInvalidRequest, "Description is required"},
		{"a blank description", func() *payment.PayRequest { r := good(); r.Description = "   "; return r }, payment.KindInvalidRequest, "Description is required"},
		{"description over 128 characters", func() *payment.PayRequest { r := good(); r.Description = strings.Repeat("d", 129); return r }, payment.KindInvalidRequest, "Description"},
		{"amount over 7 digits", func() *payment.PayRequest { r := good(); r.Amount = money.MustParse("100000.00 CAD"); return r }, payment.KindInvalidRequest, "Amount"},
		{"currency outside the domain", func() *payment.PayRequest { r := good(); r.Amount = money.MustParse("10.00 USD"); return r }, payment.KindUnsupported, "Amount"},
		{"method missing", func() *payment.PayRequest { r := good(); r.Method = ""; return r }, payment.KindInvalidRequest, "Method"},
		{"WeChat Pay in PC web", func() *payment.PayRequest {
			r := good()
			r.Scenario = payment.ScenarioWeb
			r.Method = payment.MethodWeChatPay
			return r
		}, payment.KindUnsupported, "Method"},
		{"method in card scenario", func() *payment.PayRequest {
			r := good()
			r.Scenario = payment.ScenarioCreditCard
			r.Card = &payment.Card{Token: "card_1"}
			return r
		}, payment.KindUnsupported, "Method"},
		{"expiry", func() *payment.PayRequest { r := good(); r.ExpiresAt = time.Now().Add(time.Hour); return r }, payment.KindUnsupported, "ExpiresAt"},
		{"another provider's options", func() *payment.PayRequest { r := good(); r.ProviderOptions = otherOpts{}; return r }, payment.KindInvalidRequest, "ProviderOptions"},
		{"the Alipay+ cashier", func() *payment.PayRequest { r := good(); r.Scenario = payment.ScenarioCashier; r.Method = ""; return r }, payment.KindUnsupported, "Scenario"},
		{"relative notify URL", func() *payment.PayRequest { r := good(); r.NotifyURL = "notify"; return r }, payment.KindInvalidRequest, "NotifyURL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Pay(ctx, tc.req())
			if payment.KindOf(err) != tc.kind || !strings.Contains(err.Error(), tc.fields) {
				t.Fatalf("err = %v; want kind %v naming %s", err, tc.kind, tc.fields)
			}
		})
	}
	if _, err := c.Inquire(ctx, payment.Ref{PaymentRequestID: "ORDER-1"}); !errors.Is(err, payment.ErrUnsupported) {
		t.Errorf("inquire by request ID: %v", err)
	}
	if _, err := c.Cancel(ctx, payment.Ref{}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("cancel without ref: %v", err)
	}
	if _, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"},
		Amount: money.MustParse("1.00 CAD"), Reason: strings.Repeat("r", 129)}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("refund with a long reason: %v", err)
	}
	if _, err := c.InquireRefund(ctx, payment.RefundRef{RefundRequestID: "R1"}); !errors.Is(err, payment.ErrUnsupported) {
		t.Errorf("inquire refund by request ID: %v", err)
	}
	if _, err := c.Transactions(ctx, TransactionsRequest{Date: "2026-11-22", Page: 0, PageLimit: 5}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("transactions: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the provider saw %d requests", n)
	}
}

func TestNewNamesTheBadFieldWithoutKeyMaterial(t *testing.T) {
	vf := loadVectors(t)
	priv, pub := vf.Keys["merchant"].PrivateKeyPEM, vf.Keys["alphapay"].PublicKeyPEM
	broken := priv[:200] + "AAAA" + priv[204:]
	for _, tc := range []struct {
		name  string
		cfg   Config
		field string
	}{
		{"no merchant code", Config{BaseURL: BaseURLCanada, PrivateKey: priv, AlphaPayPublicKey: pub}, "MerchantCode"},
		{"garbled private key", Config{BaseURL: BaseURLCanada, MerchantCode: "M", PrivateKey: broken, AlphaPayPublicKey: pub}, "PrivateKey"},
		{"private key given as the public key", Config{BaseURL: BaseURLCanada, MerchantCode: "M", PrivateKey: priv, AlphaPayPublicKey: priv}, "AlphaPayPublicKey"},
		{"plain HTTP to a remote host", Config{BaseURL: "http://openapi.alphapay.ca", MerchantCode: "M", PrivateKey: priv, AlphaPayPublicKey: pub}, "BaseURL"},
		{"EUR domain", Config{BaseURL: BaseURLCanada, MerchantCode: "M", PrivateKey: priv, AlphaPayPublicKey: pub, Currency: money.EUR}, "Currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("err = %v; want a ConfigError for %s", err, tc.field)
			}
			if strings.Contains(err.Error(), "MIIE") || strings.Contains(err.Error(), "AAAA") {
				t.Fatalf("error shows key material: %v", err)
			}
		})
	}
	if _, err := New(Config{BaseURL: "http://127.0.0.1:9", MerchantCode: "M", PrivateKey: priv, AlphaPayPublicKey: pub}); err != nil {
		t.Fatalf("loopback HTTP refused: %v", err)
	}
}
