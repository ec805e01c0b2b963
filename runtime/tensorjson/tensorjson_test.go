package tensorjson

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

func testFunc() *ir.Func {
	f := ir.NewFunc("f")
	f.AddParam("x", ir.TensorOf(ir.F32, 2, 2), ir.Data)
	f.AddParam("n", ir.TensorOf(ir.I64, 3), ir.Data)
	f.AddParam("k", ir.Scalar(ir.U64), ir.Data)
	f.AddParam("y", ir.Scalar(ir.F64), ir.Param)
	return f
}

func TestRoundTrip(t *testing.T) {
	f := testFunc()
	in := []*runtime.Tensor{
		runtime.FromF32([]int{2, 2}, []float32{0.1, float32(math.NaN()), float32(math.Inf(1)), -3e-38}),
		runtime.FromI64([]int{3}, []int64{math.MinInt64, 0, math.MaxInt64}),
		runtime.ScalarU64(math.MaxUint64),
		runtime.ScalarF64(math.Inf(-1)),
	}
	var buf bytes.Buffer
	named := make([]Named, len(in))
	for i, p := range f.Params {
		named[i] = Named{p.Name, in[i]}
	}
	if err := WriteInputs(&buf, named); err != nil {
		t.Fatal(err)
	}
	want := `{"inputs":[{"name":"x","dtype":"f32","shape":[2,2],"data":[0.1,"NaN","+Inf",-3e-38]},` +
		`{"name":"n","dtype":"i64","shape":[3],"data":[-9223372036854775808,0,9223372036854775807]},` +
		`{"name":"k","dtype":"u64","shape":[],"data":[18446744073709551615]},` +
		`{"name":"y","dtype":"f64","shape":[],"data":["-Inf"]}]}` + "\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
	got, err := ReadInputs(strings.NewReader(want), f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !got[i].Equal(in[i]) {
			t.Errorf("input %d: got %v, want %v", i, got[i], in[i])
		}
	}
}

