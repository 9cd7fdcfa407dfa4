package alphapaytest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// FuzzPayBody sends arbitrary, correctly signed bodies to every endpoint
// (pay above all) and checks that the server never panics and always
// answers a signed JSON result without echoing card details.
func FuzzPayBody(f *testing.F) {
	for _, r := range validPays() {
		r.PaymentRequestID = "FZ-1"
		b, _ := json.Marshal(r)
		f.Add(uint8(0), b)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"a":`, `{"order":null}`, `{"order":{"orderAmount":null}}`,
		`{"scenarioCode":"OFFLINE_QRCODE","paymentRequestId":"a","order":{"orderAmount":{"value":"9999999","currency":"CNY"}}}`,
		`{"scenarioCode":"CREDIT_CARD","paymentRequestId":"a","order":{"orderAmount":{"value":"1","currency":"CAD"}},"card":{"info":{"number":"4111111111111111","expMonth":1e400,"expYear":2030,"cvv":"123"}}}`,
		`{"scenarioCode":"CREDIT_CARD","paymentRequestId":"a","order":{"orderAmount":{"value":"1","currency":"CAD"}},"card":{"info":{"number":4111111111111111}}}`,
		`{"paymentId":"1","refund":{"refundAmount":{"value":"1","currency":"CAD"}}}`,
		`{"date":"20261122","page":1,"pageLimit":10}`,
		`{"date":"20261122","page":9223372036854775807,"pageLimit":100}`,
		`{"refundId":"1","refundRequestId":"x"}`,
		"{\"paymentRequestId\":\"\xff\xfe\"}",
	} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(3), []byte(s))
	}
	f.Add(uint8(5), []byte(`{"date":"20261122","page":2147483647,"pageLimit":100}`))

	clk := clock.NewFake(t0)
	srv := NewUnstartedServer(WithClock(clk))
	defer srv.Close()
	h := srv.Handler()
	paths := []string{wire.PathPay, wire.PathInquiry, wire.PathCancel, wire.PathRefund, wire.PathInquiryRefund, wire.PathTransactions}
	cr := srv.Credentials()
	key, _ := signing.ParsePrivateKey(cr.MerchantPrivateKey)
	apPub, _ := signing.ParsePublicKey(cr.AlphaPayPublicKey)

	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := wire.PathPay
		if which%4 == 3 { // a quarter of inputs go to the other endpoints
			path = paths[1+int(which/4)%(len(paths)-1)]
		}
		rt := clk.Now().Format(wire.TimeLayout)
		nonce := newNonce()
		sig, err := signing.Sign(key, signing.Message("POST", path, body, cr.MerchantCode, rt, nonce))
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "http://alphapay.test"+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
		req.Header.Set(wire.HeaderMerchantCode, cr.MerchantCode)
		req.Header.Set(wire.HeaderRequestTime, rt)
		req.Header.Set(wire.HeaderNonce, nonce)
		req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)

		resp := w.Result()
		out := w.Body.Bytes()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
			t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var answer struct {
			Result *wire.Result `json:"result"`
		}
		if err := json.Unmarshal(out, &answer); err != nil || answer.Result == nil || answer.Result.ResultCode == "" {
			t.Fatalf("answer is not a JSON result: %s", out)
		}
		switch answer.Result.ResultStatus {
		case wire.StatusS, wire.StatusF, wire.StatusU:
		default:
			t.Fatalf("resultStatus %q", answer.Result.ResultStatus)
		}
		sh, err := signing.ParseHeader(resp.Header.Get(wire.HeaderSignature))
		if err != nil {
			t.Fatalf("Signature header: %v", err)
		}
		msg := signing.Message("POST", path, out, cr.MerchantCode, resp.Header.Get(wire.HeaderResponseTime), resp.Header.Get(wire.HeaderNonce))
		if err := signing.Verify(apPub, msg, sh.Signature); err != nil {
			t.Fatalf("answer signature: %v", err)
		}
		if bytes.Contains(out, []byte(`"info"`)) || bytes.Contains(out, []byte(`"cvv"`)) || bytes.Contains(out, []byte(`"number"`)) {
			t.Fatalf("card details echoed: %s", out)
		}
		var in wire.PayRequest
		if json.Unmarshal(body, &in) == nil && in.Card != nil && in.Card.Info != nil && len(in.Card.Info.Number) >= 12 &&
			bytes.Contains([]byte(answer.Result.ResultMessage), []byte(in.Card.Info.Number)) {
			t.Fatalf("message echoes the card number")
		}
	})
}
