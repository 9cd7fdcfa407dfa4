package money_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
)

var (
	clf = money.MustCurrency("CLF") // 4 decimals
	uyw = money.MustCurrency("UYW") // 4 decimals
)

func TestParseMajorAccepts(t *testing.T) {
	tests := []struct {
		name  string
		value string
		c     money.Currency
		minor int64
	}{
		{"cents", "19.99", money.CAD, 1999},
		{"no fraction", "19", money.CAD, 1900},
		{"one fraction digit pads", "19.9", money.CAD, 1990},
		{"half a dollar", "0.5", money.CAD, 50},
		{"one cent", "0.01", money.CAD, 1},
		{"zero", "0", money.CAD, 0},
		{"zero with cents", "0.00", money.CAD, 0},
		{"leading zeros normalised", "007.50", money.CAD, 750},
		{"largest CAD", "92233720368547758.07", money.CAD, math.MaxInt64},
		{"yen", "500", money.JPY, 500},
		{"yen zero", "0", money.JPY, 0},
		{"largest yen", "9223372036854775807", money.JPY, math.MaxInt64},
		{"won", "1000", money.KRW, 1000},
		{"chilean peso", "2000", money.CLP, 2000},
		{"iraqi dinar", "150", money.IQD, 150000},
		{"kuwaiti dinar one decimal", "12.5", money.KWD, 12500},
		{"kuwaiti dinar all decimals", "1.250", money.KWD, 1250},
		{"kuwaiti dinar one fils", "0.001", money.KWD, 1},
		{"unidad de fomento", "1.2345", clf, 12345},
		{"unidad de fomento smallest", "0.0001", clf, 1},
		{"unidad previsional", "3.5", uyw, 35000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := money.ParseMajor(tt.value, tt.c)
			if err != nil {
				t.Fatalf("ParseMajor(%q, %s) = %v", tt.value, tt.c, err)
			}
			if a.Minor() != tt.minor || a.Currency() != tt.c {
				t.Errorf("ParseMajor(%q, %s) = %d %s, want %d %s", tt.value, tt.c, a.Minor(), a.Currency(), tt.minor, tt.c)
			}
		})
	}
}

// The examples the provider specs give, end to end: major units in, wire
// value out.
func TestWireValues(t *testing.T) {
	tests := []struct{ in, wire string }{
		{"150 IQD", "150000"},
		{"12.5 KWD", "12500"},
		{"2000 CLP", "2000"},
		{"19.99 CAD", "1999"},
		{"500 JPY", "500"},
		{"0.01 CNY", "1"},
		{"1.2345 CLF", "12345"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := money.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.MinorString(); got != tt.wire {
				t.Errorf("Parse(%q).MinorString() = %q, want %q", tt.in, got, tt.wire)
			}
			value, _, _ := strings.Cut(tt.in, " ")
			b, err := money.ParseMajor(value, a.Currency())
			if err != nil || b.MinorString() != tt.wire {
				t.Errorf("ParseMajor(%q, %s) = %v, %v; want wire %q", value, a.Currency(), b, err, tt.wire)
			}
		})
	}
}

func TestParseMinorAccepts(t *testing.T) {
	tests := []struct {
		name  string
		wire  string
		c     money.Currency
		minor int64
	}{
		{"cents", "1999", money.CAD, 1999},
		{"zero", "0", money.CAD, 0},
		{"leading zero normalised", "01999", money.CAD, 1999},
		{"all zeros", "0000", money.CAD, 0},
		{"yen", "500", money.JPY, 500},
		{"iraqi dinar", "150000", money.IQD, 150000},
		{"seven digits", "9999999", money.USD, 9999999},
		{"sixteen digits", "9999999999999999", money.USD, 9999999999999999},
		{"largest", "9223372036854775807", money.CAD, math.MaxInt64},
		{"largest with leading zeros", "0009223372036854775807", money.CAD, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := money.ParseMinor(tt.wire, tt.c)
			if err != nil {
				t.Fatalf("ParseMinor(%q) = %v", tt.wire, err)
			}
			if a.Minor() != tt.minor || a.Currency() != tt.c {
				t.Errorf("ParseMinor(%q, %s) = %d %s, want %d", tt.wire, tt.c, a.Minor(), a.Currency(), tt.minor)
			}
			if want := strconv.FormatInt(tt.minor, 10); a.MinorString() != want {
				t.Errorf("MinorString() = %q, want normalised %q", a.MinorString(), want)
			}
		})
	}
}

