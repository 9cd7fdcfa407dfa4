package notify

import (
	"fmt"
	"strconv"
	"time"
)

// ParseTimestamp reads the time a provider stamped a notification with
// (its Request-Time header), in each form providers are known to send:
//
//   - ISO 8601 with a zone, as the AlphaPay and Alipay+ specifications
//     have it and AlphaPay's official Java SDK sends it:
//     "2026-11-22T10:15:30-08:00", with or without a fraction of a second,
//     "Z" or a numeric offset, with or without the colon ("+0800");
//   - Unix time as decimal digits, as Alipay's official Go SDK sends it:
//     10 digits are seconds, 13 milliseconds, 16 microseconds, 19
//     nanoseconds (the digit count tells the unit for every time from 2001
//     to 2286).
//
// Anything else — no zone, other digit counts, signs, spaces — is an error
// wrapping ErrBadTimestamp. The error never quotes the value: the header is
// the sender's, and could carry a line break into a log.
//
// Sources call it from VerifyNotification after the signature has verified
// over the header as sent; the value is never normalised before it is
// checked.
func ParseTimestamp(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, badTimestamp("the timestamp is empty")
	}
	if allDigits(v) {
		return parseUnix(v)
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, badTimestamp("the timestamp is neither ISO 8601 with a zone nor Unix time digits")
}

// isoLayouts are the ISO 8601 forms ParseTimestamp reads. time.Parse
// accepts a fraction of any length after the seconds for each of them.
var isoLayouts = []string{
	time.RFC3339Nano,                     // 2026-11-22T10:15:30.123-08:00, …Z
	"2006-01-02T15:04:05.999999999Z0700", // 2026-11-22T10:15:30+0800
}

// unixUnits maps a count of digits to the unit of a Unix timestamp.
var unixUnits = map[int]time.Duration{10: time.Second, 13: time.Millisecond, 16: time.Microsecond, 19: time.Nanosecond}

func parseUnix(v string) (time.Time, error) {
	unit, ok := unixUnits[len(v)]
	if !ok {
		return time.Time{}, badTimestamp("Unix time must have 10, 13, 16 or 19 digits, not " + strconv.Itoa(len(v)))
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, badTimestamp("Unix time is out of range")
	}
	per := int64(time.Second / unit)
	return time.Unix(n/per, (n%per)*int64(unit)), nil
}

func badTimestamp(reason string) error { return fmt.Errorf("%w: %s", ErrBadTimestamp, reason) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
