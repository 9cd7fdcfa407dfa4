package payment

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// PollOption configures Resolve and AwaitFinal.
type PollOption func(*pollConfig)

type pollConfig struct {
	clock    Clock
	base     time.Duration
	max      time.Duration
	maxPolls int
	jitter   func(int64) int64
	onRetry  func(attempt int, err error)
}

// WithClock makes Resolve and AwaitFinal wait on c instead of the system
// clock (for tests).
func WithClock(c Clock) PollOption { return func(p *pollConfig) { p.clock = c } }

// WithPollInterval sets the first wait between inquiries and the longest
// one; waits double from base to max and are jittered by up to half. The
// defaults, 1s and 5s, follow the providers' advice to poll every few
// seconds.
func WithPollInterval(base, max time.Duration) PollOption {
	return func(p *pollConfig) {
		if base > 0 {
			p.base = base
		}
		if max >= p.base {
			p.max = max
		}
	}
}

// WithPollObserver calls f after every inquiry that did not settle the
// question, with the attempt number and the error (nil when the payment was
// found but is still pending). Use it for logging or progress output.
func WithPollObserver(f func(attempt int, err error)) PollOption {
	return func(p *pollConfig) { p.onRetry = f }
}

// WithMaxPolls bounds Resolve and AwaitFinal to n rounds of inquiry: after
// the nth round that leaves the question open they return an *Error of kind
// KindUnknownOutcome, as when the context ends. n <= 0 means no bound. A
// caller with its own schedule — notify.Reconciler — asks one round at a
// time with WithMaxPolls(1).
func WithMaxPolls(n int) PollOption { return func(p *pollConfig) { p.maxPolls = n } }

// exhausted reports whether poll number n was the last one allowed.
func (c pollConfig) exhausted(n int) bool { return c.maxPolls > 0 && n >= c.maxPolls }

// errPollsExhausted is the cause of the unknown outcome WithMaxPolls ends
// with.
func errPollsExhausted(n int) error { return fmt.Errorf("no final answer in %d round(s)", n) }

func newPollConfig(opts []PollOption) pollConfig {
	c := pollConfig{base: time.Second, max: 5 * time.Second, jitter: rand.Int64N}
	for _, o := range opts {
		o(&c)
	}
	c.clock = OrSystem(c.clock)
	return c
}

// wait sleeps before poll number n+1 ("equal jitter": between half the
// ceiling and the ceiling, so polls never bunch up at zero). It returns false
// when ctx ended first.
func (c pollConfig) wait(ctx context.Context, n int) bool {
	ceiling := c.base
	for i := 1; i < n && ceiling < c.max; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.max)
	half := int64(ceiling / 2)
	d := time.Duration(half + c.jitter(half+1))
	select {
	case <-ctx.Done():
		return false
	case <-c.clock.After(d):
		return true
	}
}

// retryable reports whether an error leaves the question open, so asking
// again may answer it.
func retryable(err error) bool {
	k := KindOf(err)
	return k == KindUnknownOutcome || k == KindUnavailable
}

// Resolve settles a pay call whose outcome is unknown: it finds out what the
// provider did with req and returns that payment, whatever its status. It
// never charges twice, because it only ever re-sends req's own
// PaymentRequestID with the same content.
//
// Each round it finds the payment and then asks for its status:
//
//   - where the provider inquires by request ID (Capabilities.InquireByRequestID)
//     it inquires; if the provider does not know the payment it re-sends req,
//     which either creates it now or meets the original;
//   - otherwise (AlphaPay) it re-sends req only to learn the PaymentID — the
//     provider answers a repeat with the existing payment, but what status
//     such an answer carries is not documented — and inquires that ID.
//
// The status always comes from an inquiry. The payment found must be req's:
// another amount or currency under the same PaymentRequestID is an error of
// kind KindIdempotencyConflict, as a direct Pay would say. A payment that is
// still pending carries the Action the customer needs (re-sending req to get
// it where the inquiry has none), so that the caller can show it.
//
// While the provider's answers stay unknown or unreachable it keeps asking,
// with backoff, until ctx ends; then it returns an *Error of kind
// KindUnknownOutcome that wraps ctx's error. A definite error (F, conflict,
// invalid) is returned as it is: for example AlphaPay answers a replay of a
// closed payment with F ORDER_CLOSED, which means no money was taken.
//
// Resolve returns as soon as the outcome is known; a payment that is still
// pending (the customer has not paid yet) is returned as pending. Follow it
// with AwaitFinal to wait for the customer.
func Resolve(ctx context.Context, p Provider, req *PayRequest, opts ...PollOption) (*Payment, error) {
	if req == nil {
		return nil, &Error{Op: "resolve", Provider: p.Name(), Kind: KindInvalidRequest, Err: errors.New("nil request")}
	}
	c := newPollConfig(opts)
	var lastErr error
	for n := 1; ; n++ {
		pay, err := resolveOnce(ctx, p, req)
		if err == nil || !retryable(err) {
			return pay, err
		}
		lastErr = err
		if c.onRetry != nil {
			c.onRetry(n, err)
		}
		if c.exhausted(n) {
			return nil, &Error{Op: "resolve", Provider: p.Name(), Kind: KindUnknownOutcome,
				RequestID: req.PaymentRequestID, Err: lastAnswer(errPollsExhausted(n), lastErr)}
		}
		if !c.wait(ctx, n) {
			return nil, &Error{Op: "resolve", Provider: p.Name(), Kind: KindUnknownOutcome,
				RequestID: req.PaymentRequestID, Err: lastAnswer(ctx.Err(), lastErr)}
		}
	}
}

