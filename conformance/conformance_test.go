package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

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

// ledgerHarness is a harness whose provider can show its books through its
// own inquiries: by request ID, with refunds. paymenttest has no read-only
// ledger accessors yet, so the Ledger asks the provider itself, past the
// suite (its calls appear in Calls, after the calls the suite checks).
type ledgerHarness struct{ harness }

var _ conformance.Ledger = ledgerHarness{}

// ledgerTimeout bounds a ledger inquiry: a fault left in the provider's
// queue by a broken adapter (a hang) must not block the suite.
const ledgerTimeout = 5 * time.Second

func (h ledgerHarness) PaymentStatus(paymentRequestID string) (payment.Status, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
	defer cancel()
	p, err := h.p.Inquire(ctx, payment.Ref{PaymentRequestID: paymentRequestID})
	switch {
	case errors.Is(err, payment.ErrNotFound):
		return "", false
	case err != nil:
		// A fault meant for the adapter met the ledger: a status no
		// comparison accepts, which names the cause.
		return payment.Status("unreadable: " + err.Error()), true
	}
	return p.Status, true
}

func (h ledgerHarness) RefundCount(refundRequestID string) int {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerTimeout)
	defer cancel()
	// paymenttest keeps one refund per RefundRequestID: 0 or 1 by
	// construction.
	if _, err := h.p.InquireRefund(ctx, payment.RefundRef{RefundRequestID: refundRequestID}); err != nil {
		return 0
	}
	return 1
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
		h := harness{p: paymenttest.New(
			paymenttest.WithCapabilities(caps),
			paymenttest.WithAutoComplete(auto),
			paymenttest.WithRetry(opts.Retry),
			paymenttest.WithClock(opts.Clock),
		), wrap: wrap}
		if caps.InquireByRequestID && caps.InquireRefundByRequestID && caps.InquiryShowsRefunds {
			return ledgerHarness{h}
		}
		return h
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

// broken is a Provider that breaks one rule of the outcome semantics: each
// hook, when set, stands in for its method.
type broken struct {
	payment.Provider
	hooks
}

type hooks struct {
	pay     func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error)
	inquire func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error)
	cancel  func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error)
	refund  func(ctx context.Context, p payment.Provider, req *payment.RefundRequest) (*payment.Refund, error)
}

func (b broken) Pay(ctx context.Context, req *payment.PayRequest) (*payment.Payment, error) {
	if b.pay == nil {
		return b.Provider.Pay(ctx, req)
	}
	return b.pay(ctx, b.Provider, req)
}

func (b broken) Inquire(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if b.inquire == nil {
		return b.Provider.Inquire(ctx, ref)
	}
	return b.inquire(ctx, b.Provider, ref)
}

func (b broken) Cancel(ctx context.Context, ref payment.Ref) (*payment.Payment, error) {
	if b.cancel == nil {
		return b.Provider.Cancel(ctx, ref)
	}
	return b.cancel(ctx, b.Provider, ref)
}

func (b broken) Refund(ctx context.Context, req *payment.RefundRequest) (*payment.Refund, error) {
	if b.refund == nil {
		return b.Provider.Refund(ctx, req)
	}
	return b.refund(ctx, b.Provider, req)
}

// asFailed returns err as a failure if it is an unknown outcome for which
// when says so.
func asFailed(err error, when func(*payment.Error) bool) error {
	var pe *payment.Error
	if errors.As(err, &pe) && pe.Kind == payment.KindUnknownOutcome && when(pe) {
		failed := *pe
		failed.Kind = payment.KindFailed
		return &failed
	}
	return err
}

func always(*payment.Error) bool { return true }

// pendingAsPaid reports a pending payment as succeeded.
func pendingAsPaid(got *payment.Payment, err error) (*payment.Payment, error) {
	if err == nil && got.Status == payment.StatusPending {
		paid := *got
		paid.Status = payment.StatusSucceeded
		paid.Action = nil
		return &paid, nil
	}
	return got, err
}

// refusedAfterMaybe: an unknown outcome that carries an F result, which the
// engine reports when the F followed a maybe-performed attempt.
func refusedAfterMaybe(pe *payment.Error) bool { return pe.Result.Status == payment.ResultFailed }

