package pgtable

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for name, want := range map[string]string{"t": `"t"`, "s.t": `"s"."t"`, "_x9": `"_x9"`} {
		got, err := Parse("owner", name)
		if err != nil || got.Name != want {
			t.Errorf("Parse(%q) = %+v, %v; want %s", name, got, err, want)
		}
	}
	a, _ := Parse("owner", "t")
	b, _ := Parse("other", "t")
	if a.LockID == b.LockID || a.Index("x") != `"t_x"` {
		t.Errorf("lock ids %d %d, index %s", a.LockID, b.LockID, a.Index("x"))
	}
	for _, bad := range []string{"", "a.b.c", "9t", `t"; DROP TABLE x; --`, "t-1", "ä"} {
		if _, err := Parse("owner", bad); !errors.Is(err, ErrName) {
			t.Errorf("Parse(%q) = %v; want ErrName", bad, err)
		}
	}
}
