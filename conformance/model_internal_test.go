package conformance

import (
	"errors"
	"slices"
	"testing"

	"github.com/paybridge/paybridge/payment"
)

// The model's oracle is the outcome table of docs/semantics.md; these cases
// are the table's rows, with three attempts.
func TestExpectFor(t *testing.T) {
	type allowed struct{ success, unknown, unavailable, definite bool }
	cases := []struct {
		name   string
		op     string
		faults []Fault
		want   allowed
	}{
		{"no fault: the provider's answer", payment.OpPay, nil, allowed{success: true, unknown: true, definite: true}},
		{"F first", payment.OpPay, []Fault{fF}, allowed{definite: true}},
		{"refused, then F", payment.OpRefund, []Fault{fRefuse, fF}, allowed{definite: true}},
		{"lost answer, then F", payment.OpPay, []Fault{fDropOut, fF}, allowed{unknown: true}},
		{"U, then F", payment.OpCancel, []Fault{fU, fF}, allowed{unknown: true}},
		{"HTTP 503, then F, on a read", payment.OpInquire, []Fault{fHTTP(503), fF}, allowed{definite: true}},
		{"lost answer, then the provider's answer", payment.OpRefund, []Fault{fDropOut}, allowed{success: true, unknown: true}},
		{"lost answer, then the provider's answer, on a read", payment.OpInquire, []Fault{fDropOut}, allowed{success: true, unknown: true, definite: true}},
		{"refused on every attempt", payment.OpPay, Repeat(fRefuse, 3), allowed{unavailable: true}},
		{"refused twice, then U", payment.OpPay, []Fault{fRefuse, fRefuse, fU}, allowed{unknown: true}},
		{"lost on every attempt", payment.OpPay, Repeat(fDropIn, 3), allowed{unknown: true}},
		{"unsigned", payment.OpInquire, []Fault{fNoSig}, allowed{unknown: true}},
		{"HTTP 429, then HTTP 403", payment.OpPay, []Fault{fHTTP(429), fForbidden}, allowed{unknown: true}},
		{"hang", payment.OpRefund, []Fault{fHang}, allowed{unknown: true}},
		{"changed amount on a pay", payment.OpPay, []Fault{fAmount}, allowed{unknown: true, definite: true}},
		{"changed amount on a cancel", payment.OpCancel, []Fault{fAmount}, allowed{success: true, unknown: true, definite: true}},
		{"U, then changed amount on a refund", payment.OpRefund, []Fault{fU, fAmount}, allowed{unknown: true}},
	}
	for _, c := range cases {
		x := expectFor(c.op, c.faults, 3)
		got := allowed{x.success, x.unknown, x.unavailable, x.definite}
		if got != c.want {
			t.Errorf("%s (%s %s): allowed %+v, want %+v", c.name, c.op, describeFaults(c.faults), got, c.want)
		}
	}
}

func TestFaultTransportUnsupported(t *testing.T) {
	ft := NewFaultTransport(nil, map[string]string{payment.OpRefund: "/refund"}, func(string, Fault) error { return nil })
	ft.Unsupported(payment.OpRefund, FaultChangeAmount)
	if err := ft.Script(payment.OpRefund, fDropOut, fAmount); !errors.Is(err, ErrFaultUnsupported) {
		t.Errorf("Script of an unsupported kind = %v", err)
	}
	if len(ft.queues[payment.OpRefund]) != 0 {
		t.Error("a refused script queued faults")
	}
	if err := ft.Script(payment.OpPay, fAmount); err != nil {
		t.Errorf("the kind is unsupported on refunds only: %v", err)
	}
}

func TestModelSeeds(t *testing.T) {
	t.Setenv("PAYBRIDGE_CONFORMANCE_SEED", "")
	t.Setenv("PAYBRIDGE_CONFORMANCE_SEEDS", "")
	if s, err := modelSeeds(); err != nil || len(s) != DefaultModelSeeds || s[0] != 1 {
		t.Errorf("default seeds = %v, %v", s, err)
	}
	t.Setenv("PAYBRIDGE_CONFORMANCE_SEEDS", "3")
	if s, err := modelSeeds(); err != nil || !slices.Equal(s, []uint64{1, 2, 3}) {
		t.Errorf("PAYBRIDGE_CONFORMANCE_SEEDS=3: %v, %v", s, err)
	}
	t.Setenv("PAYBRIDGE_CONFORMANCE_SEED", "42")
	if s, err := modelSeeds(); err != nil || !slices.Equal(s, []uint64{42}) {
		t.Errorf("PAYBRIDGE_CONFORMANCE_SEED=42: %v, %v", s, err)
	}
	t.Setenv("PAYBRIDGE_CONFORMANCE_SEED", "x")
	if _, err := modelSeeds(); err == nil {
		t.Error("a bad seed was accepted")
	}
}
