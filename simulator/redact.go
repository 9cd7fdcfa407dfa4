package simulator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/paybridge/paybridge/payment"
)

// redacted returns a copy of the struct v whose string fields named in
// secrets show as payment.Redact shows them, as a value of a struct type
// with v's fields and none of its methods, so that fmt and encoding/json
// render it field by field.
func redacted(v any, secrets []string) any {
	val := reflect.ValueOf(v)
	t := val.Type()
	fields := make([]reflect.StructField, t.NumField())
	for i := range fields {
		fields[i] = t.Field(i)
	}
	out := reflect.New(reflect.StructOf(fields)).Elem()
	for i, f := range fields {
		out.Field(i).Set(val.Field(i))
		if f.Type.Kind() == reflect.String && slices.Contains(secrets, f.Name) {
			out.Field(i).SetString(payment.Redact(val.Field(i).String()))
		}
	}
	return out.Interface()
}

// FormatRedacted prints the struct v as fmt would print its fields for the
// verb, with the string fields named in secrets redacted: the Format method
// of a credentials type, so that it can be logged through fmt and
// log/slog's text handler.
func FormatRedacted(f fmt.State, verb rune, v any, secrets ...string) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), redacted(v, secrets))
}

// MarshalRedacted encodes the struct v as encoding/json would, with the
// string fields named in secrets redacted: the MarshalJSON method of a
// credentials type.
func MarshalRedacted(v any, secrets ...string) ([]byte, error) {
	return json.Marshal(redacted(v, secrets))
}
