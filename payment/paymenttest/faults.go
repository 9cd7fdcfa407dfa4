package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// FaultKind says what goes wrong with one attempt of a call.
type FaultKind int

// The fault kinds. Each names what the simulated network or provider does
// with one attempt, and so what the simulated adapter concludes.
const (
	// FaultResult: the provider answers Fault.Status and Fault.Code without
	// acting. F ends the call with that code (no retry), U is retried, and
	// S or A are a normal answer: the provider acts and the answer carries
	// that status and code.
	FaultResult FaultKind = iota + 1
	// FaultHTTPStatus: the provider answers with Fault.HTTPStatus (503 if
	// zero) without acting. 408, 429 and 5xx may come from a provider that
	// received the request, so they are retried and end as unknown outcome;
	// any other status is not an API answer and ends the call at once as
	// unknown outcome.
	FaultHTTPStatus
	// FaultDelay: the provider acts normally after Fault.Delay on the
	// clock. If the context ends first the call returns unknown outcome,
	// and the provider still acts: it has the request.
	FaultDelay
	// FaultHang: no answer until the context ends, then unknown outcome
	// wrapping the context's error. The provider did not act. Use it only
	// with a context that ends.
	FaultHang
	// FaultRefuse: the connection is refused, so the request provably never
	// left. If every attempt of a call is refused the call returns
	// payment.KindUnavailable.
	FaultRefuse
	// FaultDropBefore: the connection is lost before the provider acted.
	// The client cannot know that, so this counts as "may have been sent".
	FaultDropBefore
	// FaultDropAfter: the provider acts, then the connection is lost
	// without an answer. Retried; the retries meet the provider's
	// idempotency.
	FaultDropAfter
	// FaultNoSignature: the provider acts, and its answer is unsigned. The
	// answer is never trusted: unknown outcome, no retry.
	FaultNoSignature
	// FaultBadSignature: the provider acts, and its answer's signature does
	// not verify. Unknown outcome, no retry.
	FaultBadSignature
	// FaultTamperBody: the provider acts, and its answer is altered in
	// transit, so the signature does not verify. Unknown outcome, no retry.
	FaultTamperBody
	// FaultChangeAmount: the provider acts, and its answer names another
	// amount than the request. Unknown outcome, no retry. (On operations
	// whose request names no amount a real adapter has nothing to compare
	// with; the model treats the answer as untrusted all the same.)
	FaultChangeAmount
)

var faultNames = [...]string{
	FaultResult:       "result",
	FaultHTTPStatus:   "http-status",
	FaultDelay:        "delay",
	FaultHang:         "hang",
	FaultRefuse:       "refuse",
	FaultDropBefore:   "drop-before",
	FaultDropAfter:    "drop-after",
	FaultNoSignature:  "no-signature",
	FaultBadSignature: "bad-signature",
	FaultTamperBody:   "tamper-body",
	FaultChangeAmount: "change-amount",
}

