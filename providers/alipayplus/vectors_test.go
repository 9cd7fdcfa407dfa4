package alipayplus

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/vectors"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// The signing vectors, shared by every package that signs (internal/vectors).
type (
	vector     = vectors.Vector
	vectorFile = vectors.File
)

func loadVectors(t testing.TB) vectorFile { return vectors.Load(t) }

func find(t testing.TB, vs []vector, prefix string) vector { return vectors.Find(t, vs, prefix) }

const vectorClientID = "2022091516250500001"

func vectorConfig(vf vectorFile) Config {
	return Config{
		BaseURL:         "https://api.wallet.example",
		ClientID:        vectorClientID,
		PrivateKey:      vf.Keys["merchant"].PrivateKeyPEM,
		WalletPublicKey: vf.Keys["wallet"].PublicKeyPEM,
	}
}

func vectorClient(t testing.TB, vf vectorFile, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := vectorConfig(vf)
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func vectorTime(t *testing.T, v vector) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, v.Time)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// recorder is a wallet stand-in on loopback: it records each request and
// replays a canned answer.
type recorder struct {
	mu     sync.Mutex
	reqs   []recorded
	answer func(w http.ResponseWriter)
}

type recorded struct {
	URI    string
	Header http.Header
	Body   []byte
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{URI: r.URL.RequestURI(), Header: r.Header.Clone(), Body: b})
	answer := rec.answer
	rec.mu.Unlock()
	answer(w)
}

func (rec *recorder) requests() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.reqs...)
}

// signedAnswer replays a wallet-signed vector as the HTTP answer.
func signedAnswer(v vector, sigHeader string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set(wire.HeaderClientID, v.ClientID)
		w.Header().Set(wire.HeaderResponseTime, v.Time)
		w.Header().Set(wire.HeaderSignature, sigHeader)
		_, _ = io.WriteString(w, v.Body)
	}
}

// vectorPayRequest is the neutral request that must produce the documented
// cashier example.
func vectorPayRequest() *payment.PayRequest {
	return &payment.PayRequest{
		PaymentRequestID: "2019112719074101000700000077771001",
		Scenario:         payment.ScenarioCashier,
		Amount:           money.MustParse("2000 CLP"),
		Description:      "SHOES",
		Order: &payment.Order{
			ReferenceOrderID: "OrderID_0101010101001",
			Merchant: &payment.Merchant{ID: "M000000000010001", MCC: "5661", Name: "UGG Technology Limited",
				DisplayName: "UGG", Region: "MY", City: "KL"},
		},
		Device:    &payment.Device{OS: payment.OSIOS, TerminalType: payment.TerminalMiniApp},
		NotifyURL: "https://merchant.example/notify/wallet",
	}
}

// The whole pay exchange of the vectors: the adapter puts exactly the
// documented bytes on the wire, signs them exactly as the official SDK does
// (both signature encodings), verifies the wallet's signed answer and maps
// it to a pending payment with a POST redirect.
func TestPayReproducesTheVectors(t *testing.T) {
	vf := loadVectors(t)
	reqV := find(t, vf.AlipayPlus, "request: pay (cashier)")
	respV := find(t, vf.AlipayPlus, "response: pay")
	for _, raw := range []bool{false, true} {
		name := map[bool]string{false: "URL-encoded signature", true: "raw base64 signature"}[raw]
		t.Run(name, func(t *testing.T) {
			rec := &recorder{answer: signedAnswer(respV, respV.SignatureHeader)}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			c := vectorClient(t, vf, func(cfg *Config) {
				cfg.BaseURL = srv.URL
				cfg.Clock = clock.NewFake(vectorTime(t, reqV))
				cfg.RawSignature = raw
			})
			p, err := c.Pay(context.Background(), vectorPayRequest())
			if err != nil {
				t.Fatal(err)
			}
			reqs := rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			got := reqs[0]
			if string(got.Body) != reqV.Body {
				t.Fatalf("body\n got %s\nwant %s", got.Body, reqV.Body)
			}
			if got.URI != reqV.Path {
				t.Fatalf("URI %s, want %s", got.URI, reqV.Path)
			}
			wantSig := reqV.SignatureHeader
			if raw {
				wantSig = "algorithm=RSA256,keyVersion=1,signature=" + reqV.SignatureBase64
			}
			for h, want := range map[string]string{
				wire.HeaderSignature:   wantSig,
				wire.HeaderClientID:    reqV.ClientID,
				wire.HeaderRequestTime: reqV.Time,
				"Content-Type":         "application/json; charset=UTF-8",
			} {
				if g := got.Header.Get(h); g != want {
					t.Errorf("%s\n got %s\nwant %s", h, g, want)
				}
			}
			if p.Status != payment.StatusPending || p.PaymentID != "20261122111212800100166001" || !p.Amount.Equal(money.MustParse("2000 CLP")) ||
				p.Action == nil || p.Action.Kind != payment.ActionRedirect || p.Action.HTTPMethod != "POST" ||
				p.Action.URL != "https://wallet.example/cashier?orderId=20261122111212800100166001" {
				t.Fatalf("payment %+v action %+v", p, p.Action)
			}
		})
	}
}

