package ops

import "github.com/pushforward/pushforward/ir"

// PairableMatmuls reports whether matmul instructions first and second, in
// this order in a function, can run as one kernels.PairGEMM call: plain
// matrices (no batch axes) of one float dtype, the same right operand and
// transposes, and the second not reading the first's result. The
// interpreter's Runner and generated code pair such instructions when
// their memory plan also keeps the second's result off the first's
// operands; the results are the bits of the two products run one after
// the other.
func PairableMatmuls(first, second *ir.Instr) bool {
	if first.Op != ir.OpMatmul || second.Op != ir.OpMatmul || len(first.Args) != 2 || len(second.Args) != 2 {
		return false
	}
	a1, b1, a2, b2 := first.Args[0], first.Args[1], second.Args[0], second.Args[1]
	if b1 != b2 || len(first.Results) != 1 || a2 == first.Results[0] || a1.Type.DType != a2.Type.DType {
		return false
	}
	if d := a1.Type.DType; d != ir.F32 && d != ir.F64 {
		return false
	}
	if len(a1.Type.Shape) != 2 || len(a2.Type.Shape) != 2 || len(b1.Type.Shape) != 2 {
		return false
	}
	for _, attr := range []string{"transpose_a", "transpose_b"} {
		t1, err1 := first.BoolAttr(attr)
		t2, err2 := second.BoolAttr(attr)
		if err1 != nil || err2 != nil || t1 != t2 {
			return false
		}
	}
	return true
}
