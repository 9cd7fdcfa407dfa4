package money

import (
	"cmp"
	"math/big"
	"strconv"

	"github.com/shopspring/decimal"
)

// Amount is an exact amount of money: a currency and a whole number of its
// minor units (cents for CAD, yen for JPY, fils for KWD). It is a small
// value type; copy it freely and compare it with Equal.
//
// The zero Amount has no currency and value 0. It prints as "0", cannot be
// marshalled, and only adds to, subtracts from and compares with another
// zero Amount; use FromMinor(0, c) for a zero amount of a currency.
//
// Constructors only create non-negative amounts, because nothing on the wire
// is negative; Sub may produce a negative result, which formats with a
// leading '-' but is refused by MarshalJSON.
type Amount struct {
	currency Currency
	minor    int64
}

// FromMinor returns minor units of c. A negative count is an error wrapping
// ErrNegative; the zero Currency is an error wrapping ErrUnknownCurrency.
func FromMinor(minor int64, c Currency) (Amount, error) {
	if c.IsZero() {
		return Amount{}, errNoCurrency
	}
	if minor < 0 {
		return Amount{}, wrap(ErrNegative, strconv.FormatInt(minor, 10)+" minor units of "+c.Code())
	}
	return Amount{currency: c, minor: minor}, nil
}

// FromDecimal converts d, in major units, to an amount of c. d must be
// exactly representable in c's minor unit: 19.99 and 19.990 are fine for
// CAD, 19.999 is an error wrapping ErrPrecision, never rounded. Negative
// values wrap ErrNegative and values beyond the int64 range of minor units
// wrap ErrOverflow.
//
// The conversion works on d's integer coefficient and exponent, so it is
// exact and stays cheap even for a hostile exponent such as 1e-2000000000.
func FromDecimal(d decimal.Decimal, c Currency) (Amount, error) {
	if c.IsZero() {
		return Amount{}, errNoCurrency
	}
	switch d.Sign() {
	case 0:
		return Amount{currency: c}, nil
	case -1:
		return Amount{}, wrap(ErrNegative, describeDecimal(d)+" "+c.Code())
	}
	coef := d.Coefficient() // a copy, > 0
	// minor = coef × 10^shift.
	shift := int64(d.Exponent()) + int64(c.Exponent())
	switch {
	case shift > 18:
		// coef ≥ 1, so the result is at least 10^19 > MaxInt64.
		return Amount{}, wrap(ErrOverflow, describeDecimal(d)+" "+c.Code())
	case shift > 0:
		coef.Mul(coef, big.NewInt(pow10[shift]))
	case shift < 0:
		n := -shift
		// coef < 2^BitLen ≤ 10^n when n ≥ BitLen: coef cannot be a multiple
		// of 10^n. Checking this first avoids building a huge power of ten.
		if n >= int64(coef.BitLen()) {
			return Amount{}, wrap(ErrPrecision, describeDecimal(d)+": "+c.decimalsText())
		}
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
		var rem big.Int
		coef.QuoRem(coef, p, &rem)
		if rem.Sign() != 0 {
			return Amount{}, wrap(ErrPrecision, describeDecimal(d)+": "+c.decimalsText())
		}
	}
	if !coef.IsInt64() {
		return Amount{}, wrap(ErrOverflow, describeDecimal(d)+" "+c.Code())
	}
	return Amount{currency: c, minor: coef.Int64()}, nil
}

// describeDecimal renders d for an error message without ever expanding a
// huge exponent or coefficient into a huge string.
func describeDecimal(d decimal.Decimal) string {
	if e := d.Exponent(); e >= -40 && e <= 40 && d.Coefficient().BitLen() <= 128 {
		s, truncated := truncate(d.String())
		if truncated {
			s += "..."
		}
		return s
	}
	return "decimal with exponent " + strconv.Itoa(int(d.Exponent()))
}

// MustParse is like Parse but panics on error. It is for tests and examples
// with constant input; code handling real input should call Parse.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// Currency returns the amount's currency (the zero Currency for the zero
// Amount).
func (a Amount) Currency() Currency { return a.currency }

// Minor returns the value as a count of minor units: 1999 for 19.99 CAD.
func (a Amount) Minor() int64 { return a.minor }

// MinorString returns the wire form, the minor units in decimal: "1999" for
// 19.99 CAD, "150000" for 150 IQD.
func (a Amount) MinorString() string { return strconv.FormatInt(a.minor, 10) }

// AppendMinor appends the wire form (see MinorString) to dst and returns the
// extended slice. It does not allocate when dst has room, which lets
// signers and encoders build messages without garbage.
func (a Amount) AppendMinor(dst []byte) []byte { return strconv.AppendInt(dst, a.minor, 10) }

