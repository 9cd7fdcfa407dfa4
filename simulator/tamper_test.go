package simulator

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestTamperKeepsJSON: a tampered answer still parses; only the signature
// can tell.
func TestTamperKeepsJSON(t *testing.T) {
	for _, in := range []string{
		`{"amount":{"currency":"CAD","value":"1999"}}`,
		`{"result":{"resultCode":"SUCCESS","resultMessage":"success","resultStatus":"S"}}`,
		`{"n":0.09}`,
		``,
	} {
		out := Tamper([]byte(in))
		if bytes.Equal([]byte(in), out) || (in != "" && !json.Valid(out)) {
			t.Errorf("Tamper(%s) = %s", in, out)
		}
	}
	in := []byte(`{"value":"1999"}`)
	if Tamper(in); string(in) != `{"value":"1999"}` {
		t.Errorf("Tamper changed its argument: %s", in)
	}
}
