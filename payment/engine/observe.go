package engine

import (
	"context"
	"errors"
	"strconv"

	"github.com/paybridge/paybridge/observe"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
)

// observed is one observed call: its record, the record of the attempt
// under way (the attempts of a call are sequential) and the context the
// call runs in. It exists only when the Provider has an Observer, so that a
// Provider without one allocates nothing and carries nothing for
// observation.
type observed struct {
	o   observe.Observer
	rec observe.Call
	att observe.Attempt
	ctx context.Context
}

// startCall tells the Observer that a call begins.
func (p *Provider) startCall(ctx context.Context, op, id string, sc payment.Scenario) *observed {
	oc := &observed{o: p.obs}
	oc.rec = observe.Call{Provider: p.name, Op: op, RequestID: safeID(id), Scenario: sc, Start: p.cfg.Clock.Now()}
	oc.ctx = oc.o.CallStart(ctx, &oc.rec)
	return oc
}

// endCall completes the call's record with its result and tells the
// Observer. What the attempts found is already in the record (recordCall).
func (p *Provider) endCall(oc *observed, status string, err error) {
	r := &oc.rec
	r.Duration = p.cfg.Clock.Now().Sub(r.Start)
	if err == nil {
		r.Status = status
	} else {
		r.Kind = payment.KindOf(err)
		var pe *payment.Error
		if errors.As(err, &pe) && !pe.Result.IsZero() {
			r.ResultStatus, r.ResultCode = pe.Result.Status, pe.Result.Code
		}
	}
	oc.o.CallEnd(oc.ctx, r)
}

func paymentStatus(p *payment.Payment) string {
	if p == nil {
		return ""
	}
	return string(p.Status)
}

func refundStatus(r *payment.Refund) string {
	if r == nil {
		return ""
	}
	return string(r.Status)
}

// startAttempt tells the Observer that the next attempt begins, and returns
// the context to send it with.
func (st *callState) startAttempt(ctx context.Context) context.Context {
	oc := st.c.obs
	oc.att = observe.Attempt{Number: st.attempts + 1, Start: st.attemptAt}
	return oc.o.AttemptStart(ctx, &oc.rec, &oc.att)
}

// endAttempt completes the attempt's record from what classify found (it
// set ProviderRequestID itself) and tells the Observer. again says whether another attempt follows.
func (st *callState) endAttempt(ctx context.Context, sent, again bool) {
	oc := st.c.obs
	a := &oc.att
	a.Duration = st.p.cfg.Clock.Now().Sub(a.Start)
	if !sent {
		// Building or signing the request failed: nothing left.
		a.Outcome = observe.AttemptNotSent
		oc.o.AttemptEnd(ctx, &oc.rec, a)
		return
	}
	a.HTTPStatus = int(st.httpStatus)
	a.MayHaveBeenSent = st.last != notSent
	a.Outcome = st.attemptOutcome()
	if st.last == answered {
		a.ResultStatus, a.ResultCode = st.verdict.Result.Status, st.verdict.Result.Code
	}
	if again {
		a.RetryReason, a.Backoff = st.retryReason(), st.wait
	}
	oc.o.AttemptEnd(ctx, &oc.rec, a)
}

// attemptOutcome classifies the last attempt for observers.
func (st *callState) attemptOutcome() observe.AttemptOutcome {
	switch st.last {
	case notSent:
		return observe.AttemptNotSent
	case lost:
		if st.httpStatus != 0 && st.httpStatus != 200 {
			return observe.AttemptHTTPError
		}
		return observe.AttemptNetworkError
	case notAPI:
		return observe.AttemptHTTPError
	case untrusted:
		return observe.AttemptUntrusted
	case unreadable:
		return observe.AttemptUnreadable
	case contradicted:
		return observe.AttemptContradicted
	case answered:
		switch st.verdict.Outcome {
		case driver.Done:
			return observe.AttemptDone
		case driver.Refused:
			return observe.AttemptRefused
		}
		return observe.AttemptPending
	}
	return observe.AttemptNetworkError
}

// retryReason says why another attempt follows the last one.
func (st *callState) retryReason() string {
	switch o := st.attemptOutcome(); o {
	case observe.AttemptHTTPError:
		return httpReason(int(st.httpStatus))
	case observe.AttemptPending:
		return observe.RetryPending
	case observe.AttemptUnreadable:
		return observe.RetryUnreadable
	case observe.AttemptNotSent:
		return observe.RetryNotSent
	}
	return observe.RetryNetworkError
}

// httpReason is "http_<status>", without an allocation for the statuses a
// provider's gateway usually retries with.
func httpReason(code int) string {
	switch code {
	case 408:
		return "http_408"
	case 429:
		return "http_429"
	case 500:
		return "http_500"
	case 502:
		return "http_502"
	case 503:
		return "http_503"
	case 504:
		return "http_504"
	}
	return "http_" + strconv.Itoa(code)
}

// recordCall puts what this call's attempts found into the observed call's
// record.
func (st *callState) recordCall() {
	r := &st.c.obs.rec
	r.Attempts += st.attempts
	r.HTTPStatus = int(st.httpStatus)
	if st.providerRequestID != "" {
		r.ProviderRequestID = st.providerRequestID
	}
	r.MayHaveBeenSent = r.MayHaveBeenSent || st.maybePerformed
	if !st.trusted.IsZero() {
		r.ResultStatus, r.ResultCode = st.trusted.Status, st.trusted.Code
	}
}