func TestReadInputsErrors(t *testing.T) {
	const x = `{"name":"x","dtype":"f32","shape":[2,2],"data":[1,2,3,4]}`
	const rest = `{"name":"n","dtype":"i64","shape":[3],"data":[1,2,3]},{"name":"k","dtype":"u64","shape":[],"data":[1]},{"name":"y","dtype":"f64","shape":[],"data":[1]}`
	for _, tc := range []struct{ name, doc, want string }{
		{"missing", `{"inputs":[` + rest + `]}`, "1:165: missing inputs for parameters [%x]"},
		{"extra", `{"inputs":[` + x + `,` + rest + `,{"name":"z","dtype":"f32","shape":[],"data":[1]}]}`, `1:222: input "z": @f has no such parameter`},
		{"twice", `{"inputs":[` + x + `,` + x + `,` + rest + `]}`, `1:70: input "x" given twice (first at 1:12)`},
		{"shape", `{"inputs":[{"name":"x","dtype":"f32","shape":[4],"data":[1,2,3,4]},` + rest + `]}`, `1:12: input "x": got f32[4], want f32[2,2]`},
		{"dtype", `{"inputs":[{"name":"x","dtype":"f64","shape":[2,2],"data":[1,2,3,4]},` + rest + `]}`, `1:12: input "x": got f64[2,2], want f32[2,2]`},
		{"count", `{"inputs":[{"name":"x","dtype":"f32","shape":[2,2],"data":[1,2,3]},` + rest + `]}`, `input "x": data has 3 elements`},
		{"string", `{"inputs":[{"name":"x","dtype":"f32","shape":[2,2],"data":[1,"one",3,4]},` + rest + `]}`, `1:62: input "x", data[1]: the string "one" is not a number (the strings are "NaN", "+Inf" and "-Inf")`},
		{"int", `{"inputs":[` + x + `,{"name":"n","dtype":"i64","shape":[3],"data":[1,2.5,3]}]}`, `1:118: input "n", data[1]: 2.5 is not an i64 (want an integer`},
		{"u64", `{"inputs":[{"name":"k","dtype":"u64","shape":[],"data":[-1]}]}`, `input "k", data[0]: -1 is not a u64`},
		{"bad dtype", `{"inputs":[{"name":"x","dtype":"f16","shape":[2,2],"data":[1,2,3,4]}]}`, `1:24: input "x": unknown dtype "f16" (want f32, f64, i64 or u64)`},
		{"no list", `{}`, `1:1: no "inputs" list: want an object {"inputs": [...]}`},
		{"array", `[{"name":"x"}]`, `1:1: want an object {"inputs": [...]}, found a list`},
		{"inputs not a list", `{"inputs":{"x":1}}`, `1:11: want a list of inputs [{"name": ..., "dtype": ..., "shape": [...], "data": [...]}, ...] after "inputs", found an object`},
		{"entry not an object", `{"inputs":[3]}`, `1:12: want an input {"name": ..., "dtype": ..., "shape": [...], "data": [...]}, found the number 3`},
		{"no name", `{"inputs":[{"dtype":"f32","shape":[],"data":[1]}]}`, `1:12: input 1 has no "name"`},
		{"unknown key", "{\"inputs\":[\n  {\"name\":\"x\",\"type\":\"f32\"}]}", `2:15: input "x": unknown key "type" (want "name", "dtype", "shape" and "data")`},
		{"negative dim", `{"inputs":[{"name":"x","dtype":"f32","shape":[2,-2],"data":[]}]}`, `1:49: input "x": shape[1] is the number -2, want a dimension (an integer ≥ 0)`},
		{"null element", `{"inputs":[{"name":"x","dtype":"f32","shape":[1],"data":[null]}]}`, `1:58: input "x": data[0] is null, want a number or one of "NaN", "+Inf", "-Inf"`},
		{"f32 overflow", `{"inputs":[{"name":"y","dtype":"f64","shape":[],"data":[1e308]},{"name":"x","dtype":"f32","shape":[2,2],"data":[1,2,6.5e40,4]}]}`, `1:117: input "x", data[2]: 6.5e40 is out of range for f32 (largest finite 3.4028235e+38; write "+Inf" or "-Inf" for an infinity)`},
		{"f64 overflow", `{"inputs":[{"name":"y","dtype":"f64","shape":[],"data":[-1e400]}]}`, `input "y", data[0]: -1e400 is out of range for f64`},
		{"syntax", "{\"inputs\":[\n", `2:1: unexpected end of input`},
		{"malformed", `{"inputs":[}`, `1:12: malformed JSON: '}' looking for beginning of value`},
		{"unknown field", `{"inputs":[],"x":1}`, `1:14: unknown key "x" in the document (want only "inputs")`},
		{"trailing", `{"inputs":[]} {}`, `1:15: want the end of input after the document, found an object`},
	} {
		_, err := ReadInputs(strings.NewReader(tc.doc), testFunc())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

// Numbers that round to a finite value are accepted, the tiniest to zero
// or a subnormal, as Go's conversions do.
func TestReadInputsRounding(t *testing.T) {
	f := ir.NewFunc("f")
	f.AddParam("x", ir.TensorOf(ir.F32, 4), ir.Data)
	doc := `{"inputs":[{"name":"x","dtype":"f32","shape":[4],"data":[3.4028235e38, 1e-50, -1e-40, 0.1]}]}`
	ts, err := ReadInputs(strings.NewReader(doc), f)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{math.MaxFloat32, 0, float32(-1e-40), 0.1}
	for i, v := range ts[0].F32 {
		if math.Float32bits(v) != math.Float32bits(want[i]) {
			t.Errorf("element %d: %v, want %v", i, v, want[i])
		}
	}
}

// An error deep in a document of many lines names its line and column,
// counted as the reader goes (one pass over the newlines, not one per
// token).
func TestReadInputsPositionAfterManyLines(t *testing.T) {
	f := ir.NewFunc("f")
	f.AddParam("x", ir.TensorOf(ir.F32, 3000), ir.Data)
	var doc strings.Builder
	doc.WriteString("{\"inputs\": [{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [3000], \"data\": [\n")
	for i := range 3000 {
		if i == 2999 {
			doc.WriteString("  \"oops\"\n")
			break
		}
		doc.WriteString("  1.5,\n")
	}
	doc.WriteString("]}]}\n")
	_, err := ReadInputs(strings.NewReader(doc.String()), f)
	if err == nil || !strings.Contains(err.Error(), "3001:3:") {
		t.Fatalf("got %v, want an error at 3001:3", err)
	}
}

// BenchmarkReadInputs reads one input of a million numbers; its time grows
// linearly with the document.
func BenchmarkReadInputs(b *testing.B) {
	const n = 1 << 20
	f := ir.NewFunc("f")
	f.AddParam("x", ir.TensorOf(ir.F32, n), ir.Data)
	var buf bytes.Buffer
	if err := WriteInputs(&buf, []Named{{"x", runtime.Zeros(ir.TensorOf(ir.F32, n))}}); err != nil {
		b.Fatal(err)
	}
	doc := bytes.ReplaceAll(buf.Bytes(), []byte(","), []byte(",\n"))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := ReadInputs(bytes.NewReader(doc), f); err != nil {
			b.Fatal(err)
		}
	}
}
