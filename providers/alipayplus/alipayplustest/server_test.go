package alipayplustest

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

// Credentials map the kit's keys (tested there) to the wallet's names, with
// the defaults of the prefix, Client-Id and keyVersion, show no private key
// when logged, and follow a key change (SetSigner).
func TestCredentials(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	k := srv.KeyPEMs()
	want := Credentials{BaseURL: srv.URL, Prefix: "/api", ClientID: DefaultClientID, KeyVersion: "1",
		MerchantPrivateKey: k.MerchantPrivate, MerchantPublicKey: k.MerchantPublic, WalletPublicKey: k.ProviderPublic, WalletPrivateKey: k.ProviderPrivate}
	if cr := srv.Credentials(); cr != want {
		t.Errorf("Credentials %+v", cr)
	}
	simtest.CheckCredentialKeys(t, srv.Credentials, func(cr Credentials) simulator.KeyPEMs {
		return simulator.KeyPEMs{MerchantPrivate: cr.MerchantPrivateKey, MerchantPublic: cr.MerchantPublicKey,
			ProviderPrivate: cr.WalletPrivateKey, ProviderPublic: cr.WalletPublicKey}
	}, srv.SetSigner, srv.URL, DefaultClientID)
}

func TestOptionsApplied(t *testing.T) {
	kp := simulator.DefaultKeys("alipayplustest")
	merchantPEM := string(signing.PrivateKeyPEM(kp.Merchant))
	walletPEM := string(signing.PrivateKeyPEM(kp.Provider))
	// Swapped on purpose: the merchant signs with what was the wallet's key.
	srv, c, _ := newFakeServer(t, WithKeys(walletPEM, merchantPEM), WithClientID("CLIENT-9"), WithKeyVersion("7"), WithPrefix("/miniprogram/api/"))
	cr := srv.Credentials()
	if cr.ClientID != "CLIENT-9" || cr.KeyVersion != "7" || cr.Prefix != "/miniprogram/api" ||
		cr.MerchantPublicKey != string(signing.PublicKeyPEM(&kp.Provider.PublicKey)) ||
		cr.WalletPublicKey != string(signing.PublicKeyPEM(&kp.Merchant.PublicKey)) {
		t.Fatalf("options not applied: %+v", cr)
	}
	a := c.Post(wire.PathInquiry, []byte(`{"paymentId":"1"}`))
	wantResult(t, a.Result, wire.CodeOrderNotExist, wire.StatusF)
	if !strings.Contains(a.Header.Get(wire.HeaderSignature), "keyVersion=7,") {
		t.Errorf("answer Signature %q lacks the configured keyVersion", a.Header.Get(wire.HeaderSignature))
	}
}

func TestOptionPanics(t *testing.T) {
	simtest.WantPanics(t, "alipayplustest: ", map[string]func(){
		"prefix without slash": func() { NewUnstartedServer(WithPrefix("api")).Close() },
		"prefix with query":    func() { NewUnstartedServer(WithPrefix("/api?x=1")).Close() },
		"prefix with space":    func() { NewUnstartedServer(WithPrefix("/my api")).Close() },
		"prefix empty segment": func() { NewUnstartedServer(WithPrefix("/a//b")).Close() },
		"prefix cashier":       func() { NewUnstartedServer(WithPrefix("/cashier")).Close() },
		"redirect field":       func() { NewUnstartedServer(WithRedirectField("redirect_url")).Close() },
		"accept status":        func() { NewUnstartedServer(WithAcceptStatus("U")).Close() },
		"notification shape":   func() { NewUnstartedServer(WithNotificationShape("D")).Close() },
		"currency unknown":     func() { NewUnstartedServer(WithCurrencies("USD", "XYZ")).Close() },
		"currency lower case":  func() { NewUnstartedServer(WithCurrencies("usd")).Close() },
		"merchant key garbage": func() {
			NewUnstartedServer(WithKeys("not a key", string(signing.PrivateKeyPEM(simulator.DefaultKeys("alipayplustest").Provider)))).Close()
		},
		"wallet key is a public": func() {
			NewUnstartedServer(WithKeys(string(signing.PrivateKeyPEM(simulator.DefaultKeys("alipayplustest").Merchant)), string(signing.PublicKeyPEM(&simulator.DefaultKeys("alipayplustest").Provider.PublicKey)))).Close()
		},
	})
}

