package money

import (
	_ "embed" // for the ISO 4217 table
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 currency: its alphabetic code, numeric code and
// minor-unit exponent. The zero Currency means "no currency".
//
// Currency values are small and comparable with ==; two Currency values are
// equal exactly when they have the same code.
type Currency struct {
	// info points into the read-only table built at init. A pointer keeps
	// Currency one word wide (and Amount two), and makes == compare codes.
	info *currencyInfo
}

type currencyInfo struct {
	code     string // "CAD"
	numeric  string // "124"
	name     string // "Canadian Dollar"; kept for the table's readers
	exponent int    // 2
}

// maxExponent bounds the minor-unit digits the table may declare. ISO uses at
// most 4; 18 would still keep every power of ten used here inside int64.
const maxExponent = 9

// pow10 holds 10^0 … 10^18, every power that fits in an int64.
var pow10 = [...]int64{
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
	1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
	10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
	10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
}

//go:embed iso4217.csv
var iso4217CSV string

// currencyTable is built once, at package initialisation, and only read
// afterwards, so concurrent use needs no locking.
type currencyTable struct {
	sorted []currencyInfo // by code
	// byCode maps an upper-case code, read as a base-26 number, to its index
	// in sorted plus one (0: unknown). A direct index beats hashing on the
	// Parse hot path and rejects lower case for free.
	byCode [26 * 26 * 26]uint8
}

// table is the shipped ISO 4217 table. A malformed embedded file is a
// programming error caught by any test run, so panicking here is acceptable;
// it is the only place the package panics outside the Must helpers.
var table = mustLoadTable(iso4217CSV)

func mustLoadTable(text string) *currencyTable {
	t, err := loadTable(text)
	if err != nil {
		panic(err)
	}
	return t
}

const tableHeader = "code,numeric,exponent,name"

// loadTable parses the CSV format documented at the top of iso4217.csv and
// validates every row, so a bad edit to the file fails loudly.
func loadTable(text string) (*currencyTable, error) {
	t := &currencyTable{}
	sawHeader := false
	numerics := make(map[string]string)
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r") // tolerate a CRLF checkout
		lineNo := n + 1
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !sawHeader {
			if line != tableHeader {
				return nil, fmt.Errorf("money: currency table line %d: header %q, want %q", lineNo, line, tableHeader)
			}
			sawHeader = true
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return nil, fmt.Errorf("money: currency table line %d: %d fields, want 4", lineNo, len(f))
		}
		code, numeric, expText, name := f[0], f[1], f[2], f[3]
		if _, ok := codeIndex(code); !ok {
			return nil, fmt.Errorf("money: currency table line %d: code %q is not 3 upper-case letters", lineNo, code)
		}
		if len(numeric) != 3 || !allDigits(numeric) {
			return nil, fmt.Errorf("money: currency table line %d: numeric code %q is not 3 digits", lineNo, numeric)
		}
		if len(expText) != 1 || !allDigits(expText) || int(expText[0]-'0') > maxExponent {
			return nil, fmt.Errorf("money: currency table line %d: exponent %q is not a digit 0-%d", lineNo, expText, maxExponent)
		}
		if strings.TrimSpace(name) == "" || strings.TrimSpace(name) != name {
			return nil, fmt.Errorf("money: currency table line %d: bad name %q", lineNo, name)
		}
		if prev, dup := numerics[numeric]; dup {
			return nil, fmt.Errorf("money: currency table line %d: numeric code %s of %s already used by %s", lineNo, numeric, code, prev)
		}
		numerics[numeric] = code
		t.sorted = append(t.sorted, currencyInfo{code: code, numeric: numeric, name: name, exponent: int(expText[0] - '0')})
	}
	if !sawHeader {
		return nil, errors.New("money: currency table: no header")
	}
	if len(t.sorted) == 0 {
		return nil, errors.New("money: currency table: no currencies")
	}
	if len(t.sorted) > 255 {
		return nil, fmt.Errorf("money: currency table: %d currencies, at most 255 fit the index", len(t.sorted))
	}
	slices.SortFunc(t.sorted, func(a, b currencyInfo) int { return strings.Compare(a.code, b.code) })
	for i := range t.sorted {
		if i > 0 && t.sorted[i].code == t.sorted[i-1].code {
			return nil, fmt.Errorf("money: currency table: duplicate code %s", t.sorted[i].code)
		}
		idx, _ := codeIndex(t.sorted[i].code)
		t.byCode[idx] = uint8(i + 1)
	}
	return t, nil
}

