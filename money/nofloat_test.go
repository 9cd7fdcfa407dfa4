package money

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestNoFloatingPoint keeps binary floating point out of every file of the
// package, tests included: a float anywhere near money is how 0.1 + 0.2
// bugs start. It checks identifiers, so these names in strings are fine.
func TestNoFloatingPoint(t *testing.T) {
	forbidden := map[string]bool{
		"float32": true, "float64": true,
		"ParseFloat": true, "FormatFloat": true, "AppendFloat": true,
		"NewFromFloat": true, "NewFromFloat32": true, "NewFromFloatWithExponent": true,
		"Float64": true, "InexactFloat64": true, "BigFloat": true, "NewFromBigFloat": true,
		"Float": true, "NewFloat": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files found: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && forbidden[id.Name] {
				t.Errorf("%s: floating point: %s", fset.Position(id.Pos()), id.Name)
			}
			return true
		})
	}
}
