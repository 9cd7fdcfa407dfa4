package alipayplus

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/transport"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

func answer(body string) *transport.Answer {
	a := &transport.Answer{URI: wire.PathPay, Body: []byte(body)}
	a.Result, _ = inspectResult(a)
	return a
}

func cashierRequest(amount string) *payment.PayRequest {
	return &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioCashier, Amount: money.MustParse(amount)}
}

// Every kind of pay answer, mapped without a network.
func TestPayAnswers(t *testing.T) {
	const form = `"redirectActionForm":{"method":"GET","redirectionUrl":"https://wallet.example/c?o=P1"}`
	for _, tc := range []struct {
		name   string
		body   string
		status payment.Status
		action string // URL of the redirect, "" for none
		method string
		kind   payment.Kind // of the error, 0 for success
		repeat bool
	}{
		{name: "S with a form: accepted, pending", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1",` + form + `}`, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET"},
		{name: "A with a form", body: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1",` + form + `}`, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET"},
		{name: "Super Qi spelling, lower-case post", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","redirectActionForm":{"method":"post","redirectUrl":"https://qi.example/c"}}`, status: payment.StatusPending, action: "https://qi.example/c", method: "POST"},
		{name: "form without a method is GET", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","redirectActionForm":{"redirectionUrl":"https://w.example/c"}}`, status: payment.StatusPending, action: "https://w.example/c", method: "GET"},
		{name: "S without a form: synchronous success", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentTime":"2026-11-22T18:15:31+03:00","paymentAmount":{"currency":"IQD","value":150000}}`, status: payment.StatusSucceeded},
		{name: "A without a form: pending, nothing to open", body: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1"}`, status: payment.StatusPending},
		{name: "REPEAT_REQUEST with a form", body: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1",` + form + `}`, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET"},
		{name: "REPEAT_REQUEST without a form needs an inquiry", body: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, status: payment.StatusPending, repeat: true},
		{name: "no paymentId", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},` + form + `}`, kind: payment.KindUnknownOutcome},
		{name: "another amount", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"IQD","value":"150001"}}`, kind: payment.KindUnknownOutcome},
		{name: "another currency", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"KWD","value":"150000"}}`, kind: payment.KindUnknownOutcome},
		{name: "unreadable amount", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"IQD","value":"1.5"}}`, kind: payment.KindUnknownOutcome},
		{name: "unknown status", body: `{"result":{"resultCode":"X","resultStatus":"Q"},"paymentId":"P1"}`, kind: payment.KindUnknownOutcome},
		{name: "F REPEAT_REQ_INCONSISTENT", body: `{"result":{"resultCode":"REPEAT_REQ_INCONSISTENT","resultStatus":"F"}}`, kind: payment.KindIdempotencyConflict},
		{name: "F PARAM_ILLEGAL", body: `{"result":{"resultCode":"PARAM_ILLEGAL","resultStatus":"F"}}`, kind: payment.KindInvalidRequest},
		{name: "F MSG_PARSE_ERROR", body: `{"result":{"resultCode":"MSG_PARSE_ERROR","resultStatus":"F"}}`, kind: payment.KindInvalidRequest},
		{name: "F CURRENCY_NOT_SUPPORT", body: `{"result":{"resultCode":"CURRENCY_NOT_SUPPORT","resultStatus":"F"}}`, kind: payment.KindUnsupported},
		{name: "F ORDER_NOT_EXIST", body: `{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`, kind: payment.KindNotFound},
		{name: "F USER_BALANCE_NOT_ENOUGH", body: `{"result":{"resultCode":"USER_BALANCE_NOT_ENOUGH","resultStatus":"F"}}`, kind: payment.KindFailed},
		{name: "F RISK_REJECT", body: `{"result":{"resultCode":"RISK_REJECT","resultStatus":"F"}}`, kind: payment.KindFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := answer(tc.body)
			p, repeat, err := parsePay(cashierRequest("150 IQD"), a)
			if tc.kind != 0 {
				if payment.KindOf(err) != tc.kind {
					t.Fatalf("err = %v, want kind %v", err, tc.kind)
				}
				var pe *payment.Error
				if errors.As(err, &pe) && a.Result.Status == payment.ResultFailed && pe.Result.Code == "" {
					t.Errorf("F without its code: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if repeat != tc.repeat || p.Status != tc.status || p.PaymentID != "P1" || !p.Amount.Equal(money.MustParse("150 IQD")) || p.Provider != Name {
				t.Fatalf("repeat %v payment %+v", repeat, p)
			}
			switch {
			case tc.action == "" && p.Action != nil:
				t.Fatalf("unexpected action %+v", p.Action)
			case tc.action != "" && (p.Action == nil || p.Action.Kind != payment.ActionRedirect || p.Action.URL != tc.action || p.Action.HTTPMethod != tc.method):
				t.Fatalf("action %+v", p.Action)
			}
			if tc.status == payment.StatusSucceeded && p.PaidAt.IsZero() {
				t.Error("no PaidAt")
			}
		})
	}
}

func TestInquiryAnswers(t *testing.T) {
	byID := payment.Ref{PaymentID: "P1"}
	byReq := payment.Ref{PaymentRequestID: "ORDER-1"}
	for _, tc := range []struct {
		name   string
		ref    payment.Ref
		body   string
		status payment.Status
		kind   payment.Kind
	}{
		{"processing", byID, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"PROCESSING","paymentAmount":{"currency":"JPY","value":"500"}}`, payment.StatusPending, 0},
		{"authorized", byID, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"AUTH_SUCCESS","authExpiryTime":"2026-11-29T18:15:30+08:00"}`, payment.StatusAuthorized, 0},
		{"succeeded", byReq, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"SUCCESS","paymentTime":"2026-11-22T18:16:01+08:00"}`, payment.StatusSucceeded, 0},
		{"failed", byID, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentFailReason":"USER_BALANCE_NOT_ENOUGH"}`, payment.StatusFailed, 0},
		{"cancelled", byID, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"CANCELLED"}`, payment.StatusCancelled, 0},
		{"unknown status", byID, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"REFUNDED"}`, "", payment.KindUnknownOutcome},
		{"another payment", byID, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P2","paymentStatus":"SUCCESS"}`, "", payment.KindUnknownOutcome},
		{"another request", byReq, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-2","paymentStatus":"SUCCESS"}`, "", payment.KindUnknownOutcome},
		{"no payment", byReq, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentStatus":"SUCCESS"}`, "", payment.KindUnknownOutcome},
		{"not found", byReq, `{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`, "", payment.KindNotFound},
		{"A is not an inquiry answer", byID, `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1","paymentStatus":"SUCCESS"}`, "", payment.KindUnknownOutcome},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseInquiry(tc.ref, answer(tc.body))
			if payment.KindOf(err) != tc.kind {
				t.Fatalf("err = %v, want kind %v", err, tc.kind)
			}
			if err == nil && (p.Status != tc.status || p.PaymentID != "P1") {
				t.Fatalf("payment %+v", p)
			}
		})
	}
	p, _ := parseInquiry(byID, answer(`{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentFailReason":"RISK","paymentAmount":{"currency":"JPY","value":500}}`))
	if p.FailureReason != "RISK" || !p.Amount.Equal(money.MustParse("500 JPY")) {
		t.Fatalf("payment %+v", p)
	}
}