// rejection is one input some parser must refuse, and the sentinel it must
// refuse it with.
type rejection struct {
	name  string
	input string
	c     money.Currency // for ParseMajor and ParseMinor
	want  error
}

func checkRejected(t *testing.T, parse func(string, money.Currency) (money.Amount, error), tests []rejection) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parse(tt.input, tt.c)
			if err == nil {
				t.Fatalf("accepted %q as %v (minor %d)", tt.input, a, a.Minor())
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", err, tt.want)
			}
			if a != (money.Amount{}) {
				t.Errorf("returned %v alongside the error, want the zero Amount", a)
			}
			var pe *money.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if len(pe.Input) > 32 {
				t.Errorf("ParseError.Input is %d bytes, want at most 32", len(pe.Input))
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "money: parse ") || strings.Count(msg, "money:") != 1 {
				t.Errorf("message %q should start with `money: parse` and name the package once", msg)
			}
		})
	}
}

func TestParseMajorRejects(t *testing.T) {
	checkRejected(t, money.ParseMajor, []rejection{
		{"excess precision CAD", "1.999", money.CAD, money.ErrPrecision},
		{"excess precision even as zeros", "1.990", money.CAD, money.ErrPrecision},
		{"any fraction for JPY", "1.5", money.JPY, money.ErrPrecision},
		{"zero fraction for JPY", "500.0", money.JPY, money.ErrPrecision},
		{"excess precision KWD", "1.2345", money.KWD, money.ErrPrecision},
		{"excess precision CLF", "1.23456", clf, money.ErrPrecision},
		{"excess precision wins over overflow", "99999999999999999999.999", money.CAD, money.ErrPrecision},
		{"plus sign", "+1", money.CAD, money.ErrSyntax},
		{"minus sign", "-1", money.CAD, money.ErrSyntax},
		{"minus zero", "-0", money.CAD, money.ErrSyntax},
		{"trailing sign", "1-", money.CAD, money.ErrSyntax},
		{"exponent", "1e3", money.CAD, money.ErrSyntax},
		{"upper-case exponent", "1E3", money.CAD, money.ErrSyntax},
		{"negative exponent", "1e-2", money.CAD, money.ErrSyntax},
		{"leading space", " 1", money.CAD, money.ErrSyntax},
		{"trailing space", "1 ", money.CAD, money.ErrSyntax},
		{"inner space", "1 000", money.CAD, money.ErrSyntax},
		{"tab", "\t1", money.CAD, money.ErrSyntax},
		{"newline", "1\n", money.CAD, money.ErrSyntax},
		{"no-break space", "1\u00a0000", money.CAD, money.ErrSyntax},
		{"Arabic-Indic digits", "١٢", money.CAD, money.ErrSyntax},
		{"Extended Arabic-Indic digits", "۱۲", money.CAD, money.ErrSyntax},
		{"full-width digit", "１", money.CAD, money.ErrSyntax},
		{"Devanagari digit", "१", money.CAD, money.ErrSyntax},
		{"empty", "", money.CAD, money.ErrSyntax},
		{"lone point", ".", money.CAD, money.ErrSyntax},
		{"trailing point", "1.", money.CAD, money.ErrSyntax},
		{"trailing point JPY", "500.", money.JPY, money.ErrSyntax},
		{"leading point", ".5", money.CAD, money.ErrSyntax},
		{"two points", "1.2.3", money.CAD, money.ErrSyntax},
		{"decimal comma", "19,99", money.CAD, money.ErrSyntax},
		{"thousands comma", "1,000", money.CAD, money.ErrSyntax},
		{"underscore", "1_000", money.CAD, money.ErrSyntax},
		{"apostrophe separator", "1'000", money.CAD, money.ErrSyntax},
		{"hex", "0x1F", money.CAD, money.ErrSyntax},
		{"hex float", "0x1p-2", money.CAD, money.ErrSyntax},
		{"infinity", "Inf", money.CAD, money.ErrSyntax},
		{"NaN", "NaN", money.CAD, money.ErrSyntax},
		{"currency symbol", "$1", money.CAD, money.ErrSyntax},
		{"code inside value", "1 CAD", money.CAD, money.ErrSyntax},
		{"NUL byte", "1\x00", money.CAD, money.ErrSyntax},
		{"invalid UTF-8", "1\xff", money.CAD, money.ErrSyntax},
		{"overflow CAD by one cent", "92233720368547758.08", money.CAD, money.ErrOverflow},
		{"overflow JPY by one", "9223372036854775808", money.JPY, money.ErrOverflow},
		{"overflow after scaling KWD", "9223372036854775.808", money.KWD, money.ErrOverflow},
		{"overflow CLF", "922337203685478", clf, money.ErrOverflow},
		{"forty digits", strings.Repeat("9", 40), money.CAD, money.ErrOverflow},
		{"zero Currency", "1", money.Currency{}, money.ErrUnknownCurrency},
	})
}