// The refund vector: a 3-decimal currency, keyVersion 2 and a wallet that
// wants whole seconds in Request-Time. The wallet refuses it, signed: F,
// reported with its code and never re-sent. The same F unsigned is not
// believed: anyone on the path could have written it, so the outcome is
// unknown (Alipay's Java SDK would trust it; paybridge does not).
func TestRefundReproducesTheVector(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlipayPlus, "request: refund")
	walletKey, err := signing.ParsePrivateKey(vf.Keys["wallet"].PrivateKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	const refusal = `{"result":{"resultCode":"REFUND_WINDOW_EXCEED","resultStatus":"F","resultMessage":"too late"}}`
	for _, signed := range []bool{true, false} {
		t.Run(map[bool]string{true: "signed F", false: "unsigned F"}[signed], func(t *testing.T) {
			rec := &recorder{}
			rec.answer = func(w http.ResponseWriter) {
				if signed {
					reqs := rec.requests()
					ts := "2026-11-22T18:40:01+03:00"
					sig, _ := signing.Sign(walletKey, signing.Message("POST", reqs[len(reqs)-1].URI, []byte(refusal), vectorClientID, ts))
					w.Header().Set(wire.HeaderClientID, vectorClientID)
					w.Header().Set(wire.HeaderResponseTime, ts)
					w.Header().Set(wire.HeaderSignature, signing.Header{Algorithm: "RSA256", KeyVersion: "2", Signature: sig}.Format(true))
				}
				_, _ = io.WriteString(w, refusal)
			}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			c := vectorClient(t, vf, func(cfg *Config) {
				cfg.BaseURL = srv.URL
				cfg.KeyVersion = "2"
				cfg.TimeLayout = "2006-01-02T15:04:05-07:00"
				cfg.Clock = clock.NewFake(vectorTime(t, v))
			})
			_, err := c.Refund(context.Background(), &payment.RefundRequest{
				RefundRequestID: "REFUND-7",
				Payment:         payment.Ref{PaymentID: "20261122111212800100166001"},
				Amount:          money.MustParse("1.250 KWD"),
				Reason:          "size",
			})
			var pe *payment.Error
			switch {
			case !errors.As(err, &pe):
				t.Fatalf("err = %v", err)
			case signed && (pe.Kind != payment.KindFailed || pe.Result.Code != "REFUND_WINDOW_EXCEED"):
				t.Fatalf("signed F: %v", err)
			case !signed && (pe.Kind != payment.KindUnknownOutcome || !errors.Is(err, ErrUnsigned) || !pe.Result.IsZero() ||
				!strings.Contains(err.Error(), "F REFUND_WINDOW_EXCEED") || strings.Contains(err.Error(), "too late")):
				t.Fatalf("unsigned F: %v (result %v)", err, pe.Result)
			}
			reqs := rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests: an F, or an answer nobody signed, is never re-sent", len(reqs))
			}
			if string(reqs[0].Body) != v.Body {
				t.Fatalf("body\n got %s\nwant %s", reqs[0].Body, v.Body)
			}
			if g := reqs[0].Header.Get(wire.HeaderSignature); g != v.SignatureHeader {
				t.Fatalf("Signature\n got %s\nwant %s", g, v.SignatureHeader)
			}
			if g := reqs[0].Header.Get(wire.HeaderRequestTime); g != v.Time {
				t.Fatalf("Request-Time %s, want %s", g, v.Time)
			}
		})
	}
}

