package money

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The sentinel errors. Every error the package returns wraps exactly one of
// them, so callers classify with errors.Is and never by message.
var (
	// ErrUnknownCurrency reports a currency code that is not in the ISO 4217
	// table (including lower-case codes), or an operation that needs a
	// currency given the zero Currency.
	ErrUnknownCurrency = errors.New("money: unknown currency")

	// ErrSyntax reports text that is not an amount at all: signs, exponents,
	// blanks, non-ASCII digits, a misplaced decimal point, an empty string.
	ErrSyntax = errors.New("money: invalid syntax")

	// ErrPrecision reports a value with more decimal places than the
	// currency's minor unit; the package never rounds.
	ErrPrecision = errors.New("money: excess precision")

	// ErrOverflow reports a value whose count of minor units does not fit in
	// an int64, from parsing or from arithmetic.
	ErrOverflow = errors.New("money: out of range")

	// ErrNegative reports a negative value where only non-negative amounts
	// are meaningful: constructors and the wire form.
	ErrNegative = errors.New("money: negative amount")

	// ErrCurrencyMismatch reports arithmetic or comparison between amounts
	// of different currencies.
	ErrCurrencyMismatch = errors.New("money: currency mismatch")

	// ErrTooManyDigits reports an amount whose minor-unit value has more
	// digits than a provider accepts (see Amount.CheckDigits).
	ErrTooManyDigits = errors.New("money: too many digits")
)

// maxInput bounds the bytes of rejected input an error keeps. Errors end up
// in logs; a multi-megabyte hostile string must not.
const maxInput = 32

// ParseError is the error returned for text that is not a valid amount or
// currency. Reason wraps one of the package's sentinel errors, so
// errors.Is(err, ErrPrecision) and friends work through it.
type ParseError struct {
	// Input is the rejected text, cut to at most 32 bytes (on a UTF-8
	// boundary) and copied, so the error neither pins nor aliases a large
	// caller buffer. Error quotes it, which escapes control characters.
	Input string
	// Reason says what is wrong; it wraps a sentinel error.
	Reason error

	truncated bool
}

// Error formats the error as `money: parse "<input>": <reason>`.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("money: parse ")
	b.WriteString(strconv.Quote(e.Input))
	if e.truncated {
		b.WriteString("...")
	}
	if e.Reason != nil {
		b.WriteString(": ")
		// The reason's own "money: " prefix would repeat the package name.
		b.WriteString(strings.TrimPrefix(e.Reason.Error(), "money: "))
	}
	return b.String()
}

// Unwrap returns Reason, so errors.Is sees the sentinel.
func (e *ParseError) Unwrap() error { return e.Reason }

// newParseError copies at most maxInput bytes of in into a *ParseError.
func newParseError[T ~string | ~[]byte](in T, reason error) *ParseError {
	cut, truncated := truncate(in)
	return &ParseError{Input: cut, Reason: reason, truncated: truncated}
}

// truncate returns a copy of at most maxInput bytes of s, cut before a
// UTF-8 sequence rather than inside it.
func truncate[T ~string | ~[]byte](s T) (string, bool) {
	if len(s) <= maxInput {
		return string(s), false
	}
	cut := maxInput
	// Back up at most UTFMax-1 bytes to a rune start; for invalid UTF-8 the
	// cut stays where it is and strconv.Quote escapes the bytes.
	for i := cut; i > maxInput-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			cut = i
			break
		}
	}
	return string(s[:cut]), true
}

// reasonError adds detail to a sentinel. The fixed reasons below are
// allocated once; they are never mutated.
type reasonError struct {
	err    error
	detail string
}

func (e *reasonError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *reasonError) Unwrap() error { return e.err }

func wrap(sentinel error, detail string) error {
	return &reasonError{err: sentinel, detail: detail}
}

var (
	errEmpty       = wrap(ErrSyntax, "empty value")
	errSign        = wrap(ErrSyntax, "signs are not allowed")
	errExponent    = wrap(ErrSyntax, "exponents are not allowed")
	errBlank       = wrap(ErrSyntax, "blanks are not allowed")
	errNonASCII    = wrap(ErrSyntax, "only ASCII digits 0-9 are allowed")
	errSeparator   = wrap(ErrSyntax, "digit separators are not allowed")
	errTwoPoints   = wrap(ErrSyntax, "more than one decimal point")
	errNoInteger   = wrap(ErrSyntax, "a digit must precede the decimal point")
	errNoFraction  = wrap(ErrSyntax, "a digit must follow the decimal point")
	errMinorPoint  = wrap(ErrSyntax, "minor units are a whole number; no decimal point")
	errNoCode      = wrap(ErrSyntax, `want "<value> <CODE>" with one ASCII space`)
	errRange       = wrap(ErrOverflow, "minor units exceed the int64 range")
	errNoCurrency  = wrap(ErrUnknownCurrency, "no currency (the zero Currency)")
	errJSONInvalid = wrap(ErrSyntax, "not valid JSON")
	errJSONObject  = wrap(ErrSyntax, `want a JSON object {"currency":...,"value":...}`)
	errJSONNoCur   = wrap(ErrSyntax, `missing "currency"`)
	errJSONNoVal   = wrap(ErrSyntax, `missing "value"`)
	errJSONDupCur  = wrap(ErrSyntax, `duplicate "currency"`)
	errJSONDupVal  = wrap(ErrSyntax, `duplicate "value"`)
	errJSONCurType = wrap(ErrSyntax, `"currency" must be a JSON string`)
	errJSONValType = wrap(ErrSyntax, `"value" must be a JSON string or number of digits`)
)

// unknownCurrency builds the error for a code missing from the table.
func unknownCurrency[T ~string | ~[]byte](code T) error {
	cut, truncated := truncate(code)
	msg := strconv.Quote(cut)
	if truncated {
		msg += "..."
	}
	if hasLower(code) {
		msg += " (ISO 4217 codes are upper case)"
	}
	return wrap(ErrUnknownCurrency, msg)
}

func hasLower[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return true
		}
	}
	return false
}
