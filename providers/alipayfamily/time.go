package alipayfamily

import (
	"errors"
	"strconv"
	"time"
)

// TimeLayout is the Request-Time layout the family's documentation has and
// Envelope sends by default: milliseconds and a numeric offset, never "Z"
// (Super Qi refuses "Z").
const TimeLayout = "2006-01-02T15:04:05.000-07:00"

// Request-Time forms besides a time.Format layout: Unix time digits instead
// of ISO 8601. The wallets document ISO 8601; Alipay's official SDKs send
// Unix time, in milliseconds (Java) or nanoseconds (Go), and the gateways
// that serve them accept it. Use one of these only for a server known to
// accept it.
const (
	// TimeUnixMilli sends Unix time in milliseconds, 13 digits such as
	// "1795342530123".
	TimeUnixMilli = "unixmilli"
	// TimeUnixNano sends Unix time in nanoseconds, 19 digits such as
	// "1795342530123456789".
	TimeUnixNano = "unixnano"
)

// FormatRequestTime writes now as a Request-Time in layout: a time.Format
// layout, TimeUnixMilli or TimeUnixNano. An empty layout is TimeLayout.
func FormatRequestTime(now time.Time, layout string) string {
	switch layout {
	case TimeUnixMilli:
		return strconv.FormatInt(now.UnixMilli(), 10)
	case TimeUnixNano:
		return strconv.FormatInt(now.UnixNano(), 10)
	case "":
		layout = TimeLayout
	}
	return now.Format(layout)
}

// CheckTimeLayout returns nil if layout writes an ISO 8601 time with an
// offset that reads back as the same instant, to the second, or is
// TimeUnixMilli or TimeUnixNano. An empty layout is TimeLayout.
func CheckTimeLayout(layout string) error {
	if layout == "" || layout == TimeUnixMilli || layout == TimeUnixNano {
		return nil
	}
	probe := time.Date(2026, 11, 22, 18, 15, 30, 123e6, time.FixedZone("", 8*3600))
	got, err := time.Parse(time.RFC3339Nano, probe.Format(layout))
	if err != nil || !got.Truncate(time.Second).Equal(probe.Truncate(time.Second)) {
		return errors.New("must write an ISO 8601 time with seconds and a UTC offset, such as " + TimeLayout + ", or be TimeUnixMilli or TimeUnixNano")
	}
	return nil
}

// ParseTime reads an ISO 8601 (RFC 3339) time of an answer or notification
// body, such as paymentTime; an absent or unreadable one is the zero time.
// Times in bodies are informative, never decisive, so they are not
// refused. (The Request-Time header of a notification is read by
// Envelope.VerifyNotification, strictly.)
func ParseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
