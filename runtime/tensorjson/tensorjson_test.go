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
		{"missing", `{"inputs":[` + rest + `]}`, "missing inputs for parameters [%x]"},
		{"extra", `{"inputs":[` + x + `,` + rest + `,{"name":"z","dtype":"f32","shape":[],"data":[1]}]}`, `input "z": @f has no such parameter`},
		{"twice", `{"inputs":[` + x + `,` + x + `,` + rest + `]}`, `input "x" given twice`},
		{"shape", `{"inputs":[{"name":"x","dtype":"f32","shape":[4],"data":[1,2,3,4]},` + rest + `]}`, `input "x": got f32[4], want f32[2,2]`},
		{"dtype", `{"inputs":[{"name":"x","dtype":"f64","shape":[2,2],"data":[1,2,3,4]},` + rest + `]}`, `input "x": got f64[2,2], want f32[2,2]`},
		{"count", `{"inputs":[{"name":"x","dtype":"f32","shape":[2,2],"data":[1,2,3]},` + rest + `]}`, `input "x": data has 3 elements`},
		{"string", `{"inputs":[{"name":"x","dtype":"f32","shape":[2,2],"data":[1,"one",3,4]},` + rest + `]}`, `input "x": element 1: "one" is not a number`},
		{"int", `{"inputs":[` + x + `,{"name":"n","dtype":"i64","shape":[3],"data":[1,2.5,3]}]}`, `input "n": element 1: 2.5 is not an i64`},
		{"bad dtype", `{"inputs":[{"name":"x","dtype":"f16","shape":[2,2],"data":[1,2,3,4]}]}`, `input "x": unknown dtype "f16"`},
		{"no list", `{}`, `no "inputs" list`},
		{"syntax", `{"inputs":[`, `reading inputs`},
		{"unknown field", `{"inputs":[],"x":1}`, `unknown field`},
	} {
		_, err := ReadInputs(strings.NewReader(tc.doc), testFunc())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}