func TestRefundAnswers(t *testing.T) {
	rr := &payment.RefundRequest{RefundRequestID: "RF-1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1.250 KWD")}
	r, err := parseRefund(rr, answer(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"refundId":"RF9","refundTime":"2026-11-22T18:40:01+03:00"}`))
	if err != nil || r.Status != payment.RefundSucceeded || r.RefundID != "RF9" || !r.Amount.Equal(rr.Amount) || r.CompletedAt.IsZero() {
		t.Fatalf("refund %+v, %v", r, err)
	}
	for code, kind := range map[string]payment.Kind{
		"REFUND_AMOUNT_EXCEED": payment.KindFailed, "REFUND_WINDOW_EXCEED": payment.KindFailed, "ORDER_STATUS_INVALID": payment.KindFailed,
		"REPEAT_REQ_INCONSISTENT": payment.KindIdempotencyConflict, "ORDER_NOT_EXIST": payment.KindNotFound,
		"PARTNER_BALANCE_NOT_ENOUGH": payment.KindFailed, "CURRENCY_NOT_SUPPORT": payment.KindUnsupported,
	} {
		if _, err := parseRefund(rr, answer(`{"result":{"resultCode":"`+code+`","resultStatus":"F"}}`)); payment.KindOf(err) != kind {
			t.Errorf("%s: %v, want %v", code, err, kind)
		}
	}
	if _, err := parseRefund(rr, answer(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Errorf("S without refundId: %v", err)
	}

	for _, tc := range []struct {
		ref    payment.RefundRef
		body   string
		status payment.RefundStatus
		kind   payment.Kind
	}{
		{payment.RefundRef{RefundID: "RF9"}, `{"result":{"resultStatus":"S"},"refundId":"RF9","refundRequestId":"RF-1","refundStatus":"SUCCESS","refundAmount":{"currency":"KWD","value":"1250"}}`, payment.RefundSucceeded, 0},
		{payment.RefundRef{RefundRequestID: "RF-1"}, `{"result":{"resultStatus":"S"},"refundId":"RF9","refundStatus":"PROCESSING"}`, payment.RefundPending, 0},
		{payment.RefundRef{RefundID: "RF9"}, `{"result":{"resultStatus":"S"},"refundId":"RF9","refundRequestId":"RF-1","refundStatus":"FAIL","refundFailReason":"X"}`, payment.RefundFailed, 0},
		{payment.RefundRef{RefundID: "RF9"}, `{"result":{"resultStatus":"S"},"refundId":"RF8","refundStatus":"SUCCESS"}`, "", payment.KindUnknownOutcome},
		{payment.RefundRef{RefundRequestID: "RF-1"}, `{"result":{"resultStatus":"S"},"refundId":"RF9","refundRequestId":"RF-2","refundStatus":"SUCCESS"}`, "", payment.KindUnknownOutcome},
		{payment.RefundRef{RefundID: "RF9"}, `{"result":{"resultStatus":"S"},"refundId":"RF9","refundStatus":"DONE"}`, "", payment.KindUnknownOutcome},
		{payment.RefundRef{RefundID: "RF9"}, `{"result":{"resultCode":"REFUND_NOT_EXIST","resultStatus":"F"}}`, "", payment.KindNotFound},
	} {
		r, err := parseInquireRefund(tc.ref, answer(tc.body))
		if payment.KindOf(err) != tc.kind || (err == nil && (r.Status != tc.status || r.RefundID != "RF9" || r.RefundRequestID != "RF-1")) {
			t.Errorf("%s: %+v, %v", tc.body, r, err)
		}
	}
}

func TestCancelAnswers(t *testing.T) {
	ref := payment.Ref{PaymentRequestID: "ORDER-1"}
	p, err := parseCancel(ref, answer(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","cancelTime":"2026-11-22T18:20:00+08:00"}`))
	if err != nil || p.Status != payment.StatusCancelled || p.PaymentID != "P1" || p.CancelledAt.IsZero() {
		t.Fatalf("cancel %+v, %v", p, err)
	}
	for code, kind := range map[string]payment.Kind{"CANCEL_WINDOW_EXCEED": payment.KindFailed, "ORDER_NOT_EXIST": payment.KindNotFound, "ORDER_STATUS_INVALID": payment.KindFailed} {
		if _, err := parseCancel(ref, answer(`{"result":{"resultCode":"`+code+`","resultStatus":"F"}}`)); payment.KindOf(err) != kind {
			t.Errorf("%s: %v", code, err)
		}
	}
	if _, err := parseCancel(ref, answer(`{"result":{"resultStatus":"S"},"paymentRequestId":"ORDER-2"}`)); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Errorf("cancel of another payment: %v", err)
	}
}

