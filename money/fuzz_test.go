package money_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
)

// sentinels lists every error a failed parse may wrap.
var sentinels = []error{
	money.ErrUnknownCurrency, money.ErrSyntax, money.ErrPrecision, money.ErrOverflow,
	money.ErrNegative, money.ErrCurrencyMismatch, money.ErrTooManyDigits,
}

// checkParseError fails unless err is a well-formed *ParseError wrapping a
// sentinel.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	var pe *money.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v is not a *ParseError", err, err)
	}
	if len(pe.Input) > 32 {
		t.Fatalf("ParseError.Input is %d bytes", len(pe.Input))
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps no sentinel", err)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"19.99 CAD", "500 JPY", "1.250 KWD", "150 IQD", "2000 CLP", "1.2345 CLF", "0 USD", "0.5 CAD",
		"007.50 CAD", "92233720368547758.07 CAD", "92233720368547758.08 CAD", "1.999 CAD", "1.5 JPY",
		"-1 CAD", "+1 CAD", "1e3 CAD", " 1 CAD", "1  CAD", "1 CAD ", "1. CAD", ".5 CAD", ". CAD",
		"١٢ CAD", "１ CAD", "1 cad", "1 XAU", "1_000 CAD", "0x10 CAD", "", " ", "CAD",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := money.Parse(s)
		if err != nil {
			checkParseError(t, err)
			return
		}
		if a.IsNegative() || a.Currency().IsZero() {
			t.Fatalf("Parse(%q) = %v: negative or without currency", s, a)
		}
		b, err := money.Parse(a.String())
		if err != nil || !b.Equal(a) {
			t.Fatalf("Parse(%q) = %v, but Parse(%q) = %v, %v", s, a, a.String(), b, err)
		}
		// Accepted input is exactly value, one space, code.
		if strings.Count(s, " ") != 1 || !strings.HasSuffix(s, " "+a.Currency().Code()) {
			t.Fatalf("Parse accepted %q", s)
		}
	})
}

func FuzzParseMajor(f *testing.F) {
	currencies := []money.Currency{money.CAD, money.JPY, money.KWD, money.MustCurrency("CLF"), money.CLP}
	for i, s := range []string{
		"19.99", "19", "19.9", "0.5", "500", "1.250", "1.2345", "0", "00.10", "1.", ".5", ".", "",
		"-1", "+1", "1e3", "1 ", "١٢", "１", "92233720368547758.07", "9223372036854775808", "1.0000000000000000000001",
	} {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, value string, pick uint8) {
		c := currencies[int(pick)%len(currencies)]
		a, err := money.ParseMajor(value, c)
		if err != nil {
			checkParseError(t, err)
			return
		}
		if a.IsNegative() || a.Currency() != c {
			t.Fatalf("ParseMajor(%q, %s) = %v", value, c, a)
		}
		// An independent oracle: decimal reads the same text to the same
		// value (it is laxer, so only this direction holds).
		d, err := decimal.NewFromString(value)
		if err != nil {
			t.Fatalf("ParseMajor accepted %q, which decimal rejects: %v", value, err)
		}
		if !d.Equal(a.Decimal()) {
			t.Fatalf("ParseMajor(%q, %s) = %v, decimal says %s", value, c, a, d)
		}
		if b, err := money.ParseMajor(a.Major(), c); err != nil || !b.Equal(a) {
			t.Fatalf("ParseMajor(Major() = %q) = %v, %v; want %v", a.Major(), b, err, a)
		}
		if b, err := money.ParseMinor(a.MinorString(), c); err != nil || !b.Equal(a) {
			t.Fatalf("ParseMinor(%q) = %v, %v; want %v", a.MinorString(), b, err, a)
		}
		if b, err := money.FromDecimal(a.Decimal(), c); err != nil || !b.Equal(a) {
			t.Fatalf("FromDecimal(%s) = %v, %v; want %v", a.Decimal(), b, err, a)
		}
	})
}

// FuzzParseMinor checks the wire parser against strconv: they must agree on
// every string of ASCII digits, and ParseMinor must accept nothing else.
func FuzzParseMinor(f *testing.F) {
	for _, s := range []string{"1999", "0", "01999", "", "-1", "+1", "1.5", "1e3", "9223372036854775807", "9223372036854775808", "1_000", "١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := money.ParseMinor(s, money.CAD)
		digitsOnly := s != "" && strings.Trim(s, "0123456789") == ""
		want, serr := strconv.ParseInt(s, 10, 64)
		switch {
		case err == nil && (!digitsOnly || serr != nil || a.Minor() != want):
			t.Fatalf("ParseMinor(%q) = %d; strconv says %d, %v", s, a.Minor(), want, serr)
		case err != nil && digitsOnly && serr == nil:
			t.Fatalf("ParseMinor(%q) = %v; strconv reads %d", s, err, want)
		case err != nil:
			checkParseError(t, err)
		}
	})
}

func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range []string{
		`{"currency":"CAD","value":"1999"}`, `{"currency":"CAD","value":1999}`, `{"value":"1999","currency":"CAD"}`,
		`{"currency":"JPY","value":"500"}`, `{"currency":"IQD","value":"150000"}`, `{"currency":"CLF","value":"12345"}`,
		`{"currency":"CAD","value":19.99}`, `{"currency":"CAD","value":-1}`, `{"currency":"CAD","value":1e3}`,
		`{"currency":"CAD","value":"abc"}`, `{"currency":"XYZ","value":"1"}`, `{"value":"1"}`, `{"currency":"CAD"}`,
		`{"currency":"\u0043AD","value":"\u0031"}`, `{"x":[{"y":"}"}],"currency":"CAD","value":"1"}`,
		`{"currency":"CAD","currency":"USD","value":"1"}`, `null`, `[]`, `{}`, `{"currency":"CAD","value":"1"`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a money.Amount
		if err := a.UnmarshalJSON(b); err != nil {
			checkParseError(t, err)
			return
		}
		if !json.Valid(b) {
			t.Fatalf("UnmarshalJSON accepted invalid JSON %q", b)
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("Marshal(%v) after Unmarshal(%q) = %v", a, b, err)
		}
		var back money.Amount
		if err := json.Unmarshal(out, &back); err != nil || !back.Equal(a) {
			t.Fatalf("Unmarshal(%s) = %v, %v; want %v", out, back, err, a)
		}
		want := `{"currency":"` + a.Currency().Code() + `","value":"` + a.MinorString() + `"}`
		if string(out) != want {
			t.Fatalf("Marshal = %s, want %s", out, want)
		}
	})
}
