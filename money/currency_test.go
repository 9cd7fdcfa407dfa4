package money

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// These tests are internal so they can run the table loader on broken
// input; everything else is tested through the exported API.

func TestShippedTableParses(t *testing.T) {
	tab, err := loadTable(iso4217CSV)
	if err != nil {
		t.Fatalf("loadTable(iso4217.csv) = %v", err)
	}
	// ISO 4217 List One has about 180 codes, of which about 165 have a
	// minor unit. Far fewer means rows went missing; far more means codes
	// without a minor unit (or withdrawn ones) crept in.
	if n := len(tab.sorted); n < 150 || n > 185 {
		t.Errorf("table has %d currencies, want 150-185", n)
	}
	if got := len(Currencies()); got != len(tab.sorted) {
		t.Errorf("len(Currencies()) = %d, want %d", got, len(tab.sorted))
	}
}

func TestTableShape(t *testing.T) {
	codes := make(map[string]bool)
	numerics := make(map[string]string)
	for _, c := range Currencies() {
		code := c.Code()
		if len(code) != 3 || strings.ToUpper(code) != code || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Errorf("code %q is not 3 upper-case ASCII letters", code)
		}
		if codes[code] {
			t.Errorf("duplicate code %s", code)
		}
		codes[code] = true
		n := c.Numeric()
		if len(n) != 3 || strings.Trim(n, "0123456789") != "" {
			t.Errorf("%s: numeric code %q is not 3 digits", code, n)
		}
		if prev, ok := numerics[n]; ok {
			t.Errorf("numeric code %s used by %s and %s", n, prev, code)
		}
		numerics[n] = code
		if e := c.Exponent(); e < 0 || e > 4 {
			t.Errorf("%s: exponent %d outside ISO's 0-4", code, e)
		}
	}
}

func TestTableExponents(t *testing.T) {
	want := map[int][]string{
		0: {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"},
		3: {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"},
		4: {"CLF", "UYW"},
	}
	special := make(map[string]bool)
	for exp, codes := range want {
		for _, code := range codes {
			special[code] = true
			t.Run(code, func(t *testing.T) {
				c, err := LookupCurrency(code)
				if err != nil {
					t.Fatal(err)
				}
				if c.Exponent() != exp {
					t.Errorf("%s exponent = %d, want %d", code, c.Exponent(), exp)
				}
			})
		}
	}
	// Everything else has 2, including MGA and MRU, whose fifths of a unit
	// ISO does not count as decimals.
	for _, c := range Currencies() {
		if !special[c.Code()] && c.Exponent() != 2 {
			t.Errorf("%s exponent = %d, want 2", c.Code(), c.Exponent())
		}
	}
}

func TestTableMembership(t *testing.T) {
	present := []string{
		"CAD", "USD", "CNY", "EUR", "GBP", "JPY", "KRW", "CLP", "VND", "PHP", "MYR", "IQD", "KWD", "BHD",
		// Funds codes with a real minor unit.
		"BOV", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "CHE", "CHW",
		// Recent additions.
		"VES", "VED", "MRU", "STN", "SLE", "ZWG", "XCG", "MGA",
	}
	for _, code := range present {
		if _, err := LookupCurrency(code); err != nil {
			t.Errorf("LookupCurrency(%q) = %v, want present", code, err)
		}
	}
	absent := []string{
		// No minor unit in ISO 4217 ("N.A.").
		"XAU", "XAG", "XPT", "XPD", "XXX", "XTS", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD",
		// Withdrawn.
		"HRK", "SLL", "ZWL", "ANG", "VEF", "MRO", "STD", "LTL", "EEK",
	}
	for _, code := range absent {
		if _, err := LookupCurrency(code); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("LookupCurrency(%q) = %v, want ErrUnknownCurrency", code, err)
		}
	}
}

func TestCurrencyAccessors(t *testing.T) {
	tests := []struct {
		c        Currency
		code     string
		numeric  string
		exponent int
	}{
		{CAD, "CAD", "124", 2},
		{USD, "USD", "840", 2},
		{JPY, "JPY", "392", 0},
		{KWD, "KWD", "414", 3},
		{IQD, "IQD", "368", 3},
		{MustCurrency("ALL"), "ALL", "008", 2},
		{MustCurrency("CLF"), "CLF", "990", 4},
		{Currency{}, "", "", 0},
	}
	for _, tt := range tests {
		name := tt.code
		if name == "" {
			name = "zero Currency"
		}
		t.Run(name, func(t *testing.T) {
			if got := tt.c.Code(); got != tt.code {
				t.Errorf("Code() = %q, want %q", got, tt.code)
			}
			if got := tt.c.String(); got != tt.code {
				t.Errorf("String() = %q, want %q", got, tt.code)
			}
			if got := tt.c.Numeric(); got != tt.numeric {
				t.Errorf("Numeric() = %q, want %q", got, tt.numeric)
			}
			if got := tt.c.Exponent(); got != tt.exponent {
				t.Errorf("Exponent() = %d, want %d", got, tt.exponent)
			}
			if got := tt.c.IsZero(); got != (tt.code == "") {
				t.Errorf("IsZero() = %v", got)
			}
		})
	}
}

func TestConvenienceCurrencies(t *testing.T) {
	vars := map[string]Currency{
		"CAD": CAD, "USD": USD, "CNY": CNY, "EUR": EUR, "GBP": GBP, "JPY": JPY, "KRW": KRW, "CLP": CLP,
		"VND": VND, "PHP": PHP, "MYR": MYR, "IQD": IQD, "KWD": KWD, "BHD": BHD, "JOD": JOD, "OMR": OMR,
		"TND": TND, "LYD": LYD, "HKD": HKD, "SGD": SGD, "THB": THB, "IDR": IDR, "ZAR": ZAR, "KES": KES,
	}
	for code, c := range vars {
		if c.Code() != code {
			t.Errorf("variable %s has code %q", code, c.Code())
		}
		if c != MustCurrency(code) {
			t.Errorf("variable %s != MustCurrency(%q)", code, code)
		}
	}
}

func TestLookupCurrencyRejects(t *testing.T) {
	tests := []struct{ name, code string }{
		{"empty", ""},
		{"lower case", "cad"},
		{"mixed case", "Cad"},
		{"two letters", "CA"},
		{"four letters", "CADD"},
		{"leading blank", " CAD"},
		{"trailing blank", "CAD "},
		{"numeric code", "124"},
		{"unknown", "XYZ"},
		{"non-ASCII", "ÇAD"},
		{"long", strings.Repeat("A", 10000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LookupCurrency(tt.code)
			if !errors.Is(err, ErrUnknownCurrency) {
				t.Fatalf("LookupCurrency(%.10q) = %v, %v; want ErrUnknownCurrency", tt.code, c, err)
			}
			if !c.IsZero() {
				t.Errorf("returned currency %v, want zero", c)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "money: ") {
				t.Errorf("message %q lacks the money: prefix", msg)
			}
			if len(msg) > 120 {
				t.Errorf("message is %d bytes; the code should be truncated: %q", len(msg), msg)
			}
		})
	}
	if _, err := LookupCurrency("cad"); !strings.Contains(err.Error(), "upper case") {
		t.Errorf("lower-case error %q should say codes are upper case", err)
	}
}

func TestCurrenciesSortedAndFresh(t *testing.T) {
	list := Currencies()
	if !slices.IsSortedFunc(list, func(a, b Currency) int { return strings.Compare(a.Code(), b.Code()) }) {
		t.Error("Currencies() is not sorted by code")
	}
	list[0] = Currency{}
	if Currencies()[0].IsZero() {
		t.Error("modifying the returned slice changed the table")
	}
}

func TestCurrencyText(t *testing.T) {
	b, err := CAD.MarshalText()
	if err != nil || string(b) != "CAD" {
		t.Errorf("CAD.MarshalText() = %q, %v", b, err)
	}
	if _, err := (Currency{}).MarshalText(); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf("zero Currency MarshalText error = %v, want ErrUnknownCurrency", err)
	}
	c := USD
	if err := c.UnmarshalText([]byte("KWD")); err != nil || c != KWD {
		t.Errorf("UnmarshalText(KWD) = %v, %v", c, err)
	}
	for _, bad := range []string{"", "kwd", "XYZ", "KWD "} {
		c := USD
		if err := c.UnmarshalText([]byte(bad)); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("UnmarshalText(%q) error = %v, want ErrUnknownCurrency", bad, err)
		}
		if c != USD {
			t.Errorf("UnmarshalText(%q) changed the currency to %v", bad, c)
		}
	}
	// As a JSON value and as a map key, through encoding.TextMarshaler.
	out, err := json.Marshal(map[Currency]Currency{JPY: CAD})
	if err != nil || string(out) != `{"JPY":"CAD"}` {
		t.Errorf("json.Marshal(map) = %s, %v", out, err)
	}
	var m map[Currency]Currency
	if err := json.Unmarshal(out, &m); err != nil || m[JPY] != CAD {
		t.Errorf("json.Unmarshal(map) = %v, %v", m, err)
	}
}

