package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
)

// Schema is the field names of a provider's request types, for CheckJSON.
type Schema struct {
	known map[string]string // folded name → exact name
}

// NewSchema collects the JSON field names of the given request types
// (structs, walked through nested structs, pointers and slices).
func NewSchema(types ...any) *Schema {
	sc := &Schema{known: map[string]string{}}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if name := JSONName(f); name != "" {
				sc.known[fold(name)] = name
			}
			walk(f.Type)
		}
	}
	for _, v := range types {
		walk(reflect.TypeOf(v))
	}
	return sc
}

// JSONName returns the JSON name of a struct field from its tag, "" if it
// has none or is "-".
func JSONName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// fold is encoding/json's case folding of field names.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		b.WriteRune(unicode.ToUpper(unicode.SimpleFold(r)))
	}
	return b.String()
}

// A BodyError is a body CheckJSON rejects. Its message names at most a
// known field, never a value.
type BodyError struct {
	// Syntax reports a body that is not one JSON value (not JSON, empty,
	// trailing data, too deep), as opposed to JSON that breaks a rule.
	Syntax bool
	Msg    string
}

func (e *BodyError) Error() string { return e.Msg }

func syntaxError(msg string) error       { return &BodyError{Syntax: true, Msg: msg} }
func ruleError(msg string) error         { return &BodyError{Msg: msg} }
func (sc *Schema) exact(k string) string { return sc.known[fold(k)] }

// maxDepth bounds a body's nesting.
const maxDepth = 32

// CheckJSON insists on one JSON object, no duplicate keys, no field name
// of the schema in the wrong case and bounded nesting: the real servers
// (Java) are stricter than encoding/json, which matches names in any case
// and takes the last of duplicate keys. Its errors are *BodyError.
func (sc *Schema) CheckJSON(body []byte) error {
	type frame struct {
		obj       bool
		expectKey bool
		keys      map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*frame
	started := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !started {
				return syntaxError("body is empty")
			}
			if len(stack) != 0 {
				return syntaxError("body is not valid JSON")
			}
			return nil
		}
		if err != nil {
			return syntaxError("body is not valid JSON")
		}
		if !started {
			started = true
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				// JSON that no endpoint takes, or not JSON at all.
				if !json.Valid(body) {
					return syntaxError("body is not valid JSON")
				}
				return ruleError("body is not a JSON object")
			}
		} else if len(stack) == 0 {
			return syntaxError("body has data after the JSON object")
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && top.obj {
					top.expectKey = true
				}
				if len(stack) >= maxDepth {
					return syntaxError("body is nested too deeply")
				}
				stack = append(stack, &frame{obj: t == '{', expectKey: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.obj && top.expectKey {
				exact := sc.exact(t)
				if exact != "" && exact != t {
					return ruleError("field name " + exact + " has the wrong case")
				}
				if top.keys == nil {
					top.keys = map[string]bool{}
				}
				if top.keys[t] {
					if exact != "" {
						return ruleError("duplicate field " + exact)
					}
					return ruleError("duplicate field")
				}
				top.keys[t] = true
				top.expectKey = false
				continue
			}
			if top != nil && top.obj {
				top.expectKey = true
			}
		default:
			if top != nil && top.obj {
				top.expectKey = true
			}
		}
	}
}

// AsBodyError returns err as a *BodyError, or one saying that the body does
// not fit the schema.
func AsBodyError(err error) *BodyError {
	var be *BodyError
	if errors.As(err, &be) {
		return be
	}
	return &BodyError{Msg: "body does not fit the schema"}
}

// SingleHeader returns the one value of header name; several values count
// as none, because two readers could pick different ones.
func SingleHeader(h http.Header, name string) (string, bool) {
	v := h.Values(name)
	if len(v) != 1 || v[0] == "" {
		return "", false
	}
	return v[0], true
}

// CheckContentType reports whether a request's Content-Type, if it has
// one, is application/json in UTF-8.
func CheckContentType(h http.Header) bool {
	ct := h.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, params, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json" && (params["charset"] == "" || strings.EqualFold(params["charset"], "utf-8"))
}

// AllDigits reports whether s holds ASCII digits only.
func AllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PrintableASCII reports whether s holds printable ASCII only, no spaces.
func PrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// Cut returns s cut to n characters (runes), as the real servers cut long
// descriptions.
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// IsHTTPURL reports whether s is an absolute http(s) URL with a host.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}

// AmountError is an amount CheckAmount rejects.
type AmountError struct {
	// Currency reports a currency that is not supported, as opposed to a
	// missing or malformed field.
	Currency bool
	Msg      string
}

// CheckAmount checks a wire amount, named field in messages: a value of 1
// to maxDigits digits, greater than zero, in minor units of currency, a
// known ISO 4217 code that allowed accepts.
func CheckAmount(value, currency, field string, maxDigits int, allowed func(code string) bool) (money.Amount, *AmountError) {
	bad := func(cur bool, msg string) (money.Amount, *AmountError) {
		return money.Amount{}, &AmountError{Currency: cur, Msg: field + msg}
	}
	digits := ".value must be 1 to " + strconv.Itoa(maxDigits) + " digits"
	if value == "" {
		return bad(false, ".value is required")
	}
	if len(value) > maxDigits || !AllDigits(value) {
		return bad(false, digits)
	}
	if currency == "" {
		return bad(false, ".currency is required")
	}
	c, err := money.LookupCurrency(currency)
	if err != nil || !allowed(currency) {
		return bad(true, ".currency is not supported")
	}
	amt, err := money.ParseMinor(value, c)
	if err != nil {
		return bad(false, digits)
	}
	if !amt.IsPositive() {
		return bad(false, ".value must be greater than 0")
	}
	return amt, nil
}

// BumpMinor returns an amount's value in minor units one unit higher (the
// ChangeAmount fault), or value itself if it is not a number.
func BumpMinor(value string) string {
	if n, err := strconv.ParseInt(value, 10, 64); err == nil {
		return strconv.FormatInt(n+1, 10)
	}
	return value
}

// JSONField returns the first of the named top-level string fields of a
// JSON object body that is set, or "": how a Protocol reads a request ID.
func JSONField(body []byte, names ...string) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	for _, n := range names {
		var v string
		if json.Unmarshal(fields[n], &v) == nil && v != "" {
			return v
		}
	}
	return ""
}