// Major returns the value in major units with exactly Exponent() fraction
// digits: "19.99" CAD, "500" JPY, "1.250" KWD, "-0.05" CAD.
func (a Amount) Major() string {
	var buf [24]byte
	return string(a.appendMajor(buf[:0]))
}

// appendMajor writes the major-unit form by hand; the digits come from the
// integer, so there is no rounding step anywhere to get wrong.
func (a Amount) appendMajor(dst []byte) []byte {
	// 19 digits of MaxInt64, zero padding up to maxExponent+1 digits, the
	// point and the sign all fit.
	var buf [24]byte
	i := len(buf)
	u := uint64(a.minor)
	if a.minor < 0 {
		u = -u // two's complement: correct for MinInt64 too
	}
	exp := a.currency.Exponent()
	for k := 0; k < exp; k++ {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	if exp > 0 {
		i--
		buf[i] = '.'
	}
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if a.minor < 0 {
		i--
		buf[i] = '-'
	}
	return append(dst, buf[i:]...)
}

// Decimal returns the value in major units as a decimal: 1999 minor units of
// CAD become 19.99 (coefficient 1999, exponent -2).
func (a Amount) Decimal() decimal.Decimal {
	return decimal.New(a.minor, int32(-a.currency.Exponent()))
}

// String returns the value in major units, one space and the code:
// "19.99 CAD", "500 JPY". Parse reads it back. The zero Amount prints "0".
func (a Amount) String() string {
	if a.currency.IsZero() {
		return "0"
	}
	var buf [32]byte
	b := a.appendMajor(buf[:0])
	b = append(b, ' ')
	b = append(b, a.currency.Code()...)
	return string(b)
}

// MinorDigits returns the number of decimal digits in the minor-unit value,
// ignoring any sign: 4 for 1999, 1 for 0. Providers cap it (AlphaPay at 7,
// Alipay+ at 16); see CheckDigits.
func (a Amount) MinorDigits() int {
	u := uint64(a.minor)
	if a.minor < 0 {
		u = -u
	}
	n := 1
	for u >= 10 {
		u /= 10
		n++
	}
	return n
}

// CheckDigits returns an error wrapping ErrTooManyDigits if the minor-unit
// value has more than max digits, and nil otherwise. Provider adapters call
// it with their wire limit before sending.
func (a Amount) CheckDigits(max int) error {
	if n := a.MinorDigits(); n > max {
		return wrap(ErrTooManyDigits, a.String()+" is "+strconv.Itoa(n)+" digits in minor units, limit "+strconv.Itoa(max))
	}
	return nil
}

// IsZero reports whether the value is zero, in any currency; the zero
// Amount is zero too.
func (a Amount) IsZero() bool { return a.minor == 0 }

// IsPositive reports whether the value is greater than zero.
func (a Amount) IsPositive() bool { return a.minor > 0 }

// IsNegative reports whether the value is less than zero, which only
// arithmetic can produce.
func (a Amount) IsNegative() bool { return a.minor < 0 }

// Equal reports whether a and b have the same currency and value. Amounts
// in different currencies are simply unequal; Cmp is the strict comparison.
func (a Amount) Equal(b Amount) bool {
	return a.currency == b.currency && a.minor == b.minor
}

// Cmp compares a and b and returns -1, 0 or +1. Comparing different
// currencies is meaningless without a rate, so it is an error wrapping
// ErrCurrencyMismatch.
func (a Amount) Cmp(b Amount) (int, error) {
	if a.currency != b.currency {
		return 0, wrap(ErrCurrencyMismatch, "cannot compare "+a.String()+" with "+b.String())
	}
	return cmp.Compare(a.minor, b.minor), nil
}

// Add returns a + b. Different currencies wrap ErrCurrencyMismatch; a sum
// beyond the int64 range of minor units wraps ErrOverflow.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.currency != b.currency {
		return Amount{}, wrap(ErrCurrencyMismatch, "cannot add "+b.String()+" to "+a.String())
	}
	s := a.minor + b.minor
	if (b.minor > 0 && s < a.minor) || (b.minor < 0 && s > a.minor) {
		return Amount{}, wrap(ErrOverflow, a.String()+" + "+b.String())
	}
	return Amount{currency: a.currency, minor: s}, nil
}

// Sub returns a - b, which may be negative (a refund larger than the
// balance, say); callers decide whether that is allowed. Different
// currencies wrap ErrCurrencyMismatch; overflow wraps ErrOverflow.
func (a Amount) Sub(b Amount) (Amount, error) {
	if a.currency != b.currency {
		return Amount{}, wrap(ErrCurrencyMismatch, "cannot subtract "+b.String()+" from "+a.String())
	}
	d := a.minor - b.minor
	if (b.minor > 0 && d > a.minor) || (b.minor < 0 && d < a.minor) {
		return Amount{}, wrap(ErrOverflow, a.String()+" - "+b.String())
	}
	return Amount{currency: a.currency, minor: d}, nil
}
