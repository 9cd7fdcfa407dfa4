package money

import (
	"encoding/json"
	"strconv"
)

// MarshalJSON writes the wire form both providers use, currency first:
//
//	{"currency":"CAD","value":"1999"}
//
// value is the minor-unit count as a JSON string. The zero Amount (no
// currency) wraps ErrUnknownCurrency and a negative amount wraps
// ErrNegative: neither has a wire form, and failing here beats sending a
// request the provider will reject or misread.
func (a Amount) MarshalJSON() ([]byte, error) {
	if a.currency.IsZero() {
		return nil, errNoCurrency
	}
	if a.minor < 0 {
		return nil, wrap(ErrNegative, a.String()+" has no wire form")
	}
	const head, mid, tail = `{"currency":"`, `","value":"`, `"}`
	b := make([]byte, 0, len(head)+3+len(mid)+19+len(tail))
	b = append(b, head...)
	b = append(b, a.currency.Code()...)
	b = append(b, mid...)
	b = strconv.AppendInt(b, a.minor, 10)
	b = append(b, tail...)
	return b, nil
}

// UnmarshalJSON reads the wire form. The object must have a "currency"
// string holding an exact ISO 4217 code and a "value" holding the minor
// units either as a JSON string of ASCII digits ("1999", as ParseMinor) or
// as a JSON number made of digits only (1999; some wallets send numbers).
// A number with a fraction, exponent or sign, any other type, an unknown
// currency, or a missing or repeated "currency" or "value" is an error.
// Keys match exactly (case-sensitive, unlike encoding/json's struct
// matching); unknown extra fields are ignored.
//
// JSON null is an error too, not a no-op as encoding/json's convention
// suggests: an absent amount must not decode as a zero one. Use *Amount for
// optional amounts. On error a is left unchanged.
func (a *Amount) UnmarshalJSON(b []byte) error {
	amt, err := decodeAmount(b)
	if err != nil {
		return err
	}
	*a = amt
	return nil
}

// decodeAmount extracts the two members and converts them. The common
// wire shape goes through decodeSimple; anything else is first vetted by
// json.Valid, so the standard library owns JSON correctness and decodeGeneral
// only walks a document known to be well formed (its bounds checks stay
// anyway, so a bug there is an error, not a panic). Either way keys match
// exactly, without the allocations and case-insensitive matching of a
// struct decode.
func decodeAmount(b []byte) (Amount, error) {
	curTok, valTok, ok := decodeSimple(b)
	if !ok {
		var err error
		if curTok, valTok, err = decodeGeneral(b); err != nil {
			return Amount{}, err
		}
	}
	return convertTokens(curTok, valTok)
}

// decodeSimple handles what wallets actually send: an object whose members
// are only "currency" and "value", each once, with printable-ASCII strings
// without escapes or digit-only numbers, and JSON whitespace. Everything it
// accepts is valid JSON by construction (a fuzz test holds it to that);
// for anything else it reports !ok and leaves the input to decodeGeneral,
// which also produces the precise error.
func decodeSimple(b []byte) (curTok, valTok []byte, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, nil, false
	}
	i = skipSpace(b, i+1)
	for {
		end, plain := plainString(b, i)
		if !plain {
			return nil, nil, false
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, nil, false
		}
		i = skipSpace(b, i+1)
		start := i
		if end, plain = plainString(b, i); !plain {
			if end, plain = plainNumber(b, i); !plain {
				return nil, nil, false
			}
		}
		i = end
		switch string(key) {
		case "currency":
			if curTok != nil {
				return nil, nil, false
			}
			curTok = b[start:end]
		case "value":
			if valTok != nil {
				return nil, nil, false
			}
			valTok = b[start:end]
		default:
			return nil, nil, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return nil, nil, false
		}
		if b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if b[i] != '}' || skipSpace(b, i+1) != len(b) || curTok == nil || valTok == nil {
			return nil, nil, false
		}
		return curTok, valTok, true
	}
}

// plainString reports whether b[i:] starts with a JSON string of printable
// ASCII without escapes, and where it ends.
func plainString(b []byte, i int) (end int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch ch := b[j]; {
		case ch == '"':
			return j + 1, true
		case ch < 0x20 || ch > 0x7e || ch == '\\':
			return i, false
		}
	}
	return i, false
}

