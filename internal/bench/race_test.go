//go:build race

package bench

// raceEnabled is true when the tests run under the race detector, which
// makes RSA operations many times slower: the long tests shrink then.
const raceEnabled = true