func TestHandlerServedElsewhere(t *testing.T) {
	srv := NewUnstartedServer(WithAutoComplete(true))
	defer srv.Close()
	host := httptest.NewServer(srv.Handler())
	defer host.Close()
	c := newTestClient(t, srv, nil)
	c.HTTP = host.Client()
	c.BaseURL = host.URL // srv.URL is empty: the requests go to the host
	resp, res := c.pay(cashierPay("ELSE-1"))
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	p, _ := srv.PaymentByRequestID("ELSE-1")
	if p.Status != wire.PaymentSuccess || srv.Charges("ELSE-1") != 1 {
		t.Errorf("WithAutoComplete: status %s", p.Status)
	}
	want := host.URL + "/cashier/" + p.PaymentID
	if got := srv.CashierURL(p.PaymentID); got != want || resp.RedirectActionForm.URL() != want {
		t.Errorf("CashierURL %q, form %q, want %q", got, resp.RedirectActionForm.URL(), want)
	}
}

func TestPrefixes(t *testing.T) {
	for _, prefix := range []string{"", "/api", "/miniprogram/api"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			srv, c, _ := newFakeServer(t, WithPrefix(prefix))
			if srv.Credentials().Prefix != prefix {
				t.Fatalf("Prefix %q", srv.Credentials().Prefix)
			}
			resp, res := c.pay(cashierPay("P-1"))
			wantResult(t, res, wire.CodeSuccess, wire.StatusS)
			_, res = c.inquiry(wire.PaymentRef{PaymentID: resp.PaymentID})
			wantResult(t, res, wire.CodeSuccess, wire.StatusS)
			// Recorded without the prefix.
			if n := len(srv.Requests(wire.PathPay)); n != 1 {
				t.Errorf("Requests(PathPay) = %d", n)
			}
			// A request signed over the path without the prefix does not
			// verify when a prefix is configured.
			if prefix != "" {
				body := payBody("P-2")
				req := c.SignedRequest(wire.PathPay, body)
				c.resign(req, c.key, wire.PathPay, body)
				a, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				wantResult(t, a.Result, wire.CodeInvalidSignature, wire.StatusF)
			}
			// The endpoints are not served at another prefix.
			other := "/other"
			if prefix == "" {
				other = "/api"
			}
			req := c.SignedRequest(wire.PathPay, payBody("P-3"))
			req.URL.Path = other + wire.PathPay
			a, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if prefix == "" {
				// Under the empty prefix every path is: no such API.
				wantResult(t, a.Result, wire.CodeInvalidAPI, wire.StatusF)
			} else if a.Status != http.StatusNotFound {
				t.Errorf("POST %s: status %d, want 404", req.URL.Path, a.Status)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	simtest.WantNotFound(t, c.HTTP, srv.URL, [][2]string{
		{"GET", "/api" + wire.PathPay},
		{"PUT", "/api" + wire.PathRefund},
		{"POST", wire.PathPay},
		{"POST", "/api"},
		{"POST", "/apiv1/payments/pay"},
		{"GET", "/"},
		{"GET", "/cashier/"},
		{"POST", "/cashier/123"},
	})
	if n := srv.RequestCount(); n != 0 {
		t.Errorf("RequestCount = %d after only non-API requests", n)
	}
	// A POST to another path under the prefix is a signed INVALID_API.
	for _, p := range []string{"/v1/payments/unknown", "/v1/payments/pay/", "/v2/payments/pay", "/"} {
		req := c.SignedRequest(p, []byte(`{}`))
		a, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != http.StatusOK || !a.Signed() {
			t.Fatalf("%s: status %d signature %v", p, a.Status, a.SigErr)
		}
		wantResult(t, a.Result, wire.CodeInvalidAPI, wire.StatusF)
		if got := srv.Requests(p); len(got) != 1 || got[0].Result.Code != wire.CodeInvalidAPI {
			t.Errorf("%s not recorded: %+v", p, got)
		}
	}
}

func TestAnswerHeaders(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	a := c.Post(wire.PathInquiry, []byte(`{"paymentId":"x"}`))
	if ct := a.Header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if rt := a.Header.Get(wire.HeaderResponseTime); rt != t0.Format(wire.TimeLayout) || rt != "2026-11-22T18:15:30.000+08:00" {
		t.Errorf("Response-Time %q, want the clock's time", rt)
	}
	if id := a.Header.Get(wire.HeaderClientID); id != srv.Credentials().ClientID {
		t.Errorf("Client-Id %q", id)
	}
	const head = "algorithm=RSA256,keyVersion=1,signature="
	if sh := a.Header.Get(wire.HeaderSignature); !strings.HasPrefix(sh, head) || strings.ContainsAny(sh[len(head):], "+/=") {
		t.Errorf("Signature header %q is not in the documented, URL-encoded form", sh)
	}
	// The answer to an unknown Client-Id carries that Client-Id, signed.
	req := c.SignedRequest(wire.PathInquiry, []byte(`{"paymentId":"x"}`))
	req.Header.Set(wire.HeaderClientID, "SOMEONE-ELSE")
	a, err := c.Do(req)
	if err != nil || !a.Signed() {
		t.Fatalf("%v %v", err, a)
	}
	wantResult(t, a.Result, wire.CodeInvalidClient, wire.StatusF)
	if a.Header.Get(wire.HeaderClientID) != "SOMEONE-ELSE" {
		t.Errorf("Client-Id %q", a.Header.Get(wire.HeaderClientID))
	}
	// Without one, the configured Client-Id.
	req.Header.Del(wire.HeaderClientID)
	if a, _ = c.Do(req); a.Header.Get(wire.HeaderClientID) != DefaultClientID || !a.Signed() {
		t.Errorf("Client-Id %q signature %v", a.Header.Get(wire.HeaderClientID), a.SigErr)
	}
}

func TestLoggerNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	srv, c, _ := newFakeServer(t, WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	const token = "ACCESS-TOKEN-3f9a8b7c6d5e"
	req := c.SignedRequest(wire.PathPay, payBody("LOG-1"))
	sig := req.Header.Get(wire.HeaderSignature)
	if _, err := c.Do(req); err != nil {
		t.Fatal(err)
	}
	c.pay(agreementPay("LOG-2", token))
	resp, res := c.pay(agreementPay("LOG-2", token+"x")) // inconsistent: no echo
	wantResult(t, res, wire.CodeRepeatReqInconsistent, wire.StatusF)
	out := buf.String()
	if !strings.Contains(out, wire.PathPay) || !strings.Contains(out, wire.CodeSuccess) {
		t.Errorf("log lacks path and result: %s", out)
	}
	cr := srv.Credentials()
	for _, secret := range []string{token, sig[len(sig)-40:], cr.MerchantPrivateKey[40:80], cr.WalletPrivateKey[40:80]} {
		if strings.Contains(out, secret) || strings.Contains(res.ResultMessage, secret) || strings.Contains(resp.PaymentID, secret) {
			t.Errorf("log or answer contains a secret")
		}
	}
	for _, r := range srv.Requests(wire.PathPay) {
		if strings.Contains(r.Result.Message, token) {
			t.Errorf("a result message quotes paymentAuthCode")
		}
	}
}
