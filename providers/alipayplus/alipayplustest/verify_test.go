package alipayplustest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

func TestVerificationFailures(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	body := payBody("V-1")
	uri := "/api" + wire.PathPay
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// withTime re-signs the request with another Request-Time.
	withTime := func(rt string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set(wire.HeaderRequestTime, rt)
			c.resign(r, c.key, uri, body)
		}
	}
	// withHeader replaces the Signature header, keeping the signature.
	withHeader := func(edit func(h *signing.Header)) func(*http.Request) {
		return func(r *http.Request) {
			h, _ := signing.ParseHeader(r.Header.Get(wire.HeaderSignature))
			edit(&h)
			r.Header.Set(wire.HeaderSignature, h.Format(true))
		}
	}
	simtest.CheckRejected(t, c.Client, srv, wire.PathPay, body, "V-1", kitResult, []simtest.Rejected{
		{Name: "client id missing", Edit: func(r *http.Request) { r.Header.Del(wire.HeaderClientID) }, Code: wire.CodeInvalidClient, Contains: "missing"},
		{Name: "client id unknown", Edit: func(r *http.Request) {
			r.Header.Set(wire.HeaderClientID, "2022091516250500002")
			c.resign(r, c.key, uri, body)
		}, Code: wire.CodeInvalidClient, Contains: "unknown"},
		{Name: "client id twice", Edit: func(r *http.Request) { r.Header.Add(wire.HeaderClientID, c.creds.ClientID) }, Code: wire.CodeInvalidClient, Contains: "missing"},
		{Name: "request time missing", Edit: func(r *http.Request) { r.Header.Del(wire.HeaderRequestTime) }, Code: wire.CodeRequestTimeInvalid, Contains: "missing"},
		{Name: "request time unparseable", Edit: withTime("22/11/2026 18:15"), Code: wire.CodeRequestTimeInvalid, Contains: "ISO 8601"},
		{Name: "request time without offset", Edit: withTime("2026-11-22T18:15:30"), Code: wire.CodeRequestTimeInvalid, Contains: "ISO 8601"},
		{Name: "request time of 12 digits", Edit: withTime("179534253000"), Code: wire.CodeRequestTimeInvalid, Contains: "Unix time digits"},
		{Name: "request time signed digits", Edit: withTime("+795342530000"), Code: wire.CodeRequestTimeInvalid, Contains: "Unix time digits"},
		{Name: "request time Unix millis 6 minutes late", Edit: withTime(strconv.FormatInt(t0.Add(-6*time.Minute).UnixMilli(), 10)), Code: wire.CodeRequestTimeInvalid, Contains: "5 minutes"},
		{Name: "request time Unix nanos 6 minutes early", Edit: withTime(strconv.FormatInt(t0.Add(6*time.Minute).UnixNano(), 10)), Code: wire.CodeRequestTimeInvalid, Contains: "5 minutes"},
		{Name: "request time 6 minutes late", Edit: withTime(t0.Add(-6 * time.Minute).Format(wire.TimeLayout)), Code: wire.CodeRequestTimeInvalid, Contains: "5 minutes"},
		{Name: "request time 6 minutes early", Edit: withTime(t0.Add(6 * time.Minute).Format(wire.TimeLayout)), Code: wire.CodeRequestTimeInvalid, Contains: "5 minutes"},
		{Name: "signature missing", Edit: func(r *http.Request) { r.Header.Del(wire.HeaderSignature) }, Code: wire.CodeInvalidSignature, Contains: "missing"},
		{Name: "signature without value", Edit: func(r *http.Request) { r.Header.Set(wire.HeaderSignature, "algorithm=RSA256,keyVersion=1") }, Code: wire.CodeInvalidSignature, Contains: "malformed"},
		{Name: "signature not base64", Edit: func(r *http.Request) {
			r.Header.Set(wire.HeaderSignature, "algorithm=RSA256,keyVersion=1,signature=!!!")
		}, Code: wire.CodeInvalidSignature, Contains: "malformed"},
		{Name: "key version other", Edit: withHeader(func(h *signing.Header) { h.KeyVersion = "2" }), Code: wire.CodeKeyNotFound, Contains: "keyVersion"},
		{Name: "key version missing", Edit: func(r *http.Request) {
			h, _ := signing.ParseHeader(r.Header.Get(wire.HeaderSignature))
			r.Header.Set(wire.HeaderSignature, "algorithm=RSA256,signature="+base64.StdEncoding.EncodeToString(h.Signature))
		}, Code: wire.CodeKeyNotFound, Contains: "keyVersion"},
		{Name: "algorithm HS256", Edit: withHeader(func(h *signing.Header) { h.Algorithm = "HS256" }), Code: wire.CodeInvalidSignature, Contains: "RSA256"},
		{Name: "algorithm missing", Edit: withHeader(func(h *signing.Header) { h.Algorithm = "" }), Code: wire.CodeInvalidSignature, Contains: "RSA256"},
		{Name: "signed by another key", Edit: func(r *http.Request) { c.resign(r, otherKey, uri, body) }, Code: wire.CodeInvalidSignature, Contains: "verify"},
		{Name: "signed by the wallet's key", Edit: func(r *http.Request) { c.resign(r, c.srv.Signer().(*rsa.PrivateKey), uri, body) }, Code: wire.CodeInvalidSignature, Contains: "verify"},
		{Name: "signed over another path", Edit: func(r *http.Request) { c.resign(r, c.key, "/api"+wire.PathInquiry, body) }, Code: wire.CodeInvalidSignature, Contains: "verify"},
		{Name: "signed over another body", Edit: func(r *http.Request) { c.resign(r, c.key, uri, append(body, ' ')) }, Code: wire.CodeInvalidSignature, Contains: "verify"},
		{Name: "signed with another time", Edit: func(r *http.Request) {
			r.Header.Set(wire.HeaderRequestTime, t0.Add(time.Second).Format(wire.TimeLayout))
		}, Code: wire.CodeInvalidSignature, Contains: "verify"},
		{Name: "signed with the AlphaPay layout", Edit: func(r *http.Request) {
			sig, _ := signing.Sign(c.key, signing.Message("POST", uri, body, c.creds.ClientID, r.Header.Get(wire.HeaderRequestTime), "nonce"))
			r.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true))
		}, Code: wire.CodeInvalidSignature, Contains: "verify"},
		{Name: "content type not JSON", Edit: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, Code: wire.CodeMsgParseError, Contains: "Content-Type"},
		{Name: "content type other charset", Edit: func(r *http.Request) { r.Header.Set("Content-Type", "application/json; charset=ISO-8859-1") }, Code: wire.CodeMsgParseError, Contains: "Content-Type"},
	})
}

