package money_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
)

func mustMinor(t testing.TB, minor int64, c money.Currency) money.Amount {
	t.Helper()
	a, err := money.FromMinor(minor, c)
	if err != nil {
		t.Fatalf("FromMinor(%d, %s) = %v", minor, c, err)
	}
	return a
}

// roundTripCurrencies covers every exponent in the table: 0, 2, 3 and 4.
var roundTripCurrencies = []money.Currency{money.JPY, money.CLP, money.KRW, money.CAD, money.USD, money.KWD, money.IQD, money.BHD, clf, uyw}

var roundTripValues = []int64{0, 1, 5, 9, 10, 99, 100, 101, 1999, 12500, 150000, 9999999, 1234567890123, math.MaxInt64 - 1, math.MaxInt64}

func TestRoundTrips(t *testing.T) {
	for _, c := range roundTripCurrencies {
		for _, v := range roundTripValues {
			a := mustMinor(t, v, c)
			t.Run(a.String(), func(t *testing.T) {
				t.Run("Parse of String", func(t *testing.T) {
					b, err := money.Parse(a.String())
					if err != nil || !b.Equal(a) {
						t.Errorf("Parse(%q) = %v, %v", a.String(), b, err)
					}
				})
				t.Run("ParseMajor of Major, then ParseMinor of MinorString", func(t *testing.T) {
					b, err := money.ParseMajor(a.Major(), c)
					if err != nil || !b.Equal(a) {
						t.Fatalf("ParseMajor(%q) = %v, %v", a.Major(), b, err)
					}
					m, err := money.ParseMinor(b.MinorString(), c)
					if err != nil || !m.Equal(a) {
						t.Errorf("ParseMinor(%q) = %v, %v", b.MinorString(), m, err)
					}
				})
				t.Run("JSON", func(t *testing.T) {
					out, err := json.Marshal(a)
					if err != nil {
						t.Fatal(err)
					}
					var b money.Amount
					if err := json.Unmarshal(out, &b); err != nil || !b.Equal(a) {
						t.Errorf("Unmarshal(%s) = %v, %v", out, b, err)
					}
				})
				t.Run("Decimal", func(t *testing.T) {
					d := a.Decimal()
					b, err := money.FromDecimal(d, c)
					if err != nil || !b.Equal(a) {
						t.Errorf("FromDecimal(%s) = %v, %v", d, b, err)
					}
					// The decimal's text is the major-unit value.
					want := decimal.RequireFromString(a.Major())
					if !d.Equal(want) {
						t.Errorf("Decimal() = %s, want %s", d, want)
					}
				})
			})
		}
	}
}

func TestFormatting(t *testing.T) {
	neg, err := mustMinor(t, 5, money.CAD).Sub(mustMinor(t, 10, money.CAD))
	if err != nil {
		t.Fatal(err)
	}
	negJPY, err := mustMinor(t, 0, money.JPY).Sub(mustMinor(t, 500, money.JPY))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name              string
		a                 money.Amount
		major, str, minor string
		digits            int
	}{
		{"cents", mustMinor(t, 1999, money.CAD), "19.99", "19.99 CAD", "1999", 4},
		{"zero cents", mustMinor(t, 0, money.CAD), "0.00", "0.00 CAD", "0", 1},
		{"one cent", mustMinor(t, 1, money.CAD), "0.01", "0.01 CAD", "1", 1},
		{"whole dollars keep the cents", mustMinor(t, 1900, money.CAD), "19.00", "19.00 CAD", "1900", 4},
		{"yen has no point", mustMinor(t, 500, money.JPY), "500", "500 JPY", "500", 3},
		{"dinar keeps three places", mustMinor(t, 1250, money.KWD), "1.250", "1.250 KWD", "1250", 4},
		{"iraqi dinar", mustMinor(t, 150000, money.IQD), "150.000", "150.000 IQD", "150000", 6},
		{"unidad de fomento", mustMinor(t, 1, clf), "0.0001", "0.0001 CLF", "1", 1},
		{"largest", mustMinor(t, math.MaxInt64, money.CAD), "92233720368547758.07", "92233720368547758.07 CAD", "9223372036854775807", 19},
		{"negative cents", neg, "-0.05", "-0.05 CAD", "-5", 1},
		{"negative yen", negJPY, "-500", "-500 JPY", "-500", 3},
		{"zero Amount", money.Amount{}, "0", "0", "0", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Major(); got != tt.major {
				t.Errorf("Major() = %q, want %q", got, tt.major)
			}
			if got := tt.a.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := tt.a.MinorString(); got != tt.minor {
				t.Errorf("MinorString() = %q, want %q", got, tt.minor)
			}
			if got := string(tt.a.AppendMinor([]byte("v="))); got != "v="+tt.minor {
				t.Errorf("AppendMinor = %q, want %q", got, "v="+tt.minor)
			}
			if got := tt.a.MinorDigits(); got != tt.digits {
				t.Errorf("MinorDigits() = %d, want %d", got, tt.digits)
			}
		})
	}
}