// String returns the fault kind's name, such as "drop-after".
func (k FaultKind) String() string {
	if k > 0 && int(k) < len(faultNames) {
		return faultNames[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is what one attempt of a call meets; see Provider.Script.
type Fault struct {
	// Kind says what goes wrong.
	Kind FaultKind
	// Status is the result status of a FaultResult answer: F or U, or S or
	// A for a normal answer with that status.
	Status payment.ResultStatus
	// Code is the result code of a FaultResult answer; "" means
	// "PROCESS_FAIL" for F, "UNKNOWN_EXCEPTION" for U, "SUCCESS" for S and
	// "ACCEPTED" for A.
	Code string
	// HTTPStatus is the status of a FaultHTTPStatus answer; 0 means 503.
	HTTPStatus int
	// Delay is how long a FaultDelay answer takes, on the provider's clock.
	Delay time.Duration
}

// String describes the fault, such as "result F PROCESS_FAIL" or
// "http-status 503".
func (f Fault) String() string {
	switch f.Kind {
	case FaultResult:
		return strings.TrimSpace(fmt.Sprintf("%s %s %s", f.Kind, f.Status, f.code()))
	case FaultHTTPStatus:
		return fmt.Sprintf("%s %d", f.Kind, f.httpStatus())
	case FaultDelay:
		return fmt.Sprintf("%s %s", f.Kind, f.Delay)
	}
	return f.Kind.String()
}

func (f Fault) code() string {
	if f.Code != "" {
		return f.Code
	}
	switch f.Status {
	case payment.ResultFailed:
		return codeProcessFail
	case payment.ResultUnknown:
		return codeUnknownException
	case payment.ResultSucceeded:
		return codeSuccess
	case payment.ResultAccepted:
		return codeAccepted
	}
	return ""
}

func (f Fault) httpStatus() int {
	if f.HTTPStatus == 0 {
		return http.StatusServiceUnavailable
	}
	return f.HTTPStatus
}

// Call is one request the simulated adapter sent: one attempt of a call.
type Call struct {
	// RequestID is the request's idempotency key or reference: the
	// PaymentRequestID, RefundRequestID, or the Ref as a string.
	RequestID string
	// Payload is a canonical JSON encoding of the request as sent. It is
	// identical for identical requests, and every attempt of one call sends
	// the same bytes. Card data appears only as payment.Card's MarshalJSON
	// shows it (the last four digits).
	Payload []byte
	// Fault is the scripted fault the attempt met, or nil.
	Fault *Fault
}

// Script queues faults for the next attempts of op (payment.OpPay,
// payment.OpInquire, payment.OpCancel, payment.OpRefund or
// payment.OpInquireRefund): each attempt meets the next fault, in order,
// and attempts after the queue is empty meet none. Retries are attempts too,
// so Script(payment.OpPay, Fault{Kind: FaultResult, Status: payment.ResultUnknown})
// makes the first attempt of the next pay answer U and its retry succeed.
// A request rejected by validation is never sent and consumes no fault.
func (p *Provider) Script(op string, faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[op] = append(p.faults[op], faults...)
}

// Calls returns every request the simulated adapter sent for op, retries
// included, in order. The result is a copy.
func (p *Provider) Calls(op string) []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Call, len(p.calls[op]))
	for i, c := range p.calls[op] {
		out[i] = cloneCall(c)
	}
	return out
}

func cloneCall(c Call) Call {
	c.Payload = slices.Clone(c.Payload)
	if c.Fault != nil {
		f := *c.Fault
		c.Fault = &f
	}
	return c
}

// answer is the simulated provider's answer to one attempt.
type answer struct {
	result payment.Result
	// value is a copy of the payment or refund, set with an S result.
	value any
	// bug is a broken invariant of the model; the call fails with it.
	bug error
}

// withResult replaces a successful answer's result, on the answer and on
// the payment or refund it carries.
func (a answer) withResult(r payment.Result) answer {
	a.result = r
	switch v := a.value.(type) {
	case *payment.Payment:
		v.Result = r
	case *payment.Refund:
		v.Result = r
	}
	return a
}

// The causes of unknown and unavailable outcomes. Their text is fixed, so it
// can never carry request data.
var (
	errRefused      = errors.New("connection refused (simulated)")
	errDropped      = errors.New("connection lost before an answer (simulated)")
	errUnsigned     = errors.New("untrusted answer: answer is not signed (simulated)")
	errBadSignature = errors.New("untrusted answer: signature does not verify (simulated)")
	errTampered     = errors.New("untrusted answer: signature does not verify over the body received (simulated)")
	errAmount       = errors.New("answer contradicts the request: it names another amount (simulated)")
	errStatus       = errors.New("unrecognised result status")
)

var untrustedCause = map[FaultKind]error{
	FaultNoSignature:  errUnsigned,
	FaultBadSignature: errBadSignature,
	FaultTamperBody:   errTampered,
	FaultChangeAmount: errAmount,
}

// send records one attempt of op and returns the fault it meets, if any.
func (p *Provider) send(op, id string, body []byte) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := Call{RequestID: id, Payload: slices.Clone(body)}
	var f *Fault
	if q := p.faults[op]; len(q) > 0 {
		first := q[0]
		p.faults[op] = q[1:]
		f = &first
		recorded := first
		c.Fault = &recorded
	}
	p.calls[op] = append(p.calls[op], c)
	return f
}

// act runs the simulated provider's processing of one request under the
// state lock.
func (p *Provider) act(process func() answer) answer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return process()
}

// sleep waits d on the clock and reports whether ctx is still live.
func (p *Provider) sleep(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case <-ctx.Done():
		return false
	case <-p.clock.After(d):
	}
	return ctx.Err() == nil
}

