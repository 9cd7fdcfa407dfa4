package paymenttest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/engine"
)

// TestTransitionsAreChecked: a status change the table forbids is reported
// as an internal error and leaves the payment as it was; nothing panics.
func TestTransitionsAreChecked(t *testing.T) {
	s := New().state
	pay := &payment.Payment{PaymentID: "PT1", PaymentRequestID: "ORDER-1", Status: payment.StatusRefunded}
	for _, to := range []payment.Status{payment.StatusPending, payment.StatusSucceeded, payment.StatusCancelled, "bogus"} {
		err := s.setStatusLocked(pay, to)
		if err == nil || !strings.Contains(err.Error(), "internal error") {
			t.Errorf("refunded -> %s: error %v, want an internal error", to, err)
		}
		if pay.Status != payment.StatusRefunded {
			t.Fatalf("status changed to %s", pay.Status)
		}
	}
	if s.charges["ORDER-1"] != 0 {
		t.Error("a refused transition counted a charge")
	}
}

// TestModelBugsAreRefused: a broken invariant of the model is answered as a
// signed F INTERNAL_ERROR carrying the bug, so the engine reports it as
// failed with the bug's text (unless the attempt's answer is untrusted or
// lost, like any answer); a customer action that meets one fails too.
// Nothing panics.
func TestModelBugsAreRefused(t *testing.T) {
	w := answer{bug: errors.New("broken"), result: success}.wire()
	if w.Result.Status != "F" || w.Result.Code != codeInternalError || w.Result.Message != "broken" || w.Payment != nil {
		t.Errorf("a bug is answered %+v", w)
	}
	if k := engine.KindOf(reasons[codeInternalError]); k != payment.KindFailed {
		t.Errorf("INTERNAL_ERROR is of kind %s, want failed", k)
	}

	p := New()
	p.state.payments["PT1"] = &payment.Payment{PaymentID: "PT1", Status: payment.StatusPending, ExpiresAt: time.Now().Add(time.Hour)}
	err := p.customer("test", "PT1", func(*payment.Payment) error { return errors.New("broken") })
	if payment.KindOf(err) != payment.KindFailed || !strings.Contains(err.Error(), "broken") {
		t.Errorf("customer action: %v, want kind failed naming the bug", err)
	}
}

// TestServerRefusesWhatItCannotTrust: the handler, like a real provider,
// answers only signed requests it can read, at the paths it serves.
func TestServerRefusesWhatItCannotTrust(t *testing.T) {
	k := newKeys()
	srv := &server{st: newState(DefaultCapabilities(), clock.NewFake(time.Unix(0, 0)), DefaultExpiry, false), keys: k}
	post := func(path string, body string, sign bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		if sign {
			k.sign(roleRequest, path, r.Header, []byte(body), time.Unix(0, 0))
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	if w := post("/inquire", `{"paymentId":"PT1"}`, false); w.Code != http.StatusUnauthorized {
		t.Errorf("unsigned request: HTTP %d", w.Code)
	}
	if w := post("/teleport", `{}`, true); w.Code != http.StatusNotFound {
		t.Errorf("unknown path: HTTP %d", w.Code)
	}
	w := post("/pay", `{"paymentRequestId":""}`, true)
	var a answerJSON
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || a.Result.Code != codeParamInvalid {
		t.Errorf("unreadable request: HTTP %d %s", w.Code, w.Body)
	}
	if err := k.verify(roleAnswer, "/pay", w.Header(), w.Body.Bytes()); err != nil {
		t.Errorf("the refusal is not signed: %v", err)
	}
	if err := k.verify(roleRequest, "/pay", w.Header(), w.Body.Bytes()); err == nil {
		t.Error("an answer verifies as a request")
	}
}

// TestTheHandlerServesOverHTTP: the driver and the handler speak plain
// HTTP; the in-process transport is a shortcut, not part of the protocol.
func TestTheHandlerServesOverHTTP(t *testing.T) {
	clk := clock.NewAuto(time.Unix(0, 0))
	k := newKeys()
	ts := httptest.NewServer(&server{st: newState(DefaultCapabilities(), clk, DefaultExpiry, false), keys: k})
	defer ts.Close()
	eng, err := engine.New(&driver{name: "http", caps: DefaultCapabilities(), keys: k}, engine.Config{BaseURL: ts.URL, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	req := &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode, Amount: money.MustParse("1.00 CAD")}
	pay, err := eng.Pay(t.Context(), req)
	if err != nil || pay.PaymentID != "PT1" || pay.Status != payment.StatusPending || pay.Action == nil {
		t.Fatalf("Pay = %+v, %v", pay, err)
	}
	if _, err := eng.Inquire(t.Context(), payment.Ref{PaymentID: "PT404"}); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("Inquire of an unknown payment = %v", err)
	}
}

// TestDriverDecodesWhatTheServerSends: every field of a payment and a
// refund survives the wire.
func TestDriverDecodesWhatTheServerSends(t *testing.T) {
	at := time.Date(2025, 3, 14, 9, 26, 53, 123456789, time.UTC)
	pay := &payment.Payment{PaymentID: "PT1", PaymentRequestID: "O-1", Status: payment.StatusPartiallyRefunded,
		Amount: money.MustParse("10.00 CAD"), Refunded: money.MustParse("1.00 CAD"), Scenario: payment.ScenarioApp,
		Method: payment.MethodWeChatPay, Action: &payment.Action{Kind: payment.ActionInvokeSDK, SDKParams: map[string]string{"a": "b"}},
		CreatedAt: at, ExpiresAt: at.Add(time.Hour), PaidAt: at.Add(time.Minute), CancelledAt: at.Add(2 * time.Minute), FailureReason: "r"}
	ref := &payment.Refund{RefundID: "RT1", RefundRequestID: "R-1", PaymentID: "PT1", Status: payment.RefundSucceeded,
		Amount: money.MustParse("1.00 CAD"), Reason: "why", CreatedAt: at, CompletedAt: at.Add(time.Second), FailureReason: "f"}
	for _, a := range []answer{{result: success, payment: pay}, {result: success, refund: ref}} {
		b, err := json.Marshal(a.wire())
		if err != nil {
			t.Fatal(err)
		}
		ans := &pd.Answer{Body: b}
		var got, want any
		var v pd.Verdict
		if a.payment != nil {
			got, v, err = decodePayment(ans)
			want = pay
		} else {
			got, v, err = decodeRefund(ans)
			want = ref
		}
		if err != nil || v.Outcome != pd.Done {
			t.Fatalf("decoding %s: %v, %v", b, v, err)
		}
		if diff := cmp.Diff(want, got, amountCmp); diff != "" {
			t.Errorf("decoded (-sent +got):\n%s", diff)
		}
	}
}

var amountCmp = cmp.Comparer(func(a, b money.Amount) bool { return a.Equal(b) })
