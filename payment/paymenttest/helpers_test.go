package paymenttest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// start is when every test's fake clock begins.
var start = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// Card data used in tests; it must never appear in an error.
const (
	cardNumber = "4111111111111111"
	cardCVV    = "737"
)

// newAuto returns a provider on a clock that moves itself through every
// wait, so retries take no real time.
func newAuto(opts ...paymenttest.Option) (*paymenttest.Provider, *clock.Fake) {
	clk := clock.NewAuto(start)
	return paymenttest.New(append([]paymenttest.Option{paymenttest.WithClock(clk)}, opts...)...), clk
}

// newManual returns a provider on a clock that moves only when told to.
func newManual(opts ...paymenttest.Option) (*paymenttest.Provider, *clock.Fake) {
	clk := clock.NewFake(start)
	return paymenttest.New(append([]paymenttest.Option{paymenttest.WithClock(clk)}, opts...)...), clk
}

// payReq returns a valid request in scenario s, with the extras s needs.
func payReq(id string, s payment.Scenario, amount string) *payment.PayRequest {
	req := &payment.PayRequest{PaymentRequestID: id, Scenario: s, Amount: money.MustParse(amount), Description: "test order"}
	switch s {
	case payment.ScenarioInStoreScan:
		req.PaymentCode = "287634438256643940"
	case payment.ScenarioMiniProgram, payment.ScenarioNativeJSAPI:
		req.Customer = &payment.Customer{AppID: "wx-app", PayerID: "payer-1"}
	case payment.ScenarioApp:
		req.Device = &payment.Device{OS: payment.OSIOS, Version: "17.4"}
	case payment.ScenarioCreditCard:
		req.Card = &payment.Card{Number: cardNumber, ExpMonth: 12, ExpYear: 2030, CVV: cardCVV, Holder: "A Customer"}
	}
	return req
}

// qrReq is the everyday request of these tests: a 19.99 CAD QR payment.
func qrReq(id string) *payment.PayRequest { return payReq(id, payment.ScenarioQRCode, "19.99 CAD") }

// asError returns err's *payment.Error, failing the test if there is none.
func asError(t *testing.T, err error) *payment.Error {
	t.Helper()
	var pe *payment.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *payment.Error", err, err)
	}
	return pe
}

// wantKind checks that err is a *payment.Error of kind want (0: no error).
func wantKind(t *testing.T, err error, want payment.Kind) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want kind %q", want)
	}
	if pe := asError(t, err); pe.Kind != want {
		t.Fatalf("error %v: kind %q, want %q", err, pe.Kind, want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("errors.Is(%v, %q) is false", err, want)
	}
}

// wantCode checks an error's result code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := asError(t, err).Result.Code; got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// paid creates a payment of amount and completes it.
func paid(t *testing.T, p *paymenttest.Provider, id, amount string) *payment.Payment {
	t.Helper()
	pay, err := p.Pay(t.Context(), payReq(id, payment.ScenarioQRCode, amount))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Complete(pay.PaymentID); err != nil {
		t.Fatal(err)
	}
	pay.Status = payment.StatusSucceeded
	return pay
}

func refundReq(id, paymentID, amount string) *payment.RefundRequest {
	return &payment.RefundRequest{RefundRequestID: id, Payment: payment.Ref{PaymentID: paymentID}, Amount: money.MustParse(amount)}
}

func fault(k paymenttest.FaultKind) paymenttest.Fault { return paymenttest.Fault{Kind: k} }

func result(s payment.ResultStatus, code string) paymenttest.Fault {
	return paymenttest.Fault{Kind: paymenttest.FaultResult, Status: s, Code: code}
}

func times(n int, f paymenttest.Fault) []paymenttest.Fault {
	out := make([]paymenttest.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}
