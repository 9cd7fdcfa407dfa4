package alphapaytest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

func TestVerificationFailures(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	body, _ := json.Marshal(qrPay("V-1"))
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	resign := func(r *http.Request, key *rsa.PrivateKey, path string, b []byte) {
		sig, err := signing.Sign(key, signing.Message("POST", path, b,
			r.Header.Get(wire.HeaderMerchantCode), r.Header.Get(wire.HeaderRequestTime), r.Header.Get(wire.HeaderNonce)))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
	}
	// withTime re-signs the request with another Request-Time.
	withTime := func(rt string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set(wire.HeaderRequestTime, rt)
			resign(r, c.key, wire.PathPay, body)
		}
	}
	tests := []struct {
		name     string
		edit     func(*http.Request)
		code     string
		contains string
	}{
		{"merchant code missing", func(r *http.Request) { r.Header.Del(wire.HeaderMerchantCode) }, wire.CodeInvalidMerchantCode, "missing"},
		{"merchant code unknown", func(r *http.Request) {
			r.Header.Set(wire.HeaderMerchantCode, "ZZZZZZ")
			resign(r, c.key, wire.PathPay, body)
		}, wire.CodeInvalidMerchantCode, "unknown"},
		{"merchant code twice", func(r *http.Request) { r.Header.Add(wire.HeaderMerchantCode, c.creds.MerchantCode) }, wire.CodeInvalidMerchantCode, ""},
		{"request time missing", func(r *http.Request) { r.Header.Del(wire.HeaderRequestTime) }, wire.CodeSignTimeout, "missing"},
		{"request time unparseable", withTime("22/11/2026 10:15"), wire.CodeSignTimeout, "RFC 3339"},
		{"request time without offset", withTime("2026-11-22T10:15:30"), wire.CodeSignTimeout, "RFC 3339"},
		{"request time 6 minutes late", withTime(t0.Add(-6 * time.Minute).Format(wire.TimeLayout)), wire.CodeSignTimeout, "5 minutes"},
		{"request time 6 minutes early", withTime(t0.Add(6 * time.Minute).Format(wire.TimeLayout)), wire.CodeSignTimeout, "5 minutes"},
		{"nonce missing", func(r *http.Request) { r.Header.Del(wire.HeaderNonce) }, wire.CodeParamInvalid, "Nonce"},
		{"signature missing", func(r *http.Request) { r.Header.Del(wire.HeaderSignature) }, wire.CodeInvalidSign, "missing"},
		{"signature malformed", func(r *http.Request) { r.Header.Set(wire.HeaderSignature, "algorithm=RS256,keyVersion=1") }, wire.CodeInvalidSign, "malformed"},
		{"signature not base64", func(r *http.Request) {
			r.Header.Set(wire.HeaderSignature, "algorithm=RS256,keyVersion=1,signature=!!!")
		}, wire.CodeInvalidSign, "malformed"},
		{"signature wrong algorithm", func(r *http.Request) {
			h, _ := signing.ParseHeader(r.Header.Get(wire.HeaderSignature))
			h.Algorithm = "HS256"
			r.Header.Set(wire.HeaderSignature, h.Format(true))
		}, wire.CodeInvalidSign, "RS256"},
		{"signed by another key", func(r *http.Request) { resign(r, otherKey, wire.PathPay, body) }, wire.CodeInvalidSign, "verify"},
		{"signed by AlphaPay's key", func(r *http.Request) { resign(r, c.srv.Signer().(*rsa.PrivateKey), wire.PathPay, body) }, wire.CodeInvalidSign, "verify"},
		{"signed over another path", func(r *http.Request) { resign(r, c.key, wire.PathInquiry, body) }, wire.CodeInvalidSign, "verify"},
		{"signed over another body", func(r *http.Request) { resign(r, c.key, wire.PathPay, append(body, ' ')) }, wire.CodeInvalidSign, "verify"},
		{"content type not JSON", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, wire.CodeParamInvalid, "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests(wire.PathPay))
			req := c.SignedRequest(wire.PathPay, body)
			tt.edit(req)
			a, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != http.StatusOK || !a.Signed() {
				t.Fatalf("status %d signed %v: F answers must be signed 200s", a.Status, a.Signed())
			}
			wantResult(t, a.Result, tt.code, wire.StatusF)
			if !strings.Contains(a.Result.ResultMessage, tt.contains) {
				t.Errorf("message %q does not mention %q", a.Result.ResultMessage, tt.contains)
			}
			reqs := srv.Requests(wire.PathPay)
			if len(reqs) != before+1 || reqs[len(reqs)-1].Result.Code != a.Result.ResultCode || string(reqs[len(reqs)-1].Result.Status) != a.Result.ResultStatus {
				t.Errorf("rejected request not recorded with its result")
			}
			if srv.Orders("V-1") != 0 {
				t.Fatalf("a rejected request created an order")
			}
		})
	}
	_ = clk
}

