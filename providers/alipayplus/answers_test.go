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

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

func answer(path, body string) *driver.Answer {
	return &driver.Answer{URI: path, Header: http.Header{}, Body: []byte(body)}
}

func cashierRequest(amount string) *payment.PayRequest {
	return &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioCashier, Amount: money.MustParse(amount)}
}

func authCodeRequest(amount string) *payment.PayRequest {
	r := cashierRequest(amount)
	r.ProviderOptions = &PayOptions{AuthCode: "28100103_20215703001538745"}
	return r
}

// testDriver is a driver as New builds it, without a network.
func testDriver(t testing.TB) *walletDriver {
	t.Helper()
	c, err := New(vectorConfig(loadVectors(t)))
	if err != nil {
		t.Fatal(err)
	}
	return c.d
}

// Every F code the wallets document maps to the reason its documentation gives it,
// and through the engine to the kind docs/providers/alipayplus.md lists.
func TestResultCodeReasons(t *testing.T) {
	for code, want := range map[string]struct {
		reason driver.Reason
		kind   payment.Kind
	}{
		wire.CodeRepeatReqInconsistent:   {driver.Conflict, payment.KindIdempotencyConflict},
		wire.CodeOrderNotExist:           {driver.NotFound, payment.KindNotFound},
		wire.CodeRefundNotExist:          {driver.NotFound, payment.KindNotFound},
		wire.CodeParamIllegal:            {driver.Invalid, payment.KindInvalidRequest},
		wire.CodeMsgParseError:           {driver.Invalid, payment.KindInvalidRequest},
		wire.CodeCurrencyNotSupport:      {driver.Unsupported, payment.KindUnsupported},
		wire.CodeRefundAmountExceed:      {driver.OverRefund, payment.KindFailed},
		wire.CodeOrderStatusInvalid:      {driver.WrongState, payment.KindFailed},
		wire.CodeCancelWindowExceed:      {driver.WrongState, payment.KindFailed},
		wire.CodeRefundWindowExceed:      {driver.WrongState, payment.KindFailed},
		wire.CodeProcessFail:             {driver.Declined, payment.KindFailed},
		wire.CodeAccessDenied:            {driver.Declined, payment.KindFailed},
		wire.CodeInvalidSignature:        {driver.Declined, payment.KindFailed},
		wire.CodeUserBalanceNotEnough:    {driver.Declined, payment.KindFailed},
		wire.CodeRiskReject:              {driver.Declined, payment.KindFailed},
		wire.CodePartnerBalanceNotEnough: {driver.Declined, payment.KindFailed},
		"EXPIRED_ACCESS_TOKEN":           {driver.Declined, payment.KindFailed},
		"A_CODE_NOBODY_DOCUMENTED":       {driver.Declined, payment.KindFailed},
	} {
		v, err := classify(wire.Result{ResultCode: code, ResultStatus: wire.StatusF, ResultMessage: "m"}, false)
		if err != nil || v.Outcome != driver.Refused || v.Reason != want.reason || engine.KindOf(v.Reason) != want.kind ||
			v.Result != (payment.Result{Status: payment.ResultFailed, Code: code, Message: "m"}) {
			t.Errorf("%s: %+v, %v; want %v (%v)", code, v, err, want.reason, want.kind)
		}
	}
	for _, tc := range []struct {
		status string
		pay    bool
		want   driver.Outcome
	}{
		{"S", false, driver.Done}, {"S", true, driver.Done},
		{"A", true, driver.Done}, {"A", false, driver.Pending},
		{"U", true, driver.Pending}, {"U", false, driver.Pending},
		{"Q", true, driver.Pending}, {"s", false, driver.Pending},
	} {
		if v, err := classify(wire.Result{ResultCode: "C", ResultStatus: tc.status}, tc.pay); err != nil || v.Outcome != tc.want {
			t.Errorf("%q (pay %v): %v, %v; want %v", tc.status, tc.pay, v.Outcome, err, tc.want)
		}
	}
	if _, err := classify(wire.Result{ResultCode: "SUCCESS"}, true); err == nil {
		t.Error("a result without status was read")
	}
}

