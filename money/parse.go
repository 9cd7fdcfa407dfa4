package money

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The parsers below are written by hand, without regexp, strconv or
// decimal, for two reasons: strictness (every accepted byte is accounted
// for; no library's idea of a number leaks in, such as signs, underscores,
// hex or exponents) and speed (a common amount parses in tens of
// nanoseconds without allocating). They are generic so the JSON decoder can
// run them on []byte tokens without copying.

// Parse reads an amount written as major units, one ASCII space and an
// ISO 4217 code: "19.99 CAD", "500 JPY", "1.250 KWD".
//
// The value follows ParseMajor's rules. Exactly one ASCII space separates
// value and code; no other blanks are allowed anywhere. The code must be
// upper case. The result of String parses back to an equal Amount.
func Parse(s string) (Amount, error) {
	sp := strings.IndexByte(s, ' ')
	if sp < 0 {
		return Amount{}, newParseError(s, errNoCode)
	}
	value, code := s[:sp], s[sp+1:]
	if value == "" || code == "" || strings.IndexByte(code, ' ') >= 0 {
		return Amount{}, newParseError(s, errBlank)
	}
	c, err := lookup(code)
	if err != nil {
		return Amount{}, newParseError(s, err)
	}
	minor, err := parseMajor(value, c)
	if err != nil {
		return Amount{}, newParseError(s, err)
	}
	return Amount{currency: c, minor: minor}, nil
}

// ParseMajor reads value in major units of c: "19.99", "19", "19.9" (1990
// minor units), "0.5"; "500" for JPY.
//
// The grammar is digits, optionally followed by a decimal point and one or
// more digits, with at most c.Exponent() digits after the point:
//
//   - ASCII digits only: no sign, exponent, blank, underscore, comma, hex
//     prefix or non-ASCII digit.
//   - A decimal point needs a digit on both sides: "1." and ".5" are
//     rejected, since both are more often truncation than intent.
//   - More fraction digits than the currency has is ErrPrecision, even when
//     the extra digits are zeros ("1.990" CAD, "500.0" JPY): the package
//     never rounds, and a value written with too many places usually means
//     the wrong currency.
//   - Leading zeros are accepted and normalised ("007.50" is 7.50), as
//     ParseMinor accepts them: they are unambiguous in decimal.
//   - A value whose minor units overflow int64 is ErrOverflow.
//
// Errors are *ParseError values wrapping ErrSyntax, ErrPrecision,
// ErrOverflow, or ErrUnknownCurrency for the zero Currency.
func ParseMajor(value string, c Currency) (Amount, error) {
	minor, err := parseMajor(value, c)
	if err != nil {
		return Amount{}, newParseError(value, err)
	}
	return Amount{currency: c, minor: minor}, nil
}

// ParseMinor reads the wire form: a count of c's minor units written as
// ASCII digits only, such as "1999" for 19.99 CAD. Both providers send
// values matching ^\d{1,N}$, so leading zeros are accepted ("01999" is 1999)
// and normalised away; MinorString never writes them. Signs, decimal points
// and anything else are ErrSyntax; more than int64 holds is ErrOverflow.
// Provider digit limits are checked separately, with Amount.CheckDigits.
func ParseMinor(wire string, c Currency) (Amount, error) {
	minor, err := parseMinor(wire, c)
	if err != nil {
		return Amount{}, newParseError(wire, err)
	}
	return Amount{currency: c, minor: minor}, nil
}

// parseMajor implements ParseMajor's grammar. It returns a reason, not a
// *ParseError, so each caller can report its own input.
func parseMajor[T ~string | ~[]byte](s T, c Currency) (int64, error) {
	if c.IsZero() {
		return 0, errNoCurrency
	}
	if len(s) == 0 {
		return 0, errEmpty
	}
	var (
		acc      uint64 // all digits read so far, as one integer
		overflow bool   // acc stopped being exact; reported after syntax
		point    = -1   // index of the decimal point
		fraction int    // digits after the point
	)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case '0' <= ch && ch <= '9':
			if point >= 0 {
				fraction++
			}
			d := uint64(ch - '0')
			if acc > (math.MaxInt64-d)/10 {
				overflow = true
			} else if !overflow {
				acc = acc*10 + d
			}
		case ch == '.':
			if point >= 0 {
				return 0, errTwoPoints
			}
			point = i
		default:
			return 0, badChar(ch)
		}
	}
	switch {
	case point == 0:
		return 0, errNoInteger
	case point == len(s)-1:
		return 0, errNoFraction
	}
	exp := c.Exponent()
	if fraction > exp {
		return 0, wrap(ErrPrecision, c.decimalsText())
	}
	if overflow {
		return 0, errRange
	}
	// acc is value × 10^fraction; scale it to value × 10^exp.
	scale := pow10[exp-fraction]
	if acc > uint64(math.MaxInt64/scale) {
		return 0, errRange
	}
	return int64(acc) * scale, nil
}

// parseMinor implements ParseMinor's grammar: ASCII digits only.
func parseMinor[T ~string | ~[]byte](s T, c Currency) (int64, error) {
	if c.IsZero() {
		return 0, errNoCurrency
	}
	if len(s) == 0 {
		return 0, errEmpty
	}
	var acc uint64
	overflow := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case '0' <= ch && ch <= '9':
			d := uint64(ch - '0')
			if acc > (math.MaxInt64-d)/10 {
				overflow = true
			} else if !overflow {
				acc = acc*10 + d
			}
		case ch == '.':
			return 0, errMinorPoint
		default:
			return 0, badChar(ch)
		}
	}
	if overflow {
		return 0, errRange
	}
	return int64(acc), nil
}

// badChar explains why ch cannot appear in an amount.
func badChar(ch byte) error {
	switch {
	case ch == '+' || ch == '-':
		return errSign
	case ch == 'e' || ch == 'E':
		return errExponent
	case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f':
		return errBlank
	case ch == '_' || ch == '\'':
		return errSeparator
	case ch >= utf8.RuneSelf:
		return errNonASCII
	default:
		return wrap(ErrSyntax, "unexpected character "+strconv.QuoteRune(rune(ch)))
	}
}
