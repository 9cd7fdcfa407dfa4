package money_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/paybridge/paybridge/money"
)

func ExampleParse() {
	a, err := money.Parse("19.99 CAD")
	if err != nil {
		panic(err)
	}
	fmt.Println(a, a.Currency().Exponent(), a.MinorString())

	// Strict: no rounding, no signs, no blanks.
	for _, s := range []string{"19.999 CAD", "-5 CAD", "19.99  CAD"} {
		_, err := money.Parse(s)
		fmt.Println(err)
	}
	// Output:
	// 19.99 CAD 2 1999
	// money: parse "19.999 CAD": excess precision: CAD has 2 decimal places
	// money: parse "-5 CAD": invalid syntax: signs are not allowed
	// money: parse "19.99  CAD": invalid syntax: blanks are not allowed
}

func ExampleParseMajor() {
	for _, tt := range []struct {
		value string
		c     money.Currency
	}{
		{"19.99", money.CAD},
		{"500", money.JPY},
		{"12.5", money.KWD},
		{"150", money.IQD},
	} {
		a, err := money.ParseMajor(tt.value, tt.c)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %s -> wire %s (%d digits)\n", tt.value, tt.c, a.MinorString(), a.MinorDigits())
	}
	_, err := money.ParseMajor("1.5", money.JPY)
	fmt.Println(errors.Is(err, money.ErrPrecision))
	// Output:
	// 19.99 CAD -> wire 1999 (4 digits)
	// 500 JPY -> wire 500 (3 digits)
	// 12.5 KWD -> wire 12500 (5 digits)
	// 150 IQD -> wire 150000 (6 digits)
	// true
}

func ExampleParseMinor() {
	a, err := money.ParseMinor("1999", money.CAD)
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Major(), a)
	// Output:
	// 19.99 19.99 CAD
}

func ExampleAmount_MarshalJSON() {
	out, err := json.Marshal(money.MustParse("19.99 CAD"))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))

	// Some wallets send the value as a JSON number; that is accepted too.
	var a money.Amount
	if err := json.Unmarshal([]byte(`{"currency":"CLP","value":2000}`), &a); err != nil {
		panic(err)
	}
	fmt.Println(a)

	// A number that is not a whole count of minor units is not.
	err = json.Unmarshal([]byte(`{"currency":"CAD","value":19.99}`), &a)
	fmt.Println(errors.Is(err, money.ErrSyntax))
	// Output:
	// {"currency":"CAD","value":"1999"}
	// 2000 CLP
	// true
}

func ExampleAmount_Add() {
	total, err := money.MustParse("19.99 CAD").Add(money.MustParse("0.01 CAD"))
	fmt.Println(total, err)

	_, err = money.MustParse("19.99 CAD").Add(money.MustParse("1.00 USD"))
	fmt.Println(err)
	fmt.Println(errors.Is(err, money.ErrCurrencyMismatch))
	// Output:
	// 20.00 CAD <nil>
	// money: currency mismatch: cannot add 1.00 USD to 19.99 CAD
	// true
}

func ExampleAmount_CheckDigits() {
	// AlphaPay carries at most 7 digits of minor units.
	for _, s := range []string{"99999.99 CAD", "100000.00 CAD"} {
		fmt.Println(s, money.MustParse(s).CheckDigits(7))
	}
	// Output:
	// 99999.99 CAD <nil>
	// 100000.00 CAD money: too many digits: 100000.00 CAD is 8 digits in minor units, limit 7
}

func ExampleFromDecimal() {
	a, err := money.FromDecimal(decimal.RequireFromString("12.500"), money.KWD)
	fmt.Println(a, err)

	_, err = money.FromDecimal(decimal.RequireFromString("12.5001"), money.KWD)
	fmt.Println(errors.Is(err, money.ErrPrecision))

	fmt.Println(money.MustParse("1.2345 CLF").Decimal())
	// Output:
	// 12.500 KWD <nil>
	// true
	// 1.2345
}
