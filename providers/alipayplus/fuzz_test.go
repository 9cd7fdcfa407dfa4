package alipayplus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/driver/drivertest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// sentinel is an ID no seed contains: a decoded value equal to it can only
// come from the request, which Decode must never copy into an answer.
const sentinel = "SENTINEL-7Q"

// fuzzable reports whether body could spell the sentinel: only when it
// contains it or JSON escapes.
func fuzzable(body string) bool {
	return strings.Contains(body, sentinel) || strings.Contains(body, `\`)
}

// FuzzPayAnswer feeds arbitrary answer bodies to DecodePay, for a cashier
// pay and an auth-code pay. It must never panic. A Done verdict needs S or
// A; the payment is pending with a usable redirect, succeeded only for an
// S on an auth-code pay without a form (never for a REPEAT_REQUEST), or of
// unknown status with no action; nothing comes from the request. Refused
// needs F. And an unsigned answer is never trusted by the envelope.
func FuzzPayAnswer(f *testing.F) {
	vf := loadVectors(f)
	f.Add(find(f, vf.AlipayPlus, "response: pay").Body)
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"1","paymentTime":"2026-11-22T18:15:31+03:00","paymentAmount":{"currency":"IQD","value":150000}}`)
	f.Add(`{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"1","redirectActionForm":{"redirectUrl":"https://qi.example/c"}}`)
	f.Add(`{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"1"}`)
	f.Add(`{"result":{"resultCode":"USER_BALANCE_NOT_ENOUGH","resultStatus":"F"}}`)
	f.Add(`{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"}}`)
	f.Add(`{"result":{"resultStatus":"S"},"paymentId":"1","paymentAmount":{"currency":"IQD","value":"-1"}}`)
	f.Add(`{"result":{"resultStatus":"S"},"paymentId":"1","redirectActionForm":{"method":" ","redirectionUrl":"x"}}`)
	f.Add(`{"result":null}`)
	f.Add(`[]`)
	d := testDriver(f)
	cashier := cashierRequest("150 IQD")
	cashier.PaymentRequestID = sentinel
	auth := authCodeRequest("2000 CLP")
	auth.PaymentRequestID = sentinel
	f.Fuzz(func(t *testing.T, body string) {
		for _, req := range []*payment.PayRequest{cashier, auth} {
			p, v, err := d.DecodePay(req, answer(wire.PathPay, body))
			if err != nil {
				continue
			}
			checkVerdict(t, v, p != nil)
			if v.Outcome != driver.Done {
				continue
			}
			if v.Result.Status != payment.ResultSucceeded && v.Result.Status != payment.ResultAccepted {
				t.Fatalf("%q is done", v.Result.Status)
			}
			switch p.Status {
			case payment.StatusPending:
				if a := p.Action; a == nil || a.Kind != payment.ActionRedirect || a.URL == "" || a.HTTPMethod == "" {
					t.Fatalf("pending without a usable action: %+v", a)
				}
			case payment.StatusSucceeded:
				if req != auth || v.Result.Status != payment.ResultSucceeded || v.Result.Code == wire.CodeRepeatRequest || p.Action != nil {
					t.Fatalf("succeeded from %v on %s: %+v", v.Result, req.Amount, p)
				}
			case "":
				if p.Action != nil {
					t.Fatalf("an action without a status: %+v", p.Action)
				}
			default:
				t.Fatalf("status %q", p.Status)
			}
			if !fuzzable(body) && (p.PaymentRequestID != "" || p.PaymentID == sentinel) {
				t.Fatalf("filled from the request: %+v", p)
			}
			if !p.Amount.Currency().IsZero() && (p.Amount.IsNegative() || !(fuzzable(body) || strings.Contains(strings.ToLower(body), "paymentamount"))) {
				t.Fatalf("amount %s", p.Amount)
			}
			if p.Amount.Currency().IsZero() && !p.Amount.IsZero() {
				t.Fatalf("amount without currency")
			}
		}
		if err := d.env.Verify(wire.PathPay, http.Header{}, []byte(body)); !errors.Is(err, ErrUnsigned) {
			t.Fatalf("an unsigned answer: %v", err)
		} else if len(err.Error()) > len(ErrUnsigned.Error())+90 {
			t.Fatalf("the error repeats too much of the answer: %q", err)
		}
	})
}

