package conformance_test

import (
	"errors"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/simulator"
)

func TestKitFault(t *testing.T) {
	ordinary := map[payment.ResultStatus]string{payment.ResultUnknown: "BUSY"}
	for _, tc := range []struct {
		f    conformance.Fault
		want simulator.Fault
	}{
		{conformance.Fault{Kind: conformance.FaultResult, Status: payment.ResultUnknown},
			simulator.Fault{Result: &payment.Result{Status: payment.ResultUnknown, Code: "BUSY", Message: "scripted"}}},
		{conformance.Fault{Kind: conformance.FaultResult, Status: payment.ResultFailed, Code: "X"},
			simulator.Fault{Result: &payment.Result{Status: payment.ResultFailed, Code: "X", Message: "scripted"}}},
		{conformance.Fault{Kind: conformance.FaultNoSignature}, simulator.Fault{NoSignature: true}},
		{conformance.Fault{Kind: conformance.FaultBadSignature}, simulator.Fault{BadSignature: true}},
		{conformance.Fault{Kind: conformance.FaultChangeAmount}, simulator.Fault{ChangeAmount: true}},
	} {
		got, err := conformance.KitFault(tc.f, ordinary)
		if err != nil || got.NoSignature != tc.want.NoSignature || got.BadSignature != tc.want.BadSignature ||
			got.ChangeAmount != tc.want.ChangeAmount || (got.Result == nil) != (tc.want.Result == nil) ||
			(got.Result != nil && *got.Result != *tc.want.Result) {
			t.Errorf("KitFault(%v) = %+v, %v; want %+v", tc.f.Kind, got, err, tc.want)
		}
	}
	if _, err := conformance.KitFault(conformance.Fault{Kind: conformance.FaultHang}, nil); !errors.Is(err, conformance.ErrFaultUnsupported) {
		t.Errorf("a transport fault: %v", err)
	}
}
