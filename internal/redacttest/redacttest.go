// Package redacttest renders a value in every way a user is likely to log
// it, so that a test can assert that no rendering shows a secret. It is for
// paybridge's own tests of types that hold keys, auth codes or card data.
package redacttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"testing"
)

// Renderings returns v rendered through fmt's %v, %+v, %#v and %s verbs and
// Println, log/slog's text and JSON handlers and encoding/json's Marshal,
// each for v itself, for a pointer to it, and for v and the pointer as a
// field of another struct (as a user's own config or request type would hold
// it). The keys name the rendering, such as "pointer slog JSON" or "nested
// value %+v". A json.Marshal error fails t, since it would lose the log line.
func Renderings(t testing.TB, v any) map[string]string {
	t.Helper()
	val := reflect.ValueOf(v)
	ptr := reflect.New(val.Type())
	ptr.Elem().Set(val)
	out := map[string]string{}
	for form, x := range map[string]reflect.Value{"value": val, "pointer": ptr} {
		nested := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "Nested", Type: x.Type()}})).Elem()
		nested.Field(0).Set(x)
		for prefix, y := range map[string]any{form: x.Interface(), "nested " + form: nested.Interface()} {
			for how, s := range render(t, y) {
				out[prefix+" "+how] = s
			}
		}
	}
	return out
}

func render(t testing.TB, v any) map[string]string {
	t.Helper()
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("logged", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("logged", "v", v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Errorf("json.Marshal of %T: %v", v, err)
	}
	return map[string]string{
		"%v":           fmt.Sprintf("%v", v),
		"%+v":          fmt.Sprintf("%+v", v),
		"%#v":          fmt.Sprintf("%#v", v),
		"%s":           fmt.Sprintf("%s", v),
		"Println":      fmt.Sprintln(v),
		"slog text":    text.String(),
		"slog JSON":    js.String(),
		"json.Marshal": string(b),
	}
}
