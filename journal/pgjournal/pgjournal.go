// Package pgjournal keeps a journal.Store in PostgreSQL, so that the calls
// a crashed process left open are found by whichever instance comes next.
//
// Each entry is one row of a table (Options.Table; Journal.Schema gives its
// SQL, Journal.Migrate creates it): the provider, the operation, the request
// ID and the body's hash — unique together —, the request without its
// secrets as JSON (journal.MarshalRequest), when it was begun and settled,
// and the outcome. Times come from the database's clock, which every
// instance shares.
//
// Every call is one statement:
//
//   - Begin is INSERT … ON CONFLICT … DO UPDATE: it creates the entry, or
//     returns the existing one — reopened if it was settled —, so
//     concurrent Begins of one call share one row;
//   - Settle is an UPDATE of an open row;
//   - Open, Find and Backlog read; Cleanup deletes settled rows past a
//     retention, in batches.
//
// Open entries are never deleted: they are the calls whose outcome nobody
// knows yet.
package pgjournal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/paybridge/paybridge/internal/pgtable"
	"github.com/paybridge/paybridge/journal"
)

// DefaultTable is Options.Table's default.
const DefaultTable = "paybridge_journal"

// Options configures a Journal.
type Options struct {
	// Table is the table's name, optionally qualified by its schema
	// ("billing.journal"): letters, digits and underscores, not starting
	// with a digit. Default DefaultTable.
	Table string
}

// DB is what a Journal needs of the database: *pgxpool.Pool implements it.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Journal is a journal.Store on PostgreSQL. It is safe for concurrent use,
// and so are any number of Journals, in any number of processes, on one
// table.
type Journal struct {
	db                                                            DB
	schema                                                        string
	lockID                                                        int64
	beginSQL, settleSQL, openSQL, findSQL, backlogSQL, cleanupSQL string
}

var _ journal.Store = (*Journal)(nil)

// ErrTableName is returned by New for a table name it would have to quote.
var ErrTableName = errors.New("pgjournal: invalid table name")

const columns = `id, provider, op, request_id, body_hash, request, started_at, settled_at, outcome`

