package conformance

import (
	"github.com/pushforward/pushforward/ir"
)

// fusedCases are fused ops of each kind. Their derivatives come from the
// rules of their bodies' ops (the fused op's JVP rule inlines the body);
// the bodies use smooth ops only, so that finite differences apply.
func fusedCases() []Case {
	kind := func(k string, more ...any) ir.Attrs {
		a := ir.Attrs{"kind": ir.String(k)}
		for i := 0; i < len(more); i += 2 {
			a[more[i].(string)] = more[i+1].(ir.Attr)
		}
		return a
	}
	return []Case{
		{Name: "fused/elementwise", Op: ir.OpFused, Attrs: kind("elementwise"), Inputs: []Input{fl(3, 4), fl(4), fl(3, 1)},
			Declared: func(d ir.DType) []ir.Type { return []ir.Type{ir.TensorOf(d, 3, 4), ir.TensorOf(d, 3, 4)} },
			Region: objective(`
func @body(%a: D[] data, %b: D[] data, %c: D[] data) -> (D[], D[]) {
  %s = add %a, %b : D[]
  %t = tanh %s : D[]
  %u = mul %t, %c : D[]
  %half = full {value=0.5} : D[]
  %e = mul %s, %half : D[]
  %x = exp %e : D[]
  return %u, %x
}`)},
		{Name: "fused/matmul_bias_sigmoid", Op: ir.OpFused, Attrs: kind("matmul"), Inputs: []Input{fl(4, 3), fl(3, 5), fl(5)},
			Declared: declare(4, 5),
			Region: objective(`
func @body(%p: D[] data, %b: D[] data) -> (D[]) {
  %s = add %p, %b : D[]
  %h = sigmoid %s : D[]
  return %h
}`)},
		{Name: "fused/matmul_alpha_beta", Op: ir.OpFused, Attrs: kind("matmul", "transpose_a", ir.Bool(true)), Inputs: []Input{fl(3, 4), fl(3, 2), fl(4, 2)},
			Declared: declare(4, 2),
			Region: objective(`
func @body(%p: D[] data, %c: D[] data) -> (D[]) {
  %alpha = full {value=-1.5} : D[]
  %ap = mul %alpha, %p : D[]
  %r = add %ap, %c : D[]
  return %r
}`)},
		{Name: "fused/reduce_sum", Op: ir.OpFused, Attrs: kind("reduce", "reduce", ir.String("sum"), "axes", ir.Ints(-1)),
			Inputs: []Input{fl(3, 4), fl(3, 4)}, Declared: declare(3),
			Region: objective(`
func @body(%a: D[] data, %b: D[] data) -> (D[]) {
  %p = mul %a, %b : D[]
  return %p
}`)},
		{Name: "fused/reduce_mean_keep", Op: ir.OpFused, Attrs: kind("reduce", "reduce", ir.String("mean"), "axes", ir.Ints(0), "keepdims", ir.Bool(true)),
			Inputs: []Input{fl(3, 4), fl(4)}, Declared: declare(1, 4),
			Region: objective(`
func @body(%a: D[] data, %b: D[] data) -> (D[]) {
  %d = sub %a, %b : D[]
  %q = square %d : D[]
  return %q
}`)},
	}
}