func TestParseMinorRejects(t *testing.T) {
	checkRejected(t, money.ParseMinor, []rejection{
		{"empty", "", money.CAD, money.ErrSyntax},
		{"plus sign", "+1999", money.CAD, money.ErrSyntax},
		{"minus sign", "-1", money.CAD, money.ErrSyntax},
		{"decimal point", "19.99", money.CAD, money.ErrSyntax},
		{"trailing point", "1999.", money.CAD, money.ErrSyntax},
		{"exponent", "1e3", money.CAD, money.ErrSyntax},
		{"leading space", " 1999", money.CAD, money.ErrSyntax},
		{"trailing space", "1999 ", money.CAD, money.ErrSyntax},
		{"trailing newline", "1999\n", money.CAD, money.ErrSyntax},
		{"Arabic-Indic digits", "١٩٩٩", money.CAD, money.ErrSyntax},
		{"full-width digits", "１９９９", money.CAD, money.ErrSyntax},
		{"underscore", "1_999", money.CAD, money.ErrSyntax},
		{"hex", "0x7CF", money.CAD, money.ErrSyntax},
		{"JSON-quoted", `"1999"`, money.CAD, money.ErrSyntax},
		{"overflow by one", "9223372036854775808", money.CAD, money.ErrOverflow},
		{"way beyond int64", strings.Repeat("1", 100), money.CAD, money.ErrOverflow},
		{"zero Currency", "1999", money.Currency{}, money.ErrUnknownCurrency},
	})
}

