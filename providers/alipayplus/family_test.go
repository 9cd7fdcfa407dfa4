package alipayplus

import (
	"errors"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// classify reads a result object as the adapter's Decode methods do: for a
// pay, or for any other call.
func classify(r wire.Result, pay bool) (driver.Verdict, error) {
	op := payment.OpInquire
	if pay {
		op = payment.OpPay
	}
	return reasons.Classify(r, op)
}

// The adapter's verification errors are the Alipay family's too: they read
// as the adapter's and match both packages' sentinels.
func TestErrorsAreTheFamilys(t *testing.T) {
	d := testDriver(t)
	err := d.env.Verify(wire.PathPay, http.Header{}, []byte(`{"result":{"resultStatus":"F","resultCode":"ACCESS_DENIED"}}`))
	if !errors.Is(err, ErrUnsigned) || !errors.Is(err, alipayfamily.ErrUnsigned) || err.Error() != "alipayplus: not signed (the answer says F ACCESS_DENIED)" {
		t.Errorf("unsigned: %v", err)
	}
	h := http.Header{}
	h.Set(wire.HeaderClientID, "someone-else")
	err = d.env.Verify(wire.PathPay, h, nil)
	if !errors.Is(err, ErrWrongClient) || !errors.Is(err, alipayfamily.ErrWrongClient) || err.Error() != ErrWrongClient.Error() {
		t.Errorf("wrong client: %v", err)
	}
	if len(reasons) != len(alipayfamily.StandardReasons()) {
		t.Errorf("the adapter's reasons are not the family's standard table: %v", reasons)
	}
}