func TestMinorDigitsAndCheckDigits(t *testing.T) {
	tests := []struct {
		minor  int64
		digits int
	}{
		{0, 1}, {9, 1}, {10, 2}, {99, 2}, {100, 3}, {1999, 4}, {9999999, 7}, {10000000, 8},
		{9999999999999999, 16}, {10000000000000000, 17}, {math.MaxInt64, 19},
	}
	for _, tt := range tests {
		a := mustMinor(t, tt.minor, money.USD)
		t.Run(a.MinorString(), func(t *testing.T) {
			if got := a.MinorDigits(); got != tt.digits {
				t.Errorf("MinorDigits() = %d, want %d", got, tt.digits)
			}
			if err := a.CheckDigits(tt.digits); err != nil {
				t.Errorf("CheckDigits(%d) = %v, want nil", tt.digits, err)
			}
			if err := a.CheckDigits(tt.digits - 1); !errors.Is(err, money.ErrTooManyDigits) {
				t.Errorf("CheckDigits(%d) = %v, want ErrTooManyDigits", tt.digits-1, err)
			}
		})
	}
	t.Run("AlphaPay limit of 7 digits", func(t *testing.T) {
		if err := money.MustParse("99999.99 CAD").CheckDigits(7); err != nil {
			t.Errorf("99999.99 CAD: %v", err)
		}
		err := money.MustParse("100000.00 CAD").CheckDigits(7)
		if !errors.Is(err, money.ErrTooManyDigits) {
			t.Fatalf("100000.00 CAD: %v, want ErrTooManyDigits", err)
		}
		if !strings.HasPrefix(err.Error(), "money: too many digits") {
			t.Errorf("message %q", err)
		}
	})
}

func TestFromMinor(t *testing.T) {
	a, err := money.FromMinor(1999, money.CAD)
	if err != nil || a.Minor() != 1999 || a.Currency() != money.CAD {
		t.Errorf("FromMinor(1999, CAD) = %v, %v", a, err)
	}
	if _, err := money.FromMinor(-1, money.CAD); !errors.Is(err, money.ErrNegative) {
		t.Errorf("FromMinor(-1) error = %v, want ErrNegative", err)
	}
	if _, err := money.FromMinor(math.MinInt64, money.CAD); !errors.Is(err, money.ErrNegative) {
		t.Errorf("FromMinor(MinInt64) error = %v, want ErrNegative", err)
	}
	if _, err := money.FromMinor(1, money.Currency{}); !errors.Is(err, money.ErrUnknownCurrency) {
		t.Errorf("FromMinor(zero Currency) error = %v, want ErrUnknownCurrency", err)
	}
}

