package conformance

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// want is the outcome a fault script must produce.
type want uint8

const (
	wantSuccess     want = iota + 1 // the call succeeds: the faults were retried away
	wantUnknown                     // kind unknown outcome
	wantUnavailable                 // kind unavailable: nothing was sent
	wantFailed                      // kind failed, with the scripted code, after one request
	wantNotFailed                   // anything but a definite failure or unavailable (an answer with nothing to check it against)
)

// acted says what the provider's books must show after a mutating call.
type acted uint8

const (
	actedEither acted = iota // either: the fault may or may not let the provider act
	actedYes                 // the provider acted, exactly once
	actedNo                  // the provider did not act
)

// faultCase is one fault script for one call, and what it must produce.
type faultCase struct {
	name   string
	faults []Fault
	want   want
	acted  acted
	// once: exactly one request reaches the provider (F and untrusted
	// answers are never retried).
	once bool
	// maybeThenF: the script answers F after an attempt that may have been
	// performed (names the rule a definite failure breaks).
	maybeThenF bool
	// deadline, if set, is the call's context deadline.
	deadline time.Duration
}

// hangDeadline is the context deadline of a call meeting a hang: long
// enough for the first attempt to reach the hang on a loaded machine.
const hangDeadline = 250 * time.Millisecond

// The suite's scripted refusal: an F with a code no provider uses, which
// every adapter must report as failed, carrying the code.
const confDeclined = "CONFORMANCE_DECLINED"

var (
	fF         = Fault{Kind: FaultResult, Status: payment.ResultFailed, Code: confDeclined}
	fU         = Fault{Kind: FaultResult, Status: payment.ResultUnknown}
	fRefuse    = Fault{Kind: FaultRefuse}
	fDropIn    = Fault{Kind: FaultDropBefore}
	fDropOut   = Fault{Kind: FaultDropAfter}
	fHang      = Fault{Kind: FaultHang}
	fNoSig     = Fault{Kind: FaultNoSignature}
	fBadSig    = Fault{Kind: FaultBadSignature}
	fTamper    = Fault{Kind: FaultTamperBody}
	fAmount    = Fault{Kind: FaultChangeAmount}
	fSlow      = Fault{Kind: FaultDelay, Delay: 20 * time.Millisecond}
	fForbidden = Fault{Kind: FaultHTTPStatus, HTTPStatus: 403}
)

func fHTTP(code int) Fault { return Fault{Kind: FaultHTTPStatus, HTTPStatus: code} }

// cycle returns n faults taken from faults in turn.
func cycle(n int, faults ...Fault) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = faults[i%len(faults)]
	}
	return out
}

// singleFaults are the outcome table of docs/semantics.md, one fault kind
// at a time, for an operation.
func singleFaults(op string) []faultCase {
	n := attempts()
	mut := mutating(op)
	performed := actedNo
	if mut {
		performed = actedYes
	}
	untrusted := func(f Fault) faultCase {
		c := faultCase{name: fmt.Sprintf("an answer with %v is not trusted", f.Kind), faults: []Fault{f},
			want: wantUnknown, acted: performed, once: true}
		if f.Kind == FaultChangeAmount && !statesAmount(op) {
			c.name = "an answer with a changed amount is never a failure"
			c.want = wantNotFailed
		}
		return c
	}
	return []faultCase{
		{name: "an F answer is a definite failure, sent once", faults: []Fault{fF}, want: wantFailed, acted: actedNo, once: true},
		{name: "U answers are retried until the provider recovers", faults: Repeat(fU, n-1), want: wantSuccess, acted: performed},
		{name: "persistent U is an unknown outcome", faults: Repeat(fU, n), want: wantUnknown, acted: actedNo},
		{name: "HTTP 408 and 429 are retried", faults: []Fault{fHTTP(408), fHTTP(429)}, want: wantSuccess, acted: performed},
		{name: "persistent HTTP 5xx is an unknown outcome", faults: cycle(n, fHTTP(500), fHTTP(502), fHTTP(503), fHTTP(504)), want: wantUnknown, acted: actedNo},
		{name: "a refused connection is retried", faults: []Fault{fRefuse}, want: wantSuccess, acted: performed},
		{name: "refused on every attempt is unavailable, and nothing happened", faults: Repeat(fRefuse, n), want: wantUnavailable, acted: actedNo},
		{name: "a connection lost before the request arrived is retried", faults: []Fault{fDropIn}, want: wantSuccess, acted: performed},
		{name: "connections lost on every attempt are an unknown outcome", faults: Repeat(fDropIn, n), want: wantUnknown, acted: actedNo},
		{name: "an answer lost after the provider acted is retried into the same result", faults: []Fault{fDropOut}, want: wantSuccess, acted: performed},
		{name: "answers lost on every attempt are an unknown outcome, and the provider acted", faults: Repeat(fDropOut, n), want: wantUnknown, acted: performed},
		{name: "a hanging provider is an unknown outcome when the context ends", faults: []Fault{fHang}, want: wantUnknown, acted: actedNo, deadline: hangDeadline},
		{name: "a slow answer within the deadline is a success", faults: []Fault{fSlow}, want: wantSuccess, acted: performed},
		untrusted(fNoSig),
		untrusted(fBadSig),
		untrusted(fTamper),
		untrusted(fAmount),
	}
}

