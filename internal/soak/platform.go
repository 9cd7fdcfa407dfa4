package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/payment"
)

// The platform's own records, in the shared PostgreSQL database: one row
// per payment attempt and per refund, and one row per event delivery (to
// count duplicates). A row is written before its call is sent, so a crash
// leaves it "sending" or "unknown", never missing.
const platformSchema = `
CREATE TABLE IF NOT EXISTS soak_payments (
	request_id text PRIMARY KEY,
	provider   text NOT NULL,
	status     text NOT NULL,
	payment_id text NOT NULL DEFAULT '',
	recovered  boolean NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS soak_refunds (
	refund_request_id text PRIMARY KEY,
	provider          text NOT NULL,
	request_id        text NOT NULL,
	status            text NOT NULL,
	refund_id         text NOT NULL DEFAULT '',
	recovered         boolean NOT NULL DEFAULT false,
	updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS soak_deliveries (
	id          bigserial PRIMARY KEY,
	event_key   text NOT NULL,
	incarnation text NOT NULL,
	at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
`

// The platform's statuses besides payment.Status and payment.RefundStatus
// values: the call is being sent, its outcome is unknown, or it was never
// sent (nothing happened).
const (
	stSending = "sending"
	stUnknown = "unknown"
	stNotSent = "not_sent"
)

// open reports whether a row's call is still to be settled.
func open(status string) bool { return status == stSending || status == stUnknown }

// platform is one instance's view of the records.
type platform struct {
	db          *pgxpool.Pool
	incarnation string
}

// errExists answers a command for a payment or refund already recorded.
var errExists = errors.New("already recorded")

// beginPayment records a payment before its pay is sent.
func (p *platform) beginPayment(ctx context.Context, provider, requestID string) error {
	tag, err := p.db.Exec(ctx, `INSERT INTO soak_payments (request_id, provider, status) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		requestID, provider, stSending)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return errExists
	}
	return nil
}

// beginRefund records a refund before it is sent.
func (p *platform) beginRefund(ctx context.Context, provider, requestID, refundRequestID string) error {
	tag, err := p.db.Exec(ctx, `INSERT INTO soak_refunds (refund_request_id, provider, request_id, status) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		refundRequestID, provider, requestID, stSending)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return errExists
	}
	return nil
}

// paymentOf returns a payment's provider ID and status.
func (p *platform) paymentOf(ctx context.Context, requestID string) (paymentID, status string, err error) {
	err = p.db.QueryRow(ctx, `SELECT payment_id, status FROM soak_payments WHERE request_id = $1`, requestID).Scan(&paymentID, &status)
	return paymentID, status, err
}

// setPayment moves a payment's status forward (an open row takes any
// status) and fills in its provider ID. It never moves a status back.
func (p *platform) setPayment(ctx context.Context, requestID, paymentID, status string) error {
	return pgx.BeginFunc(ctx, p.db, func(tx pgx.Tx) error {
		return setPaymentTx(ctx, tx, requestID, paymentID, status)
	})
}

func setPaymentTx(ctx context.Context, tx pgx.Tx, requestID, paymentID, status string) error {
	var cur, curID string
	q := `SELECT request_id, status, payment_id FROM soak_payments WHERE request_id = $1 FOR UPDATE`
	arg := requestID
	if requestID == "" {
		q = `SELECT request_id, status, payment_id FROM soak_payments WHERE payment_id = $1 FOR UPDATE`
		arg = paymentID
	}
	if err := tx.QueryRow(ctx, q, arg).Scan(&requestID, &cur, &curID); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // not this platform's payment
		}
		return err
	}
	if !forward(cur, status) {
		status = cur
	}
	if curID != "" {
		paymentID = curID
	}
	_, err := tx.Exec(ctx, `UPDATE soak_payments SET status = $2, payment_id = $3, updated_at = now() WHERE request_id = $1`,
		requestID, status, paymentID)
	return err
}

// forward reports whether a row in status cur may take status next.
func forward(cur, next string) bool {
	switch {
	case cur == next:
		return true
	case open(cur):
		return true
	case cur == stNotSent:
		return false
	}
	return payment.Status(cur).CanBecome(payment.Status(next))
}

// setRefund settles a refund row that is still open.
func (p *platform) setRefund(ctx context.Context, refundRequestID, refundID, status string) error {
	_, err := p.db.Exec(ctx, `UPDATE soak_refunds SET status = $2, refund_id = CASE WHEN refund_id = '' THEN $3 ELSE refund_id END, updated_at = now()
WHERE refund_request_id = $1 AND (status IN ('sending', 'unknown') OR status = $2)`, refundRequestID, status, refundID)
	return err
}

