// Package pgstore is a notify.Store on PostgreSQL, shared by the instances
// of a platform so that a notification is delivered once across them.
//
// Each event key is one row of a table (Options.Table; Store.Schema gives
// its SQL, Store.Migrate creates it): the key, its state ('busy' or
// 'done'), the owner token of the claim or completion, and when the row
// expires. Times come from the database's clock, which every instance
// shares — the instances' clocks need not agree. A row past its expiry
// counts as absent, so correctness never waits for a purge; Store.Cleanup
// deletes such rows to keep the table small.
//
// Every call is one statement, atomic under PostgreSQL's default isolation
// (read committed):
//
//   - Claim is INSERT … ON CONFLICT (key) DO UPDATE … WHERE the row has
//     expired: it creates the claim, or takes over an expired one, and
//     inserts nothing if a live row stands in the way — whose state the
//     same statement then reads. Concurrent claims of one key wait on the
//     row and exactly one wins.
//   - Complete is the same upsert to 'done' WHERE the row is the caller's
//     or has expired; Release deletes the row only if it is the caller's
//     claim. A delivery that outlived its claim therefore gets
//     notify.ErrNotOwner instead of completing or releasing the claim of
//     the delivery that took over.
package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/paybridge/paybridge/internal/pgtable"
	"github.com/paybridge/paybridge/notify"
)

// Defaults of Options.
const (
	DefaultClaimTimeout = 5 * time.Minute
	DefaultDoneTTL      = 48 * time.Hour
	DefaultTable        = "paybridge_notify_keys"
)

// Options configures a Store.
type Options struct {
	// ClaimTimeout frees the claim of a delivery that never completed or
	// released it (its instance crashed). It must outlast the slowest
	// delivery: a claim that times out mid-delivery lets a duplicate in.
	// Default DefaultClaimTimeout.
	ClaimTimeout time.Duration
	// DoneTTL is how long a delivered key is remembered. It must outlast
	// the providers' retry windows (24 hours for AlphaPay and Alipay+
	// wallets). Default DefaultDoneTTL.
	DoneTTL time.Duration
	// Table is the table's name, optionally qualified by its schema
	// ("billing.notify_keys"): letters, digits and underscores, not
	// starting with a digit. Default DefaultTable.
	Table string
}

// DB is what a Store needs of the database: *pgxpool.Pool implements it.
// A single *pgx.Conn does too, but is not safe for concurrent use.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store is a notify.Store on PostgreSQL. It is safe for concurrent use, and
// so are any number of Stores, in any number of processes, on one table.
type Store struct {
	db                                            DB
	claimTimeout                                  time.Duration
	doneTTL                                       time.Duration
	schema                                        string // the DDL, for Schema and Migrate
	lockID                                        int64  // Migrate's advisory lock
	claimSQL, completeSQL, releaseSQL, cleanupSQL string
}

// ErrTableName is returned by New for a table name it would have to quote.
var ErrTableName = errors.New("pgstore: invalid table name")

