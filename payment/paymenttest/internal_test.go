package paymenttest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/payment"
)

// TestTransitionsAreChecked: a status change the table forbids is reported
// as an internal error and leaves the payment as it was; nothing panics.
func TestTransitionsAreChecked(t *testing.T) {
	p := New()
	pay := &payment.Payment{PaymentID: "PT1", PaymentRequestID: "ORDER-1", Status: payment.StatusRefunded}
	for _, to := range []payment.Status{payment.StatusPending, payment.StatusSucceeded, payment.StatusCancelled, "bogus"} {
		err := p.setStatusLocked(pay, to)
		if err == nil || !strings.Contains(err.Error(), "internal error") {
			t.Errorf("refunded -> %s: error %v, want an internal error", to, err)
		}
		if pay.Status != payment.StatusRefunded {
			t.Fatalf("status changed to %s", pay.Status)
		}
	}
	if p.charges["ORDER-1"] != 0 {
		t.Error("a refused transition counted a charge")
	}
}

// TestBrokenStateIsAnError: a model bug surfaces as a *payment.Error of
// kind KindFailed, whichever way the provider was reached; nothing panics.
func TestBrokenStateIsAnError(t *testing.T) {
	faults := []*Fault{
		nil,
		{Kind: FaultResult, Status: payment.ResultSucceeded},
		{Kind: FaultDelay, Delay: time.Second},
		{Kind: FaultDropAfter},
		{Kind: FaultBadSignature},
	}
	for _, f := range faults {
		p := New(WithClock(clock.NewAuto(time.Unix(0, 0))))
		if f != nil {
			p.Script("test", *f)
		}
		v, err := p.call(t.Context(), "test", "X", nil, func() answer { return answer{bug: errors.New("broken")} })
		if v != nil || payment.KindOf(err) != payment.KindFailed || !strings.Contains(err.Error(), "broken") {
			t.Errorf("fault %v: %v, %v; want an internal error of kind failed", f, v, err)
		}
	}

	p := New()
	p.payments["PT1"] = &payment.Payment{PaymentID: "PT1", Status: payment.StatusPending}
	err := p.customer("test", "PT1", func(*payment.Payment) error { return errors.New("broken") })
	if payment.KindOf(err) != payment.KindFailed {
		t.Errorf("customer action: %v, want kind failed", err)
	}
}
