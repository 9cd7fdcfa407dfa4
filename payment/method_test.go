package payment_test

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// Methods are an open set: any token is a method, the well-known ones are
// constants, and the provider's Capabilities decide what it takes.
func TestMethods(t *testing.T) {
	seen := map[payment.Method]bool{}
	for _, m := range payment.WellKnownMethods() {
		if !m.Valid() || !m.WellKnown() || seen[m] {
			t.Errorf("well-known %q: valid %v, known %v, repeated %v", m, m.Valid(), m.WellKnown(), seen[m])
		}
		seen[m] = true
	}
	if len(seen) != 10 {
		t.Errorf("%d well-known methods", len(seen))
	}
	for _, m := range []payment.Method{"yourpay_points", "m", "a1_b2", payment.Method(strings.Repeat("z", 64))} {
		if !m.Valid() || m.WellKnown() {
			t.Errorf("%q: valid %v, well-known %v", m, m.Valid(), m.WellKnown())
		}
	}
	for _, m := range []payment.Method{"", "GCASH", "gcash ", "g-cash", "gcash\n", "gcásh", payment.Method(strings.Repeat("z", 65))} {
		if m.Valid() {
			t.Errorf("%q is valid", m)
		}
	}

	// A provider that lists a method of its own takes it; one that does not
	// refuses it as unsupported, naming it.
	caps := payment.Capabilities{
		Scenarios:      []payment.Scenario{payment.ScenarioCashier},
		Methods:        []payment.Method{payment.MethodGCash, "yourpay_points"},
		MethodRequired: []payment.Scenario{payment.ScenarioCashier},
	}
	req := func(m payment.Method) *payment.PayRequest {
		return &payment.PayRequest{PaymentRequestID: "R1", Scenario: payment.ScenarioCashier, Amount: money.MustParse("1.00 PHP"), Method: m}
	}
	for _, m := range []payment.Method{payment.MethodGCash, "yourpay_points"} {
		if err := payment.ValidatePay("yourpay", caps, req(m)); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	err := payment.ValidatePay("yourpay", caps, req(payment.MethodDANA))
	if payment.KindOf(err) != payment.KindUnsupported || !strings.Contains(err.Error(), "dana is not supported by yourpay") {
		t.Errorf("a method the provider does not list: %v", err)
	}
	if err := payment.ValidatePay("yourpay", caps, req("DANA")); payment.KindOf(err) != payment.KindInvalidRequest || strings.Contains(err.Error(), "DANA") {
		t.Errorf("a method that is not a token: %v", err)
	}
}