// New returns a Store on db. It does not touch the database: call Migrate,
// or create the table with Schema's SQL, first.
func New(db DB, opts Options) (*Store, error) {
	if opts.ClaimTimeout <= 0 {
		opts.ClaimTimeout = DefaultClaimTimeout
	}
	if opts.DoneTTL <= 0 {
		opts.DoneTTL = DefaultDoneTTL
	}
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	t, err := pgtable.Parse("paybridge/notify/pgstore", opts.Table)
	if err != nil {
		return nil, fmt.Errorf("%w %w", ErrTableName, err)
	}
	table := t.Name
	index := t.Index("expires_at")
	s := &Store{
		db:           db,
		claimTimeout: opts.ClaimTimeout,
		doneTTL:      opts.DoneTTL,
		lockID:       t.LockID,
		schema: fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %[1]s (
	key        text        PRIMARY KEY,
	state      text        NOT NULL CHECK (state IN ('busy', 'done')),
	owner      text        NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS %[2]s ON %[1]s (expires_at);
`, table, index),
		// When the insert returns nothing, a live row stood in its way and
		// the second SELECT reads its state — in the same round trip. It
		// sees the table as the statement began, so a row committed by a
		// concurrent claim just after that is not there: Claim then tries
		// again.
		claimSQL: `WITH claimed AS (
	INSERT INTO ` + table + ` AS t (key, state, owner, expires_at)
	VALUES ($1, 'busy', $2, now() + $3::interval)
	ON CONFLICT (key) DO UPDATE
		SET state = 'busy', owner = excluded.owner, expires_at = excluded.expires_at
		WHERE t.expires_at <= now()
	RETURNING 'new'::text AS state
)
SELECT state FROM claimed
UNION ALL
SELECT state FROM ` + table + ` WHERE key = $1 AND expires_at > now() AND NOT EXISTS (SELECT 1 FROM claimed)`,
		completeSQL: `INSERT INTO ` + table + ` AS t (key, state, owner, expires_at)
VALUES ($1, 'done', $2, now() + $3::interval)
ON CONFLICT (key) DO UPDATE
	SET state = 'done', owner = excluded.owner, expires_at = excluded.expires_at
	WHERE t.owner = excluded.owner OR t.expires_at <= now()
RETURNING true`,
		// The outer query sees the table as the statement began, before
		// the DELETE: a live row left there is another token's, or done.
		releaseSQL: `WITH released AS (
	DELETE FROM ` + table + ` WHERE key = $1 AND owner = $2 AND state = 'busy' RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM released)
	OR NOT EXISTS (SELECT 1 FROM ` + table + ` WHERE key = $1 AND expires_at > now())`,
		cleanupSQL: `DELETE FROM ` + table + ` WHERE key IN (
	SELECT key FROM ` + table + ` WHERE expires_at <= now() LIMIT $1)`,
	}
	return s, nil
}

// Schema returns the SQL that creates the Store's table and its index, for
// a platform that runs its own migrations instead of Migrate.
func (s *Store) Schema() string { return s.schema }

// Migrate creates the table and its index if they do not exist. Instances
// starting together may all call it: an advisory lock makes them take
// turns.
func (s *Store) Migrate(ctx context.Context) error {
	// Without arguments pgx sends the statements in one simple query,
	// which PostgreSQL runs as one transaction: the lock is held to its
	// end.
	if err := pgtable.Migrate(ctx, s.db, s.lockID, s.schema); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}

// claimTries bounds Claim's retries when the row that stood in the way of
// its insert was not there to read: committed by a concurrent claim after
// the statement began, or expired or released meanwhile.
const claimTries = 5

// Claim implements notify.Store.
func (s *Store) Claim(ctx context.Context, key string) (notify.Claim, notify.Token, error) {
	if err := ctx.Err(); err != nil {
		return 0, "", fmt.Errorf("pgstore: claim %q: %w", key, err)
	}
	for range claimTries {
		tok := notify.NewToken()
		var state string
		err := s.db.QueryRow(ctx, s.claimSQL, key, string(tok), s.claimTimeout).Scan(&state)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			continue
		case err != nil:
			return 0, "", fmt.Errorf("pgstore: claim %q: %w", key, err)
		case state == "new":
			return notify.ClaimNew, tok, nil
		case state == "done":
			return notify.ClaimDone, "", nil
		default:
			return notify.ClaimBusy, "", nil
		}
	}
	return 0, "", fmt.Errorf("pgstore: claim %q: the row kept changing under %d tries", key, claimTries)
}

// Complete implements notify.Store.
func (s *Store) Complete(ctx context.Context, key string, token notify.Token) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: complete %q: %w", key, err)
	}
	var ok bool
	err := s.db.QueryRow(ctx, s.completeSQL, key, string(token), s.doneTTL).Scan(&ok)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("pgstore: complete %q: %w", key, notify.ErrNotOwner)
	case err != nil:
		return fmt.Errorf("pgstore: complete %q: %w", key, err)
	}
	return nil
}

// Release implements notify.Store.
func (s *Store) Release(ctx context.Context, key string, token notify.Token) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: release %q: %w", key, err)
	}
	var ok bool
	if err := s.db.QueryRow(ctx, s.releaseSQL, key, string(token)).Scan(&ok); err != nil {
		return fmt.Errorf("pgstore: release %q: %w", key, err)
	}
	if !ok {
		return fmt.Errorf("pgstore: release %q: %w", key, notify.ErrNotOwner)
	}
	return nil
}

// cleanupBatch bounds the rows one DELETE of Cleanup removes, so that a
// large backlog is purged in short transactions.
const cleanupBatch = 10_000

// Cleanup deletes the rows whose time has passed and returns how many it
// deleted. Expired rows already count as absent; Cleanup only keeps the
// table small. Run it periodically (hourly is plenty) from one instance or
// from all: concurrent runs are harmless.
func (s *Store) Cleanup(ctx context.Context) (int64, error) {
	var total int64
	for {
		tag, err := s.db.Exec(ctx, s.cleanupSQL, cleanupBatch)
		if err != nil {
			return total, fmt.Errorf("pgstore: cleanup: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < cleanupBatch {
			return total, nil
		}
	}
}

var _ notify.Store = (*Store)(nil)