// deliver is the platform's notify.DeliverFunc: it counts the delivery and
// applies the event in one transaction.
func (p *platform) deliver(ctx context.Context, e payment.Event) error {
	return pgx.BeginFunc(ctx, p.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO soak_deliveries (event_key, incarnation) VALUES ($1, $2)`, e.Key, p.incarnation); err != nil {
			return err
		}
		switch {
		case e.Payment != nil:
			return setPaymentTx(ctx, tx, e.Payment.PaymentRequestID, e.Payment.PaymentID, string(e.Payment.Status))
		case e.Refund != nil && e.Refund.Status != payment.RefundPending:
			q := `UPDATE soak_refunds SET status = $2, refund_id = $3, updated_at = now()
WHERE (refund_request_id = $1 OR ($1 = '' AND refund_id = $3)) AND status IN ('sending', 'unknown')`
			_, err := tx.Exec(ctx, q, e.Refund.RefundRequestID, string(e.Refund.Status), e.Refund.RefundID)
			return err
		}
		return nil
	})
}

// pending lists a provider's payments the Reconciler watches: those known
// by their PaymentID, and — where the provider inquires by request ID —
// those whose call is still open.
func (p *platform) pending(provider string, byRequestID bool) func(ctx context.Context) ([]payment.Ref, error) {
	return func(ctx context.Context) ([]payment.Ref, error) {
		rows, err := p.db.Query(ctx, `SELECT request_id, payment_id FROM soak_payments
WHERE provider = $1 AND (status = 'pending' OR (status IN ('sending', 'unknown') AND (payment_id <> '' OR $2)))`, provider, byRequestID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var refs []payment.Ref
		for rows.Next() {
			var r payment.Ref
			if err := rows.Scan(&r.PaymentRequestID, &r.PaymentID); err != nil {
				return nil, err
			}
			refs = append(refs, r)
		}
		return refs, rows.Err()
	}
}

// recover settles the platform's rows left open longer than age: a call
// the journal holds open is the Reconciler's, which delivers its outcome;
// a call the journal settled (its process died before recording the
// answer) takes the journal's outcome; a call the journal never saw was
// never sent.
func (p *platform) recover(ctx context.Context, j journal.Store, age time.Duration) error {
	type row struct{ provider, id, status, kind string }
	rows, err := p.db.Query(ctx, `SELECT provider, request_id, status, 'pay' FROM soak_payments WHERE status IN ('sending', 'unknown') AND updated_at < now() - $1::interval
UNION ALL SELECT provider, refund_request_id, status, 'refund' FROM soak_refunds WHERE status IN ('sending', 'unknown') AND updated_at < now() - $1::interval`, age)
	if err != nil {
		return err
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.provider, &r.id, &r.status, &r.kind); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var errs []error
	for _, r := range todo {
		op := payment.OpPay
		if r.kind == "refund" {
			op = payment.OpRefund
		}
		recs, err := j.Find(ctx, r.provider, op, r.id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		status, id, decided := outcomeOf(recs, r.status)
		if !decided {
			continue
		}
		if op == payment.OpPay {
			err = p.setPayment(ctx, r.id, id, status)
		} else {
			err = p.setRefund(ctx, r.id, id, status)
		}
		if err == nil {
			table, key := "soak_payments", "request_id"
			if op == payment.OpRefund {
				table, key = "soak_refunds", "refund_request_id"
			}
			_, err = p.db.Exec(ctx, `UPDATE `+table+` SET recovered = true WHERE `+key+` = $1`, r.id)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("recover %s %s: %w", op, r.id, err))
		}
	}
	return errors.Join(errs...)
}

// outcomeOf reads what the journal says of a call: decided is false while
// an entry is open (the Reconciler settles it).
func outcomeOf(recs []journal.Record, status string) (next, id string, decided bool) {
	if len(recs) == 0 {
		if status == stSending {
			return stNotSent, "", true // no entry was begun: nothing was sent
		}
		return "", "", false
	}
	var last *journal.Record
	for i := range recs {
		if recs[i].IsOpen() {
			return "", "", false
		}
		if last == nil || recs[i].SettledAt.After(last.SettledAt) {
			last = &recs[i]
		}
	}
	o := last.Outcome
	switch o.Kind {
	case 0:
		id = o.PaymentID
		if o.RefundID != "" {
			id = o.RefundID
		}
		return o.Status, id, true
	case payment.KindUnavailable, payment.KindNotFound:
		return stNotSent, "", true
	}
	return string(payment.StatusFailed), "", true
}