// faultSequences are faults that differ between the attempts of one call:
// the outcome is decided on all the attempts together.
func faultSequences(op string) []faultCase {
	if !mutating(op) {
		// Reads change nothing: an F is definite whatever came before.
		return []faultCase{
			{name: "lost answer, then F: an inquiry changes nothing, so F is definite", faults: []Fault{fDropOut, fF}, want: wantFailed},
			{name: "U, then F: an inquiry changes nothing, so F is definite", faults: []Fault{fU, fF}, want: wantFailed},
			{name: "U, then HTTP 403", faults: []Fault{fU, fForbidden}, want: wantUnknown},
		}
	}
	return []faultCase{
		{name: "lost answer, then F", faults: []Fault{fDropOut, fF}, want: wantUnknown, acted: actedYes, maybeThenF: true},
		{name: "lost answer, then U, then S", faults: []Fault{fDropOut, fU}, want: wantSuccess, acted: actedYes},
		{name: "lost answer, then HTTP 403", faults: []Fault{fDropOut, fForbidden}, want: wantUnknown, acted: actedYes},
		{name: "HTTP 429, lost answer, then F", faults: []Fault{fHTTP(429), fDropOut, fF}, want: wantUnknown, acted: actedYes, maybeThenF: true},
		{name: "U, then F", faults: []Fault{fU, fF}, want: wantUnknown, acted: actedNo, maybeThenF: true},
		{name: "U, then HTTP 403", faults: []Fault{fU, fForbidden}, want: wantUnknown, acted: actedNo},
		{name: "HTTP 503, then F", faults: []Fault{fHTTP(503), fF}, want: wantUnknown, acted: actedNo, maybeThenF: true},
		{name: "connection lost before the request arrived, then F", faults: []Fault{fDropIn, fF}, want: wantUnknown, acted: actedNo, maybeThenF: true},
		{name: "refused, then F: nothing was sent before, so F is definite", faults: []Fault{fRefuse, fF}, want: wantFailed, acted: actedNo},
		{name: "refused twice, then F", faults: []Fault{fRefuse, fRefuse, fF}, want: wantFailed, acted: actedNo},
		{name: "refused, then lost answer, then F", faults: []Fault{fRefuse, fDropOut, fF}, want: wantUnknown, acted: actedYes, maybeThenF: true},
	}
}

func checkFaults(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	runFaultCases(t, maker, caps, singleFaults)
}

func checkSequences(t *testing.T, maker HarnessMaker, caps payment.Capabilities) {
	runFaultCases(t, maker, caps, faultSequences)
}

func runFaultCases(t *testing.T, maker HarnessMaker, caps payment.Capabilities, cases func(op string) []faultCase) {
	for _, op := range allOps {
		t.Run(op, func(t *testing.T) {
			if why := opExcluded(caps, op); why != "" {
				t.Skip(why)
			}
			for _, c := range cases(op) {
				if len(c.faults) > attempts() {
					continue
				}
				t.Run(c.name, func(t *testing.T) { runFaultCase(t, maker, op, c) })
			}
		})
	}
}