// checkVerdict holds for every decoded answer: the outcome matches the
// result status, and only a Done answer has a value.
func checkVerdict(t *testing.T, v driver.Verdict, value bool) {
	t.Helper()
	switch v.Outcome {
	case driver.Done:
		if !value {
			t.Fatal("done without a value")
		}
	case driver.Refused:
		if v.Result.Status != payment.ResultFailed || value {
			t.Fatalf("refused %v (value %v)", v.Result, value)
		}
	case driver.Pending:
		if v.Result.Status == payment.ResultFailed || v.Result.Status == payment.ResultSucceeded || value {
			t.Fatalf("pending %v (value %v)", v.Result, value)
		}
	default:
		t.Fatalf("outcome %v", v.Outcome)
	}
	if v.Result.Status == "" {
		t.Fatal("a verdict without a result status")
	}
}

// FuzzInquiryAnswer does the same for the payment and refund inquiries:
// a Done answer carries a valid status (never one Alipay+ does not report)
// and nothing taken from the reference.
func FuzzInquiryAnswer(f *testing.F) {
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentAmount":{"currency":"CLP","value":"2000"},"paymentTime":"2026-11-22T18:16:01+08:00","paymentStatus":"SUCCESS"}`)
	f.Add(`{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"WHATEVER"}`)
	f.Add(`{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`)
	f.Add(`{"result":{"resultStatus":"A"},"paymentId":"P1","paymentStatus":"SUCCESS"}`)
	f.Add(`{"result":{"resultStatus":"S"},"refundId":"P1","refundStatus":"SUCCESS","refundAmount":{"currency":"KWD","value":1250}}`)
	d := testDriver(f)
	f.Fuzz(func(t *testing.T, body string) {
		drivertest.CheckDecoders(t, d, []byte(body), drivertest.Requests{})
		a := answer(wire.PathInquiry, body)
		for _, ref := range []payment.Ref{{PaymentID: sentinel}, {PaymentRequestID: sentinel}} {
			p, v, err := d.DecodeInquire(ref, a)
			if err != nil {
				continue
			}
			checkVerdict(t, v, p != nil)
			if p == nil {
				continue
			}
			if !p.Status.Valid() || p.Status == payment.StatusPartiallyRefunded || p.Status == payment.StatusRefunded {
				t.Fatalf("status %q", p.Status)
			}
			if !fuzzable(body) && (p.PaymentID == sentinel || p.PaymentRequestID == sentinel) {
				t.Fatalf("filled from the reference: %+v", p)
			}
		}
		for _, ref := range []payment.RefundRef{{RefundID: sentinel}, {RefundRequestID: sentinel}} {
			r, v, err := d.DecodeInquireRefund(ref, a)
			if err != nil {
				continue
			}
			checkVerdict(t, v, r != nil)
			if r == nil {
				continue
			}
			if !r.Status.Valid() || (r.Status.Final() == r.CompletedAt.IsZero() && !r.CreatedAt.IsZero()) {
				t.Fatalf("refund %+v", r)
			}
			if !fuzzable(body) && (r.RefundID == sentinel || r.RefundRequestID == sentinel) {
				t.Fatalf("filled from the reference: %+v", r)
			}
		}
	})
}

// FuzzCancelAndRefundAnswer does the same for cancel and refund answers: a
// Done cancel is cancelled, a Done refund succeeded, with nothing taken
// from the request.
func FuzzCancelAndRefundAnswer(f *testing.F) {
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","cancelTime":"2026-11-22T18:20:00+08:00"}`)
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"refundId":"RF9","refundTime":"2026-11-22T18:40:01+03:00"}`)
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"refundId":"RF9","refundAmount":{"currency":"KWD","value":"1250"}}`)
	f.Add(`{"result":{"resultCode":"REFUND_AMOUNT_EXCEED","resultStatus":"F"}}`)
	f.Add(`{"result":{"resultCode":"REFUND_IN_PROCESS","resultStatus":"U"}}`)
	d := testDriver(f)
	rr := &payment.RefundRequest{RefundRequestID: sentinel, Payment: payment.Ref{PaymentID: sentinel}, Amount: cashierRequest("1.250 KWD").Amount, Reason: sentinel}
	f.Fuzz(func(t *testing.T, body string) {
		if p, v, err := d.DecodeCancel(payment.Ref{PaymentID: sentinel, PaymentRequestID: sentinel}, answer(wire.PathCancel, body)); err == nil {
			checkVerdict(t, v, p != nil)
			if p != nil && (p.Status != payment.StatusCancelled || (!fuzzable(body) && (p.PaymentID == sentinel || p.PaymentRequestID == sentinel))) {
				t.Fatalf("cancel %+v", p)
			}
		}
		r, v, err := d.DecodeRefund(rr, answer(wire.PathRefund, body))
		if err != nil {
			return
		}
		checkVerdict(t, v, r != nil)
		if r == nil {
			return
		}
		if r.Status != payment.RefundSucceeded || v.Result.Status != payment.ResultSucceeded {
			t.Fatalf("refund %+v from %v", r, v.Result)
		}
		if !fuzzable(body) && (r.RefundRequestID != "" || r.PaymentID != "" || r.Reason != "" || r.RefundID == sentinel) {
			t.Fatalf("filled from the request: %+v", r)
		}
		if !r.Amount.Currency().IsZero() && !fuzzable(body) && !strings.Contains(strings.ToLower(body), "refundamount") {
			t.Fatalf("amount %s from the request", r.Amount)
		}
	})
}

