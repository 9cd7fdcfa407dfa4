package paymenttest_test

import (
	"fmt"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// harness exposes a Provider to the conformance suite. The Provider is its
// own simulator, so every harness method maps onto it directly.
type harness struct{ p *paymenttest.Provider }

var faultKinds = map[conformance.FaultKind]paymenttest.FaultKind{
	conformance.FaultResult:       paymenttest.FaultResult,
	conformance.FaultHTTPStatus:   paymenttest.FaultHTTPStatus,
	conformance.FaultDelay:        paymenttest.FaultDelay,
	conformance.FaultHang:         paymenttest.FaultHang,
	conformance.FaultRefuse:       paymenttest.FaultRefuse,
	conformance.FaultDropBefore:   paymenttest.FaultDropBefore,
	conformance.FaultDropAfter:    paymenttest.FaultDropAfter,
	conformance.FaultTamperBody:   paymenttest.FaultTamperBody,
	conformance.FaultNoSignature:  paymenttest.FaultNoSignature,
	conformance.FaultBadSignature: paymenttest.FaultBadSignature,
	conformance.FaultChangeAmount: paymenttest.FaultChangeAmount,
}

func (h harness) Provider() payment.Provider { return h.p }

func (h harness) Script(op string, faults ...conformance.Fault) error {
	out := make([]paymenttest.Fault, len(faults))
	for i, f := range faults {
		k, ok := faultKinds[f.Kind]
		if !ok || f.RetryAfter != "" {
			return fmt.Errorf("%w: %v", conformance.ErrFaultUnsupported, f.Kind)
		}
		out[i] = paymenttest.Fault{Kind: k, Status: f.Status, Code: f.Code, HTTPStatus: f.HTTPStatus, Delay: f.Delay}
	}
	h.p.Script(op, out...)
	return nil
}

func (h harness) Requests(op string) []conformance.Request {
	calls := h.p.Calls(op)
	out := make([]conformance.Request, len(calls))
	for i, c := range calls {
		out[i] = conformance.Request{Body: c.Payload}
	}
	return out
}

func (h harness) Complete(id string) error     { return h.p.Complete(id) }
func (h harness) Decline(id string) error      { return h.p.Decline(id) }
func (h harness) Expire(id string) error       { return h.p.Expire(id) }
func (h harness) Charges(requestID string) int { return h.p.Charges(requestID) }
func (h harness) Close()                       {}

// TestConformance: the reference provider passes the suite, with its
// default capabilities, with narrower ones, and with payments that complete
// at once.
func TestConformance(t *testing.T) {
	narrow := paymenttest.DefaultCapabilities()
	narrow.Scenarios = []payment.Scenario{payment.ScenarioCreditCard, payment.ScenarioQRCode}
	narrow.Currencies = []money.Currency{money.CAD, money.JPY}
	narrow.InquireByRequestID = false
	narrow.CancelPaid = true
	narrow.PartialRefund = false
	narrow.InquiryShowsRefunds = false
	narrow.MaxAmountDigits = 7

	instant := paymenttest.DefaultCapabilities()
	instant.Scenarios = []payment.Scenario{payment.ScenarioInStoreScan, payment.ScenarioCreditCard}

	tests := []struct {
		name string
		caps payment.Capabilities
		auto bool
	}{
		{"default", paymenttest.DefaultCapabilities(), false},
		{"narrow", narrow, false},
		{"auto-complete", instant, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conformance.Run(t, func(t *testing.T, opts conformance.Options) conformance.Harness {
				return harness{paymenttest.New(
					paymenttest.WithCapabilities(tt.caps),
					paymenttest.WithAutoComplete(tt.auto),
					paymenttest.WithRetry(opts.Retry),
					paymenttest.WithClock(opts.Clock),
				)}
			})
		})
	}
}