// Every kind of pay answer, decoded without a network.
func TestDecodePay(t *testing.T) {
	const form = `"redirectActionForm":{"method":"GET","redirectionUrl":"https://wallet.example/c?o=P1"}`
	d := testDriver(t)
	for _, tc := range []struct {
		name     string
		req      *payment.PayRequest
		body     string
		outcome  driver.Outcome
		reason   driver.Reason
		status   payment.Status
		action   string // URL of the redirect, "" for none
		method   string
		amount   string // "" when the answer states none
		paidAt   bool
		unread   bool // a decode error
		noPaymID bool
	}{
		{name: "S with a form: accepted, pending", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1",` + form + `}`, outcome: driver.Done, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET"},
		{name: "A with a form", body: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1",` + form + `}`, outcome: driver.Done, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET"},
		{name: "Super Qi spelling, lower-case post", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","redirectActionForm":{"method":"post","redirectUrl":"https://qi.example/c"}}`, outcome: driver.Done, status: payment.StatusPending, action: "https://qi.example/c", method: "POST"},
		{name: "form without a method is GET", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","redirectActionForm":{"redirectionUrl":"https://w.example/c"}}`, outcome: driver.Done, status: payment.StatusPending, action: "https://w.example/c", method: "GET"},
		{name: "the simulator's paymentAmount is returned for the engine", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"IQD","value":"150001"},` + form + `}`, outcome: driver.Done, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET", amount: "150.001 IQD"},
		{name: "S without a form on an auth-code pay: synchronous success", req: authCodeRequest("150 IQD"), body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentTime":"2026-11-22T18:15:31+03:00","paymentAmount":{"currency":"IQD","value":150000}}`, outcome: driver.Done, status: payment.StatusSucceeded, amount: "150 IQD", paidAt: true},
		{name: "S without a form on a cashier pay: status unknown", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentTime":"2026-11-22T18:15:31+03:00"}`, outcome: driver.Done},
		{name: "A without a form: status unknown", body: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1"}`, outcome: driver.Done},
		{name: "A without a form on an auth-code pay: status unknown", req: authCodeRequest("150 IQD"), body: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1"}`, outcome: driver.Done},
		{name: "a form without a URL is no form", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","redirectActionForm":{"method":"GET"}}`, outcome: driver.Done},
		{name: "REPEAT_REQUEST with a form", body: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1",` + form + `}`, outcome: driver.Done, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET"},
		{name: "REPEAT_REQUEST without a form: status unknown", body: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, outcome: driver.Done},
		{name: "REPEAT_REQUEST without a form on an auth-code pay: status unknown", req: authCodeRequest("150 IQD"), body: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1","paymentTime":"2026-11-22T18:15:31+03:00"}`, outcome: driver.Done},
		{name: "no paymentId is the engine's to refuse", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},` + form + `}`, outcome: driver.Done, status: payment.StatusPending, action: "https://wallet.example/c?o=P1", method: "GET", noPaymID: true},
		{name: "unreadable amount", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"IQD","value":"1.5"}}`, unread: true},
		{name: "unknown currency", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"ZZZ","value":"15"}}`, unread: true},
		{name: "no result", body: `{"paymentId":"P1",` + form + `}`, unread: true},
		{name: "not JSON", body: `<html>busy</html>`, unread: true},
		{name: "an array", body: `[]`, unread: true},
		{name: "unknown status: the question stays open", body: `{"result":{"resultCode":"X","resultStatus":"Q"},"paymentId":"P1"}`, outcome: driver.Pending},
		{name: "U", body: `{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"}}`, outcome: driver.Pending},
		{name: "U PAYMENT_IN_PROCESS", body: `{"result":{"resultCode":"PAYMENT_IN_PROCESS","resultStatus":"U"},"paymentId":"P1"}`, outcome: driver.Pending},
		{name: "F REPEAT_REQ_INCONSISTENT", body: `{"result":{"resultCode":"REPEAT_REQ_INCONSISTENT","resultStatus":"F"}}`, outcome: driver.Refused, reason: driver.Conflict},
		{name: "F PARAM_ILLEGAL", body: `{"result":{"resultCode":"PARAM_ILLEGAL","resultStatus":"F"}}`, outcome: driver.Refused, reason: driver.Invalid},
		{name: "F CURRENCY_NOT_SUPPORT", body: `{"result":{"resultCode":"CURRENCY_NOT_SUPPORT","resultStatus":"F"}}`, outcome: driver.Refused, reason: driver.Unsupported},
		{name: "F USER_BALANCE_NOT_ENOUGH", body: `{"result":{"resultCode":"USER_BALANCE_NOT_ENOUGH","resultStatus":"F"}}`, outcome: driver.Refused, reason: driver.Declined},
		{name: "F with a paymentId still refuses", body: `{"result":{"resultCode":"RISK_REJECT","resultStatus":"F"},"paymentId":"P1",` + form + `}`, outcome: driver.Refused, reason: driver.Declined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			if req == nil {
				req = cashierRequest("150 IQD")
			}
			p, v, err := d.DecodePay(req, answer(wire.PathPay, tc.body))
			if tc.unread {
				if err == nil {
					t.Fatalf("read: %+v, %+v", p, v)
				}
				return
			}
			if err != nil || v.Outcome != tc.outcome || v.Reason != tc.reason {
				t.Fatalf("verdict %+v, %v; want %v %v", v, err, tc.outcome, tc.reason)
			}
			if tc.outcome != driver.Done {
				if p != nil {
					t.Fatalf("a %v answer decoded a payment %+v", tc.outcome, p)
				}
				return
			}
			if p.Status != tc.status || (p.PaymentID != "P1") == !tc.noPaymID || p.PaymentRequestID != "" || !p.ExpiresAt.IsZero() {
				t.Fatalf("payment %+v", p)
			}
			switch {
			case tc.amount == "" && !p.Amount.Currency().IsZero():
				t.Fatalf("amount %s filled in", p.Amount)
			case tc.amount != "" && !p.Amount.Equal(money.MustParse(tc.amount)):
				t.Fatalf("amount %s, want %s", p.Amount, tc.amount)
			}
			switch {
			case tc.action == "" && p.Action != nil:
				t.Fatalf("unexpected action %+v", p.Action)
			case tc.action != "" && (p.Action == nil || p.Action.Kind != payment.ActionRedirect || p.Action.URL != tc.action || p.Action.HTTPMethod != tc.method):
				t.Fatalf("action %+v", p.Action)
			}
			if p.PaidAt.IsZero() == tc.paidAt {
				t.Errorf("PaidAt %v", p.PaidAt)
			}
		})
	}
}

func TestDecodeInquire(t *testing.T) {
	d := testDriver(t)
	byID := payment.Ref{PaymentID: "P1"}
	for _, tc := range []struct {
		name    string
		body    string
		status  payment.Status
		reqID   string
		amount  string
		outcome driver.Outcome
		reason  driver.Reason
		unread  bool
	}{
		{name: "processing", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"PROCESSING","paymentAmount":{"currency":"JPY","value":"500"}}`, status: payment.StatusPending, reqID: "ORDER-1", amount: "500 JPY", outcome: driver.Done},
		{name: "authorized", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"AUTH_SUCCESS","authExpiryTime":"2026-11-29T18:15:30+08:00"}`, status: payment.StatusAuthorized, outcome: driver.Done},
		{name: "succeeded", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"SUCCESS","paymentTime":"2026-11-22T18:16:01+08:00"}`, status: payment.StatusSucceeded, reqID: "ORDER-1", outcome: driver.Done},
		{name: "failed", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentFailReason":"USER_BALANCE_NOT_ENOUGH"}`, status: payment.StatusFailed, outcome: driver.Done},
		{name: "cancelled", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"CANCELLED"}`, status: payment.StatusCancelled, outcome: driver.Done},
		// Not in the wallets' documentation; a status of Alipay's SDK
		// (model/TransactionStatusType.go), and not final.
		{name: "pending", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"PENDING"}`, status: payment.StatusPending, outcome: driver.Done},
		{name: "amount as a JSON number", body: `{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentAmount":{"currency":"JPY","value":500}}`, status: payment.StatusFailed, amount: "500 JPY", outcome: driver.Done},
		{name: "unknown status is never guessed", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"REFUNDED"}`, unread: true},
		{name: "no status", body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}`, unread: true},
		{name: "unreadable amount", body: `{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"SUCCESS","paymentAmount":{"currency":"JPY","value":"-5"}}`, unread: true},
		{name: "not found", body: `{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`, outcome: driver.Refused, reason: driver.NotFound},
		{name: "A is not an inquiry answer", body: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1","paymentStatus":"SUCCESS"}`, outcome: driver.Pending},
		{name: "U", body: `{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U"}}`, outcome: driver.Pending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, v, err := d.DecodeInquire(byID, answer(wire.PathInquiry, tc.body))
			if tc.unread {
				if err == nil {
					t.Fatalf("read: %+v", p)
				}
				return
			}
			if err != nil || v.Outcome != tc.outcome || v.Reason != tc.reason {
				t.Fatalf("verdict %+v, %v", v, err)
			}
			if tc.outcome != driver.Done {
				return
			}
			if p.Status != tc.status || p.PaymentID != "P1" || p.PaymentRequestID != tc.reqID {
				t.Fatalf("payment %+v", p)
			}
			if (tc.amount == "") != p.Amount.Currency().IsZero() || (tc.amount != "" && !p.Amount.Equal(money.MustParse(tc.amount))) {
				t.Fatalf("amount %s, want %q", p.Amount, tc.amount)
			}
		})
	}
	p, _, _ := d.DecodeInquire(byID, answer(wire.PathInquiry, `{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentFailReason":"RISK"}`))
	if p.FailureReason != "RISK" {
		t.Fatalf("payment %+v", p)
	}
	// The official SDK's inquiry answer names a failure paymentResultCode;
	// it is the reason when paymentFailReason is absent, and only then.
	for body, want := range map[string]string{
		`{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentResultCode":"USER_BALANCE_NOT_ENOUGH"}`:                              "USER_BALANCE_NOT_ENOUGH",
		`{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"FAIL","paymentFailReason":"RISK","paymentResultCode":"RISK_REJECT"}`:               "RISK",
		`{"result":{"resultStatus":"S"},"paymentId":"P1","paymentStatus":"SUCCESS","paymentResultCode":"SUCCESS","paymentTime":"2026-11-22T18:16:01+08:00"}`: "",
	} {
		if p, _, err := d.DecodeInquire(byID, answer(wire.PathInquiry, body)); err != nil || p.FailureReason != want {
			t.Errorf("%s: %+v, %v; want reason %q", body, p, err, want)
		}
	}
}