// plainNumber reports whether b[i:] starts with a JSON number made of
// digits only (no leading zero, as JSON requires), and where it ends.
func plainNumber(b []byte, i int) (end int, ok bool) {
	j := i
	for j < len(b) && '0' <= b[j] && b[j] <= '9' {
		j++
	}
	if j == i || (b[i] == '0' && j-i > 1) {
		return i, false
	}
	if j < len(b) {
		switch b[j] {
		case ',', '}', ' ', '\t', '\n', '\r':
		default: // '.', 'e', or anything else the general path must judge
			return i, false
		}
	}
	return j, true
}

// decodeGeneral finds the "currency" and "value" tokens in any valid JSON
// object, skipping other members whatever they hold.
func decodeGeneral(b []byte) (curTok, valTok []byte, err error) {
	if !json.Valid(b) {
		return nil, nil, newParseError(b, errJSONInvalid)
	}
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, nil, newParseError(b, errJSONObject)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return nil, nil, newParseError(b, errJSONInvalid)
			}
			keyEnd := skipString(b, i)
			key, err := stringContent(b[i:keyEnd])
			if err != nil {
				return nil, nil, newParseError(b, errJSONInvalid)
			}
			i = skipSpace(b, keyEnd)
			if i >= len(b) || b[i] != ':' {
				return nil, nil, newParseError(b, errJSONInvalid)
			}
			i = skipSpace(b, i+1)
			valStart := i
			i = skipValue(b, i)
			if i <= valStart {
				return nil, nil, newParseError(b, errJSONInvalid)
			}
			tok := b[valStart:i]
			switch string(key) { // no allocation: the compiler compares in place
			case "currency":
				if curTok != nil {
					return nil, nil, newParseError(b, errJSONDupCur)
				}
				curTok = tok
			case "value":
				if valTok != nil {
					return nil, nil, newParseError(b, errJSONDupVal)
				}
				valTok = tok
			}
			i = skipSpace(b, i)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == '}' {
				i++
				break
			}
			return nil, nil, newParseError(b, errJSONInvalid)
		}
	}
	if skipSpace(b, i) != len(b) {
		return nil, nil, newParseError(b, errJSONInvalid)
	}
	if curTok == nil {
		return nil, nil, newParseError(b, errJSONNoCur)
	}
	if valTok == nil {
		return nil, nil, newParseError(b, errJSONNoVal)
	}
	return curTok, valTok, nil
}

// convertTokens turns the raw JSON tokens of the two members into an Amount.
func convertTokens(curTok, valTok []byte) (Amount, error) {
	if curTok[0] != '"' {
		return Amount{}, newParseError(curTok, errJSONCurType)
	}
	code, err := stringContent(curTok)
	if err != nil {
		return Amount{}, newParseError(curTok, errJSONInvalid)
	}
	c, err := lookup(code)
	if err != nil {
		return Amount{}, newParseError(code, err)
	}

	var digits []byte
	switch ch := valTok[0]; {
	case ch == '"':
		if digits, err = stringContent(valTok); err != nil {
			return Amount{}, newParseError(valTok, errJSONInvalid)
		}
	case ch == '-' || ('0' <= ch && ch <= '9'):
		// A JSON number: parseMinor rejects its sign, fraction or exponent.
		digits = valTok
	default:
		return Amount{}, newParseError(valTok, errJSONValType)
	}
	minor, err := parseMinor(digits, c)
	if err != nil {
		return Amount{}, newParseError(valTok, err)
	}
	return Amount{currency: c, minor: minor}, nil
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++ // the escaped byte; \uXXXX's hex digits are plain bytes
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default: // number, true, false, null
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// stringContent returns the bytes of a JSON string token without its
// quotes. Only a token with escapes pays for a real decode (and an
// allocation); wire values never need one.
func stringContent(tok []byte) ([]byte, error) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return nil, errJSONInvalid
	}
	inner := tok[1 : len(tok)-1]
	for _, ch := range inner {
		if ch == '\\' {
			var s string
			if err := json.Unmarshal(tok, &s); err != nil {
				return nil, err
			}
			return []byte(s), nil
		}
	}
	return inner, nil
}