// iso and unix are the Request-Time forms the server reads: ISO 8601 as
// the wallets document it, and Unix time digits as Alipay's official SDKs
// send it (Java: milliseconds; Go: time.Now().UnixNano()).
var (
	iso = []string{
		t0.Format(wire.TimeLayout),
		t0.UTC().Format(time.RFC3339),                    // Z
		t0.UTC().Format("2006-01-02T15:04:05.000-07:00"), // +00:00, as Super Qi wants
		t0.Format(time.RFC3339Nano),
		t0.Add(5 * time.Minute).Format(wire.TimeLayout), // early, at the edge
		t0.Add(-5 * time.Minute).In(time.FixedZone("", -3*3600)).Format(wire.TimeLayout),
	}
	unix = []string{
		strconv.FormatInt(t0.Unix(), 10),
		strconv.FormatInt(t0.Add(1234*time.Millisecond).UnixMilli(), 10), // Java SDK
		strconv.FormatInt(t0.UnixMicro(), 10),
		strconv.FormatInt(t0.Add(-4*time.Minute).UnixNano(), 10), // Go SDK
		strconv.FormatInt(t0.Add(5*time.Minute).UnixMilli(), 10), // early, at the edge
	}
)

// requestTimeAnswer sends an inquiry signed over Request-Time rt and
// returns the answer's result.
func requestTimeAnswer(t *testing.T, c *testClient, rt string) wire.Result {
	t.Helper()
	body := []byte(`{"paymentId":"1"}`)
	req := c.SignedRequest(wire.PathInquiry, body)
	req.Header.Set(wire.HeaderRequestTime, rt)
	c.resign(req, c.key, "/api"+wire.PathInquiry, body)
	a, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return a.Result
}