func TestDecodeRefunds(t *testing.T) {
	d := testDriver(t)
	rr := &payment.RefundRequest{RefundRequestID: "RF-1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("1.250 KWD")}
	r, v, err := d.DecodeRefund(rr, answer(wire.PathRefund, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"refundId":"RF9","refundTime":"2026-11-22T18:40:01+03:00"}`))
	if err != nil || v.Outcome != driver.Done || r.Status != payment.RefundSucceeded || r.RefundID != "RF9" || r.CompletedAt.IsZero() ||
		!r.Amount.Currency().IsZero() || r.RefundRequestID != "" || r.PaymentID != "" {
		t.Fatalf("refund %+v, %+v, %v", r, v, err)
	}
	r, _, err = d.DecodeRefund(rr, answer(wire.PathRefund, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"refundId":"RF9","refundAmount":{"currency":"KWD","value":"1251"}}`))
	if err != nil || !r.Amount.Equal(money.MustParse("1.251 KWD")) {
		t.Fatalf("a stated amount is returned for the engine to compare: %+v, %v", r, err)
	}
	for code, reason := range map[string]driver.Reason{
		"REFUND_AMOUNT_EXCEED": driver.OverRefund, "REFUND_WINDOW_EXCEED": driver.WrongState, "ORDER_STATUS_INVALID": driver.WrongState,
		"REPEAT_REQ_INCONSISTENT": driver.Conflict, "ORDER_NOT_EXIST": driver.NotFound,
		"PARTNER_BALANCE_NOT_ENOUGH": driver.Declined, "CURRENCY_NOT_SUPPORT": driver.Unsupported,
	} {
		if r, v, err := d.DecodeRefund(rr, answer(wire.PathRefund, `{"result":{"resultCode":"`+code+`","resultStatus":"F"}}`)); err != nil || r != nil || v.Outcome != driver.Refused || v.Reason != reason {
			t.Errorf("%s: %+v, %v, want %v", code, v, err, reason)
		}
	}
	for _, body := range []string{`{"result":{"resultCode":"REFUND_IN_PROCESS","resultStatus":"U"}}`, `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"refundId":"RF9"}`} {
		if _, v, err := d.DecodeRefund(rr, answer(wire.PathRefund, body)); err != nil || v.Outcome != driver.Pending {
			t.Errorf("%s: %+v, %v", body, v, err)
		}
	}

	for _, tc := range []struct {
		body    string
		status  payment.RefundStatus
		reqID   string
		outcome driver.Outcome
		unread  bool
	}{
		{`{"result":{"resultStatus":"S"},"refundId":"RF9","refundRequestId":"RF-1","refundStatus":"SUCCESS","refundTime":"2026-11-22T18:40:01+03:00","refundAmount":{"currency":"KWD","value":"1250"}}`, payment.RefundSucceeded, "RF-1", driver.Done, false},
		{`{"result":{"resultStatus":"S"},"refundId":"RF9","refundStatus":"PROCESSING","refundTime":"2026-11-22T18:40:01+03:00"}`, payment.RefundPending, "", driver.Done, false},
		{`{"result":{"resultStatus":"S"},"refundId":"RF9","refundStatus":"PENDING","refundTime":"2026-11-22T18:40:01+03:00"}`, payment.RefundPending, "", driver.Done, false},
		{`{"result":{"resultStatus":"S"},"refundId":"RF9","refundRequestId":"RF-1","refundStatus":"FAIL","refundTime":"2026-11-22T18:40:01+03:00","refundFailReason":"X"}`, payment.RefundFailed, "RF-1", driver.Done, false},
		{`{"result":{"resultStatus":"S"},"refundId":"RF9","refundStatus":"DONE"}`, "", "", 0, true},
		{`{"result":{"resultCode":"REFUND_NOT_EXIST","resultStatus":"F"}}`, "", "", driver.Refused, false},
	} {
		r, v, err := d.DecodeInquireRefund(payment.RefundRef{RefundID: "RF9"}, answer(wire.PathInquiryRefund, tc.body))
		switch {
		case tc.unread:
			if err == nil {
				t.Errorf("%s: read %+v", tc.body, r)
			}
		case err != nil || v.Outcome != tc.outcome:
			t.Errorf("%s: %+v, %v", tc.body, v, err)
		case tc.outcome == driver.Refused && v.Reason != driver.NotFound:
			t.Errorf("%s: reason %v", tc.body, v.Reason)
		case tc.outcome == driver.Done && (r.Status != tc.status || r.RefundID != "RF9" || r.RefundRequestID != tc.reqID || r.CompletedAt.IsZero() != (tc.status == payment.RefundPending)):
			t.Errorf("%s: %+v", tc.body, r)
		}
	}
}