// The merchant-signed vectors verify with the merchant's public key, so the
// string to sign is the one the adapter builds.
func TestRequestVectorsMatchTheStringToSign(t *testing.T) {
	vf := loadVectors(t)
	pub, err := signing.ParsePublicKey(vf.Keys["merchant"].PublicKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vf.AlipayPlus {
		msg := signing.Message("POST", v.Path, []byte(v.Body), v.ClientID, v.Time)
		if string(msg) != v.StringToSign {
			t.Errorf("%s: string to sign\n got %q\nwant %q", v.Name, msg, v.StringToSign)
		}
		if v.SignedBy != "merchant" {
			continue
		}
		h, err := signing.ParseHeader(v.SignatureHeader)
		if err != nil {
			t.Fatal(err)
		}
		if err := signing.Verify(pub, msg, h.Signature); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
	}
}

// vecAnswer is an answer to verify: the URI it was signed for, its
// headers, its body.
type vecAnswer struct {
	uri    string
	header http.Header
	body   []byte
}

// answerOf is the vector v as an answer with the given Signature header.
func answerOf(v vector, sigHeader string) *vecAnswer {
	h := http.Header{}
	h.Set(wire.HeaderClientID, v.ClientID)
	h.Set(wire.HeaderResponseTime, v.Time)
	h.Set(wire.HeaderSignature, sigHeader)
	return &vecAnswer{uri: v.Path, header: h, body: []byte(v.Body)}
}

func (c *Client) verify(a *vecAnswer) error { return c.d.env.Verify(a.uri, a.header, a.body) }

func TestAnswerVectorVerifies(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlipayPlus, "response: pay")
	c := vectorClient(t, vf)
	for name, sig := range map[string]string{
		"URL-encoded":                     v.SignatureHeader,
		"raw base64":                      "algorithm=RSA256,keyVersion=1,signature=" + v.SignatureBase64,
		"pairs reordered, spaced, Rebell": "signature=" + v.SignatureBase64 + ", keyVersion=1, algorithm=SHA256withRSA",
	} {
		if err := c.verify(answerOf(v, sig)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, mutate := range map[string]func(*vecAnswer){
		"body":      func(a *vecAnswer) { a.body = []byte(strings.Replace(string(a.body), "166001", "166002", 1)) },
		"time":      func(a *vecAnswer) { a.header.Set(wire.HeaderResponseTime, "2026-11-22T18:15:30.457+08:00") },
		"path":      func(a *vecAnswer) { a.uri = "/api/v1/payments/pay" },
		"client id": func(a *vecAnswer) { a.header.Set(wire.HeaderClientID, "2022091516250500002") },
		"algorithm": func(a *vecAnswer) {
			a.header.Set(wire.HeaderSignature, strings.Replace(v.SignatureHeader, "RSA256", "RSA1", 1))
		},
		"signature removed (S)":     func(a *vecAnswer) { a.header.Del(wire.HeaderSignature) },
		"half-signed: no Client-Id": func(a *vecAnswer) { a.header.Del(wire.HeaderClientID) },
		"half-signed: no time":      func(a *vecAnswer) { a.header.Del(wire.HeaderResponseTime) },
	} {
		a := answerOf(v, v.SignatureHeader)
		mutate(a)
		if err := c.verify(a); err == nil {
			t.Errorf("altered %s still verifies", name)
		}
	}
	other := vectorClient(t, vf, func(cfg *Config) { cfg.ClientID = "2022091516250500002" })
	if err := other.verify(answerOf(v, v.SignatureHeader)); !errors.Is(err, ErrWrongClient) {
		t.Errorf("verifies for another client: %v", err)
	}
	// The wallet's key, not the merchant's: a merchant-signed message is not
	// an answer.
	reqV := find(t, vf.AlipayPlus, "request: pay (cashier)")
	if err := c.verify(answerOf(reqV, reqV.SignatureHeader)); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("merchant signature accepted as the wallet's: %v", err)
	}
}

// An unsigned answer is never trusted, whatever it says; the error repeats
// its status and code, in the protocol's alphabet only, for support staff.
func TestUnsignedAnswersAreNeverTrusted(t *testing.T) {
	vf := loadVectors(t)
	c := vectorClient(t, vf)
	unsigned := func(body string) *vecAnswer {
		return &vecAnswer{uri: wire.PathPay, header: http.Header{}, body: []byte(body)}
	}
	for _, tc := range []struct{ body, says string }{
		{`{"result":{"resultCode":"ACCESS_DENIED","resultStatus":"F","resultMessage":"secret-ish text"},"paymentId":"P1"}`, "(the answer says F ACCESS_DENIED)"},
		{`{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"}}`, "(the answer says U UNKNOWN_EXCEPTION)"},
		{`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}`, "(the answer says S SUCCESS)"},
		{`{"result":{"resultCode":"ACCEPT","resultStatus":"A"}}`, "(the answer says A ACCEPT)"},
		{`{"result":{"resultCode":"<script>alert(1)</script>","resultStatus":"F"}}`, "(the answer says F)"},
		{`{"result":{"resultCode":"` + strings.Repeat("X", 65) + `","resultStatus":"F"}}`, "(the answer says F)"},
		{`{"result":{"resultCode":"C","resultStatus":"Maybe"}}`, ""},
		{`{"result":{"resultCode":"C"}}`, ""},
		{`<html>ok</html>`, ""},
		{`[{"result":{"resultStatus":"F"}}]`, ""},
		{``, ""},
	} {
		err := c.verify(unsigned(tc.body))
		switch {
		case !errors.Is(err, ErrUnsigned):
			t.Errorf("unsigned %s: %v", tc.body, err)
		case tc.says == "" && err.Error() != ErrUnsigned.Error():
			t.Errorf("unsigned %s: %v says too much", tc.body, err)
		case tc.says != "" && err.Error() != ErrUnsigned.Error()+" "+tc.says:
			t.Errorf("unsigned %s: %q, want it to say %s", tc.body, err, tc.says)
		}
	}
	a := unsigned(`{"result":{"resultStatus":"F"}}`)
	a.header.Set(wire.HeaderClientID, "someone-else")
	if err := c.verify(a); !errors.Is(err, ErrWrongClient) {
		t.Errorf("unsigned F for another client: %v", err)
	}
}

func TestNotificationVectorVerifiesAndParses(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlipayPlus, "notification:")
	c := vectorClient(t, vf)
	header := func(sig string) http.Header {
		h := http.Header{}
		h.Set(wire.HeaderClientID, v.ClientID)
		h.Set(wire.HeaderRequestTime, v.Time)
		h.Set(wire.HeaderSignature, sig)
		return h
	}
	for name, sig := range map[string]string{
		"URL-encoded": v.SignatureHeader,
		"raw base64":  "algorithm=RSA256,keyVersion=1,signature=" + v.SignatureBase64,
	} {
		sentAt, err := c.VerifyNotification(header(sig), v.Path, []byte(v.Body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !sentAt.Equal(vectorTime(t, v)) {
			t.Errorf("%s: sentAt %v", name, sentAt)
		}
	}
	for name, tc := range map[string]struct {
		mutate func(h http.Header) (string, []byte)
		want   error
	}{
		"body": {func(h http.Header) (string, []byte) {
			return v.Path, []byte(strings.Replace(v.Body, "2000", "2001", 1))
		}, signing.ErrBadSignature},
		"time": {func(h http.Header) (string, []byte) {
			h.Set(wire.HeaderRequestTime, "2026-11-22T18:16:03+08:00")
			return v.Path, []byte(v.Body)
		}, signing.ErrBadSignature},
		"path":         {func(h http.Header) (string, []byte) { return "/notify/other", []byte(v.Body) }, signing.ErrBadSignature},
		"query":        {func(h http.Header) (string, []byte) { return v.Path + "?x=1", []byte(v.Body) }, signing.ErrBadSignature},
		"client id":    {func(h http.Header) (string, []byte) { h.Set(wire.HeaderClientID, "1"); return v.Path, []byte(v.Body) }, ErrWrongClient},
		"no client id": {func(h http.Header) (string, []byte) { h.Del(wire.HeaderClientID); return v.Path, []byte(v.Body) }, ErrUnsigned},
		"no time":      {func(h http.Header) (string, []byte) { h.Del(wire.HeaderRequestTime); return v.Path, []byte(v.Body) }, ErrUnsigned},
		"no signature": {func(h http.Header) (string, []byte) { h.Del(wire.HeaderSignature); return v.Path, []byte(v.Body) }, ErrUnsigned},
	} {
		h := header(v.SignatureHeader)
		uri, body := tc.mutate(h)
		if _, err := c.VerifyNotification(h, uri, body); !errors.Is(err, tc.want) {
			t.Errorf("altered %s: %v, want %v", name, err, tc.want)
		}
	}

	ev, err := c.ParseNotification([]byte(v.Body))
	if err != nil {
		t.Fatal(err)
	}
	p := ev.Payment
	if ev.Kind != payment.EventPayment || ev.Provider != Name || ev.Key != "alipayplus:payment:20261122111212800100166001:succeeded" ||
		p == nil || p.Status != payment.StatusSucceeded || p.PaymentRequestID != "2019112719074101000700000077771001" ||
		!p.Amount.Equal(money.MustParse("2000 CLP")) || p.PaidAt.IsZero() || p.CreatedAt.IsZero() {
		t.Fatalf("event %+v payment %+v", ev, p)
	}
	st, ct, ack := c.Acknowledgement()
	if st != http.StatusOK || !strings.HasPrefix(ct, "application/json") || string(ack) != string(wire.Ack) {
		t.Fatalf("ack %d %s %s", st, ct, ack)
	}
}

func TestNotificationShapes(t *testing.T) {
	for name, tc := range map[string]struct {
		body    string
		status  payment.Status
		reason  string
		unknown bool
		err     bool
	}{
		"A success":         {body: `{"paymentId":"P1","paymentRequestId":"R1","paymentAmount":{"currency":"IQD","value":150000},"paymentTime":"2026-11-22T18:16:01+03:00","paymentStatus":"SUCCESS"}`, status: payment.StatusSucceeded},
		"A failure":         {body: `{"paymentId":"P1","paymentRequestId":"R1","paymentStatus":"FAIL","paymentFailReason":"USER_BALANCE_NOT_ENOUGH"}`, status: payment.StatusFailed, reason: "USER_BALANCE_NOT_ENOUGH"},
		"B failure":         {body: `{"paymentId":"P1","paymentRequestId":"R1","paymentResult":{"resultCode":"RISK_REJECT","resultStatus":"F"}}`, status: payment.StatusFailed, reason: "RISK_REJECT"},
		"C success":         {body: `{"notifyType":"PAYMENT_RESULT","result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentRequestId":"R1","paymentId":"P1","paymentAmount":{"currency":"IQD","value":"150000"},"paymentCreateTime":"2026-11-22T18:15:30+03:00","paymentTime":"2026-11-22T18:16:01+03:00"}`, status: payment.StatusSucceeded},
		"C failure":         {body: `{"notifyType":"PAYMENT_RESULT","result":{"resultCode":"USER_BALANCE_NOT_ENOUGH","resultStatus":"F"},"paymentId":"P1"}`, status: payment.StatusFailed, reason: "USER_BALANCE_NOT_ENOUGH"},
		"C pending":         {body: `{"notifyType":"PAYMENT_PENDING","result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}`, unknown: true},
		"C without type":    {body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}`, unknown: true},
		"C unknown result":  {body: `{"notifyType":"PAYMENT_RESULT","result":{"resultStatus":"U"},"paymentId":"P1"}`, unknown: true},
		"A unknown status":  {body: `{"paymentId":"P1","paymentStatus":"REFUNDED"}`, unknown: true},
		"B unknown result":  {body: `{"paymentId":"P1","paymentResult":{"resultStatus":"U"}}`, unknown: true},
		"neither shape":     {body: `{"paymentId":"P1","refundId":"X"}`, unknown: true},
		"no payment":        {body: `{"paymentStatus":"SUCCESS"}`, unknown: true},
		"not JSON":          {body: `paymentId=P1`, err: true},
		"array":             {body: `[]`, err: true},
		"null":              {body: `null`, err: true},
		"bad amount":        {body: `{"paymentId":"P1","paymentStatus":"SUCCESS","paymentAmount":{"currency":"IQD","value":"-1"}}`, err: true},
		"unknown currency":  {body: `{"paymentId":"P1","paymentStatus":"SUCCESS","paymentAmount":{"currency":"ZZZ","value":"1"}}`, err: true},
		"fractional amount": {body: `{"paymentId":"P1","paymentStatus":"SUCCESS","paymentAmount":{"currency":"IQD","value":1.5}}`, err: true},
	} {
		t.Run(name, func(t *testing.T) {
			ev, err := parseNotification([]byte(tc.body))
			switch {
			case tc.unknown:
				if !errors.Is(err, payment.ErrUnknownEvent) {
					t.Fatalf("err = %v, want ErrUnknownEvent", err)
				}
				return
			case tc.err:
				if err == nil || errors.Is(err, payment.ErrUnknownEvent) {
					t.Fatalf("err = %v, want a decoding error", err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if ev.Payment.Status != tc.status || ev.Payment.FailureReason != tc.reason ||
				ev.Key != payment.EventKey(Name, payment.EventPayment, "P1", string(tc.status)) {
				t.Fatalf("event %+v payment %+v", ev, ev.Payment)
			}
			if tc.status == payment.StatusSucceeded && !ev.Payment.Amount.Equal(money.MustParse("150 IQD")) {
				t.Fatalf("amount %s", ev.Payment.Amount)
			}
		})
	}
}
