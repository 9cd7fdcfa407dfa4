package notify_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/notify"
)

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2026, 11, 22, 18, 15, 30, 0, time.UTC)
	for _, v := range []string{
		"2026-11-22T10:15:30-08:00",      // AlphaPay's Java SDK (DateTool.ISO8601)
		"2026-11-22T18:15:30Z",           // RFC 3339, UTC
		"2026-11-22T18:15:30+00:00",      // the SDK's form in UTC
		"2026-11-23T02:15:30+0800",       // ISO 8601 basic offset (Java's Z pattern)
		"2026-11-22T18:15:30.000Z",       // milliseconds
		"2026-11-22T18:15:30.000000000Z", // nanoseconds
		"1795371330",                     // Unix seconds
		"1795371330000",                  // Unix milliseconds
		"1795371330000000",               // Unix microseconds
		"1795371330000000000",            // Unix nanoseconds (Alipay's Go SDK: time.Now().UnixNano())
	} {
		got, err := notify.ParseTimestamp(v)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v", v, got, err, want)
		}
	}
	if got, err := notify.ParseTimestamp("1795371330123"); err != nil || !got.Equal(want.Add(123*time.Millisecond)) {
		t.Errorf("milliseconds: %v, %v", got, err)
	}
	for _, v := range []string{
		"", " ", "yesterday", "2026-11-22", "2026-11-22T10:15:30", "2026-11-22 10:15:30-08:00",
		"2026-11-22T10:15:30 -08:00", " 1795371330", "1795371330 ", "+1795371330", "-1795371330",
		"179537133", "17953713300", "179537133000000000000", "9999999999999999999", "1795371330.5",
		"2026-11-22T10:15:30-08:00\n", "١٧٩٥٣٧١٣٣٠",
	} {
		got, err := notify.ParseTimestamp(v)
		if !errors.Is(err, notify.ErrBadTimestamp) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want ErrBadTimestamp", v, got, err)
		}
	}
}

// FuzzParseTimestamp: any header value either parses or is an error
// wrapping ErrBadTimestamp that does not quote it; what parses is ISO 8601
// with a zone or Unix time digits, and Unix digits read back exactly.
func FuzzParseTimestamp(f *testing.F) {
	for _, v := range []string{"2026-11-22T10:15:30-08:00", "2026-11-22T18:15:30.123Z", "2026-11-23T02:15:30+0800",
		"1795371330", "1795371330000", "1795371330000000000", "9999999999999999999", "", "2026-11-22T10:15:30\n"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := notify.ParseTimestamp(v)
		if err != nil {
			if !errors.Is(err, notify.ErrBadTimestamp) {
				t.Fatalf("error %v does not wrap ErrBadTimestamp", err)
			}
			if len(v) >= 4 && strings.Contains(err.Error(), v) {
				t.Fatalf("the error quotes the value: %v", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("the error has a line break: %q", err.Error())
			}
			return
		}
		digits := strings.Trim(v, "0123456789") == ""
		switch {
		case digits:
			var back string
			switch len(v) {
			case 10:
				back = strconv.FormatInt(got.Unix(), 10)
			case 13:
				back = strconv.FormatInt(got.UnixMilli(), 10)
			case 16:
				back = strconv.FormatInt(got.UnixMicro(), 10)
			case 19:
				back = strconv.FormatInt(got.UnixNano(), 10)
			default:
				t.Fatalf("%q (%d digits) parsed", v, len(v))
			}
			if strings.TrimLeft(back, "0") != strings.TrimLeft(v, "0") {
				t.Fatalf("%q parsed to %v, which reads back as %s", v, got, back)
			}
		case !strings.Contains(v, "T"):
			t.Fatalf("%q parsed to %v without being ISO 8601 or digits", v, got)
		}
	})
}
