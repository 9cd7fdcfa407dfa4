package providers

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// checkKeys reports the first key of the JSON object raw that is not
// exactly (case included) the JSON name of a field of t, recursing into
// struct fields. encoding/json matches names case-insensitively, which would
// let a misspelt "merchantcode" pass for "merchantCode"; configuration must
// not guess.
func checkKeys(raw json.RawMessage, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil
		}
		for i, item := range items {
			if err := checkKeys(item, t.Elem(), fmt.Sprintf("%s%d.", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if t.Kind() != reflect.Struct || t.Implements(reflect.TypeFor[json.Unmarshaler]()) ||
		reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil // not an object: the typed decode reports it
	}
	fields := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name != "-" {
			fields[name] = f
		}
	}
	for k, v := range obj {
		f, ok := fields[k]
		if !ok {
			return fmt.Errorf("unknown field %q", path+k)
		}
		if err := checkKeys(v, f.Type, path+k+"."); err != nil {
			return err
		}
	}
	return nil
}