func TestParseRejects(t *testing.T) {
	parse := func(s string, _ money.Currency) (money.Amount, error) { return money.Parse(s) }
	checkRejected(t, parse, []rejection{
		{"no code", "19.99", money.Currency{}, money.ErrSyntax},
		{"no value", " CAD", money.Currency{}, money.ErrSyntax},
		{"code only", "CAD", money.Currency{}, money.ErrSyntax},
		{"empty", "", money.Currency{}, money.ErrSyntax},
		{"two spaces", "19.99  CAD", money.Currency{}, money.ErrSyntax},
		{"leading space", " 19.99 CAD", money.Currency{}, money.ErrSyntax},
		{"trailing space", "19.99 CAD ", money.Currency{}, money.ErrSyntax},
		{"trailing space, no code", "19.99 ", money.Currency{}, money.ErrSyntax},
		{"tab separator", "19.99\tCAD", money.Currency{}, money.ErrSyntax},
		{"no-break space separator", "19.99\u00a0CAD", money.Currency{}, money.ErrSyntax},
		{"no separator", "19.99CAD", money.Currency{}, money.ErrSyntax},
		{"lower-case code", "19.99 cad", money.Currency{}, money.ErrUnknownCurrency},
		{"mixed-case code", "19.99 Cad", money.Currency{}, money.ErrUnknownCurrency},
		{"unknown code", "19.99 XYZ", money.Currency{}, money.ErrUnknownCurrency},
		{"gold has no minor unit", "1 XAU", money.Currency{}, money.ErrUnknownCurrency},
		{"withdrawn code", "1 HRK", money.Currency{}, money.ErrUnknownCurrency},
		{"code too long", "19.99 CADX", money.Currency{}, money.ErrUnknownCurrency},
		{"code first", "CAD 19.99", money.Currency{}, money.ErrUnknownCurrency},
		{"excess precision", "1.999 CAD", money.Currency{}, money.ErrPrecision},
		{"fraction of a yen", "1.5 JPY", money.Currency{}, money.ErrPrecision},
		{"excess precision KWD", "1.2345 KWD", money.Currency{}, money.ErrPrecision},
		{"sign", "-1 CAD", money.Currency{}, money.ErrSyntax},
		{"plus sign", "+1 CAD", money.Currency{}, money.ErrSyntax},
		{"exponent", "1e3 CAD", money.Currency{}, money.ErrSyntax},
		{"Arabic-Indic digits", "١٢ CAD", money.Currency{}, money.ErrSyntax},
		{"full-width digit", "１ CAD", money.Currency{}, money.ErrSyntax},
		{"lone point", ". CAD", money.Currency{}, money.ErrSyntax},
		{"trailing point", "1. CAD", money.Currency{}, money.ErrSyntax},
		{"leading point", ".5 CAD", money.Currency{}, money.ErrSyntax},
		{"underscore", "1_000 CAD", money.Currency{}, money.ErrSyntax},
		{"hex", "0x10 CAD", money.Currency{}, money.ErrSyntax},
		{"overflow", "92233720368547758.08 CAD", money.Currency{}, money.ErrOverflow},
	})
}

func TestParseErrorInput(t *testing.T) {
	t.Run("long input is cut to 32 bytes", func(t *testing.T) {
		long := strings.Repeat("9", 5000) + " CAD"
		_, err := money.Parse(long)
		var pe *money.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *ParseError", err)
		}
		if pe.Input != strings.Repeat("9", 32) {
			t.Errorf("Input = %q, want the first 32 bytes", pe.Input)
		}
		if msg := err.Error(); len(msg) > 120 || !strings.Contains(msg, `..."`) && !strings.Contains(msg, `"...`) {
			t.Errorf("message %q should be short and mark the cut", msg)
		}
	})
	t.Run("cut never splits a UTF-8 sequence", func(t *testing.T) {
		for pad := 0; pad < 4; pad++ {
			in := strings.Repeat("1", pad) + strings.Repeat("é", 40)
			_, err := money.ParseMajor(in, money.CAD)
			var pe *money.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if !utf8.ValidString(pe.Input) || len(pe.Input) > 32 || len(pe.Input) < 29 {
				t.Errorf("pad %d: Input %q (%d bytes) is not a clean cut", pad, pe.Input, len(pe.Input))
			}
		}
	})
	t.Run("control characters are quoted in the message", func(t *testing.T) {
		_, err := money.ParseMajor("1\n2\x1b[31m", money.CAD)
		if msg := err.Error(); strings.ContainsAny(msg, "\n\x1b") {
			t.Errorf("message %q carries raw control characters", msg)
		}
	})
	t.Run("precision error names the currency's decimals", func(t *testing.T) {
		_, err := money.ParseMajor("1.999", money.CAD)
		if msg := err.Error(); !strings.Contains(msg, "CAD has 2 decimal places") {
			t.Errorf("message %q should explain the limit", msg)
		}
	})
}
