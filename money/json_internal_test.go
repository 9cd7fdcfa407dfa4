package money

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeSimple holds the fast path to its promise: it accepts only
// valid JSON, and it finds exactly the tokens the general path finds.
func FuzzDecodeSimple(f *testing.F) {
	for _, s := range []string{
		`{"currency":"CAD","value":"1999"}`, `{"value":1999,"currency":"CAD"}`, ` { "currency" : "CAD" , "value" : 0 } `,
		`{"currency":"CAD","value":01}`, `{"currency":"CAD","value":1.5}`, `{"currency":"CAD","value":"1\u0030"}`,
		`{"currency":"CAD","value":"1","x":1}`, `{"currency":"CAD","currency":"CAD","value":"1"}`, `{"currency":"CAD"}`,
		`{"currency":"CAD","value":"1"}x`, `{"currency":"CAD","value":"1",}`, "{\"currency\":\"CAD\",\"value\":\"1\x00\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cur, val, ok := decodeSimple(b)
		if !ok {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("decodeSimple accepted invalid JSON %q", b)
		}
		gcur, gval, err := decodeGeneral(b)
		if err != nil || !bytes.Equal(cur, gcur) || !bytes.Equal(val, gval) {
			t.Fatalf("decodeSimple(%q) = %q, %q; decodeGeneral = %q, %q, %v", b, cur, val, gcur, gval, err)
		}
	})
}
