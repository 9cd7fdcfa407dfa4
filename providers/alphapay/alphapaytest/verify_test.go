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
	simtest.CheckRejected(t, c.Client, srv, wire.PathPay, body, "V-1", kitResult, []simtest.Rejected{
		{Name: "merchant code missing", Edit: func(r *http.Request) { r.Header.Del(wire.HeaderMerchantCode) }, Code: wire.CodeInvalidMerchantCode, Contains: "missing"},
		{Name: "merchant code unknown", Edit: func(r *http.Request) {
			r.Header.Set(wire.HeaderMerchantCode, "ZZZZZZ")
			resign(r, c.key, wire.PathPay, body)
		}, Code: wire.CodeInvalidMerchantCode, Contains: "unknown"},
		{Name: "merchant code twice", Edit: func(r *http.Request) { r.Header.Add(wire.HeaderMerchantCode, c.creds.MerchantCode) }, Code: wire.CodeInvalidMerchantCode, Contains: ""},
		{Name: "request time missing", Edit: func(r *http.Request) { r.Header.Del(wire.HeaderRequestTime) }, Code: wire.CodeSignTimeout, Contains: "missing"},
		{Name: "request time unparseable", Edit: withTime("22/11/2026 10:15"), Code: wire.CodeSignTimeout, Contains: "RFC 3339"},
		{Name: "request time without offset", Edit: withTime("2026-11-22T10:15:30"), Code: wire.CodeSignTimeout, Contains: "RFC 3339"},
		{Name: "request time 6 minutes late", Edit: withTime(t0.Add(-6 * time.Minute).Format(wire.TimeLayout)), Code: wire.CodeSignTimeout, Contains: "5 minutes"},
		{Name: "request time 6 minutes early", Edit: withTime(t0.Add(6 * time.Minute).Format(wire.TimeLayout)), Code: wire.CodeSignTimeout, Contains: "5 minutes"},
		{Name: "nonce missing", Edit: func(r *http.Request) { r.Header.Del(wire.HeaderNonce) }, Code: wire.CodeParamInvalid, Contains: "Nonce"},
		{Name: "signature missing", Edit: func(r *http.Request) { r.Header.Del(wire.HeaderSignature) }, Code: wire.CodeInvalidSign, Contains: "missing"},
		{Name: "signature malformed", Edit: func(r *http.Request) { r.Header.Set(wire.HeaderSignature, "algorithm=RS256,keyVersion=1") }, Code: wire.CodeInvalidSign, Contains: "malformed"},
		{Name: "signature not base64", Edit: func(r *http.Request) {
			r.Header.Set(wire.HeaderSignature, "algorithm=RS256,keyVersion=1,signature=!!!")
		}, Code: wire.CodeInvalidSign, Contains: "malformed"},
		{Name: "signature wrong algorithm", Edit: func(r *http.Request) {
			h, _ := signing.ParseHeader(r.Header.Get(wire.HeaderSignature))
			h.Algorithm = "HS256"
			r.Header.Set(wire.HeaderSignature, h.Format(true))
		}, Code: wire.CodeInvalidSign, Contains: "RS256"},
		{Name: "signed by another key", Edit: func(r *http.Request) { resign(r, otherKey, wire.PathPay, body) }, Code: wire.CodeInvalidSign, Contains: "verify"},
		{Name: "signed by AlphaPay's key", Edit: func(r *http.Request) { resign(r, c.srv.Signer().(*rsa.PrivateKey), wire.PathPay, body) }, Code: wire.CodeInvalidSign, Contains: "verify"},
		{Name: "signed over another path", Edit: func(r *http.Request) { resign(r, c.key, wire.PathInquiry, body) }, Code: wire.CodeInvalidSign, Contains: "verify"},
		{Name: "signed over another body", Edit: func(r *http.Request) { resign(r, c.key, wire.PathPay, append(body, ' ')) }, Code: wire.CodeInvalidSign, Contains: "verify"},
		{Name: "content type not JSON", Edit: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, Code: wire.CodeParamInvalid, Contains: "Content-Type"},
	})
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
	srv, c, _ := newFakeServer(t)
	simtest.CheckRejected(t, c.Client, srv, wire.PathPay, nil, "a", kitResult, []simtest.Rejected{
		{Name: "empty", Body: ``, Code: wire.CodeParamInvalid, Contains: "empty"},
		{Name: "not JSON", Body: `{"scenarioCode":`, Code: wire.CodeParamInvalid, Contains: "not valid JSON"},
		{Name: "array", Body: `[1,2]`, Code: wire.CodeParamInvalid, Contains: "not a JSON object"},
		{Name: "string", Body: `"x"`, Code: wire.CodeParamInvalid, Contains: "not a JSON object"},
		{Name: "trailing data", Body: `{} {}`, Code: wire.CodeParamInvalid, Contains: "after"},
		{Name: "wrong type", Body: `{"scenarioCode":1}`, Code: wire.CodeParamInvalid, Contains: "scenarioCode"},
		{Name: "wrong nested type", Body: `{"scenarioCode":"OFFLINE","paymentRequestId":"a","order":{"orderAmount":{"value":"1","currency":5}}}`, Code: wire.CodeParamInvalid, Contains: "wrong type"},
		{Name: "amount value as number", Body: `{"scenarioCode":"OFFLINE_QRCODE","paymentRequestId":"a","order":{"orderAmount":{"value":100,"currency":"CAD"}}}`, Code: wire.CodeParamInvalid, Contains: "order.orderAmount.value"},
		{Name: "wrong case", Body: `{"ScenarioCode":"OFFLINE_QRCODE"}`, Code: wire.CodeParamInvalid, Contains: "scenarioCode has the wrong case"},
		{Name: "folded case", Body: `{"ſcenarioCode":"OFFLINE_QRCODE"}`, Code: wire.CodeParamInvalid, Contains: "wrong case"},
		{Name: "duplicate key", Body: `{"paymentRequestId":"a","paymentRequestId":"b"}`, Code: wire.CodeParamInvalid, Contains: "duplicate field paymentRequestId"},
		{Name: "too deep", Body: strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40), Code: wire.CodeParamInvalid, Contains: "deeply"},
	})
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
