//go:build race

package engine_test

// raceEnabled: under the race detector sync.Pool drops items at random, so
// net/http's allocations per call are not the same from one call to the
// next.
const raceEnabled = true