// signingTransport answers every request with the fuzzed body, signed by
// the wallet: the engine and the driver together then meet any answer a
// wallet could sign.
// Calls are sequential, so it needs no lock; it signs each body once per
// URI, to spend the fuzzing time on inputs rather than on RSA.
type signingTransport struct {
	sign   func(uri string, body []byte) http.Header
	body   []byte
	signed map[string]http.Header // of body, by URI
}

func (st *signingTransport) answer(body string) {
	st.body, st.signed = []byte(body), map[string]http.Header{}
}

func (st *signingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	uri := r.URL.RequestURI()
	h, ok := st.signed[uri]
	if !ok {
		h = st.sign(uri, st.body)
		st.signed[uri] = h
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: h.Clone(),
		Body: io.NopCloser(bytes.NewReader(st.body)), Request: r,
	}, nil
}

// FuzzPayThroughTheEngine sends a cashier pay and an auth-code pay and
// answers every request (the pay and any inquiry the engine makes) with the
// same fuzzed body, signed by the wallet. Whatever the body says, Pay
// returns either the requested payment — its ID, amount and request ID,
// pending only with a redirect, succeeded on a cashier pay only if an
// inquiry said SUCCESS — or a *payment.Error whose kind is failed only for
// an F.
func FuzzPayThroughTheEngine(f *testing.F) {
	vf := loadVectors(f)
	f.Add(find(f, vf.AlipayPlus, "response: pay").Body)
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}`)
	f.Add(`{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1","paymentStatus":"SUCCESS"}`)
	f.Add(`{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1","paymentStatus":"PROCESSING"}`)
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentAmount":{"currency":"CLP","value":"2000"}}`)
	f.Add(`{"result":{"resultCode":"RISK_REJECT","resultStatus":"F"}}`)
	f.Add(`{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"}}`)
	walletKey, err := signing.ParsePrivateKey(vf.Keys["wallet"].PrivateKeyPEM)
	if err != nil {
		f.Fatal(err)
	}
	st := &signingTransport{sign: func(uri string, body []byte) http.Header {
		ts := "2026-11-22T18:15:31.000+08:00"
		sig, _ := signing.Sign(walletKey, signing.Message("POST", uri, body, vectorClientID, ts))
		h := http.Header{}
		h.Set(wire.HeaderClientID, vectorClientID)
		h.Set(wire.HeaderResponseTime, ts)
		h.Set(wire.HeaderSignature, signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true))
		return h
	}}
	c := vectorClient(f, vf, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: st}
		// The system clock: a fake one would never end a backoff.
		cfg.Retry = payment.RetryPolicy{MaxAttempts: 2, BaseWait: time.Nanosecond, MaxWait: time.Nanosecond}
	})
	cashier := cashierRequest("2000 CLP")
	auth := authCodeRequest("2000 CLP")
	f.Fuzz(func(t *testing.T, body string) {
		st.answer(body)
		// What the body says, read as the driver reads it (one field at a
		// time, so that a field the driver does not read cannot spoil it).
		var said struct {
			Result wire.Result `json:"result"`
		}
		var inquiry struct {
			PaymentStatus string `json:"paymentStatus"`
		}
		saysF := json.Unmarshal(st.body, &said) == nil && said.Result.ResultStatus == wire.StatusF
		saysPaid := json.Unmarshal(st.body, &inquiry) == nil && inquiry.PaymentStatus == wire.PaymentSuccess
		for _, req := range []*payment.PayRequest{cashier, auth} {
			p, err := c.Pay(context.Background(), req)
			if err != nil {
				var pe *payment.Error
				if !errors.As(err, &pe) || pe.Kind == 0 || pe.Op != payment.OpPay {
					t.Fatalf("error %#v", err)
				}
				if pe.Kind == payment.KindFailed && (!saysF || pe.Result.Status != payment.ResultFailed) {
					t.Fatalf("failed although the answer did not say F: %v", err)
				}
				continue
			}
			if p.PaymentID == "" || !p.Amount.Equal(req.Amount) || p.PaymentRequestID != req.PaymentRequestID || p.Provider != Name {
				t.Fatalf("accepted a contradicting answer: %+v", p)
			}
			if p.Status == payment.StatusPending && (p.Action == nil || p.Action.Kind != payment.ActionRedirect || p.Action.URL == "") {
				t.Fatalf("pending without a redirect: %+v", p)
			}
			if p.Status == payment.StatusSucceeded && req == cashier && !saysPaid {
				t.Fatalf("a cashier pay succeeded without an inquiry saying so: %+v", p)
			}
		}
	})
}

