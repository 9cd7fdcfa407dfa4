package alipayplustest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
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

// FuzzParseRequestTime checks the Request-Time reader: it never panics; in
// either mode an ISO 8601 value is read as time.Parse reads it; the strict
// mode reads nothing else; the default mode reads, besides, exactly the
// 10, 13, 16 and 19 digit values that fit an int64, as that many seconds,
// milliseconds, microseconds or nanoseconds since the Unix epoch.
func FuzzParseRequestTime(f *testing.F) {
	for _, s := range []string{
		t0.Format(wire.TimeLayout), t0.UTC().Format(time.RFC3339Nano), "2026-11-22T18:15:30+0800",
		"1795342530", "1795342530123", "1795342530123456", "1795342530123456789", "9223372036854775807",
		"9223372036854775808", "0000000000", "179534253012", "+795342530000", "-795342530000", " 1795342530", "",
		"１７９５３４２５３０",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := parseRequestTime(v, false)
		strict, strictOK := parseRequestTime(v, true)
		want, err := time.Parse(time.RFC3339, v)
		if strictOK != (err == nil) || (strictOK && !strict.Equal(want)) {
			t.Fatalf("strict %q: %v %v; time.Parse: %v %v", v, strict, strictOK, want, err)
		}
		if err == nil {
			if !ok || !got.Equal(want) {
				t.Fatalf("%q: %v %v, want %v", v, got, ok, want)
			}
			return
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		unix := perr == nil && simulator.AllDigits(v) && (len(v) == 10 || len(v) == 13 || len(v) == 16 || len(v) == 19)
		if ok != unix {
			t.Fatalf("%q: accepted %v, want %v", v, ok, unix)
		}
		if !ok {
			return
		}
		var back int64
		switch len(v) {
		case 10:
			back = got.Unix()
		case 13:
			back = got.UnixMilli()
		case 16:
			back = got.UnixMicro()
		case 19:
			back = got.UnixNano()
		}
		if back != n {
			t.Fatalf("%q read as %v, which is %d in its unit", v, got, back)
		}
	})
}