func TestDecodeCancel(t *testing.T) {
	d := testDriver(t)
	ref := payment.Ref{PaymentRequestID: "ORDER-1"}
	p, v, err := d.DecodeCancel(ref, answer(wire.PathCancel, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","cancelTime":"2026-11-22T18:20:00+08:00"}`))
	if err != nil || v.Outcome != driver.Done || p.Status != payment.StatusCancelled || p.PaymentID != "P1" || p.CancelledAt.IsZero() {
		t.Fatalf("cancel %+v, %v", p, err)
	}
	p, _, err = d.DecodeCancel(ref, answer(wire.PathCancel, `{"result":{"resultStatus":"S"}}`))
	if err != nil || p.Status != payment.StatusCancelled || p.PaymentID != "" || p.PaymentRequestID != "" {
		t.Fatalf("a bare S: %+v, %v (the engine fills the IDs from the ref)", p, err)
	}
	for code, reason := range map[string]driver.Reason{"CANCEL_WINDOW_EXCEED": driver.WrongState, "ORDER_NOT_EXIST": driver.NotFound, "ORDER_STATUS_INVALID": driver.WrongState} {
		if _, v, err := d.DecodeCancel(ref, answer(wire.PathCancel, `{"result":{"resultCode":"`+code+`","resultStatus":"F"}}`)); err != nil || v.Outcome != driver.Refused || v.Reason != reason {
			t.Errorf("%s: %+v, %v", code, v, err)
		}
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

// scripted returns a Client on a scripted wallet, one attempt per call.
func scripted(t *testing.T, answers map[string][]string) (*Client, *wallet) {
	t.Helper()
	vf := loadVectors(t)
	w, srv := newWallet(t, vf)
	w.answers = answers
	c := vectorClient(t, vf, func(cfg *Config) {
		cfg.BaseURL = srv.URL
		cfg.Retry = payment.RetryPolicy{MaxAttempts: 1}
	})
	return c, w
}

const (
	inquiryProcessing = `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"PROCESSING"}`
	inquirySucceeded  = `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"SUCCESS","paymentTime":"2026-11-22T18:16:01+08:00"}`
	inquiryCancelled  = `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"CANCELLED","paymentAmount":{"currency":"JPY","value":"500"}}`
	inquiryFailed     = `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-1","paymentStatus":"FAIL"}`
)

// Pay answers that do not say where the payment is — REPEAT_REQUEST, S or
// A without a form on a cashier pay — are settled by one inquiry of the
// payment: a cashier payment is never reported succeeded because the
// wallet said S, and a pending one nobody can open is an unknown outcome.
func TestPayAnswersWithoutAFormInquire(t *testing.T) {
	for _, tc := range []struct {
		name    string
		req     *payment.PayRequest
		pay     string
		inquiry string // "" for none expected
		status  payment.Status
		kind    payment.Kind
	}{
		{name: "repeat of a cancelled payment", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S","resultMessage":"repeat order create request"},"paymentId":"P1"}`, inquiry: inquiryCancelled, status: payment.StatusCancelled},
		{name: "repeat of a failed payment", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: inquiryFailed, status: payment.StatusFailed},
		{name: "repeat of a paid payment", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: inquirySucceeded, status: payment.StatusSucceeded},
		{name: "repeat of an auth-code pay", req: authCodeRequest("500 JPY"), pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: inquirySucceeded, status: payment.StatusSucceeded},
		{name: "repeat of a pending payment without its form", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: inquiryProcessing, kind: payment.KindUnknownOutcome},
		{name: "S without a form, nobody paid", pay: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}`, inquiry: inquiryProcessing, kind: payment.KindUnknownOutcome},
		{name: "S without a form, paid", pay: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1"}`, inquiry: inquirySucceeded, status: payment.StatusSucceeded},
		{name: "A without a form, pending", pay: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1"}`, inquiry: inquiryProcessing, kind: payment.KindUnknownOutcome},
		{name: "A without a form, declined meanwhile", pay: `{"result":{"resultCode":"ACCEPT","resultStatus":"A"},"paymentId":"P1"}`, inquiry: inquiryFailed, status: payment.StatusFailed},
		{name: "S without a form on an auth-code pay: no inquiry", req: authCodeRequest("500 JPY"), pay: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentTime":"2026-11-22T18:16:01+08:00"}`, status: payment.StatusSucceeded},
		{name: "the inquiry finds another payment", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P2","paymentRequestId":"ORDER-1","paymentStatus":"SUCCESS"}`, kind: payment.KindUnknownOutcome},
		{name: "the inquiry finds another request", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-2","paymentStatus":"SUCCESS"}`, kind: payment.KindUnknownOutcome},
		{name: "the inquiry finds another amount", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentStatus":"SUCCESS","paymentAmount":{"currency":"JPY","value":"501"}}`, kind: payment.KindUnknownOutcome},
		{name: "the inquiry is refused", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: `{"result":{"resultCode":"ACCESS_DENIED","resultStatus":"F"}}`, kind: payment.KindUnknownOutcome},
		{name: "the inquiry finds nothing", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"},"paymentId":"P1"}`, inquiry: `{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`, kind: payment.KindUnknownOutcome},
		{name: "a repeat without paymentId", pay: `{"result":{"resultCode":"REPEAT_REQUEST","resultStatus":"S"}}`, kind: payment.KindUnknownOutcome},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answers := map[string][]string{wire.PathPay: {tc.pay}}
			if tc.inquiry != "" {
				answers[wire.PathInquiry] = []string{tc.inquiry}
			}
			c, w := scripted(t, answers)
			req := tc.req
			if req == nil {
				req = cashierRequest("500 JPY")
			}
			p, err := c.Pay(context.Background(), req)
			if payment.KindOf(err) != tc.kind {
				t.Fatalf("err = %v, want kind %v", err, tc.kind)
			}
			reqs := w.rec.requests()
			if want := map[bool]int{true: 2, false: 1}[tc.inquiry != ""]; len(reqs) != want {
				t.Fatalf("%d requests, want %d", len(reqs), want)
			}
			if tc.inquiry != "" && (reqs[1].URI != wire.PathInquiry || !strings.Contains(string(reqs[1].Body), `"paymentId":"P1"`)) {
				t.Fatalf("inquiry %s %s", reqs[1].URI, reqs[1].Body)
			}
			if err != nil {
				var pe *payment.Error
				if !errors.As(err, &pe) || pe.Op != payment.OpPay || errors.Is(err, payment.ErrFailed) || errors.Is(err, payment.ErrNotFound) {
					t.Fatalf("error %#v", err)
				}
				return
			}
			if p.Status != tc.status || p.PaymentID != "P1" || p.PaymentRequestID != "ORDER-1" || p.Action != nil ||
				!p.Amount.Equal(money.MustParse("500 JPY")) || p.Provider != Name || p.Result.IsZero() {
				t.Fatalf("payment %+v", p)
			}
		})
	}
}

// Answers that verify but contradict the request are never trusted.
func TestContradictingAnswersAreUnknownOutcomes(t *testing.T) {
	const form = `"redirectActionForm":{"redirectionUrl":"https://w.example/c"}`
	for _, tc := range []struct {
		name, path, body string
		call             func(*Client) error
	}{
		{"pay: no paymentId", wire.PathPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},` + form + `}`, nil},
		{"pay: another amount", wire.PathPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"JPY","value":"501"},` + form + `}`, nil},
		{"pay: another currency", wire.PathPay, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"P1","paymentAmount":{"currency":"KRW","value":"500"},` + form + `}`, nil},
		{"inquire: another payment", wire.PathInquiry, `{"result":{"resultStatus":"S"},"paymentId":"P2","paymentStatus":"SUCCESS"}`, func(c *Client) error {
			_, err := c.Inquire(context.Background(), payment.Ref{PaymentID: "P1"})
			return err
		}},
		{"inquire: another request", wire.PathInquiry, `{"result":{"resultStatus":"S"},"paymentId":"P1","paymentRequestId":"ORDER-2","paymentStatus":"SUCCESS"}`, func(c *Client) error {
			_, err := c.Inquire(context.Background(), payment.Ref{PaymentRequestID: "ORDER-1"})
			return err
		}},
		{"inquire: no payment", wire.PathInquiry, `{"result":{"resultStatus":"S"},"paymentStatus":"SUCCESS"}`, func(c *Client) error {
			_, err := c.Inquire(context.Background(), payment.Ref{PaymentRequestID: "ORDER-1"})
			return err
		}},
		{"cancel: another payment", wire.PathCancel, `{"result":{"resultStatus":"S"},"paymentRequestId":"ORDER-2"}`, func(c *Client) error {
			_, err := c.Cancel(context.Background(), payment.Ref{PaymentRequestID: "ORDER-1"})
			return err
		}},
		{"refund: no refundId", wire.PathRefund, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"}}`, func(c *Client) error {
			_, err := c.Refund(context.Background(), &payment.RefundRequest{RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("5 JPY")})
			return err
		}},
		{"refund: another amount", wire.PathRefund, `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"refundId":"RF1","refundAmount":{"currency":"JPY","value":"6"}}`, func(c *Client) error {
			_, err := c.Refund(context.Background(), &payment.RefundRequest{RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("5 JPY")})
			return err
		}},
		{"inquire refund: another refund", wire.PathInquiryRefund, `{"result":{"resultStatus":"S"},"refundId":"RF8","refundStatus":"SUCCESS"}`, func(c *Client) error {
			_, err := c.InquireRefund(context.Background(), payment.RefundRef{RefundID: "RF9"})
			return err
		}},
		{"inquire refund: another request", wire.PathInquiryRefund, `{"result":{"resultStatus":"S"},"refundId":"RF9","refundRequestId":"R2","refundStatus":"SUCCESS"}`, func(c *Client) error {
			_, err := c.InquireRefund(context.Background(), payment.RefundRef{RefundRequestID: "R1"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, w := scripted(t, map[string][]string{tc.path: {tc.body}})
			call := tc.call
			if call == nil {
				call = func(c *Client) error {
					_, err := c.Pay(context.Background(), cashierRequest("500 JPY"))
					return err
				}
			}
			err := call(c)
			if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, engine.ErrContradiction) {
				t.Fatalf("err = %v", err)
			}
			if n := len(w.rec.requests()); n != 1 {
				t.Fatalf("%d requests", n)
			}
		})
	}
}

// F answers become the kinds the result code table gives, carrying the
// wallet's code, on every operation.
func TestRefusalsThroughTheEngine(t *testing.T) {
	f := func(code string) string {
		return `{"result":{"resultCode":"` + code + `","resultStatus":"F","resultMessage":"no"}}`
	}
	ctx := context.Background()
	refund := &payment.RefundRequest{RefundRequestID: "R1", Payment: payment.Ref{PaymentID: "P1"}, Amount: money.MustParse("5 JPY")}
	for _, tc := range []struct {
		path, code string
		kind       payment.Kind
		call       func(*Client) error
	}{
		{wire.PathPay, "REPEAT_REQ_INCONSISTENT", payment.KindIdempotencyConflict, func(c *Client) error { _, err := c.Pay(ctx, cashierRequest("500 JPY")); return err }},
		{wire.PathPay, "USER_BALANCE_NOT_ENOUGH", payment.KindFailed, func(c *Client) error { _, err := c.Pay(ctx, cashierRequest("500 JPY")); return err }},
		{wire.PathPay, "CURRENCY_NOT_SUPPORT", payment.KindUnsupported, func(c *Client) error { _, err := c.Pay(ctx, cashierRequest("500 JPY")); return err }},
		{wire.PathPay, "PARAM_ILLEGAL", payment.KindInvalidRequest, func(c *Client) error { _, err := c.Pay(ctx, cashierRequest("500 JPY")); return err }},
		{wire.PathInquiry, "ORDER_NOT_EXIST", payment.KindNotFound, func(c *Client) error { _, err := c.Inquire(ctx, payment.Ref{PaymentRequestID: "ORDER-1"}); return err }},
		{wire.PathCancel, "CANCEL_WINDOW_EXCEED", payment.KindFailed, func(c *Client) error { _, err := c.Cancel(ctx, payment.Ref{PaymentID: "P1"}); return err }},
		{wire.PathCancel, "ORDER_STATUS_INVALID", payment.KindFailed, func(c *Client) error { _, err := c.Cancel(ctx, payment.Ref{PaymentID: "P1"}); return err }},
		{wire.PathRefund, "REFUND_AMOUNT_EXCEED", payment.KindFailed, func(c *Client) error { _, err := c.Refund(ctx, refund); return err }},
		{wire.PathRefund, "ORDER_NOT_EXIST", payment.KindNotFound, func(c *Client) error { _, err := c.Refund(ctx, refund); return err }},
		{wire.PathInquiryRefund, "REFUND_NOT_EXIST", payment.KindNotFound, func(c *Client) error {
			_, err := c.InquireRefund(ctx, payment.RefundRef{RefundRequestID: "R1"})
			return err
		}},
	} {
		t.Run(tc.path+" "+tc.code, func(t *testing.T) {
			c, w := scripted(t, map[string][]string{tc.path: {f(tc.code)}})
			err := tc.call(c)
			var pe *payment.Error
			if !errors.As(err, &pe) || pe.Kind != tc.kind || pe.Result.Code != tc.code || pe.Result.Status != payment.ResultFailed || pe.Provider != Name {
				t.Fatalf("err = %v, want kind %v", err, tc.kind)
			}
			if n := len(w.rec.requests()); n != 1 {
				t.Fatalf("%d requests: an F is never re-sent", n)
			}
		})
	}
}