// wallet is a scripted wallet on loopback that signs its answers with the
// vectors' wallet key.
type wallet struct {
	t       *testing.T
	key     string
	answers map[string][]string // path → bodies, one per request
	rec     recorder
}

func newWallet(t *testing.T, vf vectorFile) (*wallet, *httptest.Server) {
	w := &wallet{t: t, key: vf.Keys["wallet"].PrivateKeyPEM, answers: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.rec.answer = func(http.ResponseWriter) {}
		w.rec.ServeHTTP(rw, r)
		w.rec.mu.Lock()
		q := w.answers[r.URL.Path]
		var body string
		if len(q) > 0 {
			body, w.answers[r.URL.Path] = q[0], q[1:]
		}
		w.rec.mu.Unlock()
		if body == "" {
			http.Error(rw, "nothing scripted", http.StatusNotFound)
			return
		}
		key, err := signing.ParsePrivateKey(w.key)
		if err != nil {
			t.Error(err)
			return
		}
		ts := time.Now().Format(wire.TimeLayout)
		sig, _ := signing.Sign(key, signing.Message("POST", r.URL.RequestURI(), []byte(body), vectorClientID, ts))
		rw.Header().Set(wire.HeaderClientID, vectorClientID)
		rw.Header().Set(wire.HeaderResponseTime, ts)
		rw.Header().Set(wire.HeaderSignature, signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true))
		_, _ = io.WriteString(rw, body)
	}))
	t.Cleanup(srv.Close)
	return w, srv
}

