package familytest_test

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
)

// BumpAmounts raises the amounts of an answer and of the structs it
// embeds, and nothing else.
func TestBumpAmounts(t *testing.T) {
	type Facts struct {
		PaymentAmount *alipayfamily.Amount
		Plain         alipayfamily.Amount
	}
	type hidden struct{ HiddenAmount *alipayfamily.Amount }
	type answer struct {
		RefundAmount *alipayfamily.Amount
		None         *alipayfamily.Amount
		Facts
		hidden
	}
	a := &answer{RefundAmount: &alipayfamily.Amount{Currency: "USD", Value: "199"},
		Facts:  Facts{PaymentAmount: &alipayfamily.Amount{Currency: "USD", Value: "9"}, Plain: alipayfamily.Amount{Value: "5"}},
		hidden: hidden{HiddenAmount: &alipayfamily.Amount{Value: "7"}}}
	familytest.BumpAmounts(a)
	familytest.BumpAmounts(answer{})       // not a pointer: nothing
	familytest.BumpAmounts((*answer)(nil)) // nil: nothing
	if a.RefundAmount.Value != "200" || a.PaymentAmount.Value != "10" || a.Plain.Value != "5" || a.None != nil || a.HiddenAmount.Value != "7" {
		t.Errorf("%+v %+v %+v %+v", a.RefundAmount, a.PaymentAmount, a.Plain, a.HiddenAmount)
	}
}

// The shared body checks name the field and never a value.
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		res  *familytest.Result
		code string
	}{
		{familytest.CheckPaymentRef(&alipayfamily.PaymentRef{}), "PARAM_ILLEGAL"},
		{familytest.CheckPaymentRef(&alipayfamily.PaymentRef{PaymentID: strings.Repeat("9", 65)}), "PARAM_ILLEGAL"},
		{familytest.CheckRefundRef(&alipayfamily.RefundRef{}), "PARAM_ILLEGAL"},
		{familytest.CheckURL("ftp://x.example/", "paymentRedirectUrl", 2048), "PARAM_ILLEGAL"},
	} {
		if tc.res == nil || tc.res.ResultCode != tc.code || tc.res.ResultStatus != "F" {
			t.Errorf("%+v, want F %s", tc.res, tc.code)
		}
	}
	if familytest.CheckPaymentRef(&alipayfamily.PaymentRef{PaymentRequestID: "P-1"}) != nil || familytest.CheckRefundRef(&alipayfamily.RefundRef{RefundID: "1"}) != nil {
		t.Error("a valid reference refused")
	}
	allowed := familytest.Currencies("x", []string{"PHP"})
	if !allowed("PHP") || allowed("USD") || !familytest.Currencies("x", nil)("USD") {
		t.Error("Currencies")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "x: WithCurrencies") {
			t.Errorf("an unknown currency: %v", r)
		}
	}()
	familytest.Currencies("x", []string{"XYZ1"})
}