func TestRequestTimeForms(t *testing.T) {
	_, c, _ := newFakeServer(t)
	body, _ := json.Marshal(wire.PaymentIDRequest{PaymentID: "1"})
	for _, rt := range []string{
		t0.Format(wire.TimeLayout),
		t0.UTC().Format(time.RFC3339),                                  // Z
		t0.Format("2006-01-02T15:04:05.000-07:00"),                     // milliseconds
		t0.UTC().Format(time.RFC3339Nano),                              // Z, no fraction
		t0.Add(4*time.Minute + 59*time.Second).Format(wire.TimeLayout), // early, inside
		t0.Add(-5 * time.Minute).In(time.FixedZone("", 3600)).Format(wire.TimeLayout),
	} {
		req := c.SignedRequest(wire.PathInquiry, body)
		req.Header.Set(wire.HeaderRequestTime, rt)
		sig, _ := signing.Sign(c.key, signing.Message("POST", wire.PathInquiry, body, c.creds.MerchantCode, rt, req.Header.Get(wire.HeaderNonce)))
		req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
		a, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		// Verification passed: the unknown payment is the answer.
		if a.Result.ResultCode != wire.CodeOrderNotExist {
			t.Errorf("Request-Time %s: %+v", rt, a.Result)
		}
	}
}

func TestRawBase64SignatureAccepted(t *testing.T) {
	_, c, _ := newFakeServer(t)
	body, _ := json.Marshal(wire.PaymentIDRequest{PaymentID: "1"})
	req := c.SignedRequest(wire.PathInquiry, body)
	h, _ := signing.ParseHeader(req.Header.Get(wire.HeaderSignature))
	req.Header.Set(wire.HeaderSignature, h.Format(false))
	a, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, a.Result, wire.CodeOrderNotExist, wire.StatusF)
}

func TestNonceReplay(t *testing.T) {
	_, c, clk := newFakeServer(t)
	body, _ := json.Marshal(wire.PaymentIDRequest{PaymentID: "1"})
	first := c.SignedRequest(wire.PathInquiry, body)
	nonce := first.Header.Get(wire.HeaderNonce)
	a, _ := c.Do(first)
	wantResult(t, a.Result, wire.CodeOrderNotExist, wire.StatusF)

	replay := func() wire.Result {
		req := c.SignedRequest(wire.PathInquiry, body)
		req.Header.Set(wire.HeaderNonce, nonce)
		rt := req.Header.Get(wire.HeaderRequestTime)
		sig, _ := signing.Sign(c.key, signing.Message("POST", wire.PathInquiry, body, c.creds.MerchantCode, rt, nonce))
		req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
		a, err := c.Do(req)
		if err != nil || !a.Signed() {
			t.Fatalf("replay: %v, signed %v", err, a != nil && a.Signed())
		}
		return a.Result
	}
	res := replay()
	wantResult(t, res, wire.CodeInvalidSign, wire.StatusF)
	if res.ResultMessage != "nonce already used" {
		t.Errorf("message %q", res.ResultMessage)
	}
	clk.Advance(9 * time.Minute)
	wantResult(t, replay(), wire.CodeInvalidSign, wire.StatusF)
	clk.Advance(2 * time.Minute)
	// Remembered for 10 minutes only (the Request-Time window is 5).
	wantResult(t, replay(), wire.CodeOrderNotExist, wire.StatusF)
}

