package money_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/money"
)

func TestMarshalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"19.99 CAD", `{"currency":"CAD","value":"1999"}`},
		{"500 JPY", `{"currency":"JPY","value":"500"}`},
		{"150 IQD", `{"currency":"IQD","value":"150000"}`},
		{"2000 CLP", `{"currency":"CLP","value":"2000"}`},
		{"0 USD", `{"currency":"USD","value":"0"}`},
		{"92233720368547758.07 CAD", `{"currency":"CAD","value":"9223372036854775807"}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a := money.MustParse(tt.in)
			got, err := a.MarshalJSON()
			if err != nil || string(got) != tt.want {
				t.Errorf("MarshalJSON() = %s, %v; want %s", got, err, tt.want)
			}
			// encoding/json must pass the bytes through untouched.
			got, err = json.Marshal(a)
			if err != nil || string(got) != tt.want {
				t.Errorf("json.Marshal = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	t.Run("inside a struct", func(t *testing.T) {
		v := struct {
			Amount money.Amount `json:"paymentAmount"`
		}{money.MustParse("19.99 CAD")}
		got, err := json.Marshal(v)
		if want := `{"paymentAmount":{"currency":"CAD","value":"1999"}}`; err != nil || string(got) != want {
			t.Errorf("json.Marshal = %s, %v; want %s", got, err, want)
		}
	})
}

func TestMarshalJSONRejects(t *testing.T) {
	neg, err := money.MustParse("1 CAD").Sub(money.MustParse("2 CAD"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		a    money.Amount
		want error
	}{
		{"zero Amount has no currency", money.Amount{}, money.ErrUnknownCurrency},
		{"negative has no wire form", neg, money.ErrNegative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := tt.a.MarshalJSON(); !errors.Is(err, tt.want) {
				t.Errorf("MarshalJSON() = %s, %v; want %v", b, err, tt.want)
			}
			if b, err := json.Marshal(tt.a); !errors.Is(err, tt.want) {
				t.Errorf("json.Marshal = %s, %v; want %v", b, err, tt.want)
			}
		})
	}
}

func TestUnmarshalJSONAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"string value", `{"currency":"CAD","value":"1999"}`, "19.99 CAD"},
		{"number value, as some wallets send", `{"currency":"CAD","value":1999}`, "19.99 CAD"},
		{"value first", `{"value":"1999","currency":"CAD"}`, "19.99 CAD"},
		{"zero", `{"currency":"CAD","value":"0"}`, "0.00 CAD"},
		{"number zero", `{"currency":"JPY","value":0}`, "0 JPY"},
		{"iraqi dinar", `{"currency":"IQD","value":"150000"}`, "150.000 IQD"},
		{"chilean peso", `{"currency":"CLP","value":"2000"}`, "2000 CLP"},
		{"leading zeros in the string", `{"currency":"CAD","value":"01999"}`, "19.99 CAD"},
		{"whitespace between tokens", " {\n\t\"currency\" : \"CAD\" ,\r\n \"value\" : 1999 } ", "19.99 CAD"},
		{"unknown fields ignored", `{"a":1,"currency":"CAD","b":[1,{"c":"}]\""}],"value":"1999","d":null,"e":true,"f":-1.5e3}`, "19.99 CAD"},
		{"differently cased keys are other fields", `{"Currency":"USD","currency":"CAD","VALUE":"1","value":"1999"}`, "19.99 CAD"},
		{"escaped currency", `{"currency":"\u0043AD","value":"1999"}`, "19.99 CAD"},
		{"escaped key", `{"curr\u0065ncy":"CAD","value":"1999"}`, "19.99 CAD"},
		{"escaped digits", `{"currency":"CAD","value":"\u0031999"}`, "19.99 CAD"},
		{"largest", `{"currency":"CAD","value":9223372036854775807}`, "92233720368547758.07 CAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a money.Amount
			if err := json.Unmarshal([]byte(tt.in), &a); err != nil {
				t.Fatalf("json.Unmarshal(%s) = %v", tt.in, err)
			}
			if want := money.MustParse(tt.want); !a.Equal(want) {
				t.Errorf("got %v, want %v", a, want)
			}
			var b money.Amount
			if err := b.UnmarshalJSON([]byte(tt.in)); err != nil || !b.Equal(a) {
				t.Errorf("direct UnmarshalJSON = %v, %v", b, err)
			}
		})
	}
}

func TestUnmarshalJSONRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"number with a fraction", `{"currency":"CAD","value":19.99}`, money.ErrSyntax},
		{"number with a zero fraction", `{"currency":"CAD","value":1999.0}`, money.ErrSyntax},
		{"negative number", `{"currency":"CAD","value":-1}`, money.ErrSyntax},
		{"negative zero", `{"currency":"CAD","value":-0}`, money.ErrSyntax},
		{"number with an exponent", `{"currency":"CAD","value":1e3}`, money.ErrSyntax},
		{"letters", `{"currency":"CAD","value":"abc"}`, money.ErrSyntax},
		{"empty string", `{"currency":"CAD","value":""}`, money.ErrSyntax},
		{"signed string", `{"currency":"CAD","value":"-1"}`, money.ErrSyntax},
		{"major units in the string", `{"currency":"CAD","value":"19.99"}`, money.ErrSyntax},
		{"blank in the string", `{"currency":"CAD","value":" 1999"}`, money.ErrSyntax},
		{"non-ASCII digits", `{"currency":"CAD","value":"١٩٩٩"}`, money.ErrSyntax},
		{"null value", `{"currency":"CAD","value":null}`, money.ErrSyntax},
		{"boolean value", `{"currency":"CAD","value":true}`, money.ErrSyntax},
		{"object value", `{"currency":"CAD","value":{"amount":"1999"}}`, money.ErrSyntax},
		{"array value", `{"currency":"CAD","value":[1999]}`, money.ErrSyntax},
		{"string overflow", `{"currency":"CAD","value":"9223372036854775808"}`, money.ErrOverflow},
		{"number overflow", `{"currency":"CAD","value":9223372036854775808}`, money.ErrOverflow},
		{"unknown currency", `{"currency":"XYZ","value":"1"}`, money.ErrUnknownCurrency},
		{"lower-case currency", `{"currency":"cad","value":"1"}`, money.ErrUnknownCurrency},
		{"empty currency", `{"currency":"","value":"1"}`, money.ErrUnknownCurrency},
		{"padded currency", `{"currency":" CAD","value":"1"}`, money.ErrUnknownCurrency},
		{"numeric currency", `{"currency":124,"value":"1"}`, money.ErrSyntax},
		{"null currency", `{"currency":null,"value":"1"}`, money.ErrSyntax},
		{"missing currency", `{"value":"1999"}`, money.ErrSyntax},
		{"missing value", `{"currency":"CAD"}`, money.ErrSyntax},
		{"only differently cased keys", `{"Currency":"CAD","Value":"1999"}`, money.ErrSyntax},
		{"empty object", `{}`, money.ErrSyntax},
		{"duplicate currency", `{"currency":"CAD","currency":"USD","value":"1"}`, money.ErrSyntax},
		{"duplicate value", `{"currency":"CAD","value":"1","value":"2"}`, money.ErrSyntax},
		{"null", `null`, money.ErrSyntax},
		{"array", `[{"currency":"CAD","value":"1"}]`, money.ErrSyntax},
		{"bare string", `"19.99 CAD"`, money.ErrSyntax},
		{"bare number", `1999`, money.ErrSyntax},
		{"truncated", `{"currency":"CAD","value":"1999"`, money.ErrSyntax},
		{"trailing garbage", `{"currency":"CAD","value":"1999"}x`, money.ErrSyntax},
		{"two objects", `{"currency":"CAD","value":"1"}{}`, money.ErrSyntax},
		{"single quotes", `{'currency':'CAD','value':'1'}`, money.ErrSyntax},
		{"trailing comma", `{"currency":"CAD","value":"1",}`, money.ErrSyntax},
		{"empty input", ``, money.ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := money.MustParse("7.00 USD")
			a := before
			err := a.UnmarshalJSON([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("UnmarshalJSON(%s) = %v (amount %v); want %v", tt.in, err, a, tt.want)
			}
			if !a.Equal(before) {
				t.Errorf("a failed UnmarshalJSON changed the amount to %v", a)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "money: ") || len(msg) > 200 {
				t.Errorf("message %q should be prefixed and short", msg)
			}
		})
	}
}

func TestUnmarshalJSONInStructs(t *testing.T) {
	var v struct {
		Payment money.Amount  `json:"paymentAmount"`
		Refund  *money.Amount `json:"refundAmount"`
	}
	in := `{"paymentAmount":{"currency":"CLP","value":2000},"refundAmount":null}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Payment.Equal(money.MustParse("2000 CLP")) || v.Refund != nil {
		t.Errorf("got %v, %v", v.Payment, v.Refund)
	}
	// A null non-pointer amount is an error, not a silent zero.
	err := json.Unmarshal([]byte(`{"paymentAmount":null}`), &v)
	if !errors.Is(err, money.ErrSyntax) {
		t.Errorf("null paymentAmount: %v, want ErrSyntax", err)
	}
}
