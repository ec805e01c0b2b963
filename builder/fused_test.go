package builder_test

import (
	"strings"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// reluBody returns @body(%p: f32[] data, %b: f32[] data) -> relu(p + b).
func reluBody(t *testing.T) *ir.Func {
	t.Helper()
	b := builder.New("body")
	p := b.Data("p", ir.F32)
	bias := b.Data("b", ir.F32)
	b.Return(b.Relu(b.Add(p, bias)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkFused builds a matmul epilogue and reports whether it came out as
// written.
func checkFused(t *testing.T) bool {
	e := newEnv("f")
	rs := e.b.Fused(reluBody(t), ir.Attrs{"kind": ir.String("matmul")}, []ir.Type{ir.TensorOf(ir.F32, 2, 4)}, e.x, e.w, e.s)
	e.b.Return(rs...)
	f, err := e.b.Build()
	if err != nil {
		t.Fatal(err)
	}
	in := f.Body[len(f.Body)-1]
	want := `%1 = fused %x, %w, %s {kind="matmul"} region {
  func @body(%p: f32[] data, %b: f32[] data) -> (f32[]) {
    %1 = add %p, %b : f32[]
    %2 = relu %1 : f32[]
    return %2
  }
} : f32[2,4]`
	if got := in.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
		return false
	}
	return in.Op == ir.OpFused
}

func TestFusedErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func(e *env, body *ir.Func) []*ir.Value
		error string
	}{
		{"nil body", func(e *env, _ *ir.Func) []*ir.Value {
			return e.b.Fused(nil, ir.Attrs{"kind": ir.String("elementwise")}, []ir.Type{ir.TensorOf(ir.F32, 2, 3)}, e.x)
		}, "nil body"},
		{"body takes other operands", func(e *env, body *ir.Func) []*ir.Value {
			return e.b.Fused(body, ir.Attrs{"kind": ir.String("elementwise")}, []ir.Type{ir.TensorOf(ir.F32, 2, 3)}, e.x, e.d)
		}, "body @body takes (f32[], f32[]), want (f32[], f64[])"},
		{"body returns another dtype", func(e *env, body *ir.Func) []*ir.Value {
			return e.b.Fused(body, ir.Attrs{"kind": ir.String("elementwise")}, []ir.Type{ir.TensorOf(ir.F64, 2, 3)}, e.x, e.y)
		}, "body @body returns (f32[]), want (f64[])"},
		{"unknown kind", func(e *env, body *ir.Func) []*ir.Value {
			return e.b.Fused(body, ir.Attrs{"kind": ir.String("loop")}, []ir.Type{ir.TensorOf(ir.F32, 2, 3)}, e.x, e.y)
		}, `unknown kind "loop"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv("f")
			if rs := tc.make(e, reluBody(t)); rs != nil {
				t.Fatal("got results")
			}
			err := e.b.Err()
			if err == nil || !strings.Contains(err.Error(), tc.error) || !strings.Contains(err.Error(), "fused_test.go") {
				t.Errorf("error %v, want %q at the call in fused_test.go", err, tc.error)
			}
		})
	}
}
