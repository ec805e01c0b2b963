package ops

import "github.com/pushforward/pushforward/ir"

// A MatmulPair is two matmuls by the same right operand that run as one
// kernels.PairGEMM call: the transposes, both products' dimensions and the
// row strides of the operands as stored.
type MatmulPair struct {
	TransposeA, TransposeB bool
	M1, M2, N, K           int
	LDA1, LDA2, LDB        int
}

// PairMatmuls reports whether matmul instructions first and second, in
// this order in a function, can run as one kernels.PairGEMM call, and
// returns the pair: plain matrices (no batch axes) of one float dtype, the
// same right operand and transposes, the second not reading the first's
// result, and no empty product. The interpreter's Runner and generated
// code pair such instructions when their memory plan also keeps the
// second's result off the first's operands; the results are the bits of
// the two products run one after the other.
func PairMatmuls(first, second *ir.Instr) (MatmulPair, bool) {
	var p MatmulPair
	if first.Op != ir.OpMatmul || second.Op != ir.OpMatmul || len(first.Args) != 2 || len(second.Args) != 2 || len(first.Results) != 1 {
		return p, false
	}
	a1, b1, a2, b2 := first.Args[0], first.Args[1], second.Args[0], second.Args[1]
	if b1 != b2 || a2 == first.Results[0] || a1.Type.DType != a2.Type.DType {
		return p, false
	}
	if d := a1.Type.DType; d != ir.F32 && d != ir.F64 {
		return p, false
	}
	if len(a1.Type.Shape) != 2 || len(a2.Type.Shape) != 2 || len(b1.Type.Shape) != 2 {
		return p, false
	}
	var t [2][2]bool
	for i, in := range []*ir.Instr{first, second} {
		for j, attr := range []string{"transpose_a", "transpose_b"} {
			v, err := in.BoolAttr(attr)
			if err != nil {
				return p, false
			}
			t[i][j] = v
		}
	}
	if t[0] != t[1] {
		return p, false
	}
	p.TransposeA, p.TransposeB = t[0][0], t[0][1]
	_, m1, k, n, err1 := ir.MatmulDims(a1.Type.Shape, b1.Type.Shape, p.TransposeA, p.TransposeB)
	_, m2, _, _, err2 := ir.MatmulDims(a2.Type.Shape, b1.Type.Shape, p.TransposeA, p.TransposeB)
	if err1 != nil || err2 != nil || m1 == 0 || m2 == 0 || n == 0 || k == 0 {
		return p, false
	}
	p.M1, p.M2, p.N, p.K = m1, m2, n, k
	p.LDA1, p.LDA2, p.LDB = a1.Type.Shape[1], a2.Type.Shape[1], b1.Type.Shape[1]
	return p, true
}
