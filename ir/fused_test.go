package ir

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAnalyzeFused(t *testing.T) {
	f32 := func(dims ...int) Type { return TensorOf(F32, dims...) }
	i64 := func(dims ...int) Type { return TensorOf(I64, dims...) }
	for _, tc := range []struct {
		name     string
		args     []Type
		attrs    Attrs
		declared []Type
		want     *Fused // nil: an error containing err
		err      string
	}{
		{name: "elementwise broadcast", args: []Type{f32(2, 3), f32(3), f32()}, attrs: Attrs{"kind": String("elementwise")},
			declared: []Type{f32(2, 3), i64(2, 3)},
			want: &Fused{Kind: FusedElementwise, Domain: Shape{2, 3}, Params: []Type{f32(), f32(), f32()},
				Results: []Type{f32(2, 3), i64(2, 3)}}},
		{name: "elementwise larger than its operands", args: []Type{f32(2, 1), f32(3)}, attrs: Attrs{"kind": String("elementwise")},
			declared: []Type{f32(2, 3)},
			want:     &Fused{Kind: FusedElementwise, Domain: Shape{2, 3}, Params: []Type{f32(), f32()}, Results: []Type{f32(2, 3)}}},
		{name: "matmul epilogue", args: []Type{f32(5, 2), f32(3, 2), f32(3), i64(5, 3)},
			attrs: Attrs{"kind": String("matmul"), "transpose_b": Bool(true)}, declared: []Type{f32(5, 3)},
			want: &Fused{Kind: FusedMatmul, Domain: Shape{5, 3}, TransposeB: true, Params: []Type{f32(), f32(), TensorOf(I64)},
				Results: []Type{f32(5, 3)}}},
		{name: "batched matmul", args: []Type{f32(4, 5, 2), f32(2, 3)}, attrs: Attrs{"kind": String("matmul")}, declared: []Type{f32(4, 5, 3)},
			want: &Fused{Kind: FusedMatmul, Domain: Shape{4, 5, 3}, Params: []Type{f32()}, Results: []Type{f32(4, 5, 3)}}},
		{name: "reduce rows", args: []Type{f32(4, 1), f32(3)}, attrs: Attrs{"kind": String("reduce"), "reduce": String("mean"), "axes": Ints(-1)},
			declared: []Type{f32(4)},
			want: &Fused{Kind: FusedReduce, Domain: Shape{4, 3}, Reduce: OpReduceMean, Axes: []int{1}, Params: []Type{f32(), f32()},
				Results: []Type{f32(4)}}},
		{name: "reduce all keepdims", args: []Type{i64(2, 2)}, attrs: Attrs{"kind": String("reduce"), "reduce": String("max"), "keepdims": Bool(true)},
			declared: []Type{i64(1, 1)},
			want: &Fused{Kind: FusedReduce, Domain: Shape{2, 2}, Reduce: OpReduceMax, Axes: []int{0, 1}, KeepDims: true,
				Params: []Type{TensorOf(I64)}, Results: []Type{i64(1, 1)}}},

		{name: "unknown kind", args: []Type{f32()}, attrs: Attrs{"kind": String("loop")}, declared: []Type{f32()}, err: `unknown kind "loop"`},
		{name: "missing kind", args: []Type{f32()}, attrs: Attrs{}, declared: []Type{f32()}, err: `missing attribute "kind"`},
		{name: "no results", args: []Type{f32()}, attrs: Attrs{"kind": String("elementwise")}, err: "must declare its result types"},
		{name: "results of two shapes", args: []Type{f32(2)}, attrs: Attrs{"kind": String("elementwise")}, declared: []Type{f32(2), f32(3)},
			err: "results of shapes [2] and [3]"},
		{name: "operand too large", args: []Type{f32(2)}, attrs: Attrs{"kind": String("elementwise")}, declared: []Type{f32(3)},
			err: "operand 0 (f32[2]) does not broadcast to the result shape [3]"},
		{name: "attribute of another kind", args: []Type{f32(2)}, attrs: Attrs{"kind": String("elementwise"), "axes": Ints(0)},
			declared: []Type{f32(2)}, err: `attribute axes does not apply to kind "elementwise"`},
		{name: "matmul with one operand", args: []Type{f32(2, 2)}, attrs: Attrs{"kind": String("matmul")}, declared: []Type{f32(2, 2)},
			err: "takes the matmul's two operands first"},
		{name: "matmul of integers", args: []Type{i64(2, 2), i64(2, 2)}, attrs: Attrs{"kind": String("matmul")}, declared: []Type{i64(2, 2)},
			err: "matmul operand has dtype i64"},
		{name: "matmul dimensions", args: []Type{f32(2, 3), f32(2, 3)}, attrs: Attrs{"kind": String("matmul")}, declared: []Type{f32(2, 3)},
			err: "contracted dimensions differ"},
		{name: "epilogue operand too large", args: []Type{f32(2, 3), f32(3, 4), f32(3, 4)}, attrs: Attrs{"kind": String("matmul")},
			declared: []Type{f32(2, 4)}, err: "operand 2 (f32[3,4]) does not broadcast to the product's shape [2,4]"},
		{name: "reduce without reduction", args: []Type{f32(2)}, attrs: Attrs{"kind": String("reduce")}, declared: []Type{f32()},
			err: `needs reduce="sum", "mean" or "max"`},
		{name: "reduce with two results", args: []Type{f32(2)}, attrs: Attrs{"kind": String("reduce"), "reduce": String("sum")},
			declared: []Type{f32(), f32()}, err: "has one result, 2 declared"},
		{name: "integer mean", args: []Type{i64(2)}, attrs: Attrs{"kind": String("reduce"), "reduce": String("mean")},
			declared: []Type{i64()}, err: `reduce="mean" of dtype i64`},
		{name: "reduce operands", args: []Type{f32(2), f32(3)}, attrs: Attrs{"kind": String("reduce"), "reduce": String("sum")},
			declared: []Type{f32()}, err: "broadcast"},
		{name: "reduce axis", args: []Type{f32(2)}, attrs: Attrs{"kind": String("reduce"), "reduce": String("sum"), "axes": Ints(1)},
			declared: []Type{f32()}, err: "axis 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AnalyzeFused(tc.args, tc.attrs, tc.declared)
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Fused instructions go through InferTypes like any other: the declared
// types come back when they fit, and the reduction's shape is checked.
func TestFusedTypeRule(t *testing.T) {
	args := []Type{TensorOf(F32, 4, 3)}
	attrs := Attrs{"kind": String("reduce"), "reduce": String("sum"), "axes": Ints(1)}
	got, err := InferTypes(OpFused, args, attrs, []Type{TensorOf(F32, 9)})
	if err != nil {
		t.Fatal(err)
	}
	if want := TensorOf(F32, 4); len(got) != 1 || !got[0].Equal(want) {
		t.Errorf("got %v, want %s (the declared shape is the verifier's to compare)", got, want)
	}
}

func TestFusedReduceName(t *testing.T) {
	for op, want := range map[Op]string{OpReduceSum: "sum", OpReduceMean: "mean", OpReduceMax: "max", OpAdd: ""} {
		if got := FusedReduceName(op); got != want {
			t.Errorf("%s: %q, want %q", op, got, want)
		}
	}
}

func TestFusedBody(t *testing.T) {
	m, err := Parse("f.pf", []byte(`func @f(%a: f32[2] data) -> (f32[2]) {
  %r = fused %a {kind="elementwise"} region {
    func @body(%a: f32[] data) -> (f32[]) {
      %n = neg %a : f32[]
      return %n
    }
  } : f32[2]
  return %r
}`))
	if err != nil {
		t.Fatal(err)
	}
	in := m.Funcs[0].Body[0]
	if body := in.FusedBody(); body == nil || body.Name != "body" || len(body.Body) != 1 {
		t.Fatalf("FusedBody = %v", body)
	}
	in.Region.Funcs = append(in.Region.Funcs, in.Region.Funcs[0].Clone())
	if in.FusedBody() != nil {
		t.Error("FusedBody of a region of two functions")
	}
	if err := Verify(m.Funcs[0]); err == nil || !strings.Contains(err.Error(), "one region function (the body), got 2") {
		t.Errorf("verify: %v", err)
	}
}
