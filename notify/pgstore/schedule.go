package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paybridge/paybridge/internal/pgtable"
	"github.com/paybridge/paybridge/notify"
)

// DefaultScheduleTable is ScheduleOptions.Table's default.
const DefaultScheduleTable = "paybridge_reconcile"

// ScheduleOptions configures a Schedule.
type ScheduleOptions struct {
	// Table is the table's name, optionally qualified by its schema, with
	// the rules of Options.Table. Default DefaultScheduleTable.
	Table string
	// IdleTTL is how long an item is kept after its wait is over if no
	// Reconciler acquires or forgets it. Default notify.DefaultIdleTTL.
	IdleTTL time.Duration
}

// Schedule is a notify.Schedule on PostgreSQL, shared by the Reconcilers of
// a platform's instances: one instance at a time settles an item, and the
// intervals survive a restart.
//
// Each item is one row: the lease's owner token and end, when the item is
// due, its tries, and when the row expires (the idle TTL after its wait).
// Times come from the database's clock. Acquire is one INSERT … ON CONFLICT
// DO UPDATE … WHERE the item is due and its lease has ended, so concurrent
// Acquires of one item wait on its row and exactly one wins; Defer updates
// the row only under the caller's token.
type Schedule struct {
	db         DB
	idleTTL    time.Duration
	schema     string
	lockID     int64
	acquireSQL string
	deferSQL   string
	forgetSQL  string
	cleanupSQL string
}

var _ notify.Schedule = (*Schedule)(nil)

// NewSchedule returns a Schedule on db. It does not touch the database:
// call Migrate, or create the table with Schema's SQL, first.
func NewSchedule(db DB, opts ScheduleOptions) (*Schedule, error) {
	if opts.Table == "" {
		opts.Table = DefaultScheduleTable
	}
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = notify.DefaultIdleTTL
	}
	t, err := pgtable.Parse("paybridge/notify/pgstore/schedule", opts.Table)
	if err != nil {
		return nil, fmt.Errorf("%w %w", ErrTableName, err)
	}
	table := t.Name
	index := t.Index("expires_at")
	return &Schedule{
		db:      db,
		idleTTL: opts.IdleTTL,
		lockID:  t.LockID,
		schema: fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %[1]s (
	key         text        PRIMARY KEY,
	owner       text        NOT NULL,
	lease_until timestamptz NOT NULL,
	due_at      timestamptz NOT NULL,
	tries       integer     NOT NULL,
	expires_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS %[2]s ON %[1]s (expires_at);
`, table, index),
		// An expired row counts as absent: it is taken over with no tries.
		// When the insert returns nothing the second SELECT reads how long
		// the item is not due, in the same round trip.
		acquireSQL: `WITH acquired AS (
	INSERT INTO ` + table + ` AS s (key, owner, lease_until, due_at, tries, expires_at)
	VALUES ($1, $2, now() + $3::interval, now(), 0, now() + $3::interval + $4::interval)
	ON CONFLICT (key) DO UPDATE
		SET owner = excluded.owner, lease_until = excluded.lease_until,
		    tries = CASE WHEN s.expires_at <= now() THEN 0 ELSE s.tries END,
		    due_at = CASE WHEN s.expires_at <= now() THEN now() ELSE s.due_at END,
		    expires_at = greatest(s.expires_at, excluded.expires_at)
		WHERE s.expires_at <= now() OR (s.lease_until <= now() AND s.due_at <= now())
	RETURNING true AS held, tries, 0::bigint AS wait_us, false AS busy
)
SELECT held, tries, wait_us, busy FROM acquired
UNION ALL
SELECT false, 0, greatest(0, (extract(epoch FROM greatest(lease_until, due_at) - now()) * 1000000)::bigint), lease_until > now()
FROM ` + table + ` WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM acquired)`,
		deferSQL: `UPDATE ` + table + `
SET owner = '', lease_until = now(), due_at = now() + $4::interval, tries = $3,
    expires_at = now() + $4::interval + $5::interval
WHERE key = $1 AND owner = $2`,
		forgetSQL: `DELETE FROM ` + table + ` WHERE key = $1`,
		cleanupSQL: `DELETE FROM ` + table + ` WHERE key IN (
	SELECT key FROM ` + table + ` WHERE expires_at <= now() LIMIT $1)`,
	}, nil
}

// Schema returns the SQL that creates the Schedule's table and its index.
func (s *Schedule) Schema() string { return s.schema }

// Migrate creates the table and its index if they do not exist; instances
// starting together take turns on an advisory lock.
func (s *Schedule) Migrate(ctx context.Context) error {
	if err := pgtable.Migrate(ctx, s.db, s.lockID, s.schema); err != nil {
		return fmt.Errorf("pgstore: migrate schedule: %w", err)
	}
	return nil
}

// Acquire implements notify.Schedule.
func (s *Schedule) Acquire(ctx context.Context, key string, ttl time.Duration) (notify.Lease, error) {
	if err := ctx.Err(); err != nil {
		return notify.Lease{}, fmt.Errorf("pgstore: acquire %q: %w", key, err)
	}
	tok := notify.NewToken()
	var held, busy bool
	var tries int
	var waitUS int64
	err := s.db.QueryRow(ctx, s.acquireSQL, key, string(tok), max(ttl, time.Millisecond), s.idleTTL).Scan(&held, &tries, &waitUS, &busy)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// The row that stood in the way was committed after the statement
		// began: another instance has just acquired the item.
		return notify.Lease{Busy: true}, nil
	case err != nil:
		return notify.Lease{}, fmt.Errorf("pgstore: acquire %q: %w", key, err)
	case !held:
		return notify.Lease{Wait: time.Duration(waitUS) * time.Microsecond, Busy: busy}, nil
	}
	return notify.Lease{Token: tok, Tries: tries}, nil
}

// Defer implements notify.Schedule.
func (s *Schedule) Defer(ctx context.Context, key string, token notify.Token, tries int, wait time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: defer %q: %w", key, err)
	}
	if token == "" {
		return fmt.Errorf("pgstore: defer %q: %w", key, notify.ErrNotOwner)
	}
	tag, err := s.db.Exec(ctx, s.deferSQL, key, string(token), tries, max(wait, 0), s.idleTTL)
	switch {
	case err != nil:
		return fmt.Errorf("pgstore: defer %q: %w", key, err)
	case tag.RowsAffected() == 0:
		return fmt.Errorf("pgstore: defer %q: %w", key, notify.ErrNotOwner)
	}
	return nil
}

// Forget implements notify.Schedule.
func (s *Schedule) Forget(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: forget %q: %w", key, err)
	}
	if _, err := s.db.Exec(ctx, s.forgetSQL, key); err != nil {
		return fmt.Errorf("pgstore: forget %q: %w", key, err)
	}
	return nil
}

// Cleanup deletes the rows whose time has passed and returns how many it
// deleted; expired rows already count as absent. Run it now and then, as
// Store.Cleanup.
func (s *Schedule) Cleanup(ctx context.Context) (int64, error) {
	var total int64
	for {
		tag, err := s.db.Exec(ctx, s.cleanupSQL, cleanupBatch)
		if err != nil {
			return total, fmt.Errorf("pgstore: cleanup schedule: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < cleanupBatch {
			return total, nil
		}
	}
}