func TestFromDecimal(t *testing.T) {
	pow := func(n int64) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil) }
	accepts := []struct {
		name  string
		d     decimal.Decimal
		c     money.Currency
		minor int64
	}{
		{"cents", decimal.RequireFromString("19.99"), money.CAD, 1999},
		{"trailing zero is still exact", decimal.RequireFromString("19.990"), money.CAD, 1999},
		{"many trailing zeros", decimal.RequireFromString("19.99000000000000000000000000"), money.CAD, 1999},
		{"whole number", decimal.NewFromInt(19), money.CAD, 1900},
		{"positive exponent", decimal.New(5, 3), money.JPY, 5000},
		{"zero", decimal.Zero, money.CAD, 0},
		{"zero value decimal", decimal.Decimal{}, money.CAD, 0},
		{"zero with a wild exponent", decimal.New(0, -2000000000), money.CAD, 0},
		{"iraqi dinar", decimal.NewFromInt(150), money.IQD, 150000},
		{"kuwaiti dinar", decimal.RequireFromString("12.5"), money.KWD, 12500},
		{"unidad de fomento", decimal.RequireFromString("1.2345"), clf, 12345},
		{"largest CAD", decimal.RequireFromString("92233720368547758.07"), money.CAD, math.MaxInt64},
		{"big coefficient that divides out", decimal.NewFromBigInt(pow(40), -40), money.CAD, 100},
	}
	for _, tt := range accepts {
		t.Run(tt.name, func(t *testing.T) {
			a, err := money.FromDecimal(tt.d, tt.c)
			if err != nil || a.Minor() != tt.minor || a.Currency() != tt.c {
				t.Errorf("FromDecimal(%s, %s) = %d %v, %v; want %d", tt.d, tt.c, a.Minor(), a.Currency(), err, tt.minor)
			}
		})
	}
	rejects := []struct {
		name string
		d    decimal.Decimal
		c    money.Currency
		want error
	}{
		{"excess precision", decimal.RequireFromString("19.999"), money.CAD, money.ErrPrecision},
		{"fraction of a yen", decimal.RequireFromString("0.5"), money.JPY, money.ErrPrecision},
		{"excess precision KWD", decimal.RequireFromString("1.2345"), money.KWD, money.ErrPrecision},
		{"tiny", decimal.New(1, -2000000000), money.CAD, money.ErrPrecision},
		{"long fraction", decimal.RequireFromString("1.23456789012345678901234567890123456789"), money.CAD, money.ErrPrecision},
		{"negative", decimal.RequireFromString("-1"), money.CAD, money.ErrNegative},
		{"negative and imprecise", decimal.RequireFromString("-1.999"), money.CAD, money.ErrNegative},
		{"overflow by one cent", decimal.RequireFromString("92233720368547758.08"), money.CAD, money.ErrOverflow},
		{"huge exponent", decimal.New(1, 2000000000), money.CAD, money.ErrOverflow},
		{"huge coefficient", decimal.NewFromBigInt(pow(30), 0), money.JPY, money.ErrOverflow},
		{"zero Currency", decimal.NewFromInt(1), money.Currency{}, money.ErrUnknownCurrency},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			a, err := money.FromDecimal(tt.d, tt.c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("FromDecimal = %v, %v; want %v", a, err, tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "money: ") || len(msg) > 160 {
				t.Errorf("message %q should be prefixed and short", msg)
			}
		})
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string
		exp  int32
	}{
		{"19.99 CAD", "19.99", -2},
		{"500 JPY", "500", 0},
		{"1.250 KWD", "1.25", -3},
		{"150 IQD", "150", -3},
		{"1.2345 CLF", "1.2345", -4},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d := money.MustParse(tt.in).Decimal()
			if !d.Equal(decimal.RequireFromString(tt.want)) || d.Exponent() != tt.exp {
				t.Errorf("Decimal() = %s (exponent %d), want %s (exponent %d)", d, d.Exponent(), tt.want, tt.exp)
			}
		})
	}
	if d := (money.Amount{}).Decimal(); !d.IsZero() {
		t.Errorf("zero Amount Decimal() = %s", d)
	}
}