// New returns a Journal on db. It does not touch the database: call
// Migrate, or create the table with Schema's SQL, first.
func New(db DB, opts Options) (*Journal, error) {
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	t, err := pgtable.Parse("paybridge/journal/pgjournal", opts.Table)
	if err != nil {
		return nil, fmt.Errorf("%w %w", ErrTableName, err)
	}
	table := t.Name
	base := t.Base
	return &Journal{
		db:     db,
		lockID: t.LockID,
		schema: fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %[1]s (
	id         bigserial   PRIMARY KEY,
	provider   text        NOT NULL,
	op         text        NOT NULL,
	request_id text        NOT NULL,
	body_hash  text        NOT NULL,
	request    jsonb       NOT NULL,
	started_at timestamptz NOT NULL,
	settled_at timestamptz,
	outcome    jsonb,
	CONSTRAINT %[2]s UNIQUE (provider, op, request_id, body_hash)
);
CREATE INDEX IF NOT EXISTS %[3]s ON %[1]s (started_at) WHERE settled_at IS NULL;
CREATE INDEX IF NOT EXISTS %[4]s ON %[1]s (settled_at) WHERE settled_at IS NOT NULL;
`, table, pgx.Identifier{base + "_call"}.Sanitize(), pgx.Identifier{base + "_open"}.Sanitize(), pgx.Identifier{base + "_settled"}.Sanitize()),
		beginSQL: `INSERT INTO ` + table + ` AS j (provider, op, request_id, body_hash, request, started_at)
VALUES ($1, $2, $3, $4, $5, now())
ON CONFLICT (provider, op, request_id, body_hash) DO UPDATE
	SET started_at = CASE WHEN j.settled_at IS NULL THEN j.started_at ELSE now() END,
	    settled_at = NULL, outcome = NULL, request = excluded.request
RETURNING id`,
		settleSQL: `UPDATE ` + table + ` SET settled_at = now(), outcome = $2 WHERE id = $1 AND settled_at IS NULL`,
		openSQL: `SELECT ` + columns + ` FROM ` + table + `
WHERE settled_at IS NULL AND ($1 = '' OR provider = $1) AND started_at <= now() - $2::interval
ORDER BY started_at, id LIMIT $3`,
		findSQL: `SELECT ` + columns + ` FROM ` + table + ` WHERE provider = $1 AND op = $2 AND request_id = $3 ORDER BY started_at, id`,
		backlogSQL: `SELECT count(*), coalesce((extract(epoch FROM now() - min(started_at)) * 1000000)::bigint, 0)
FROM ` + table + ` WHERE settled_at IS NULL`,
		cleanupSQL: `DELETE FROM ` + table + ` WHERE id IN (
	SELECT id FROM ` + table + ` WHERE settled_at <= now() - $1::interval LIMIT $2)`,
	}, nil
}

// Schema returns the SQL that creates the Journal's table and its indexes,
// for a platform that runs its own migrations instead of Migrate.
func (j *Journal) Schema() string { return j.schema }

// Migrate creates the table and its indexes if they do not exist. Instances
// starting together may all call it: an advisory lock makes them take
// turns.
func (j *Journal) Migrate(ctx context.Context) error {
	if err := pgtable.Migrate(ctx, j.db, j.lockID, j.schema); err != nil {
		return fmt.Errorf("pgjournal: migrate: %w", err)
	}
	return nil
}

// Begin implements journal.Journal.
func (j *Journal) Begin(ctx context.Context, e journal.Entry) (journal.ID, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("pgjournal: begin: %w", err)
	}
	if err := e.Check(); err != nil {
		return "", err
	}
	req, err := journal.MarshalRequest(e.Request)
	if err != nil {
		return "", err
	}
	var id int64
	if err := j.db.QueryRow(ctx, j.beginSQL, e.Provider, e.Op, e.RequestID, e.BodyHash, string(req)).Scan(&id); err != nil {
		return "", fmt.Errorf("pgjournal: begin %s %s: %w", e.Op, e.RequestID, err)
	}
	return journal.ID(strconv.FormatInt(id, 10)), nil
}

// Settle implements journal.Journal.
func (j *Journal) Settle(ctx context.Context, id journal.ID, o journal.Outcome) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgjournal: settle: %w", err)
	}
	n, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil {
		return nil // not an ID of this journal: it holds no such entry
	}
	b, err := journal.MarshalOutcome(o)
	if err != nil {
		return err
	}
	if _, err := j.db.Exec(ctx, j.settleSQL, n, string(b)); err != nil {
		return fmt.Errorf("pgjournal: settle %s: %w", id, err)
	}
	return nil
}

// Open implements journal.Store.
func (j *Journal) Open(ctx context.Context, q journal.Query) ([]journal.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pgjournal: open: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = journal.DefaultLimit
	}
	recs, err := j.query(ctx, j.openSQL, q.Provider, max(q.MinAge, 0), limit)
	if err != nil {
		return nil, fmt.Errorf("pgjournal: open: %w", err)
	}
	return recs, nil
}

// Find implements journal.Store.
func (j *Journal) Find(ctx context.Context, provider, op, requestID string) ([]journal.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pgjournal: find: %w", err)
	}
	recs, err := j.query(ctx, j.findSQL, provider, op, requestID)
	if err != nil {
		return nil, fmt.Errorf("pgjournal: find %s %s: %w", op, requestID, err)
	}
	return recs, nil
}

// Backlog implements journal.Store.
func (j *Journal) Backlog(ctx context.Context) (journal.Backlog, error) {
	if err := ctx.Err(); err != nil {
		return journal.Backlog{}, fmt.Errorf("pgjournal: backlog: %w", err)
	}
	var n, micros int64
	if err := j.db.QueryRow(ctx, j.backlogSQL).Scan(&n, &micros); err != nil {
		return journal.Backlog{}, fmt.Errorf("pgjournal: backlog: %w", err)
	}
	return journal.Backlog{Open: int(n), OldestAge: time.Duration(micros) * time.Microsecond}, nil
}

// cleanupBatch bounds the rows one DELETE of Cleanup removes.
const cleanupBatch = 10_000

// Cleanup deletes the entries settled at least retention ago and returns
// how many it deleted. Open entries are never deleted. Run it periodically
// from one instance or all (concurrent runs are harmless), with a retention
// longer than any platform's recovery needs to read an outcome (Find) —
// days, not minutes.
func (j *Journal) Cleanup(ctx context.Context, retention time.Duration) (int64, error) {
	var total int64
	for {
		tag, err := j.db.Exec(ctx, j.cleanupSQL, max(retention, 0), cleanupBatch)
		if err != nil {
			return total, fmt.Errorf("pgjournal: cleanup: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < cleanupBatch {
			return total, nil
		}
	}
}

func (j *Journal) query(ctx context.Context, sql string, args ...any) ([]journal.Record, error) {
	rows, err := j.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []journal.Record
	for rows.Next() {
		var (
			id      int64
			r       journal.Record
			req     []byte
			settled *time.Time
			outcome []byte
		)
		if err := rows.Scan(&id, &r.Provider, &r.Op, &r.RequestID, &r.BodyHash, &req, &r.StartedAt, &settled, &outcome); err != nil {
			return nil, err
		}
		r.ID = journal.ID(strconv.FormatInt(id, 10))
		if r.Request, err = journal.UnmarshalRequest(req); err != nil {
			return nil, err
		}
		if settled != nil {
			r.SettledAt = *settled
			o, err := journal.UnmarshalOutcome(outcome)
			if err != nil {
				return nil, err
			}
			r.Outcome = &o
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