var brokenAdapters = map[string]struct {
	hooks
	mustSay []string // the suite's failure output must contain each
}{
	// Reports an unknown outcome as a failure: the customer may have paid.
	"maps-unknown-to-failed": {
		hooks: hooks{pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
			got, err := p.Pay(ctx, req)
			return got, asFailed(err, always)
		}},
		mustSay: []string{"nothing may be reported as failed when the provider might have taken the money"},
	},
	// Trusts the last answer alone: an F after an attempt that may have
	// been performed becomes a failure, on every operation that changes
	// something. The old adapters did this.
	"fails-after-a-maybe-performed-attempt": {
		hooks: hooks{
			pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
				got, err := p.Pay(ctx, req)
				return got, asFailed(err, refusedAfterMaybe)
			},
			cancel: func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error) {
				got, err := p.Cancel(ctx, ref)
				return got, asFailed(err, refusedAfterMaybe)
			},
			refund: func(ctx context.Context, p payment.Provider, req *payment.RefundRequest) (*payment.Refund, error) {
				got, err := p.Refund(ctx, req)
				return got, asFailed(err, refusedAfterMaybe)
			},
		},
		mustSay: []string{"an F answer after an attempt that may have been performed must be an unknown outcome, never a definite failure",
			"sequences/pay/", "sequences/cancel/", "sequences/refund/", "replay with -conformance.seed="},
	},
	// Reports a refund whose outcome is unknown as failed: the merchant
	// refunds again by hand, and the customer is paid twice.
	"refund-unknown-as-failed": {
		hooks: hooks{refund: func(ctx context.Context, p payment.Provider, req *payment.RefundRequest) (*payment.Refund, error) {
			got, err := p.Refund(ctx, req)
			return got, asFailed(err, always)
		}},
		mustSay: []string{"nothing may be reported as failed when the provider might have taken the money", "faults/refund/"},
	},
	// Reports a cancel whose outcome is unknown as done: the order is
	// closed in the shop while the customer may still pay.
	"cancel-unknown-as-success": {
		hooks: hooks{cancel: func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error) {
			got, err := p.Cancel(ctx, ref)
			if errors.Is(err, payment.ErrUnknownOutcome) {
				return &payment.Payment{Provider: p.Name(), PaymentID: ref.PaymentID, PaymentRequestID: ref.PaymentRequestID,
					Status: payment.StatusCancelled}, nil
			}
			return got, err
		}},
		mustSay: []string{"a call may succeed only on a trusted answer that says so", "faults/cancel/"},
	},
	// Maps a paid payment's status to pending: waits for it must end, with
	// the rule named, not hang the test binary.
	"never-sees-the-payment-paid": {
		hooks: hooks{inquire: func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error) {
			got, err := p.Inquire(ctx, ref)
			if err == nil && got.Status == payment.StatusSucceeded {
				stale := *got
				stale.Status = payment.StatusPending
				return &stale, nil
			}
			return got, err
		}},
		mustSay: []string{"a payment the customer paid must be seen as succeeded"},
	},
	// Maps the provider's "processing" to succeeded: the shop ships goods
	// nobody has paid for yet. The suite's waits for a final status must end
	// with the rule named, not hang until go test's timeout.
	"maps-processing-to-succeeded": {
		hooks: hooks{
			pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
				return pendingAsPaid(p.Pay(ctx, req))
			},
			inquire: func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error) {
				return pendingAsPaid(p.Inquire(ctx, ref))
			},
		},
		mustSay: []string{"what a call reports must match the provider's books", "the provider holds payment pending"},
	},
	// "Recovers" from an unknown outcome by paying again under a new ID:
	// the classic double charge.
	"retries-with-a-new-request-id": {
		hooks: hooks{pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
			got, err := p.Pay(ctx, req)
			if errors.Is(err, payment.ErrUnknownOutcome) {
				again := *req
				again.PaymentRequestID += "-RETRY"
				return p.Pay(ctx, &again)
			}
			return got, err
		}},
		mustSay: []string{"a retry must re-send the same request ID and identical body bytes"},
	},
	// The same for refunds: the customer is refunded twice.
	"refund-retries-with-a-new-request-id": {
		hooks: hooks{refund: func(ctx context.Context, p payment.Provider, req *payment.RefundRequest) (*payment.Refund, error) {
			got, err := p.Refund(ctx, req)
			if errors.Is(err, payment.ErrUnknownOutcome) {
				again := *req
				again.RefundRequestID += "-RETRY"
				return p.Refund(ctx, &again)
			}
			return got, err
		}},
		mustSay: []string{"a retry must re-send the same request ID and identical body bytes", "faults/refund/"},
	},
	// Puts the card number in its errors.
	"leaks-card-data": {
		hooks: hooks{pay: func(ctx context.Context, p payment.Provider, req *payment.PayRequest) (*payment.Payment, error) {
			got, err := p.Pay(ctx, req)
			if err != nil && req.Card != nil {
				return nil, fmt.Errorf("%w (card %s)", err, req.Card.Number)
			}
			return got, err
		}},
		mustSay: []string{"a secret (411111…) appears in an error"},
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
			t.Parallel() // the children mostly wait on bounded hangs
			// The child's own timeout is a backstop only: the suite's waits are
			// bounded, so a broken adapter fails with a rule, never a hang.
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenAdapterChild$", "-test.v", "-test.timeout=4m")
			cmd.Env = append(os.Environ(), "PAYBRIDGE_BROKEN_ADAPTER="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a broken adapter (err %v):\n%s", err, tail(out))
			}
			if strings.Contains(string(out), "test timed out") {
				t.Fatalf("the suite hung on a broken adapter until the test timeout:\n%s", tail(out))
			}
			if !strings.Contains(string(out), "RULE BROKEN") {
				t.Fatalf("the suite failed without naming a rule:\n%s", tail(out))
			}
			for _, say := range b.mustSay {
				if !strings.Contains(string(out), say) {
					t.Errorf("the suite's output does not say %q:\n%s", say, tail(out))
				}
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
		return broken{Provider: p, hooks: b.hooks}
	}))
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 3000 {
		s = "…" + s[len(s)-3000:]
	}
	return s
}