// resolveOnce is one round of Resolve.
func resolveOnce(ctx context.Context, p Provider, req *PayRequest) (*Payment, error) {
	caps := p.Capabilities()
	var replay *Payment // the provider's answer to re-sending req, if sent
	var found *Payment
	var err error
	if caps.InquireByRequestID {
		found, err = p.Inquire(ctx, Ref{PaymentRequestID: req.PaymentRequestID})
		if errors.Is(err, ErrNotFound) {
			found = nil
		} else if err != nil {
			return nil, err
		}
	}
	if found == nil {
		if replay, err = p.Pay(ctx, req); err != nil {
			return nil, err
		}
		if found, err = p.Inquire(ctx, Ref{PaymentID: replay.PaymentID}); err != nil {
			return nil, err
		}
	}
	if err := sameRequest(p, req, found); err != nil {
		return nil, err
	}
	if !found.Amount.Currency().IsZero() && !found.Amount.Equal(req.Amount) {
		if replay != nil {
			// The provider just accepted the identical request as this
			// payment's, and now says it is of another amount: two signed
			// answers contradict each other. Nothing is concluded; ask
			// again.
			return nil, &Error{Op: "resolve", Provider: p.Name(), Kind: KindUnknownOutcome, RequestID: req.PaymentRequestID,
				Err: fmt.Errorf("the provider accepted the request as payment %s, whose inquiry says %s, not %s", found.PaymentID, found.Amount, req.Amount)}
		}
		return nil, &Error{Op: "resolve", Provider: p.Name(), Kind: KindIdempotencyConflict, RequestID: req.PaymentRequestID,
			Err: fmt.Errorf("payment %s under this PaymentRequestID is of %s, not %s", found.PaymentID, found.Amount, req.Amount)}
	}
	needsAction := found.Status == StatusPending && req.Scenario.ActionKind() != ActionNone && found.Action == nil
	if replay == nil && (found.Amount.Currency().IsZero() || needsAction) {
		// The inquiry did not show the amount (only the provider can say
		// whether req is the same request) or the action: re-sending req,
		// which the provider answers with the existing payment, shows both.
		if replay, err = p.Pay(ctx, req); err != nil {
			return nil, err
		}
	}
	out := *found
	if out.PaymentRequestID == "" {
		out.PaymentRequestID = req.PaymentRequestID
	}
	if out.Amount.Currency().IsZero() {
		out.Amount = req.Amount
	}
	if out.Scenario == "" {
		out.Scenario = req.Scenario
	}
	if out.Method == "" {
		out.Method = req.Method
	}
	switch {
	case out.Status != StatusPending:
		out.Action = nil
	case out.Action == nil && replay != nil && replay.PaymentID == out.PaymentID:
		out.Action = replay.Action
	}
	if out.CardToken == "" && replay != nil && replay.PaymentID == out.PaymentID {
		// Inquiries do not carry the saved card's token; the pay answer does.
		out.CardToken = replay.CardToken
	}
	return &out, nil
}

// sameRequest checks that the payment found is the one req created.
func sameRequest(p Provider, req *PayRequest, found *Payment) error {
	if found == nil || (found.PaymentRequestID != "" && found.PaymentRequestID != req.PaymentRequestID) {
		got := "nothing"
		if found != nil {
			got = "payment request " + found.PaymentRequestID
		}
		return &Error{Op: "resolve", Provider: p.Name(), Kind: KindUnknownOutcome, RequestID: req.PaymentRequestID,
			Err: fmt.Errorf("the provider answered with %s", got)}
	}
	return nil
}

// AwaitFinal inquires the payment until it is no longer pending — succeeded,
// authorized, failed, cancelled or refunded — and returns it. Unknown or
// unreachable answers are asked again; a definite error is returned at once.
// When ctx ends first it returns the last payment seen (nil if none) and an
// *Error of kind KindUnknownOutcome wrapping ctx's error: the payment may
// still complete.
func AwaitFinal(ctx context.Context, p Provider, ref Ref, opts ...PollOption) (*Payment, error) {
	c := newPollConfig(opts)
	var last *Payment
	var lastErr error
	for n := 1; ; n++ {
		pay, err := p.Inquire(ctx, ref)
		switch {
		case err == nil && pay.Status != StatusPending:
			return pay, nil
		case err == nil:
			last = pay
		case !retryable(err):
			return last, err
		default:
			lastErr = err
		}
		if c.onRetry != nil {
			c.onRetry(n, err)
		}
		if c.exhausted(n) {
			return last, &Error{Op: "await", Provider: p.Name(), Kind: KindUnknownOutcome,
				RequestID: ref.String(), Err: lastAnswer(errPollsExhausted(n), lastErr)}
		}
		if !c.wait(ctx, n) {
			return last, &Error{Op: "await", Provider: p.Name(), Kind: KindUnknownOutcome,
				RequestID: ref.String(), Err: lastAnswer(ctx.Err(), lastErr)}
		}
	}
}

// lastAnswer wraps the context's error and keeps the last attempt's error
// as text only: wrapping that *Error would let errors.Is match its kind (say,
// ErrUnavailable) on an error that means "unknown".
func lastAnswer(ctxErr, last error) error {
	if last == nil {
		return ctxErr
	}
	return fmt.Errorf("%w (last attempt: %v)", ctxErr, last)
}