// codeIndex reads a 3-letter upper-case code as a base-26 number.
func codeIndex[T ~string | ~[]byte](code T) (int, bool) {
	if len(code) != 3 {
		return 0, false
	}
	idx := 0
	for i := 0; i < 3; i++ {
		c := code[i]
		if c < 'A' || c > 'Z' {
			return 0, false
		}
		idx = idx*26 + int(c-'A')
	}
	return idx, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// lookup finds code in the table without allocating, for string and []byte
// input alike.
func lookup[T ~string | ~[]byte](code T) (Currency, error) {
	if idx, ok := codeIndex(code); ok {
		if i := table.byCode[idx]; i != 0 {
			return Currency{info: &table.sorted[i-1]}, nil
		}
	}
	return Currency{}, unknownCurrency(code)
}

// LookupCurrency returns the currency with the given ISO 4217 alphabetic
// code. The code must match exactly: three upper-case ASCII letters, no
// blanks. An unknown or lower-case code is an error wrapping
// ErrUnknownCurrency.
func LookupCurrency(code string) (Currency, error) {
	return lookup(code)
}

// MustCurrency is like LookupCurrency but panics on an unknown code. It is
// meant for package-level variables and tests, where the code is a constant.
func MustCurrency(code string) Currency {
	c, err := LookupCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Currencies returns every currency in the table, sorted by code. The slice
// is freshly allocated; the caller may modify it.
func Currencies() []Currency {
	out := make([]Currency, len(table.sorted))
	for i := range table.sorted {
		out[i] = Currency{info: &table.sorted[i]}
	}
	return out
}

// Code returns the ISO 4217 alphabetic code, such as "CAD", or "" for the
// zero Currency.
func (c Currency) Code() string {
	if c.info == nil {
		return ""
	}
	return c.info.code
}

// Exponent returns the number of minor-unit digits: 0 for JPY, 2 for CAD,
// 3 for KWD, 4 for CLF. The zero Currency has exponent 0.
func (c Currency) Exponent() int {
	if c.info == nil {
		return 0
	}
	return c.info.exponent
}

// Numeric returns the ISO 4217 numeric code as three digits, such as "124"
// for CAD or "008" for ALL, or "" for the zero Currency. It is a string
// because the leading zeros are part of the code.
func (c Currency) Numeric() string {
	if c.info == nil {
		return ""
	}
	return c.info.numeric
}

// IsZero reports whether c is the zero Currency, which stands for "no
// currency".
func (c Currency) IsZero() bool { return c.info == nil }

// String returns the alphabetic code, or "" for the zero Currency.
func (c Currency) String() string { return c.Code() }

// MarshalText returns the alphabetic code. The zero Currency is an error
// wrapping ErrUnknownCurrency: writing an empty code would only move the
// failure to whoever reads it.
func (c Currency) MarshalText() ([]byte, error) {
	if c.info == nil {
		return nil, errNoCurrency
	}
	return []byte(c.info.code), nil
}

// UnmarshalText sets c from an alphabetic code, exactly as LookupCurrency
// reads it. On error c is left unchanged.
func (c *Currency) UnmarshalText(text []byte) error {
	cur, err := lookup(text)
	if err != nil {
		return err
	}
	*c = cur
	return nil
}

// Convenience currencies: the ones paybridge's providers use, and the usual
// 0- and 3-decimal suspects that tests and examples reach for. They are
// variables only because Go has no struct constants; do not reassign them.
var (
	// CAD is the Canadian dollar, 2 decimals.
	CAD = MustCurrency("CAD")

	// USD is the US dollar, 2 decimals.
	USD = MustCurrency("USD")

	// CNY is the Chinese yuan renminbi, 2 decimals.
	CNY = MustCurrency("CNY")

	// EUR is the euro, 2 decimals.
	EUR = MustCurrency("EUR")

	// GBP is the pound sterling, 2 decimals.
	GBP = MustCurrency("GBP")

	// JPY is the Japanese yen, 0 decimals.
	JPY = MustCurrency("JPY")

	// KRW is the South Korean won, 0 decimals.
	KRW = MustCurrency("KRW")

	// CLP is the Chilean peso, 0 decimals.
	CLP = MustCurrency("CLP")

	// VND is the Vietnamese dong, 0 decimals.
	VND = MustCurrency("VND")

	// PHP is the Philippine peso, 2 decimals.
	PHP = MustCurrency("PHP")

	// MYR is the Malaysian ringgit, 2 decimals.
	MYR = MustCurrency("MYR")

	// IQD is the Iraqi dinar, 3 decimals.
	IQD = MustCurrency("IQD")

	// KWD is the Kuwaiti dinar, 3 decimals.
	KWD = MustCurrency("KWD")

	// BHD is the Bahraini dinar, 3 decimals.
	BHD = MustCurrency("BHD")

	// JOD is the Jordanian dinar, 3 decimals.
	JOD = MustCurrency("JOD")

	// OMR is the Omani rial, 3 decimals.
	OMR = MustCurrency("OMR")

	// TND is the Tunisian dinar, 3 decimals.
	TND = MustCurrency("TND")

	// LYD is the Libyan dinar, 3 decimals.
	LYD = MustCurrency("LYD")

	// HKD is the Hong Kong dollar, 2 decimals.
	HKD = MustCurrency("HKD")

	// SGD is the Singapore dollar, 2 decimals.
	SGD = MustCurrency("SGD")

	// THB is the Thai baht, 2 decimals.
	THB = MustCurrency("THB")

	// IDR is the Indonesian rupiah, 2 decimals.
	IDR = MustCurrency("IDR")

	// ZAR is the South African rand, 2 decimals.
	ZAR = MustCurrency("ZAR")

	// KES is the Kenyan shilling, 2 decimals.
	KES = MustCurrency("KES")
)

// decimalsText says how many decimal places c allows, for precision errors.
func (c Currency) decimalsText() string {
	switch e := c.Exponent(); e {
	case 0:
		return c.Code() + " has no decimal places"
	case 1:
		return c.Code() + " has 1 decimal place"
	default:
		return c.Code() + " has " + strconv.Itoa(e) + " decimal places"
	}
}
