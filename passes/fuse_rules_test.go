package passes_test

import (
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// fusedShapeClasses are the fused ops TestEveryOpHasJVP differentiates:
// each kind, with broadcast operands, several results, an integer
// operand and a constant in the body.
func fusedShapeClasses(t *testing.T) []shapeClass {
	region := func(src string) *ir.Region {
		// The body is checked against the operands in classFunc.
		f, err := ir.ParseFunc("func @g(%x: f64[] data) -> (f64[]) {\n  %r = fused %x {kind=\"elementwise\"} region {\n" + src + "\n  } : f64[]\n  return %r\n}")
		if err != nil {
			t.Fatal(err)
		}
		return f.Body[0].Region
	}
	return []shapeClass{
		{name: "elementwise, two results", args: []ir.Type{f64(2, 3), f64(3)}, attrs: ir.Attrs{"kind": ir.String("elementwise")},
			declared: []ir.Type{f64(2, 3), f64(2, 3)}, region: region(`func @body(%a: f64[] data, %b: f64[] data) -> (f64[], f64[]) {
      %s = add %a, %b : f64[]
      %t = tanh %s : f64[]
      %half = full {value=0.5} : f64[]
      %u = mul %t, %half : f64[]
      %m = maximum %s, %b : f64[]
      return %u, %m
    }`)},
		{name: "elementwise returning a broadcast operand", args: []ir.Type{f64(3), i64(2, 3)}, attrs: ir.Attrs{"kind": ir.String("elementwise")},
			declared: []ir.Type{f64(2, 3)}, region: region(`func @body(%a: f64[] data, %k: i64[] data) -> (f64[]) {
      return %a
    }`)},
		{name: "matmul epilogue", args: []ir.Type{f64(4, 2), f64(3, 2), f64(3)}, attrs: ir.Attrs{"kind": ir.String("matmul"), "transpose_b": ir.Bool(true)},
			declared: []ir.Type{f64(4, 3)}, region: region(`func @body(%p: f64[] data, %b: f64[] data) -> (f64[]) {
      %s = add %p, %b : f64[]
      %h = sigmoid %s : f64[]
      return %h
    }`)},
		{name: "reduce", args: []ir.Type{f64(2, 3), f64(2, 1)}, attrs: ir.Attrs{"kind": ir.String("reduce"), "reduce": ir.String("mean"), "axes": ir.Ints(1)},
			declared: []ir.Type{f64(2)}, region: region(`func @body(%a: f64[] data, %b: f64[] data) -> (f64[]) {
      %p = mul %a, %b : f64[]
      %q = square %p : f64[]
      return %q
    }`)},
	}
}
