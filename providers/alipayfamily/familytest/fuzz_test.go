package familytest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/simulator"
)

var t0 = time.Date(2026, 11, 22, 18, 15, 30, 0, time.FixedZone("", 8*3600))

// FuzzParseRequestTime checks the Request-Time reader: it never panics; in
// either mode an ISO 8601 value is read as time.Parse reads it; the strict
// mode reads nothing else; the default mode reads, besides, exactly the
// 10, 13, 16 and 19 digit values that fit an int64, as that many seconds,
// milliseconds, microseconds or nanoseconds since the Unix epoch.
func FuzzParseRequestTime(f *testing.F) {
	for _, s := range []string{
		t0.Format(alipayfamily.TimeLayout), t0.UTC().Format(time.RFC3339Nano), "2026-11-22T18:15:30+0800",
		"1795342530", "1795342530123", "1795342530123456", "1795342530123456789", "9223372036854775807",
		"9223372036854775808", "0000000000", "179534253012", "+795342530000", "-795342530000", " 1795342530", "",
		"１７９５３４２５３０",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := familytest.ParseRequestTime(v, false)
		strict, strictOK := familytest.ParseRequestTime(v, true)
		want, err := time.Parse(time.RFC3339, v)
		if strictOK != (err == nil) || (strictOK && !strict.Equal(want)) {
			t.Fatalf("strict %q: %v %v; time.Parse: %v %v", v, strict, strictOK, want, err)
		}
		if err == nil {
			if !ok || !got.Equal(want) {
				t.Fatalf("%q: %v %v, want %v", v, got, ok, want)
			}
			return
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		unix := perr == nil && simulator.AllDigits(v) && (len(v) == 10 || len(v) == 13 || len(v) == 16 || len(v) == 19)
		if ok != unix {
			t.Fatalf("%q: accepted %v, want %v", v, ok, unix)
		}
		if !ok {
			return
		}
		var back int64
		switch len(v) {
		case 10:
			back = got.Unix()
		case 13:
			back = got.UnixMilli()
		case 16:
			back = got.UnixMicro()
		case 19:
			back = got.UnixNano()
		}
		if back != n {
			t.Fatalf("%q read as %v, which is %d in its unit", v, got, back)
		}
	})
}
