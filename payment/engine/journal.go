package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
)

// settleFunc settles a call's journal entry with the call's result: its
// error, or the outcome of its answer.
type settleFunc func(ctx context.Context, callErr error, o journal.Outcome)

func noSettle(context.Context, error, journal.Outcome) {}

// journalBegin records a mutating call in the journal before it is sent,
// and returns the function that settles the entry once the call has ended.
// An error is the call's: the entry could not be recorded, so nothing is
// sent. encode re-encodes the request as the journal keeps it: an entry is
// replayable only if that gives the very bytes that are sent.
func (p *Provider) journalBegin(ctx context.Context, op, id string, body []byte, req journal.Request,
	encode func(journal.Request) (driver.Request, error)) (settleFunc, error) {
	j := p.cfg.Journal
	if j == nil || journal.IsUnjournaled(ctx) {
		return noSettle, nil
	}
	e := journal.Entry{Provider: p.name, Op: op, RequestID: id, BodyHash: journal.BodyHash(body), Request: p.kept(req, body, encode)}
	bctx, cancel := context.WithTimeout(ctx, p.cfg.JournalTimeout)
	jid, err := j.Begin(bctx, e)
	cancel()
	if err != nil {
		return nil, p.fail(op, id, payment.KindUnavailable, payment.Result{}, fmt.Errorf("not sent: journal: %w", err))
	}
	return func(ctx context.Context, callErr error, o journal.Outcome) {
		if callErr != nil {
			k := payment.KindOf(callErr)
			if k == 0 || k == payment.KindUnknownOutcome {
				return // open: the Reconciler finds out
			}
			o = journal.Outcome{Kind: k}
			var pe *payment.Error
			if errors.As(callErr, &pe) {
				o.Code = pe.Result.Code
			}
		}
		o.By = journal.ByCall
		// The outcome is known whatever the caller's context says now.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.JournalTimeout)
		defer cancel()
		if err := j.Settle(sctx, jid, o); err != nil && p.cfg.Logger != nil {
			// The call's own result stands; the entry stays open, and the
			// Reconciler settles it again from the provider's answer.
			p.cfg.Logger.Warn("paybridge: journal settle failed", "provider", p.name, "op", op,
				"request_id", safeID(id), "error", err.Error())
		}
	}, nil
}

// kept returns what a journal keeps of req: the request without its
// secrets, as the journal's own encoding reads it back — so that even a
// journal of the platform's own never sees a secret. It is marked
// incomplete unless it encodes to body again: only then can a replay send
// the same request.
func (p *Provider) kept(req journal.Request, body []byte, encode func(journal.Request) (driver.Request, error)) journal.Request {
	b, err := journal.MarshalRequest(req)
	if err != nil {
		return journal.Request{Incomplete: true}
	}
	kept, err := journal.UnmarshalRequest(b)
	if err != nil {
		return journal.Request{Incomplete: true}
	}
	if !kept.Incomplete {
		w, err := encode(kept)
		kept.Incomplete = err != nil || !bytes.Equal(w.Body, body)
	}
	return kept
}
