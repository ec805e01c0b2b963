package ir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSnippets are small seeds exercising corners of the grammar.
var fuzzSnippets = []string{
	"",
	"func @f() -> () {\n  return\n}\n",
	"func @f(%x: f32[] data) -> (f32[]) {\n  return %x\n}\n",
	"func @f(%0: f32[2,3] data, %a.b: i64[3] state) -> (f32[2,3]) {\n  %1 = neg %0 : f32[2,3]\n  return %1\n}\n",
	"func @f() -> (f32[]) {\n  %c = full {value=-inf} : f32[]\n  return %c\n}\n",
	"func @f() -> (f64[2]) {\n  %c = constant {value=[1e-300, nan]} : f64[2]\n  return %c\n}\n",
	"func @f() -> (f32[]) {\n  %c = full {s=\"\\u00e9\\x00\", l=[[], [[f32]]], b=true} : f32[]\n  return %c\n}\n",
	"func @f(%a: f32[3,3] data) -> (f32[3]) {\n  %w, %v = eigh %a : f32[3], f32[3,3]\n  return %w\n}\n",
	"func @f(%a: f32[] data) -> (f32[]) {\n  %x = argmin %a region {\n    func @o(%x: f32[] param, %a: f32[] data) -> (f32[]) {\n      %d = sub %x, %a : f32[]\n      return %d\n    }\n  } : f32[]\n  return %x\n}\n",
	"func @f(%x: f32[0,4294967296] data) -> () {\n  return\n}\n",
	"func @f(%x: u64[] state, %c: u64[] state) -> (f32[4]) {\n  %r = rng_normal %x, %c : f32[4]\n  return %r\n}\n",
	"func @f() -> () { return } func @g() -> () { return }",
	"// a\nfunc @f( // b\n%x: f32[] data // c\n) -> (f32[]) { // d\n// e\n%y = neg %x // f\n: f32[] // g\n// h\nreturn %y // i\n// j\n} // k\n// l",
	"func @f(%a: f32[] data) -> (f32[]) {\n  %x = argmin %a region { // r\n  // s\n  func @o(%x: f32[] param, %a: f32[] data) -> (f32[]) { return %x // t\n } // u\n } // v\n : f32[]\n  return %x\n}\n//\n//\t \r",
	"func @f() -> (u64[], i64[2]) {\n  %c = full {value=18446744073709551615} : u64[]\n  %d = constant {value=[9223372036854775807, -9223372036854775808]} : i64[2]\n  return %c, %d\n}\n",
	"func @f(%a: f32[2,3] data, %b: f32[3] data) -> (f32[2,3], f32[2,3]) {\n  %r, %s = fused %a, %b {kind=\"elementwise\"} region {\n    func @body(%a: f32[] data, %b: f32[] data) -> (f32[], f32[]) {\n      %c = full {value=0.5} : f32[]\n      %d = mul %a, %b : f32[]\n      %e = sub %d, %c : f32[]\n      return %d, %e\n    }\n  } : f32[2,3], f32[2,3]\n  return %r, %s\n}\n",
	"func @f(%a: f32[2,3] data, %w: f32[4,3] data, %b: f32[4] data) -> (f32[2,4]) {\n  %r = fused %a, %w, %b {kind=\"matmul\", transpose_b=true} region {\n    func @body(%p: f32[] data, %b: f32[] data) -> (f32[]) {\n      %s = add %p, %b : f32[]\n      %h = relu %s : f32[]\n      return %h\n    }\n  } : f32[2,4]\n  return %r\n}\n",
	"func @f(%a: f64[2,3] data, %b: f64[2,3] data) -> (f64[2]) {\n  %r = fused %a, %b {axes=[-1], kind=\"reduce\", reduce=\"sum\"} region { func @body(%a: f64[] data, %b: f64[] data) -> (f64[]) { %p = mul %a, %b : f64[] return %p } } : f64[2]\n  return %r\n}\n",
	"func @f() -> (u64[2]) {\n  %c = constant {value=[9223372036854775808, 18446744073709551616]} : u64[2]\n  return %c\n}\n",
}

// FuzzParse checks that the parser never panics, that every error it
// returns is a *ParseError with a position, and that whatever it accepts
// keeps every comment of the source and prints to a form that parses back
// to the same text; the verifier must not panic on it either and must
// judge both forms alike.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{goldenGlob, "../testdata/invalid/*.pf"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range files {
			src, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	for _, s := range fuzzSnippets {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("fuzz.pf", src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, want *ParseError", err, err)
			}
			if !pe.Pos.IsValid() {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		checkCommentsKept(t, src, m)
		text := m.String()
		m2, err := Parse("printed.pf", []byte(text))
		if err != nil {
			t.Fatalf("printed form does not parse: %v\n%s", err, text)
		}
		if again := m2.String(); again != text {
			t.Fatalf("print∘parse∘print differs from print:\n%s\nvs\n%s", again, text)
		}
		err1, err2 := VerifyModule(m), VerifyModule(m2)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("verifier judges the source (%v) and its printed form (%v) differently\n%s", err1, err2, text)
		}
	})
}
