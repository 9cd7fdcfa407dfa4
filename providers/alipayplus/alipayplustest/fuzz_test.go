package alipayplustest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// ackTransport answers every request with the notification
// acknowledgement, without any network.
type ackTransport struct{}

func (ackTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(wire.Ack)), Request: r,
	}, nil
}

// FuzzPayBody sends arbitrary, correctly signed bodies to every endpoint
// (pay above all) and checks that the server never panics and always
// answers a signed JSON result whose message does not quote
// paymentAuthCode.
func FuzzPayBody(f *testing.F) {
	for _, r := range []*wire.PayRequest{cashierPay("FZ-1"), agreementPay("FZ-2", "secret-token-123"), agreementPay("FZ-3", AuthCodePoor)} {
		b, _ := json.Marshal(r)
		f.Add(uint8(0), b)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"a":`, `{"order":null}`, `{"order":{"orderAmount":null}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"IQD","value":"9999999999999999"},"order":{}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"USD","value":1e400},"order":{}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"USD","value":"1"},"order":{"goods":[null,{"goodsUnitAmount":{}}]}}`,
		`{"productCode":"p","paymentRequestId":"a","paymentAmount":{"currency":"USD","value":"1"},"order":{},"paymentExpiryTime":"9999-12-31T23:59:59+14:00"}`,
		`{"paymentId":"1","paymentRequestId":"a"}`,
		`{"refundRequestId":"r","paymentRequestId":"a","refundAmount":{"currency":"USD","value":"1"}}`,
		`{"refundId":"1","refundRequestId":"x"}`,
		`{"productCode":"p","paymentRequestId":"n","paymentAmount":{"currency":"USD","value":"1"},"order":{},"paymentNotifyUrl":"http://127.0.0.1:9/n"}`,
		"{\"paymentRequestId\":\"\xff\xfe\"}",
		`{"paymentRequestId":"\ud800"}`,
	} {
		f.Add(uint8(0), []byte(s))
		f.Add(uint8(3), []byte(s))
		f.Add(uint8(7), []byte(s))
	}

	clk := clock.NewFake(t0)
	// Fuzzed notify URLs must reach nobody: every notification is
	// acknowledged in process, so no delivery waits for a retry either.
	srv := NewUnstartedServer(WithClock(clk), WithAutoComplete(true), WithNotifyClient(&http.Client{Transport: ackTransport{}}))
	defer srv.Close()
	h := srv.Handler()
	paths := []string{wire.PathPay, wire.PathInquiry, wire.PathCancel, wire.PathRefund, wire.PathInquiryRefund}
	cr := srv.Credentials()
	key, _ := signing.ParsePrivateKey(cr.MerchantPrivateKey)
	walletPub, _ := signing.ParsePublicKey(cr.WalletPublicKey)

	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := wire.PathPay
		if which%4 == 3 { // a quarter of inputs go to the other endpoints
			path = paths[1+int(which/4)%(len(paths)-1)]
		}
		uri := cr.Prefix + path
		rt := clk.Now().Format(wire.TimeLayout)
		sig, err := signing.Sign(key, signing.Message("POST", uri, body, cr.ClientID, rt))
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "http://wallet.test"+uri, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
		req.Header.Set(wire.HeaderClientID, cr.ClientID)
		req.Header.Set(wire.HeaderRequestTime, rt)
		req.Header.Set(wire.HeaderSignature, signing.Header{Algorithm: "RSA256", KeyVersion: cr.KeyVersion, Signature: sig}.Format(which%2 == 0))
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
		case wire.StatusS, wire.StatusF, wire.StatusA:
		default:
			t.Fatalf("resultStatus %q", answer.Result.ResultStatus)
		}
		sh, err := signing.ParseHeader(resp.Header.Get(wire.HeaderSignature))
		if err != nil {
			t.Fatalf("Signature header: %v", err)
		}
		msg := signing.Message("POST", uri, out, resp.Header.Get(wire.HeaderClientID), resp.Header.Get(wire.HeaderResponseTime))
		if err := signing.Verify(walletPub, msg, sh.Signature); err != nil {
			t.Fatalf("answer signature: %v", err)
		}
		var in struct {
			PaymentAuthCode string `json:"paymentAuthCode"`
		}
		// Seeded tokens start with "secret-", which no message contains.
		if json.Unmarshal(body, &in) == nil && strings.HasPrefix(in.PaymentAuthCode, "secret-") && bytes.Contains([]byte(answer.Result.ResultMessage), []byte(in.PaymentAuthCode)) {
			t.Fatalf("result message echoes paymentAuthCode: %s", out)
		}
	})
}