func TestArithmetic(t *testing.T) {
	cad := func(s string) money.Amount { return money.MustParse(s + " CAD") }
	largest := mustMinor(t, math.MaxInt64, money.CAD)

	t.Run("Add", func(t *testing.T) {
		got, err := cad("19.99").Add(cad("0.01"))
		if err != nil || !got.Equal(cad("20.00")) {
			t.Errorf("19.99 + 0.01 = %v, %v", got, err)
		}
	})
	t.Run("Sub may go negative", func(t *testing.T) {
		got, err := cad("1.00").Sub(cad("2.50"))
		if err != nil || got.Minor() != -150 || !got.IsNegative() || got.IsPositive() || got.IsZero() {
			t.Errorf("1.00 - 2.50 = %v, %v", got, err)
		}
		back, err := got.Add(cad("2.50"))
		if err != nil || !back.Equal(cad("1.00")) {
			t.Errorf("(1.00 - 2.50) + 2.50 = %v, %v", back, err)
		}
	})
	t.Run("Cmp", func(t *testing.T) {
		for _, tt := range []struct {
			a, b string
			want int
		}{{"1.00", "2.00", -1}, {"2.00", "2.00", 0}, {"2.01", "2.00", 1}, {"0", "0.00", 0}} {
			got, err := cad(tt.a).Cmp(cad(tt.b))
			if err != nil || got != tt.want {
				t.Errorf("Cmp(%s, %s) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
			}
		}
	})
	t.Run("predicates", func(t *testing.T) {
		if z := cad("0"); !z.IsZero() || z.IsPositive() || z.IsNegative() {
			t.Error("0 CAD predicates wrong")
		}
		if p := cad("0.01"); p.IsZero() || !p.IsPositive() || p.IsNegative() {
			t.Error("0.01 CAD predicates wrong")
		}
		if !(money.Amount{}).IsZero() {
			t.Error("the zero Amount should be zero")
		}
	})
	t.Run("Equal needs the same currency", func(t *testing.T) {
		if cad("1.00").Equal(money.MustParse("1.00 USD")) {
			t.Error("1.00 CAD equals 1.00 USD")
		}
		if !cad("1.00").Equal(cad("1")) {
			t.Error("1.00 CAD != 1 CAD")
		}
		if cad("0").Equal(money.Amount{}) {
			t.Error("0 CAD equals the zero Amount, which has no currency")
		}
	})

	mismatches := []struct {
		name string
		op   func() error
	}{
		{"Add CAD and USD", func() error { _, err := cad("1").Add(money.MustParse("1 USD")); return err }},
		{"Sub CAD and USD", func() error { _, err := cad("1").Sub(money.MustParse("1 USD")); return err }},
		{"Cmp CAD and USD", func() error { _, err := cad("1").Cmp(money.MustParse("1 USD")); return err }},
		{"Add CAD and JPY", func() error { _, err := cad("5").Add(money.MustParse("500 JPY")); return err }},
		{"Add the zero Amount to CAD", func() error { _, err := cad("1").Add(money.Amount{}); return err }},
		{"Cmp the zero Amount with CAD", func() error { _, err := money.Amount{}.Cmp(cad("0")); return err }},
	}
	for _, tt := range mismatches {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.op(); !errors.Is(err, money.ErrCurrencyMismatch) {
				t.Errorf("error = %v, want ErrCurrencyMismatch", err)
			}
		})
	}

	overflows := []struct {
		name string
		op   func() (money.Amount, error)
	}{
		{"Add one cent to the largest", func() (money.Amount, error) { return largest.Add(cad("0.01")) }},
		{"Add the largest to itself", func() (money.Amount, error) { return largest.Add(largest) }},
		{"Sub below the smallest", func() (money.Amount, error) {
			low, err := cad("0").Sub(largest)
			if err != nil {
				return low, err
			}
			low, err = low.Sub(cad("0.01")) // MinInt64: still representable
			if err != nil {
				return low, err
			}
			return low.Sub(cad("0.01"))
		}},
		{"Sub a negative from the largest", func() (money.Amount, error) {
			neg, _ := cad("0").Sub(cad("0.01"))
			return largest.Sub(neg)
		}},
	}
	for _, tt := range overflows {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.op()
			if !errors.Is(err, money.ErrOverflow) {
				t.Errorf("= %v, %v; want ErrOverflow", a, err)
			}
		})
	}
	t.Run("zero Amounts add", func(t *testing.T) {
		got, err := money.Amount{}.Add(money.Amount{})
		if err != nil || got != (money.Amount{}) {
			t.Errorf("zero + zero = %v, %v", got, err)
		}
	})
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("MustParse(bad) did not panic")
		}
	}()
	money.MustParse("1.999 CAD")
}

func TestMustCurrencyPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("MustCurrency(bad) did not panic")
		}
	}()
	money.MustCurrency("cad")
}

// The hot accessors must stay allocation-free: adapters call them while
// building signed requests.
func TestAllocations(t *testing.T) {
	a, err := money.Parse("19.99 CAD")
	if err != nil {
		t.Fatal(err)
	}
	var sink int64
	if n := testing.AllocsPerRun(100, func() { sink += a.Minor() }); n != 0 {
		t.Errorf("Minor() allocates %v times", n)
	}
	buf := make([]byte, 0, 32)
	if n := testing.AllocsPerRun(100, func() { buf = a.AppendMinor(buf[:0]) }); n != 0 {
		t.Errorf("AppendMinor into a buffer with room allocates %v times", n)
	}
	if string(buf) != "1999" {
		t.Errorf("AppendMinor wrote %q", buf)
	}
	if n := testing.AllocsPerRun(100, func() { a, _ = money.Parse("19.99 CAD") }); n != 0 {
		t.Errorf("Parse of a valid amount allocates %v times", n)
	}
	_ = sink
}
