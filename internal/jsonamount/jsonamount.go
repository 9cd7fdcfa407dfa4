// Package jsonamount decodes the amount object both providers put on the
// wire, {"value":"1999","currency":"CAD"} in either key order, accepting
// value as a string or a whole JSON number (some wallets send numbers). The
// adapters' wire types and the simulators share it so that they cannot read
// amounts differently.
package jsonamount

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Decode returns the value (minor units, as sent) and the currency code of
// an amount object. It checks shape only; money.ParseMinor and
// money.LookupCurrency judge the contents.
func Decode(b []byte) (value, currency string, err error) {
	if v, c, ok := compactAmount(b); ok {
		return v, c, nil
	}
	var raw struct {
		Value    json.RawMessage `json:"value"`
		Currency string          `json:"currency"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return "", "", err
	}
	v := bytes.TrimSpace(raw.Value)
	switch {
	case len(v) == 0 || string(v) == "null":
		return "", raw.Currency, nil
	case v[0] == '"':
		err := json.Unmarshal(v, &value)
		return value, raw.Currency, err
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return "", "", errors.New("amount value is not a string or a whole number")
		}
	}
	return string(v), raw.Currency, nil
}

// compactAmount reads the shape encoding/json writes,
// {"value":"<digits>","currency":"<A-Z>"} in either order, without a
// second pass of encoding/json; anything else (spaces, escapes, other or
// repeated keys, a number) reports false for the general path.
func compactAmount(b []byte) (value, currency string, ok bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return "", "", false
	}
	rest := b[1 : len(b)-1]
	str := func() ([]byte, bool) {
		if len(rest) == 0 || rest[0] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, false
		}
		s := rest[1 : 1+end]
		rest = rest[2+end:]
		return s, true
	}
	var haveV, haveC bool
	for i := range 2 {
		key, ok := str()
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return "", "", false
		}
		rest = rest[1:]
		val, ok := str()
		if !ok {
			return "", "", false
		}
		switch string(key) {
		case "value":
			if haveV || !plain(val, '0', '9') {
				return "", "", false
			}
			value, haveV = string(val), true
		case "currency":
			if haveC || !plain(val, 'A', 'Z') {
				return "", "", false
			}
			currency, haveC = string(val), true
		default:
			return "", "", false
		}
		if i == 0 {
			if len(rest) == 0 || rest[0] != ',' {
				return "", "", false
			}
			rest = rest[1:]
		}
	}
	return value, currency, len(rest) == 0 && haveV && haveC
}

func plain(s []byte, lo, hi byte) bool {
	for _, c := range s {
		if c < lo || c > hi {
			return false
		}
	}
	return true
}