func TestLoadTableRejectsMalformed(t *testing.T) {
	const header = "code,numeric,exponent,name\n"
	tests := []struct{ name, text string }{
		{"empty file", ""},
		{"comments only", "# nothing\n"},
		{"wrong header", "code,exponent,numeric,name\nCAD,124,2,Canadian Dollar\n"},
		{"no rows", header},
		{"three fields", header + "CAD,124,2\n"},
		{"five fields", header + "CAD,124,2,Canadian,Dollar\n"},
		{"lower-case code", header + "cad,124,2,Canadian Dollar\n"},
		{"four-letter code", header + "CADX,124,2,Canadian Dollar\n"},
		{"two-digit numeric", header + "CAD,24,2,Canadian Dollar\n"},
		{"letter in numeric", header + "CAD,12A,2,Canadian Dollar\n"},
		{"N.A. exponent", header + "XAU,959,N.A.,Gold\n"},
		{"negative exponent", header + "CAD,124,-1,Canadian Dollar\n"},
		{"two-digit exponent", header + "CAD,124,10,Canadian Dollar\n"},
		{"empty name", header + "CAD,124,2,\n"},
		{"padded name", header + "CAD,124,2, Canadian Dollar\n"},
		{"duplicate code", header + "CAD,124,2,Canadian Dollar\nCAD,125,2,Again\n"},
		{"duplicate numeric", header + "CAD,124,2,Canadian Dollar\nUSD,124,2,US Dollar\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tab, err := loadTable(tt.text); err == nil {
				t.Errorf("loadTable accepted it: %d currencies", len(tab.sorted))
			}
		})
	}
	t.Run("CRLF line endings are fine", func(t *testing.T) {
		tab, err := loadTable("# c\r\n" + "code,numeric,exponent,name\r\nCAD,124,2,Canadian Dollar\r\n")
		if err != nil || len(tab.sorted) != 1 || tab.sorted[0].name != "Canadian Dollar" {
			t.Errorf("loadTable with CRLF = %v, %v", tab, err)
		}
	})
}
