// Package pgtable holds what paybridge's PostgreSQL stores share about
// their tables: checking and quoting a configured table name, and creating
// the table under an advisory lock so that instances starting together take
// turns.
package pgtable

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrName is matched (errors.Is) by Parse's error for a name it would have
// to quote. The error's text names the table and the rule, so that callers
// can prefix it with their own sentinel.
var ErrName = errors.New("invalid table name")

type nameError struct{ msg string }

func (e nameError) Error() string        { return e.msg }
func (e nameError) Is(target error) bool { return target == ErrName }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Table is a checked table name.
type Table struct {
	// Name is the quoted, schema-qualified name to put in SQL.
	Name string
	// Base is the table's own name, unquoted, for naming its indexes.
	Base string
	// LockID is the advisory lock Migrate takes: one per owner and table.
	LockID int64
}

// Parse checks name ("table" or "schema.table", plain identifiers only) and
// derives the lock of owner (such as "paybridge/notify/pgstore") on it.
func Parse(owner, name string) (Table, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return Table{}, nameError{fmt.Sprintf("%q: at most schema.table", name)}
	}
	for _, p := range parts {
		if !identRE.MatchString(p) {
			return Table{}, nameError{fmt.Sprintf("%q: letters, digits and underscores, up to 63, not starting with a digit", name)}
		}
	}
	h := fnv.New64a()
	h.Write([]byte(owner + ":" + name))
	return Table{Name: pgx.Identifier(parts).Sanitize(), Base: parts[len(parts)-1], LockID: int64(h.Sum64())}, nil
}

// Index returns the quoted name of the table's index with suffix.
func (t Table) Index(suffix string) string { return pgx.Identifier{t.Base + "_" + suffix}.Sanitize() }

// Execer runs SQL: a *pgxpool.Pool, a *pgx.Conn or a transaction.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Migrate runs schema (CREATE … IF NOT EXISTS statements) under the
// advisory lock lockID (a Table's LockID).
func Migrate(ctx context.Context, db Execer, lockID int64, schema string) error {
	_, err := db.Exec(ctx, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d);\n", lockID)+schema)
	return err
}