func TestNoncePruned(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	body, _ := json.Marshal(wire.PaymentIDRequest{PaymentID: "1"})
	for range 300 {
		req := c.SignedRequest(wire.PathInquiry, body)
		if srv.verify(req, body) != nil {
			t.Fatal("verification failed")
		}
		clk.Advance(time.Minute)
	}
	n := srv.nonces.len()
	if n > 256 {
		t.Errorf("%d nonces remembered; old ones are not pruned", n)
	}
}

func TestBodyFailures(t *testing.T) {
	_, c, _ := newFakeServer(t)
	tests := []struct {
		name, body, contains string
	}{
		{"empty", ``, "empty"},
		{"not JSON", `{"scenarioCode":`, "not valid JSON"},
		{"array", `[1,2]`, "not a JSON object"},
		{"string", `"x"`, "not a JSON object"},
		{"trailing data", `{} {}`, "after"},
		{"wrong type", `{"scenarioCode":1}`, "scenarioCode"},
		{"wrong nested type", `{"scenarioCode":"OFFLINE","paymentRequestId":"a","order":{"orderAmount":{"value":"1","currency":5}}}`, "wrong type"},
		{"amount value as number", `{"scenarioCode":"OFFLINE_QRCODE","paymentRequestId":"a","order":{"orderAmount":{"value":100,"currency":"CAD"}}}`, "order.orderAmount.value"},
		{"wrong case", `{"ScenarioCode":"OFFLINE_QRCODE"}`, "scenarioCode has the wrong case"},
		{"folded case", `{"ſcenarioCode":"OFFLINE_QRCODE"}`, "wrong case"},
		{"duplicate key", `{"paymentRequestId":"a","paymentRequestId":"b"}`, "duplicate field paymentRequestId"},
		{"too deep", strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40), "deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := c.Post(wire.PathPay, []byte(tt.body))
			wantResult(t, a.Result, wire.CodeParamInvalid, wire.StatusF)
			if !strings.Contains(a.Result.ResultMessage, tt.contains) {
				t.Errorf("message %q does not mention %q", a.Result.ResultMessage, tt.contains)
			}
		})
	}
	t.Run("unknown fields are fine", func(t *testing.T) {
		a := c.Post(wire.PathPay, []byte(`{"scenarioCode":"OFFLINE_QRCODE","paymentRequestId":"U-1","order":{"orderAmount":{"value":"100","currency":"CAD"},"description":"Tea","extra":[1,{"x":null}]},"terminalId":"T1"}`))
		wantResult(t, a.Result, wire.CodePaymentInProcess, wire.StatusU)
	})
	t.Run("too large", func(t *testing.T) {
		a := c.Post(wire.PathPay, []byte(`{"x":"`+strings.Repeat("a", simulator.MaxBody)+`"}`))
		wantResult(t, a.Result, wire.CodeParamInvalid, wire.StatusF)
	})
}

func TestRoutes(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	simtest.WantNotFound(t, c.HTTP, srv.URL, [][2]string{
		{"GET", wire.PathPay},
		{"PUT", wire.PathRefund},
		{"POST", "/api/v2.0/payments/unknown"},
		{"POST", "/api/v2.0/payments/pay/"},
		{"GET", "/"},
		{"GET", "/pay/"},
	})
	if n := srv.RequestCount(); n != 0 {
		t.Errorf("RequestCount = %d after only non-API requests", n)
	}
}

func TestAnswerHeaders(t *testing.T) {
	_, c, _ := newFakeServer(t)
	a := c.Post(wire.PathInquiry, []byte(`{"paymentId":"x"}`))
	if ct := a.Header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if rt := a.Header.Get(wire.HeaderResponseTime); rt != t0.Format(wire.TimeLayout) {
		t.Errorf("Response-Time %q, want the clock's time %q", rt, t0.Format(wire.TimeLayout))
	}
	if n := a.Header.Get(wire.HeaderNonce); len(n) != 32 || strings.ToLower(n) != n || !isHex(n) {
		t.Errorf("Nonce %q is not 32 lower-case hex", n)
	}
	if sh := a.Header.Get(wire.HeaderSignature); !strings.HasPrefix(sh, "algorithm=RS256,keyVersion=1,signature=") || strings.ContainsAny(sh[len("algorithm=RS256,keyVersion=1,signature="):], "+/=") {
		t.Errorf("Signature header %q is not in the SDK's positional, URL-encoded form", sh)
	}
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
