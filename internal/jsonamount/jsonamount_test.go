package jsonamount

import (
	"encoding/json"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in, value, currency string
		ok                  bool
	}{
		{`{"value":"1999","currency":"CAD"}`, "1999", "CAD", true},
		{`{"currency":"CLP","value":"2000"}`, "2000", "CLP", true},
		{`{"currency":"IQD","value":150000}`, "150000", "IQD", true},
		{` { "value" : "5" , "currency" : "JPY" } `, "5", "JPY", true},
		{`{"value":"1\u0039","currency":"CAD"}`, "19", "CAD", true},
		{`{"value":19.99,"currency":"CAD"}`, "", "", false},
		{`{"value":-1,"currency":"CAD"}`, "", "", false},
		{`{"value":1e3,"currency":"CAD"}`, "", "", false},
		{`[1]`, "", "", false},
	} {
		v, c, err := Decode([]byte(tc.in))
		if (err == nil) != tc.ok || (tc.ok && (v != tc.value || c != tc.currency)) {
			t.Errorf("Decode(%s) = %q, %q, %v", tc.in, v, c, err)
		}
	}
}

// FuzzFastPathAgrees: whenever the hand-read fast path accepts an input,
// encoding/json reads the same value and currency from it.
func FuzzFastPathAgrees(f *testing.F) {
	f.Add(`{"value":"1999","currency":"CAD"}`)
	f.Add(`{"currency":"KWD","value":"1250"}`)
	f.Add(`{"value":"1","value":"2"}`)
	f.Fuzz(func(t *testing.T, in string) {
		v, c, ok := compactAmount([]byte(in))
		if !ok {
			_, _, _ = Decode([]byte(in)) // must not panic
			return
		}
		var std struct {
			Value    string `json:"value"`
			Currency string `json:"currency"`
		}
		if err := json.Unmarshal([]byte(in), &std); err != nil || std.Value != v || std.Currency != c {
			t.Fatalf("fast path read %q %q; encoding/json: %+v, %v", v, c, std, err)
		}
	})
}