// runFaultCase prepares a fresh subject for op, scripts c's faults, makes
// the call and checks the outcome table, the request bytes and the books.
func runFaultCase(t *testing.T, maker HarnessMaker, op string, c faultCase) {
	e := newEnv(t, maker)
	s := e.subject(op)
	n0 := e.sent(op)
	e.script(op, c.faults...)
	ctx := e.ctx
	if c.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(e.ctx, c.deadline)
		defer cancel()
	}
	start := time.Now()
	err := s.call(ctx)
	took := time.Since(start)
	reqs := e.requestsSince(op, n0) // before anything else reads the books

	expectOutcome(t, op, c, s.result(err), err)
	if c.deadline > 0 {
		if took > c.deadline+2*time.Second {
			t.Errorf("RULE BROKEN — %s: %s returned %v after a %v deadline", ruleBounded, op, took, c.deadline)
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the error should wrap the context's error: %v", err)
		}
	}
	sameBodies(t, reqs)
	if c.once && len(reqs) != 1 {
		t.Errorf("RULE BROKEN — %s: %s with %s sent %d requests", ruleOnce, op, describeFaults(c.faults), len(reqs))
	}
	s.checkTwice(t)
	if mutating(op) {
		if done, known := s.acted(); known {
			switch {
			case c.acted == actedYes && !done:
				t.Errorf("the provider's books show no %s after %s, though the fault lets it act: did the adapter send the request? (%s)", op, describeFaults(c.faults), s.books())
			case c.acted == actedNo && done:
				t.Errorf("RULE BROKEN — %s: the provider's books show the %s done after %s, which does not let it act (%s)", ruleBooks, op, describeFaults(c.faults), s.books())
			}
		}
	}
	switch {
	case err == nil:
		s.checkSuccess(t)
	case errors.Is(err, payment.ErrUnknownOutcome) && mutating(op):
		s.settle(t)
	}
}

// expectOutcome checks a call's error against what the fault case wants,
// naming the rule a mismatch breaks.
func expectOutcome(t *testing.T, op string, c faultCase, got string, err error) {
	t.Helper()
	k := payment.KindOf(err)
	faults := describeFaults(c.faults)
	switch c.want {
	case wantSuccess:
		if err != nil {
			t.Errorf("RULE BROKEN — %s: %s after %s, when the provider then answered normally, returned %s", ruleRetried, op, faults, got)
		}
	case wantUnknown, wantNotFailed:
		switch {
		case err == nil && c.want == wantUnknown:
			t.Errorf("RULE BROKEN — %s: %s after %s returned %s; want an unknown outcome", ruleNoFalseSuccess, op, faults, got)
		case definite(err) && c.maybeThenF:
			t.Errorf("RULE BROKEN — %s: %s after %s returned %s", ruleRefusalAfterMaybe, op, faults, got)
		case definite(err):
			t.Errorf("RULE BROKEN — %s: %s after %s returned %s", ruleNeverFailed, op, faults, got)
		case k == payment.KindUnavailable:
			t.Errorf("RULE BROKEN — %s: %s after %s returned %s", ruleNeverUnavailable, op, faults, got)
		case err != nil && k != payment.KindUnknownOutcome:
			t.Errorf("RULE BROKEN — %s: %s after %s returned %s; want an unknown outcome", ruleNeverFailed, op, faults, got)
		}
	case wantUnavailable:
		if k != payment.KindUnavailable {
			t.Errorf("RULE BROKEN — %s: %s after %s returned %s", ruleUnavailable, op, faults, got)
		}
	case wantFailed:
		switch {
		case k != payment.KindFailed:
			t.Errorf("RULE BROKEN — %s: %s after %s returned %s; want kind %q", ruleDefinite, op, faults, got, payment.KindFailed.String())
		case errorCode(err) != confDeclined:
			t.Errorf("RULE BROKEN — %s: the error must carry the provider's code %s, has %q: %v", ruleDefinite, confDeclined, errorCode(err), err)
		}
	}
}
