package ir

import (
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden IR files in testdata/ir with their printed form")

// goldenGlob matches the golden IR files: canonical printed modules, each
// behind a header of `//` comment lines.
const goldenGlob = "../testdata/ir/*.pf"

// splitHeader splits src into its leading `//` comment lines and the rest.
func splitHeader(src string) (header, body string) {
	rest := src
	for strings.HasPrefix(rest, "//") {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			return src, ""
		}
		rest = rest[i+1:]
	}
	return src[:len(src)-len(rest)], rest
}

// goldenFiles returns the paths of the golden IR files.
func goldenFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(goldenGlob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no golden files match %s", goldenGlob)
	}
	return files
}

// parseFile parses the file at path, failing the test on any error.
func parseFile(t testing.TB, path string) *Module {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(filepath.Base(path), src)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mustParseFunc parses a single function, failing the test on error.
func mustParseFunc(t *testing.T, src string) *Func {
	t.Helper()
	f, err := ParseFunc(src)
	if err != nil {
		t.Fatalf("ParseFunc: %v\n%s", err, src)
	}
	return f
}

// TestGoldenRoundTrip parses every golden file and checks that printing it
// gives the file back, its comment header included. With -update it
// rewrites the files with the printed form.
func TestGoldenRoundTrip(t *testing.T) {
	for _, path := range goldenFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			header, _ := splitHeader(string(src))
			if header == "" {
				t.Errorf("%s does not start with a // comment saying what it is", path)
			}
			m, err := Parse(filepath.Base(path), src)
			if err != nil {
				t.Fatal(err)
			}
			got := m.String()
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(src) {
				t.Errorf("printed form differs from the file (run go test ./ir -run TestGoldenRoundTrip -update to accept)\ngot:\n%s\nwant:\n%s", got, src)
			}
			m2, err := Parse("", []byte(got))
			if err != nil {
				t.Fatalf("printed form does not parse: %v", err)
			}
			if again := m2.String(); again != got {
				t.Errorf("print∘parse∘print differs from print:\n%s\nvs\n%s", again, got)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, m *Module)
		// canonical, if set, is the expected printed form; otherwise the
		// printed form must equal src.
		canonical string
	}{
		{
			name: "the example of DESIGN.md",
			src: `// two-layer MLP with softmax cross-entropy
func @mlp(%x: f32[512,40] data, %t: i64[512] data, %w1: f32[40,128] param, %w2: f32[128,10] param) -> (f32[]) {
  %s1 = matmul %x, %w1 : f32[512,128]
  %h1 = relu %s1 : f32[512,128]
  %z = matmul %h1, %w2 : f32[512,10]
  %loss = softmax_xent %z, %t : f32[]
  return %loss
}
`,
			check: func(t *testing.T, m *Module) {
				if err := VerifyModule(m); err != nil {
					t.Error(err)
				}
			},
		},
		{
			name: "scalar identity",
			src:  "func @f(%x: f32[] data) -> (f32[]) {\n  return %x\n}\n",
			check: func(t *testing.T, m *Module) {
				f := m.Funcs[0]
				if f.Name != "f" || len(f.Params) != 1 || len(f.Results) != 1 || f.Results[0] != f.Params[0] {
					t.Errorf("unexpected func %+v", f)
				}
				if p := f.Params[0]; !p.Type.Equal(Scalar(F32)) || p.Role != Data || !p.IsParam() {
					t.Errorf("param %+v", p)
				}
			},
		},
		{
			name: "multi-result svd and zero-operand full",
			src: `func @f(%a: f32[8,4] param) -> (f32[4], f32[]) {
  %u, %s, %v = svd %a : f32[8,4], f32[4], f32[4,4]
  %c = full {value=0.5} : f32[]
  return %s, %c
}
`,
			check: func(t *testing.T, m *Module) {
				f := m.Funcs[0]
				svd := f.Body[0]
				if svd.Op != OpSVD || len(svd.Results) != 3 || svd.Args[0] != f.Params[0] {
					t.Fatalf("svd parsed as %v", svd)
				}
				for i, r := range svd.Results {
					if r.Def != svd || r.Index != i {
						t.Errorf("result %d not linked: %+v", i, r)
					}
				}
				if !svd.Results[2].Type.Equal(TensorOf(F32, 4, 4)) {
					t.Errorf("v has type %s", svd.Results[2].Type)
				}
				full := f.Body[1]
				if len(full.Args) != 0 || full.Attrs["value"] != Float(0.5) {
					t.Errorf("full parsed as %v", full)
				}
				if f.Results[0] != svd.Results[1] || f.Results[1] != full.Results[0] {
					t.Errorf("results %v", f.Results)
				}
			},
		},
		{
			name: "every attribute kind",
			src: `func @f() -> (f32[]) {
  %c = full {a=1, b=-7, c=1.0, d=1e-05, e=-0.5, f=inf, g=-inf, h=nan, i="q\"\n\tz", j=true, k=false, l=u64, m=[0, [1.5, []], "x", f32], n=9223372036854775807, o=-9223372036854775808, p=-0.0, q=1e+300} : f32[]
  return %c
}
`,
			check: func(t *testing.T, m *Module) {
				a := m.Funcs[0].Body[0].Attrs
				want := Attrs{
					"a": Int(1), "b": Int(-7), "c": Float(1), "d": Float(1e-5), "e": Float(-0.5),
					"f": Float(math.Inf(1)), "g": Float(math.Inf(-1)), "i": String("q\"\n\tz"),
					"j": Bool(true), "k": Bool(false), "l": U64,
					"n": Int(math.MaxInt64), "o": Int(math.MinInt64), "q": Float(1e300),
				}
				for k, v := range want {
					if a[k] != v {
						t.Errorf("attribute %s = %#v, want %#v", k, a[k], v)
					}
				}
				if h, ok := a["h"].(Float); !ok || !math.IsNaN(float64(h)) {
					t.Errorf("h = %#v, want NaN", a["h"])
				}
				if p, ok := a["p"].(Float); !ok || !math.Signbit(float64(p)) {
					t.Errorf("p = %#v, want -0.0", a["p"])
				}
				l, ok := a["m"].(List)
				if !ok || len(l) != 4 || l[0] != Int(0) || l[2] != String("x") || l[3] != F32 {
					t.Fatalf("m = %#v", a["m"])
				}
				inner, ok := l[1].(List)
				if !ok || len(inner) != 2 || inner[0] != Float(1.5) {
					t.Fatalf("m[1] = %#v", l[1])
				}
				if empty, ok := inner[1].(List); !ok || len(empty) != 0 {
					t.Errorf("m[1][1] = %#v, want an empty list", inner[1])
				}
			},
		},
		{
			name: "comments, free layout and Go float forms",
			src: `// leading comment
func @f( // after paren
  %x :f32 [ 2 , 3 ] data,// tight
  %y: f32[3] param
) -> ( f32[2,3] ) { %z = add %x,%y {k=.5, l=1., m=-.25E+2} : f32[2,3] // trailing
  return %z } // done
`,
			canonical: `// leading comment
// after paren
// tight
func @f(%x: f32[2,3] data, %y: f32[3] param) -> (f32[2,3]) {
  %z = add %x, %y {k=0.5, l=1.0, m=-25.0} : f32[2,3] // trailing
  return %z
}

// done
`,
		},
		{
			name: "numeric and dotted names, several funcs, empty results",
			src: `func @main(%0: f32[4] data, %w.tangent: f32[4] data) -> (f32[4]) {
  %1 = mul %0, %w.tangent : f32[4]
  return %1
}

func @2() -> () {
  return
}
`,
			check: func(t *testing.T, m *Module) {
				if len(m.Funcs) != 2 || m.Func("2") == nil || m.Func("main").Param("w.tangent") == nil {
					t.Errorf("funcs %v", m.Funcs)
				}
				if f := m.Func("2"); len(f.Results) != 0 || len(f.Params) != 0 {
					t.Errorf("@2 = %+v", f)
				}
			},
		},
		{
			name: "region with its own scope",
			src: `func @f(%a: f32[4] data) -> (f32[4]) {
  %x = argmin %a {solver="newton"} region {
    func @objective(%x: f32[4] param, %a: f32[4] data) -> (f32[]) {
      %d = sub %x, %a : f32[4]
      %o = reduce_sum %d : f32[]
      return %o
    }
    func @c(%x: f32[4] param, %a: f32[4] data) -> () {
      return
    }
  } : f32[4]
  return %x
}
`,
			check: func(t *testing.T, m *Module) {
				f := m.Funcs[0]
				in := f.Body[0]
				if in.Region == nil || len(in.Region.Funcs) != 2 {
					t.Fatalf("region %+v", in.Region)
				}
				obj := in.Region.Funcs[0]
				if obj.Name != "objective" || obj.Params[1] == f.Params[0] || obj.Body[0].Args[1] != obj.Params[1] {
					t.Errorf("region func does not use its own %%a: %v", obj)
				}
				if f.Results[0] != in.Results[0] {
					t.Errorf("outer %%x resolves to %v", f.Results[0])
				}
			},
		},
		{
			name: "statements on one line",
			src:  "func @f(%x: i64[3] data) -> (i64[3]) { %y = neg %x : i64[3] return %y }",
			canonical: `func @f(%x: i64[3] data) -> (i64[3]) {
  %y = neg %x : i64[3]
  return %y
}
`,
		},
		{
			name:      "empty attribute braces are no attributes",
			src:       "func @f(%x: f32[3] data) -> (f32[3]) {\n  %y = neg %x {} : f32[3]\n  return %y\n}\n",
			canonical: "func @f(%x: f32[3] data) -> (f32[3]) {\n  %y = neg %x : f32[3]\n  return %y\n}\n",
			check: func(t *testing.T, m *Module) {
				if a := m.Funcs[0].Body[0].Attrs; a != nil {
					t.Errorf("attrs = %#v, want nil", a)
				}
			},
		},
		{
			name:      "byte order mark and CRLF line endings",
			src:       "\uFEFF// header\r\nfunc @f(%x: f32[] data) -> (f32[]) {\r\n  return %x\r\n}\r\n",
			canonical: "// header\nfunc @f(%x: f32[] data) -> (f32[]) {\n  return %x\n}\n",
			check: func(t *testing.T, m *Module) {
				if got, want := m.Funcs[0].Params[0].Pos, (Pos{Line: 2, Col: 9}); got != want {
					t.Errorf("%%x at %v, want %v", got, want)
				}
			},
		},
		{
			name: "zero-size dimensions",
			src:  "func @f(%x: f32[0,3] data) -> (f32[0,3]) {\n  return %x\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse("", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
			want := tt.canonical
			if want == "" {
				want = tt.src
			}
			if got := m.String(); got != want {
				t.Errorf("printed:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestParsePositions checks the positions recorded on funcs, instrs and
// values, and that the file name is kept.
func TestParsePositions(t *testing.T) {
	src := `// header
func @f(%x: f32[2] data,
        %y: f32[2] data) -> (f32[2]) {
  %z = add %x, %y : f32[2]
  return %z
}
`
	m, err := Parse("pos.pf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f := m.Funcs[0]
	for _, c := range []struct {
		what string
		got  Pos
		want Pos
	}{
		{"func", f.Pos, Pos{"pos.pf", 2, 1}},
		{"%x", f.Params[0].Pos, Pos{"pos.pf", 2, 9}},
		{"%y", f.Params[1].Pos, Pos{"pos.pf", 3, 9}},
		{"add", f.Body[0].Pos, Pos{"pos.pf", 4, 3}},
		{"%z", f.Body[0].Results[0].Pos, Pos{"pos.pf", 4, 3}},
	} {
		if c.got != c.want {
			t.Errorf("%s at %v, want %v", c.what, c.got, c.want)
		}
	}
	g := mustParseFunc(t, "func @g(%a: f32[2,2] data) -> (f32[2]) {\n  %w, %v = eigh %a : f32[2], f32[2,2]\n  return %w\n}\n")
	if got, want := g.Body[0].Results[1].Pos, (Pos{Line: 2, Col: 7}); got != want {
		t.Errorf("second result at %v, want %v", got, want)
	}
}

// TestParseErrors checks the message and position of each kind of error.
func TestParseErrors(t *testing.T) {
	const sig = "func @f(%x: f32[4] data, %y: f32[4] data) -> (f32[4]) {\n"
	deep := "func @f() -> (f32[]) {\n  %c = full {value=" + strings.Repeat("[", 65) + "1" + strings.Repeat("]", 65) + "} : f32[]\n  return %c\n}\n"
	// nested(n) nests n argmin regions, each inside the objective of the
	// one before.
	nested := func(n int) string {
		body := "return %a\n"
		for range n {
			body = "%r = argmin %a region {\nfunc @f(%x: f32[] param, %a: f32[] data) -> (f32[]) {\n" + body + "}\n} : f32[]\nreturn %r\n"
		}
		return "func @f(%a: f32[] data) -> (f32[]) {\n" + body + "}\n"
	}
	if _, err := Parse("", []byte(nested(maxDepth))); err != nil {
		t.Errorf("%d nested regions: %v", maxDepth, err)
	}
	tests := []struct {
		name, src, want string
	}{
		{"empty input", "", "1:1: expected 'func', found end of file"},
		{"only a comment", "// nothing\n", "2:1: expected 'func', found end of file"},
		{"not func", "fun @f() -> () {\n  return\n}\n", `1:1: expected 'func', found "fun"`},
		{"missing colon", "func @f(%x f32[] data) -> () {\n  return\n}\n", `1:12: expected ':' after parameter name, found "f32"`},
		{"missing comma", "func @f(%x: f32[] data %y: f32[] data) -> () {\n  return\n}\n", `1:24: expected ',' or ')' after parameter, found %y`},
		{"missing role", "func @f(%x: f32[]) -> () {\n  return\n}\n", `1:18: expected role (data, param or state) after parameter type, found ")"`},
		{"unknown role", "func @f(%x: f32[] weight) -> () {\n  return\n}\n", `1:19: unknown role "weight" (want data, param or state)`},
		{"unknown dtype", "func @f(%x: f16[2] data) -> () {\n  return\n}\n", `1:13: unknown dtype "f16" (want f32, f64, i64 or u64)`},
		{"type without shape", "func @f(%x: f32 data) -> () {\n  return\n}\n", `1:17: expected '[' after dtype, found "data"`},
		{"negative dimension", "func @f(%x: f32[-1] data) -> () {\n  return\n}\n", `1:17: invalid dimension "-1" (want a non-negative integer)`},
		{"float dimension", "func @f(%x: f32[2.5] data) -> () {\n  return\n}\n", `1:17: invalid dimension "2.5" (want a non-negative integer)`},
		{"dimension out of range", "func @f(%x: f32[99999999999999999999] data) -> () {\n  return\n}\n", `1:17: dimension 99999999999999999999 out of range`},
		{"dimension over limit", "func @f(%x: f32[0,4294967297] data) -> () {\n  return\n}\n", `1:19: dimension 4294967297 exceeds the limit of 4294967296 elements`},
		{"element overflow", "func @f(%x: f32[4294967296,4294967296,4294967296] data) -> () {\n  return\n}\n", `1:13: type f32[4294967296,4294967296,4294967296] has too many elements (overflows int64)`},
		{"elements over limit", "func @f(%x: f32[65536,65536,2] data) -> () {\n  return\n}\n", `1:13: type f32[65536,65536,2] has 8589934592 elements, more than the limit of 4294967296`},
		{"duplicate parameter", "func @f(%x: f32[] data, %x: f32[] data) -> () {\n  return\n}\n", `1:25: value %x redefined (first defined at 1:9)`},
		{"redefined value", sig + "  %s1 = add %x, %y : f32[4]\n  %s1 = add %x, %y : f32[4]\n  return %s1\n}\n", `3:3: value %s1 redefined (first defined at 2:3)`},
		{"redefined parameter", sig + "  %x = add %x, %y : f32[4]\n  return %x\n}\n", `2:3: value %x redefined (first defined at 1:9)`},
		{"result named twice", "func @f(%a: f32[2,2] data) -> () {\n  %w, %w = eigh %a : f32[2], f32[2,2]\n  return\n}\n", `2:7: value %w redefined (first defined at 2:3)`},
		{"undefined value", sig + "  %z = matmul %x, %w3 : f32[4]\n  return %z\n}\n", `2:19: undefined value %w3`},
		{"use before definition", sig + "  %z = neg %z : f32[4]\n  return %z\n}\n", `2:12: undefined value %z`},
		{"undefined return value", sig + "  return %q\n}\n", `2:10: undefined value %q`},
		{"unknown op", sig + "  %z = matmull %x, %y : f32[4]\n  return %z\n}\n", `2:8: unknown op "matmull"`},
		{"op missing", sig + "  %z = %x : f32[4]\n  return %z\n}\n", `2:8: expected op name after '=', found %x`},
		{"missing equals", sig + "  %z add %x, %y : f32[4]\n  return %z\n}\n", `2:6: expected '=' or ',' after result name, found "add"`},
		{"missing result types", sig + "  %z = add %x, %y\n  return %z\n}\n", `3:3: expected ':' before result types, found "return"`},
		{"too few result types", "func @f(%a: f32[2,2] data) -> () {\n  %w, %v = eigh %a : f32[2]\n  return\n}\n", `2:20: 2 results named but 1 types declared`},
		{"too many result types", sig + "  %z = add %x, %y : f32[4], f32[4]\n  return %z\n}\n", `2:19: 1 results named but 2 types declared`},
		{"svd result count", "func @f(%a: f32[8,4] data) -> () {\n  %u, %s = svd %a : f32[8,4], f32[4]\n  return\n}\n", `2:3: svd defines 3 results, but the statement names 2`},
		{"trailing comma in operands", sig + "  %z = add %x, : f32[4]\n  return %z\n}\n", `2:16: expected value name (%name) after ',' in operands, found ":"`},
		{"duplicate attribute", sig + "  %z = concat %x, %y {axis=0, axis=0} : f32[8]\n  return %z\n}\n", `2:31: duplicate attribute axis (first at 2:23)`},
		{"attribute without value", sig + "  %z = concat %x, %y {axis} : f32[8]\n  return %z\n}\n", `2:27: expected '=' after attribute name, found "}"`},
		{"bad attribute value", sig + "  %z = concat %x, %y {axis=zero} : f32[8]\n  return %z\n}\n", `2:28: expected attribute value (number, string, true, false, dtype or list), found "zero"`},
		{"minus nan", sig + "  %z = concat %x, %y {axis=-nan} : f32[8]\n  return %z\n}\n", `2:29: expected number or 'inf' after '-', found "nan"`},
		{"unclosed attributes", sig + "  %z = concat %x, %y {axis=0 : f32[8]\n  return %z\n}\n", `2:30: expected ',' or '}' after attribute, found ":"`},
		{"integer out of range", sig + "  %z = concat %x, %y {axis=18446744073709551616} : f32[8]\n  return %z\n}\n", `2:28: integer 18446744073709551616 out of range [-2⁶³, 2⁶⁴)`},
		{"float out of range", sig + "  %z = concat %x, %y {axis=1e400} : f32[8]\n  return %z\n}\n", `2:28: float 1e400 out of range`},
		{"malformed number", sig + "  %z = concat %x, %y {axis=1.2.3} : f32[8]\n  return %z\n}\n", `2:28: malformed number "1.2.3"`},
		{"number without exponent digits", sig + "  %z = concat %x, %y {axis=1e+} : f32[8]\n  return %z\n}\n", `2:28: malformed number "1e+"`},
		{"hex number", sig + "  %z = concat %x, %y {axis=0x10} : f32[8]\n  return %z\n}\n", `2:28: malformed number "0x10"`},
		{"unterminated string", sig + "  %z = argmin %x {solver=\"newton} region {\n  } : f32[4]\n  return %z\n}\n", `2:26: unterminated string`},
		{"string at end of file", sig + `  %z = argmin %x {solver="\`, `2:26: unterminated string`},
		{"bad escape", sig + "  %z = argmin %x {solver=\"\\q\"} region {\n  } : f32[4]\n  return %z\n}\n", `2:26: invalid string literal "\"\\q\"": invalid syntax`},
		{"list nesting too deep", deep, `2:84: nesting deeper than 64 levels`},
		{"region nesting too deep", nested(70), `130:16: nesting deeper than 64 levels`},
		{"region on a plain op", sig + "  %z = neg %x region {\n  } : f32[4]\n  return %z\n}\n", `2:15: neg takes no region`},
		{"argmin without region", sig + "  %z = argmin %x : f32[4]\n  return %z\n}\n", `2:18: expected 'region' (argmin needs one), found ":"`},
		{"junk in region", sig + "  %z = argmin %x region {\n    %q = neg %x : f32[4]\n  } : f32[4]\n  return %z\n}\n", `3:5: expected 'func' or '}' in region, found %q`},
		{"outer value in region", sig + "  %z = argmin %x region {\n    func @o(%v: f32[4] param, %w: f32[4] data) -> (f32[]) {\n      %d = sub %v, %y : f32[4]\n      %s = reduce_sum %d : f32[]\n      return %s\n    }\n  } : f32[4]\n  return %z\n}\n", `4:20: undefined value %y`},
		{"duplicate region func", sig + "  %z = argmin %x region {\n    func @o() -> () {\n      return\n    }\n    func @o() -> () {\n      return\n    }\n  } : f32[4]\n  return %z\n}\n", `6:5: function @o redefined in region (first defined at 3:5)`},
		{"missing return", sig + "  %z = add %x, %y : f32[4]\n}\n", `3:1: expected statement or 'return', found "}"`},
		{"statement after return", sig + "  return %x\n  %z = add %x, %y : f32[4]\n}\n", `3:3: expected '}' or ',' after return value, found %z`},
		{"return count", sig + "  return %x, %y\n}\n", `2:3: return has 2 values, but @f declares 1 results`},
		{"empty return", sig + "  return\n}\n", `2:3: return has 0 values, but @f declares 1 results`},
		{"return type", "func @f(%x: f32[4] data) -> (f32[5]) {\n  return %x\n}\n", `2:10: return value %x has type f32[4], but @f declares result 0 as f32[5]`},
		{"missing arrow", "func @f() (f32[]) {\n  return\n}\n", `1:11: expected '->' after parameters, found "("`},
		{"missing body", "func @f() -> ()\n", `2:1: expected '{' before function body, found end of file`},
		{"unclosed body", "func @f() -> () {\n  return\n", `3:1: expected '}' after return, found end of file`},
		{"duplicate function", "func @f() -> () {\n  return\n}\nfunc @f() -> () {\n  return\n}\n", `4:1: function @f redefined (first defined at 1:1)`},
		{"unexpected character", "func @f() -> () {\n  return ;\n}\n", `2:10: unexpected character U+003B ';'`},
		{"single slash", "/ comment\n", `1:1: unexpected character U+002F '/'`},
		{"non-ASCII", "func @f() -> () {\n  return é\n}\n", `2:10: unexpected character U+00E9 'é'`},
		{"invalid UTF-8", "func @f() -> () {\n  \xff\n}\n", `2:3: invalid UTF-8 byte 0xff`},
		{"bad value name", "func @f(%1a: f32[] data) -> () {\n  return\n}\n", `1:9: invalid name "%1a": a name is [A-Za-z_][A-Za-z0-9_.]* or a decimal number`},
		{"empty value name", "func @f(% : f32[] data) -> () {\n  return\n}\n", `1:9: expected a name after '%'`},
		{"empty func name", "func @ () -> () {\n  return\n}\n", `1:6: expected a name after '@'`},
		{"func name without @", "func f() -> () {\n  return\n}\n", `1:6: expected function name (@name) after 'func', found "f"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse("", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error; parsed:\n%s", m)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, want *ParseError", err, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestParseErrorFileName(t *testing.T) {
	_, err := Parse("model.pf", []byte("func @f() -> () {\n  retur\n}\n"))
	want := `model.pf:2:3: expected statement or 'return', found "retur"`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestParseWithMaxElements(t *testing.T) {
	src := func(n string) []byte {
		return []byte("func @f(%x: f32[2," + n + "] data) -> () {\n  return\n}\n")
	}
	opts := ParseOptions{MaxElements: 10}
	if _, err := ParseWith("", src("5"), opts); err != nil {
		t.Errorf("10 elements with a limit of 10: %v", err)
	}
	_, err := ParseWith("", src("6"), opts)
	if want := "1:13: type f32[2,6] has 12 elements, more than the limit of 10"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	big := []byte("func @f(%x: f32[65536,65536,2] data) -> () {\n  return\n}\n")
	if _, err := ParseWith("", big, ParseOptions{MaxElements: 1 << 40}); err != nil {
		t.Errorf("a raised limit still rejects: %v", err)
	}
}

func TestParseFunc(t *testing.T) {
	f := mustParseFunc(t, "func @f() -> () {\n  return\n}\n")
	if f.Name != "f" {
		t.Errorf("name %q", f.Name)
	}
	_, err := ParseFunc("func @f() -> () {\n  return\n}\n\nfunc @g() -> () {\n  return\n}\n")
	if want := "5:1: expected exactly one func, found 2"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, err := ParseFunc(""); err == nil {
		t.Error("empty source parsed")
	}
}

// TestParseIntFloat checks how number literals become Int or Float.
func TestParseIntFloat(t *testing.T) {
	for _, c := range []struct {
		lit  string
		want Attr
	}{
		{"0", Int(0)}, {"-0", Int(0)}, {"42", Int(42)}, {"-3", Int(-3)}, {"007", Int(7)},
		{"1.0", Float(1)}, {"1.", Float(1)}, {".5", Float(0.5)}, {"-.5", Float(-0.5)},
		{"1e3", Float(1000)}, {"1E3", Float(1000)}, {"2e-3", Float(0.002)}, {"1e-400", Float(0)},
		{"inf", Float(math.Inf(1))}, {"-inf", Float(math.Inf(-1))},
	} {
		f, err := ParseFunc("func @f() -> (f32[]) {\n  %c = full {value=" + c.lit + "} : f32[]\n  return %c\n}\n")
		if err != nil {
			t.Errorf("%s: %v", c.lit, err)
			continue
		}
		if got := f.Body[0].Attrs["value"]; got != c.want {
			t.Errorf("%s parsed as %#v, want %#v", c.lit, got, c.want)
		}
	}
}

// TestPrintParseBuilt round-trips functions built in Go, including
// attribute values the printer must keep exact.
func TestPrintParseBuilt(t *testing.T) {
	f := NewFunc("built")
	x := f.AddParam("x", TensorOf(F64, 3), Data)
	vals := []float64{0.1, 1.0 / 3, -2.5e-300, 5e-324, math.MaxFloat64, 1e21, 123456789012345680000, math.Copysign(0, -1)}
	for i, v := range vals {
		c := f.Append(OpFull, nil, Attrs{"value": Float(v)}, []Type{TensorOf(F64, 3)}, []string{"c" + string(rune('a'+i))}).Result()
		x = f.Append(OpAdd, []*Value{x, c}, nil, []Type{TensorOf(F64, 3)}, []string{"s" + string(rune('a'+i))}).Result()
	}
	f.Results = []*Value{x}
	text := f.String()
	g := mustParseFunc(t, text)
	if got := g.String(); got != text {
		t.Fatalf("round trip differs:\n%s\nvs\n%s", got, text)
	}
	for i, v := range vals {
		got := float64(g.Body[2*i].Attrs["value"].(Float))
		if math.Float64bits(got) != math.Float64bits(v) {
			t.Errorf("value %d: %v became %v", i, v, got)
		}
	}
}

func TestSplitHeader(t *testing.T) {
	for _, c := range []struct{ src, header, body string }{
		{"// a\n// b\nfunc\n", "// a\n// b\n", "func\n"},
		{"func\n// a\n", "", "func\n// a\n"},
		{"// only", "// only", ""},
	} {
		h, b := splitHeader(c.src)
		if h != c.header || b != c.body {
			t.Errorf("splitHeader(%q) = %q, %q", c.src, h, b)
		}
	}
}

func BenchmarkParseGolden(b *testing.B) {
	var srcs [][]byte
	size := 0
	for _, path := range goldenFiles(b) {
		src, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
		size += len(src)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, src := range srcs {
			if _, err := Parse("", src); err != nil {
				b.Fatal(err)
			}
		}
	}
}
