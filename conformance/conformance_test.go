package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/conformance"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// harness runs the suite on the in-memory reference provider, which is its
// own simulator: every harness method maps onto it directly. wrap, if set,
// stands between the suite and the provider (the broken adapters below).
type harness struct {
	p    *paymenttest.Provider
	wrap func(payment.Provider) payment.Provider
}

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

func (h harness) Provider() payment.Provider {
	if h.wrap != nil {
		return h.wrap(h.p)
	}
	return h.p
}

func (h harness) Script(op string, faults ...conformance.Fault) error {
	out := make([]paymenttest.Fault, len(faults))
	for i, f := range faults {
		k, ok := faultKinds[f.Kind]
		if !ok || f.RetryAfter != "" {
			return fmt.Errorf("%w: %v", conformance.ErrFaultUnsupported, f.Kind)
		}
		out[i] = paymenttest.Fault{Kind: k, Status: f.Status, Code: f.Code, HTTPStatus: f.HTTPStatus, Delay: f.Delay}
	}
	return h.p.Script(op, out...)
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

func maker(caps payment.Capabilities, auto bool, wrap func(payment.Provider) payment.Provider) conformance.HarnessMaker {
	return func(t *testing.T, opts conformance.Options) conformance.Harness {
		return harness{p: paymenttest.New(
			paymenttest.WithCapabilities(caps),
			paymenttest.WithAutoComplete(auto),
			paymenttest.WithRetry(opts.Retry),
			paymenttest.WithClock(opts.Clock),
		), wrap: wrap}
	}
}

// The reference provider passes the suite, with its default capabilities,
// with narrower ones, and with payments that complete at once.
func TestReferenceProviderPasses(t *testing.T) {
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

	t.Run("default", func(t *testing.T) { conformance.Run(t, maker(paymenttest.DefaultCapabilities(), false, nil)) })
	t.Run("narrow", func(t *testing.T) { conformance.Run(t, maker(narrow, false, nil)) })
	t.Run("auto-complete", func(t *testing.T) { conformance.Run(t, maker(instant, true, nil)) })
}

// broken is a Provider that breaks one rule of the outcome semantics.
type broken struct {
	payment.Provider
	pay func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error)
}

func (b broken) Pay(ctx context.Context, req *payment.PayRequest) (*payment.Payment, error) {
	return b.pay(ctx, b.Provider, req)
}

var brokenAdapters = map[string]struct {
	pay     func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error)
	mustSay string // the suite's failure output must name the broken rule
}{
	// Reports an unknown outcome as a failure: the customer may have paid.
	"maps-unknown-to-failed": {
		pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
			got, err := p.Pay(ctx, req)
			var pe *payment.Error
			if errors.As(err, &pe) && pe.Kind == payment.KindUnknownOutcome {
				failed := *pe
				failed.Kind = payment.KindFailed
				return nil, &failed
			}
			return got, err
		},
		mustSay: "nothing may be reported as failed when the provider might have taken the money",
	},
	// "Recovers" from an unknown outcome by paying again under a new ID:
	// the classic double charge.
	"retries-with-a-new-request-id": {
		pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
			got, err := p.Pay(ctx, req)
			if errors.Is(err, payment.ErrUnknownOutcome) {
				again := *req
				again.PaymentRequestID += "-RETRY"
				return p.Pay(ctx, &again)
			}
			return got, err
		},
		mustSay: "a retry must re-send the same request ID and identical body bytes",
	},
	// Puts the card number in its errors.
	"leaks-card-data": {
		pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
			got, err := p.Pay(ctx, req)
			if err != nil && req.Card != nil {
				return nil, fmt.Errorf("%w (card %s)", err, req.Card.Number)
			}
			return got, err
		},
		mustSay: "a secret (411111…) appears in an error",
	},
}

// TestSuiteCatchesBrokenAdapters proves the suite can fail: each broken
// adapter runs the whole suite in a child test process, which must fail with
// a message naming the rule it broke.
func TestSuiteCatchesBrokenAdapters(t *testing.T) {
	if os.Getenv("PAYBRIDGE_BROKEN_ADAPTER") != "" {
		t.Skip("running as the child")
	}
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	for name, b := range brokenAdapters {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenAdapterChild$", "-test.v")
			cmd.Env = append(os.Environ(), "PAYBRIDGE_BROKEN_ADAPTER="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a broken adapter (err %v):\n%s", err, tail(out))
			}
			if !strings.Contains(string(out), "RULE BROKEN") || !strings.Contains(string(out), b.mustSay) {
				t.Fatalf("the suite failed without naming the rule %q:\n%s", b.mustSay, tail(out))
			}
		})
	}
}

// TestBrokenAdapterChild runs the suite on the broken adapter its parent
// names; it is expected to fail.
func TestBrokenAdapterChild(t *testing.T) {
	name := os.Getenv("PAYBRIDGE_BROKEN_ADAPTER")
	if name == "" {
		t.Skip("run by TestSuiteCatchesBrokenAdapters")
	}
	b := brokenAdapters[name]
	conformance.Run(t, maker(paymenttest.DefaultCapabilities(), false, func(p payment.Provider) payment.Provider {
		return broken{Provider: p, pay: b.pay}
	}))
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 3000 {
		s = "…" + s[len(s)-3000:]
	}
	return s
}
