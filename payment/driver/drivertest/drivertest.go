// Package drivertest checks a driver's decoders against the contract of
// package driver, from fuzz targets: whatever bytes arrive as an answer — a
// provider's, a proxy's, or an attacker's holding a stolen key — each
// Decode method returns an error or a verdict, and never panics.
//
// A verdict must have one of the three outcomes, and a refusal one of the
// reasons: the engine reads a verdict without an outcome as "ask again", so
// a decoder that forgets to set one turns every answer it meets into
// retries and then an unknown outcome, which no other check sees. What a
// Done value must carry (IDs, statuses, amounts) the engine checks on every
// answer before it believes it; a fuzz target may add its provider's own
// rules next to CheckDecoders.
//
//	func FuzzDecode(f *testing.F) {
//		f.Add([]byte(`{"code":"OK","status":"PAID"}`)) // real answers as seeds
//		d := newDriver(…)
//		f.Fuzz(func(t *testing.T, body []byte) {
//			drivertest.CheckDecoders(t, d, body, drivertest.Requests{})
//		})
//	}
package drivertest

import (
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
)

// Requests are what the decoders are called with, as the engine would
// call them after sending. A nil or zero field takes a default: a cashier
// pay of 10.00 USD under request ID "FUZZ-PAY", references by request ID,
// a refund of 1.00 USD.
type Requests struct {
	Pay       *payment.PayRequest
	Ref       payment.Ref
	Refund    *payment.RefundRequest
	RefundRef payment.RefundRef
}

func (r Requests) withDefaults() Requests {
	if r.Pay == nil {
		r.Pay = &payment.PayRequest{PaymentRequestID: "FUZZ-PAY", Amount: money.MustParse("10.00 USD"),
			Scenario: payment.ScenarioCashier, Description: "fuzz"}
	}
	if r.Ref == (payment.Ref{}) {
		r.Ref = payment.Ref{PaymentRequestID: r.Pay.PaymentRequestID}
	}
	if r.Refund == nil {
		r.Refund = &payment.RefundRequest{RefundRequestID: "FUZZ-REFUND", Payment: r.Ref, Amount: money.MustParse("1.00 USD")}
	}
	if r.RefundRef == (payment.RefundRef{}) {
		r.RefundRef = payment.RefundRef{RefundRequestID: r.Refund.RefundRequestID}
	}
	return r
}

// CheckDecoders gives body, as a verified answer, to each of d's five
// Decode methods and reports through t, naming the method, a panic or a
// verdict without an outcome, or with a reason package driver does not
// define.
func CheckDecoders(t testing.TB, d driver.Driver, body []byte, r Requests) {
	t.Helper()
	r = r.withDefaults()
	answer := func() *driver.Answer {
		return &driver.Answer{URI: "/", Header: http.Header{}, Body: append([]byte(nil), body...)}
	}
	check(t, "DecodePay", func() (driver.Verdict, error) {
		_, v, err := d.DecodePay(r.Pay, answer())
		return v, err
	})
	check(t, "DecodeInquire", func() (driver.Verdict, error) {
		_, v, err := d.DecodeInquire(r.Ref, answer())
		return v, err
	})
	check(t, "DecodeCancel", func() (driver.Verdict, error) {
		_, v, err := d.DecodeCancel(r.Ref, answer())
		return v, err
	})
	check(t, "DecodeRefund", func() (driver.Verdict, error) {
		_, v, err := d.DecodeRefund(r.Refund, answer())
		return v, err
	})
	check(t, "DecodeInquireRefund", func() (driver.Verdict, error) {
		_, v, err := d.DecodeInquireRefund(r.RefundRef, answer())
		return v, err
	})
}

func check(t testing.TB, name string, decode func() (driver.Verdict, error)) {
	t.Helper()
	var (
		v        driver.Verdict
		err      error
		panicked bool
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				panicked = true
				t.Errorf("%s panicked: %v", name, p)
			}
		}()
		v, err = decode()
	}()
	if panicked || err != nil {
		return
	}
	switch v.Outcome {
	case driver.Done, driver.Pending:
	case driver.Refused:
		if v.Reason.String() == "invalid reason" {
			t.Errorf("%s: Refused with reason %d, not one of package driver's", name, v.Reason)
		}
	default:
		t.Errorf("%s: no error and no outcome (verdict %+v): the engine would ask again, and again", name, v)
	}
}
