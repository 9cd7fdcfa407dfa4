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
	"strings"
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

// Check fails t for every rendering of v (Renderings) that shows one of
// secrets or hides one of visible, what is not secret and every rendering
// must still show.
func Check(t testing.TB, v any, secrets, visible []string) {
	t.Helper()
	for how, out := range Renderings(t, v) {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows the secret %q: %s", how, secret, out)
			}
		}
		for _, s := range visible {
			if !strings.Contains(out, s) {
				t.Errorf("%s hides %q, which is not secret: %s", how, s, out)
			}
		}
	}
}

// PEMBody returns the first base64 line of a PEM block: key material that
// any rendering of the key, quoted or escaped, would contain.
func PEMBody(t testing.TB, pem string) string {
	t.Helper()
	lines := strings.Split(pem, "\n")
	if len(lines) < 2 || len(lines[1]) < 32 {
		t.Fatalf("not a PEM key: %.20q", pem)
	}
	return lines[1]
}