func TestRequestTimeForms(t *testing.T) {
	_, c, _ := newFakeServer(t)
	for _, rt := range append(append([]string(nil), iso...), unix...) {
		// Verification passed: the unknown payment is the answer.
		if res := requestTimeAnswer(t, c, rt); res.ResultCode != wire.CodeOrderNotExist {
			t.Errorf("Request-Time %s: %+v", rt, res)
		}
	}
}

// WithStrictRequestTime is the reading of the wallets' documentation
// alone: ISO 8601 only.
func TestStrictRequestTime(t *testing.T) {
	_, c, _ := newFakeServer(t, WithStrictRequestTime(true))
	for _, rt := range iso {
		if res := requestTimeAnswer(t, c, rt); res.ResultCode != wire.CodeOrderNotExist {
			t.Errorf("Request-Time %s: %+v", rt, res)
		}
	}
	for _, rt := range unix {
		res := requestTimeAnswer(t, c, rt)
		wantResult(t, res, wire.CodeRequestTimeInvalid, wire.StatusF)
		if !strings.Contains(res.ResultMessage, "ISO 8601") || strings.Contains(res.ResultMessage, "Unix") {
			t.Errorf("Request-Time %s: message %q", rt, res.ResultMessage)
		}
	}
}

func TestRequestSignatureForms(t *testing.T) {
	_, c, _ := newFakeServer(t)
	body := []byte(`{"paymentId":"1"}`)
	sigOf := func(req *http.Request) []byte {
		h, err := signing.ParseHeader(req.Header.Get(wire.HeaderSignature))
		if err != nil {
			t.Fatal(err)
		}
		return h.Signature
	}
	for name, form := range map[string]func(sig []byte) string{
		"URL-encoded": func(sig []byte) string {
			return signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true)
		},
		"raw base64": func(sig []byte) string {
			return signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(false)
		},
		"RS256": func(sig []byte) string {
			return signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true)
		},
		"SHA256withRSA": func(sig []byte) string {
			return signing.Header{Algorithm: "SHA256withRSA", KeyVersion: "1", Signature: sig}.Format(false)
		},
		"lower case": func(sig []byte) string {
			return signing.Header{Algorithm: "rsa256", KeyVersion: "1", Signature: sig}.Format(true)
		},
		"other order and spaces": func(sig []byte) string {
			return "signature=" + base64.StdEncoding.EncodeToString(sig) + ", keyVersion=1 , algorithm=RSA256"
		},
	} {
		t.Run(name, func(t *testing.T) {
			req := c.SignedRequest(wire.PathInquiry, body)
			req.Header.Set(wire.HeaderSignature, form(sigOf(req)))
			a, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			wantResult(t, a.Result, wire.CodeOrderNotExist, wire.StatusF)
		})
	}
	// The test client itself in raw mode.
	c.raw = true
	a := c.Post(wire.PathInquiry, body)
	wantResult(t, a.Result, wire.CodeOrderNotExist, wire.StatusF)
}

// TestAnswerSignatureEncodings checks the answer signature over the
// prefixed path with the wallet key, URL-encoded by default and raw with
// WithRawSignature, for every result status the server produces.
func TestAnswerSignatureEncodings(t *testing.T) {
	for _, raw := range []bool{false, true} {
		for _, prefix := range []string{"", "/api", "/miniprogram/api"} {
			srv, c, _ := newFakeServer(t, WithRawSignature(raw), WithPrefix(prefix), WithAcceptStatus("A"))
			resp, res := c.pay(cashierPay("ENC-1")) // c.post verifies the signature
			wantResult(t, res, wire.CodeAccept, wire.StatusA)
			srv.Script(wire.PathInquiry, Fault{Result: &payment.Result{Status: payment.ResultUnknown, Code: wire.CodeUnknownException}})
			for _, body := range []string{`{"paymentId":"` + resp.PaymentID + `"}`, `{"paymentId":"` + resp.PaymentID + `"}`, `{"paymentId":"0"}`} {
				req := c.SignedRequest(wire.PathInquiry, []byte(body))
				a, err := c.Do(req)
				if err != nil || !a.Signed() {
					t.Fatalf("raw=%v prefix=%q: %v %v", raw, prefix, err, a.SigErr)
				}
				h, _ := signing.ParseHeader(a.Header.Get(wire.HeaderSignature))
				if got := a.Header.Get(wire.HeaderSignature); got != h.Format(!raw) {
					t.Errorf("raw=%v: Signature header %q is not in the expected encoding", raw, got)
				}
				// Over the path without the prefix it must not verify.
				if prefix != "" {
					msg := signing.Message("POST", wire.PathInquiry, a.Body, a.Header.Get(wire.HeaderClientID), a.Header.Get(wire.HeaderResponseTime))
					if signing.Verify(c.walletPub, msg, h.Signature) == nil {
						t.Errorf("answer signature ignores the prefix")
					}
				}
			}
		}
	}
}

