// Package testserver starts throwaway database servers for tests — a
// redis-server and a PostgreSQL cluster, each in its own temporary
// directory, on a free loopback port — and stops them when the test ends,
// checking that no process of theirs survives.
//
// A test whose server binary is missing is skipped with a message naming
// the Debian package to install; with CI=true in the environment it fails
// instead, so that a CI run can never pass by skipping.
//
// Every wait is bounded and fails the test with a message.
package testserver

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// TB is what starting a server needs of its caller. *testing.T and
// *testing.B have it; so can a program that is not a test — the soak
// command — whose Cleanup runs at its end, whose Fatal stops it and whose
// Skip means it cannot run here.
type TB interface {
	Helper()
	Cleanup(func())
	TempDir() string
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skip(args ...any)
}

var _ TB = (testing.TB)(nil)

// unavailable skips t, or fails it under CI=true, because a server cannot
// run here.
func unavailable(t TB, format string, args ...any) {
	t.Helper()
	msg := "testserver: " + fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: a missing server fails the test)")
	}
	t.Skip(msg)
}

// syncBuffer collects a server's output for failure messages and readiness
// checks; the server writes it while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// tail is the end of a server's output, for failure messages.
func tail(s string) string {
	const n = 2000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
