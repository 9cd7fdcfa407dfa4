package drivertest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/driver/drivertest"
)

// recorder is a testing.TB that keeps what is reported.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// fake is a driver whose decoders all return what verdict returns.
type fake struct {
	driver.Driver
	verdict func() (driver.Verdict, error)
}

func (f fake) DecodePay(*payment.PayRequest, *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	v, err := f.verdict()
	return &payment.Payment{}, v, err
}
func (f fake) DecodeInquire(payment.Ref, *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	v, err := f.verdict()
	return &payment.Payment{}, v, err
}
func (f fake) DecodeCancel(payment.Ref, *driver.Answer) (*payment.Payment, driver.Verdict, error) {
	v, err := f.verdict()
	return &payment.Payment{}, v, err
}
func (f fake) DecodeRefund(*payment.RefundRequest, *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	v, err := f.verdict()
	return &payment.Refund{}, v, err
}
func (f fake) DecodeInquireRefund(payment.RefundRef, *driver.Answer) (*payment.Refund, driver.Verdict, error) {
	v, err := f.verdict()
	return &payment.Refund{}, v, err
}

// Each broken promise is reported, once per decoder, naming it; a driver
// that keeps them, or returns errors, is not reported.
func TestCheckDecoders(t *testing.T) {
	for name, tt := range map[string]struct {
		verdict func() (driver.Verdict, error)
		want    string // "" for no report
	}{
		"Done":    {func() (driver.Verdict, error) { return driver.Verdict{Outcome: driver.Done}, nil }, ""},
		"Pending": {func() (driver.Verdict, error) { return driver.Verdict{Outcome: driver.Pending}, nil }, ""},
		"Refused": {func() (driver.Verdict, error) {
			return driver.Verdict{Outcome: driver.Refused, Reason: driver.NotFound}, nil
		}, ""},
		"an error":      {func() (driver.Verdict, error) { return driver.Verdict{}, errors.New("unreadable") }, ""},
		"a panic":       {func() (driver.Verdict, error) { panic("index out of range") }, "panicked: index out of range"},
		"no outcome":    {func() (driver.Verdict, error) { return driver.Verdict{}, nil }, ": no error and no outcome"},
		"a bad reason":  {func() (driver.Verdict, error) { return driver.Verdict{Outcome: driver.Refused, Reason: 99}, nil }, ": Refused with reason 99"},
		"a bad outcome": {func() (driver.Verdict, error) { return driver.Verdict{Outcome: 7}, nil }, ": no error and no outcome"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{TB: t}
			drivertest.CheckDecoders(rec, fake{verdict: tt.verdict}, []byte(`{}`), drivertest.Requests{})
			if tt.want == "" {
				if len(rec.errs) > 0 {
					t.Errorf("reported %q", rec.errs)
				}
				return
			}
			if len(rec.errs) != 5 {
				t.Fatalf("%d reports, want one per decoder: %q", len(rec.errs), rec.errs)
			}
			for i, m := range []string{"DecodePay", "DecodeInquire", "DecodeCancel", "DecodeRefund", "DecodeInquireRefund"} {
				if !strings.HasPrefix(rec.errs[i], m) || !strings.Contains(rec.errs[i], tt.want) {
					t.Errorf("report %d = %q, want %s…%s", i, rec.errs[i], m, tt.want)
				}
			}
		})
	}
}