// TestQueryString checks that requests and answers are signed over the
// whole request URI, query string included (docs/providers/alipayplus.md,
// Signing).
func TestQueryString(t *testing.T) {
	_, c, _ := newFakeServer(t)
	body := []byte(`{"paymentId":"1"}`)
	const query = "trace=a%2Fb&x=1"
	path := "/api" + wire.PathInquiry
	send := func(signedOver string) *answer {
		req := c.SignedRequest(wire.PathInquiry, body)
		req.URL.RawQuery = query
		c.resign(req, c.key, signedOver, body)
		return mustDo(t, c, req)
	}
	// Signed over the path alone: rejected.
	wantResult(t, send(path).Result, wire.CodeInvalidSignature, wire.StatusF)
	a := send(path + "?" + query)
	wantResult(t, a.Result, wire.CodeOrderNotExist, wire.StatusF)
	if !a.Signed() {
		t.Fatalf("answer signature over the URI with its query: %v", a.SigErr)
	}
	h, _ := signing.ParseHeader(a.Header.Get(wire.HeaderSignature))
	msg := signing.Message("POST", path, a.Body, a.Header.Get(wire.HeaderClientID), a.Header.Get(wire.HeaderResponseTime))
	if signing.Verify(c.walletPub, msg, h.Signature) == nil {
		t.Errorf("answer signed over the path without the query")
	}
}

