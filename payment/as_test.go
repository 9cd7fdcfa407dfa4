package payment_test

import (
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// completer is something only some providers are.
type completer interface{ Complete(paymentID string) error }

// metered wraps a Provider, as a metrics decorator would, and forwards As.
type metered struct{ payment.Provider }

func (m metered) As(target any) bool { return payment.As(m.Provider, target) }

// opaque wraps a Provider without forwarding As.
type opaque struct{ payment.Provider }

func TestAs(t *testing.T) {
	p := paymenttest.New()
	var c completer
	if !payment.As(p, &c) || c != completer(p) {
		t.Fatal("As does not find what the provider itself is")
	}
	var pt *paymenttest.Provider
	if !payment.As(metered{p}, &pt) || pt != p {
		t.Fatal("As does not reach through a wrapper that forwards it")
	}
	c = nil
	if payment.As(opaque{p}, &c) || c != nil {
		t.Fatal("As finds through a wrapper that does not forward it")
	}
	var s interface{ Unrelated() }
	if payment.As(p, &s) {
		t.Fatal("As finds a type the provider is not")
	}
	if payment.As(nil, &c) {
		t.Fatal("As finds something in a nil provider")
	}
	for name, target := range map[string]any{"nil": nil, "not a pointer": c, "a nil pointer": (*completer)(nil)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("As with a target that is %s does not panic", name)
				}
			}()
			payment.As(p, target)
		}()
	}
}