// FuzzVerify feeds arbitrary headers, URIs and bodies to the answer
// envelope and the notification check. Neither may panic, and neither may
// accept anything but exactly what the wallet key signed: the URI, time and
// body of one of the wallet-signed vectors (answers and notifications are
// signed alike, so each check accepts both).
func FuzzVerify(f *testing.F) {
	vf := loadVectors(f)
	ans := find(f, vf.AlipayPlus, "response: pay")
	note := find(f, vf.AlipayPlus, "notification:")
	f.Add(ans.Path, ans.ClientID, ans.Time, ans.SignatureHeader, ans.Body)
	f.Add(note.Path, note.ClientID, note.Time, note.SignatureHeader, note.Body)
	f.Add(ans.Path, ans.ClientID, ans.Time, "signature="+ans.SignatureBase64+", keyVersion=1, algorithm=SHA256withRSA", ans.Body)
	f.Add(ans.Path, "", "", "", `{"result":{"resultStatus":"F","resultCode":"X"}}`)
	f.Add(ans.Path, ans.ClientID, "x", "algorithm=RSA256,signature=%ZZ", "")
	c := vectorClient(f, vf)
	f.Fuzz(func(t *testing.T, uri, clientID, ts, sig, body string) {
		h := http.Header{}
		for k, v := range map[string]string{wire.HeaderClientID: clientID, wire.HeaderResponseTime: ts, wire.HeaderRequestTime: ts, wire.HeaderSignature: sig} {
			if v != "" {
				h[k] = []string{v}
			}
		}
		signed := func() bool {
			for _, v := range []vector{ans, note} {
				if uri == v.Path && ts == v.Time && body == v.Body {
					return true
				}
			}
			return false
		}
		if err := c.d.env.Verify(uri, h, []byte(body)); err == nil && !signed() {
			t.Fatalf("verified %q %q %q", uri, ts, body)
		}
		if _, err := c.VerifyNotification(h, uri, []byte(body)); err == nil && !signed() {
			t.Fatalf("notification verified %q %q %q", uri, ts, body)
		}
	})
}

// FuzzNotification parses arbitrary notification bodies: never a panic, and
// an event is always a keyed, final payment state.
func FuzzNotification(f *testing.F) {
	f.Add(find(f, loadVectors(f).AlipayPlus, "notification:").Body)
	f.Add(`{"paymentId":"P1","paymentRequestId":"R1","paymentAmount":{"currency":"IQD","value":150000},"paymentStatus":"SUCCESS"}`)
	f.Add(`{"paymentId":"P1","paymentStatus":"FAIL","paymentFailReason":"RISK"}`)
	f.Add(`{"paymentId":"P1","paymentResult":{"resultStatus":"F","resultCode":"X"}}`)
	f.Add(`{"paymentId":"P1","paymentResult":null,"paymentStatus":""}`)
	f.Add(`{"notifyType":"PAYMENT_RESULT","result":{"resultStatus":"S","resultCode":"SUCCESS"},"paymentId":"P1","paymentAmount":{"currency":"USD","value":"1"}}`)
	f.Add(`{"notifyType":"PAYMENT_PENDING","result":{"resultStatus":"S"},"paymentId":"P1"}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, body string) {
		ev, err := parseNotification([]byte(body))
		if err != nil {
			return
		}
		p := ev.Payment
		if p == nil || p.PaymentID == "" || (p.Status != payment.StatusSucceeded && p.Status != payment.StatusFailed) ||
			ev.Kind != payment.EventPayment || ev.Provider != Name || !strings.HasPrefix(ev.Key, "alipayplus:payment:") ||
			(p.Status == payment.StatusFailed && !p.PaidAt.IsZero()) {
			t.Fatalf("event %+v payment %+v", ev, p)
		}
		if !p.Amount.Currency().IsZero() && p.Amount.IsNegative() {
			t.Fatalf("negative amount %s", p.Amount)
		}
	})
}