func TestUnsignedFailures(t *testing.T) {
	srv, c, _ := newFakeServer(t, WithUnsignedFailures(true))
	get := func(path string, body []byte) *answer {
		t.Helper()
		a, err := c.Do(c.SignedRequest(path, body))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// S: signed.
	a := get(wire.PathPay, payBody("UF-1"))
	wantResult(t, a.Result, wire.CodeSuccess, wire.StatusS)
	if !a.Signed() {
		t.Errorf("S answer unsigned: %v", a.SigErr)
	}
	// F, from verification and from processing: unsigned, but with
	// Client-Id and Response-Time.
	req := c.SignedRequest(wire.PathInquiry, []byte(`{"paymentId":"1"}`))
	req.Header.Set(wire.HeaderRequestTime, "yesterday")
	for _, a := range []*answer{get(wire.PathInquiry, []byte(`{"paymentId":"1"}`)), mustDo(t, c, req)} {
		if a.Result.ResultStatus != wire.StatusF || a.Header.Get(wire.HeaderSignature) != "" {
			t.Errorf("F answer %+v signed %q", a.Result, a.Header.Get(wire.HeaderSignature))
		}
		if a.Header.Get(wire.HeaderClientID) == "" || a.Header.Get(wire.HeaderResponseTime) == "" {
			t.Errorf("unsigned answer lacks Client-Id or Response-Time")
		}
	}
	// U: unsigned. A: signed.
	srv.Script(wire.PathInquiry, Fault{Result: &payment.Result{Status: payment.ResultUnknown, Code: wire.CodeUnknownException}})
	if a := get(wire.PathInquiry, []byte(`{"paymentId":"1"}`)); a.Result.ResultStatus != wire.StatusU || a.Header.Get(wire.HeaderSignature) != "" {
		t.Errorf("U answer signed")
	}
	srv.Script(wire.PathPay, Fault{Result: &payment.Result{Status: payment.ResultAccepted, Code: wire.CodeAccept}})
	if a := get(wire.PathPay, payBody("UF-2")); a.Result.ResultStatus != wire.StatusA || !a.Signed() {
		t.Errorf("A answer unsigned")
	}
}

func mustDo(t *testing.T, c *testClient, req *http.Request) *answer {
	t.Helper()
	a, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestBodyFailures(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	simtest.CheckRejected(t, c.Client, srv, wire.PathPay, nil, "a", kitResult, []simtest.Rejected{
		{Name: "empty", Body: ``, Code: wire.CodeMsgParseError, Contains: "empty"},
		{Name: "not JSON", Body: `{"productCode":`, Code: wire.CodeMsgParseError, Contains: "not valid JSON"},
		{Name: "not JSON at all", Body: `productCode=1`, Code: wire.CodeMsgParseError, Contains: "not valid JSON"},
		{Name: "trailing data", Body: `{} {}`, Code: wire.CodeMsgParseError, Contains: "after"},
		{Name: "invalid UTF-8", Body: "{\"productCode\":\"\xff\"}", Code: wire.CodeMsgParseError, Contains: "UTF-8"},
		{Name: "too deep", Body: strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40), Code: wire.CodeMsgParseError, Contains: "deeply"},
		{Name: "array", Body: `[1,2]`, Code: wire.CodeParamIllegal, Contains: "JSON object"},
		{Name: "null", Body: `null`, Code: wire.CodeParamIllegal, Contains: "JSON object"},
		{Name: "wrong type", Body: `{"productCode":1}`, Code: wire.CodeParamIllegal, Contains: "productCode must be a string"},
		{Name: "wrong nested type", Body: `{"order":{"merchant":{"merchantName":true}}}`, Code: wire.CodeParamIllegal, Contains: "order.merchant.merchantName must be a string"},
		{Name: "order not an object", Body: `{"order":"x"}`, Code: wire.CodeParamIllegal, Contains: "order must be an object"},
		{Name: "goods not an array", Body: `{"order":{"goods":{}}}`, Code: wire.CodeParamIllegal, Contains: "order.goods must be an array"},
		{Name: "goods element", Body: `{"order":{"goods":[{"goodsName":1}]}}`, Code: wire.CodeParamIllegal, Contains: "order.goods[0].goodsName must be a string"},
		{Name: "amount value as number", Body: `{"paymentAmount":{"currency":"USD","value":100}}`, Code: wire.CodeParamIllegal, Contains: "paymentAmount.value must be a string"},
		{Name: "amount currency as number", Body: `{"paymentAmount":{"currency":840,"value":"100"}}`, Code: wire.CodeParamIllegal, Contains: "paymentAmount.currency must be a string"},
		{Name: "amount not an object", Body: `{"paymentAmount":"1.00 USD"}`, Code: wire.CodeParamIllegal, Contains: "paymentAmount must be an object"},
		{Name: "wrong case", Body: `{"ProductCode":"x"}`, Code: wire.CodeParamIllegal, Contains: "productCode has the wrong case"},
		{Name: "folded case", Body: `{"paymentRequeſtId":"x"}`, Code: wire.CodeParamIllegal, Contains: "wrong case"},
		{Name: "duplicate key", Body: `{"paymentRequestId":"a","paymentRequestId":"b"}`, Code: wire.CodeParamIllegal, Contains: "duplicate field paymentRequestId"},
		{Name: "duplicate nested key", Body: `{"order":{"x":1,"x":2}}`, Code: wire.CodeParamIllegal, Contains: "duplicate field"},
	})
	t.Run("unknown fields are fine", func(t *testing.T) {
		a := c.Post(wire.PathPay, []byte(`{"productCode":"51051000101000000011","paymentRequestId":"U-1",`+
			`"paymentAmount":{"currency":"USD","value":"100"},"order":{"orderDescription":"x","extra":[1,{"x":null}]},"settlementStrategy":{}}`))
		wantResult(t, a.Result, wire.CodeSuccess, wire.StatusS)
	})
	t.Run("too large", func(t *testing.T) {
		a := c.Post(wire.PathPay, []byte(`{"x":"`+strings.Repeat("a", simulator.MaxBody)+`"}`))
		wantResult(t, a.Result, wire.CodeParamIllegal, wire.StatusF)
	})
	t.Run("every endpoint", func(t *testing.T) {
		for _, p := range []string{wire.PathInquiry, wire.PathCancel, wire.PathRefund, wire.PathInquiryRefund} {
			a := c.Post(p, []byte(`{"paymentId":`))
			wantResult(t, a.Result, wire.CodeMsgParseError, wire.StatusF)
			a = c.Post(p, []byte(`{"paymentId":7,"refundId":7}`))
			wantResult(t, a.Result, wire.CodeParamIllegal, wire.StatusF)
		}
	})
}