// A repeat of a payment the wallet answers with REPEAT_REQUEST and no form:
// the adapter inquires once and reports what the wallet holds — a
// cancelled payment is cancelled, never succeeded.
func TestRepeatRequestWithoutFormInquires(t *testing.T) {
	vf := loadVectors(t)
	for _, tc := range []struct {
		name    string
		inquiry string
		status  payment.Status
		kind    payment.Kind
	}{
		{"cancelled", `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"CANCELLED","paymentAmount":{"currency":"JPY","value":"500"}}`, payment.StatusCancelled, 0},
		{"failed", `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"FAIL"}`, payment.StatusFailed, 0},
		{"paid", `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"SUCCESS"}`, payment.StatusSucceeded, 0},
		{"another payment", `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P2","paymentRequestId":"ORDER-1","paymentStatus":"SUCCESS"}`, "", payment.KindUnknownOutcome},
		{"another amount", `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"SUCCESS","paymentAmount":{"currency":"JPY","value":"501"}}`, "", payment.KindUnknownOutcome},
		{"inquiry fails", `{"result":{"resultCode":"ACCESS_DENIED","resultStatus":"F"}}`, "", payment.KindUnknownOutcome},
		{"inquiry finds nothing", `{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`, "", payment.KindUnknownOutcome},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, srv := newWallet(t, vf)
			w.answers[wire.PathPay] = []string{`{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S","resultMessage":"repeat order create request"},"paymentId":"P1"}`}
			w.answers[wire.PathInquiry] = []string{tc.inquiry}
			c := vectorClient(t, vf, func(cfg *Config) {
				cfg.BaseURL = srv.URL
				cfg.Retry = payment.RetryPolicy{MaxAttempts: 1}
			})
			p, err := c.Pay(context.Background(), cashierRequest("500 JPY"))
			if payment.KindOf(err) != tc.kind {
				t.Fatalf("err = %v, want kind %v", err, tc.kind)
			}
			if err != nil {
				var pe *payment.Error
				if !errors.As(err, &pe) || pe.Op != payment.OpPay || errors.Is(err, payment.ErrFailed) {
					t.Fatalf("error %#v", err)
				}
				return
			}
			if p.Status != tc.status || p.PaymentID != "P1" || p.PaymentRequestID != "ORDER-1" || p.Result.Code != wire.CodeRepeatRequest ||
				!p.Amount.Equal(money.MustParse("500 JPY")) {
				t.Fatalf("payment %+v", p)
			}
			inq := w.rec.requests()
			if len(inq) != 2 || !strings.Contains(string(inq[1].Body), `"paymentRequestId":"ORDER-1"`) {
				t.Fatalf("requests %v", inq)
			}
		})
	}
}
