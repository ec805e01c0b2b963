package codegen_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/codegen"
	"github.com/pushforward/pushforward/ir"
)

// FuzzGenerate checks that Generate never panics on a function that
// parses and verifies, and that what it returns is a Go file with the
// header, or an error naming an instruction.
func FuzzGenerate(f *testing.F) {
	for _, glob := range []string{"../testdata/ir/*.pf", "../testdata/gen/*.pf"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(src))
		}
	}
	f.Add("func @f(%x: f32[0,3] data, %y: f32[3,0] data) -> (f32[0,0], f32[3,3]) {\n  %z = matmul %x, %y {transpose_a=true, transpose_b=true} : f32[3,3]\n  %w = matmul %x, %y : f32[0,0]\n  return %w, %z\n}\n")
	f.Add("func @f(%x: i64[4] data, %y: i64[] data) -> (i64[4]) {\n  %z = div %x, %y : i64[4]\n  return %z\n}\n")
	f.Fuzz(func(t *testing.T, src string) {
		m, err := ir.ParseAndVerify("f.pf", []byte(src), ir.ParseOptions{})
		if err != nil {
			return
		}
		for _, fn := range m.Funcs {
			out, err := codegen.Generate(fn, codegen.Options{Package: "p"})
			if err != nil {
				if !strings.HasPrefix(err.Error(), "codegen: ") || strings.Contains(err.Error(), "internal error") {
					t.Fatalf("@%s: %v", fn.Name, err)
				}
				continue
			}
			if !strings.HasPrefix(string(out), codegen.Header+"\n") {
				t.Fatalf("@%s: no header", fn.Name)
			}
			if _, err := parser.ParseFile(token.NewFileSet(), "g.go", out, 0); err != nil {
				t.Fatalf("@%s: %v", fn.Name, err)
			}
		}
	})
}