func retryableHTTP(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// call is the simulated adapter: it sends body to the simulated provider,
// whose processing is process, retrying as the policy allows, and turns the
// outcome into a value or a *payment.Error by paybridge's outcome rules.
func (p *Provider) call(ctx context.Context, op, id string, body []byte, process func() answer) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, p.newError(op, id, payment.KindUnavailable, payment.Result{}, fmt.Errorf("not sent: %w", err))
	}
	start := p.clock.Now()
	var (
		maybeSent bool           // some attempt may have reached the provider
		lastU     payment.Result // the last U answer
		lastErr   error          // why the last attempt had no answer
	)
	giveUp := func(attempts int, causes ...error) error {
		kind := payment.KindUnknownOutcome
		if !maybeSent {
			kind = payment.KindUnavailable
		}
		format := "gave up after " + strconv.Itoa(attempts) + " attempt(s)"
		args := []any{}
		for _, c := range causes {
			if c != nil {
				format += ": %w"
				args = append(args, c)
			}
		}
		return p.newError(op, id, kind, lastU, fmt.Errorf(format, args...))
	}
	unknown := func(res payment.Result, cause error) error {
		return p.newError(op, id, payment.KindUnknownOutcome, res, cause)
	}

	for attempt := 1; ; attempt++ {
		f := p.send(op, id, body)
		var ans *answer
		switch {
		case f == nil:
			a := p.act(process)
			ans = &a
		case f.Kind == FaultResult:
			switch f.Status {
			case payment.ResultSucceeded, payment.ResultAccepted:
				a := p.act(process)
				if a.bug == nil && a.result.Status == payment.ResultSucceeded {
					a = a.withResult(payment.Result{Status: f.Status, Code: f.code(), Message: "scripted"})
				}
				ans = &a
			default:
				ans = &answer{result: payment.Result{Status: f.Status, Code: f.code(), Message: "scripted"}}
			}
		case f.Kind == FaultDelay:
			maybeSent = true
			if !p.sleep(ctx, f.Delay) {
				// The provider has the request and acts on it, though
				// nobody waits for the answer any more.
				if a := p.act(process); a.bug != nil {
					return nil, p.newError(op, id, payment.KindFailed, payment.Result{}, a.bug)
				}
				return nil, giveUp(attempt, errors.New("no answer"), ctx.Err())
			}
			a := p.act(process)
			ans = &a
		case f.Kind == FaultHTTPStatus:
			maybeSent = true
			if !retryableHTTP(f.httpStatus()) {
				return nil, unknown(lastU, fmt.Errorf("HTTP %d (not an API answer)", f.httpStatus()))
			}
			lastErr = fmt.Errorf("HTTP %d", f.httpStatus())
		case f.Kind == FaultHang:
			maybeSent = true
			<-ctx.Done()
			return nil, giveUp(attempt, errors.New("no answer"), ctx.Err())
		case f.Kind == FaultRefuse:
			lastErr = errRefused
		case f.Kind == FaultDropBefore:
			maybeSent = true
			lastErr = errDropped
		case f.Kind == FaultDropAfter:
			maybeSent = true
			if a := p.act(process); a.bug != nil {
				return nil, p.newError(op, id, payment.KindFailed, payment.Result{}, a.bug)
			}
			lastErr = errDropped
		case f.Kind >= FaultNoSignature && f.Kind <= FaultChangeAmount:
			if a := p.act(process); a.bug != nil {
				return nil, p.newError(op, id, payment.KindFailed, payment.Result{}, a.bug)
			}
			return nil, unknown(payment.Result{}, untrustedCause[f.Kind])
		default:
			return nil, p.newError(op, id, payment.KindInvalidRequest, payment.Result{},
				fmt.Errorf("paymenttest: scripted fault of unknown kind %s", f.Kind))
		}

		if ans != nil {
			maybeSent = true
			if ans.bug != nil {
				return nil, p.newError(op, id, payment.KindFailed, payment.Result{}, ans.bug)
			}
			switch ans.result.Status {
			case payment.ResultSucceeded, payment.ResultAccepted:
				return ans.value, nil
			case payment.ResultFailed:
				return nil, p.newError(op, id, kindOfCode(ans.result.Code), ans.result, nil)
			case payment.ResultUnknown:
				lastU, lastErr = ans.result, nil
			default:
				return nil, unknown(ans.result, errStatus)
			}
		}

		wait, ok := p.retry.Wait(attempt, 0, p.clock.Now().Sub(start), nil)
		if !ok {
			return nil, giveUp(attempt, lastErr)
		}
		if !p.sleep(ctx, wait) {
			return nil, giveUp(attempt, lastErr, ctx.Err())
		}
	}
}

// kindOfCode maps an F code to the most precise kind, as adapters do.
func kindOfCode(code string) payment.Kind {
	switch code {
	case codeRepeatReqInconsistent:
		return payment.KindIdempotencyConflict
	case codeOrderNotExist, codeRefundNotExist:
		return payment.KindNotFound
	}
	return payment.KindFailed
}

func (p *Provider) newError(op, id string, kind payment.Kind, res payment.Result, cause error) *payment.Error {
	return &payment.Error{Op: op, Provider: p.name, Kind: kind, RequestID: id, Result: res, Err: cause}
}
