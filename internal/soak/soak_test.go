package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain makes the test binary an instance of the platform when the soak
// starts it as one.
func TestMain(m *testing.M) {
	if ok, err := instanceMain(); ok {
		if err != nil {
			fmt.Fprintln(os.Stderr, "soak instance:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// envSoak turns the soak tests on; CI sets it (.ci/run).
const envSoak = "PAYBRIDGE_SOAK"

// soakDir skips t unless the soak tests are on, and returns a directory
// for the instances' logs whose ends are shown if t fails.
func soakDir(t *testing.T) string {
	if os.Getenv(envSoak) == "" {
		t.Skip("set " + envSoak + "=1 to run the short soak (CI does)")
	}
	dir := t.TempDir()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			t.Logf("%s, last lines:\n%s", filepath.Base(l), strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	return dir
}

// TestSoak is the short soak: a few hundred payments over two instances,
// one of them killed. Every loss figure must be 0.
func TestSoak(t *testing.T) {
	logs := soakDir(t)
	f, err := run(context.Background(), options{Instances: 2, Payments: 300, Kills: 1, Store: "postgres", Seed: 1,
		Rate: 30, Faults: 0.2, Settle: 90 * time.Second, Logs: logs}, t, t.Logf)
	t.Log(f)
	if err != nil {
		t.Fatal(err)
	}
	if f.losses() > 0 {
		t.Fatalf("losses: %s", f)
	}
}

// TestSoakNoticesLosses proves the figures can fail: without the journal
// calls cut off by faults and kills stay unknown, and with a store per
// instance duplicates are delivered twice.
func TestSoakNoticesLosses(t *testing.T) {
	if os.Getenv(envSoak) == "" {
		t.Skip("set " + envSoak + "=1 to run the short soak (CI does)")
	}
	for _, c := range []struct {
		brk  string
		lost func(figures) int
	}{
		{"journal", func(f figures) int { return f.Unsettled + f.UToF }},
		{"store", func(f figures) int { return f.DuplicateDeliveries }},
	} {
		t.Run(c.brk, func(t *testing.T) {
			f, err := run(context.Background(), options{Instances: 2, Payments: 150, Kills: 1, Store: "postgres", Seed: 2,
				Rate: 30, Faults: 0.3, Settle: 15 * time.Second, Logs: soakDir(t), Break: c.brk}, t, t.Logf)
			t.Log(f)
			if err != nil {
				t.Fatal(err)
			}
			if c.lost(f) == 0 {
				t.Fatalf("-break %s lost nothing: %s", c.brk, f)
			}
		})
	}
}
