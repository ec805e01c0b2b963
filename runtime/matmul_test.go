package runtime

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// naiveMatmul is an independent reference for matmul: explicit index
// arithmetic over the broadcast batch, a transposable triple loop and
// float64 accumulation.
func naiveMatmul(a, b *Tensor, tA, tB bool, out ir.Type) []float64 {
	as, bs := a.Float64s(), b.Float64s()
	ra, rb := a.Type.Rank(), b.Type.Rank()
	rows, cols := out.Shape[len(out.Shape)-2], out.Shape[len(out.Shape)-1]
	aR, aC := a.Shape()[ra-2], a.Shape()[ra-1]
	bR, bC := b.Shape()[rb-2], b.Shape()[rb-1]
	inner := aC
	if tA {
		inner = aR
	}
	batch := out.Shape[:len(out.Shape)-2]
	res := make([]float64, out.Shape.Size())
	for bi := range batch.Size() {
		idx := unravel(bi, batch)
		aOff := batchOffset(idx, a.Shape()[:ra-2]) * aR * aC
		bOff := batchOffset(idx, b.Shape()[:rb-2]) * bR * bC
		for i := range rows {
			for j := range cols {
				var sum float64
				for p := range inner {
					ai := aOff + i*aC + p
					if tA {
						ai = aOff + p*aC + i
					}
					bj := bOff + p*bC + j
					if tB {
						bj = bOff + j*bC + p
					}
					sum += as[ai] * bs[bj]
				}
				res[(bi*rows+i)*cols+j] = sum
			}
		}
	}
	return res
}

// batchOffset is the row-major matrix index, within an operand's batch
// shape s, of the broadcast batch index idx (aligned at the last axis,
// clamped to 0 on size-1 axes).
func batchOffset(idx []int, s ir.Shape) int {
	off := 0
	lead := len(idx) - len(s)
	for d, n := range s {
		i := idx[lead+d]
		if n == 1 {
			i = 0
		}
		off = off*n + i
	}
	return off
}

func randomTensor(r *rand.Rand, d ir.DType, shape ...int) *Tensor {
	data := make([]float64, ir.Shape(shape).Size())
	for i := range data {
		data[i] = r.NormFloat64()
	}
	return FromFloat64s(ir.TensorOf(d, shape...), data)
}

// matmulFunc builds %c = matmul %a, %b with the given flags.
func matmulFunc(a, b ir.Type, tA, tB bool) (*ir.Func, error) {
	attrs := ir.Attrs{"transpose_a": ir.Bool(tA), "transpose_b": ir.Bool(tB)}
	out, err := ir.InferTypes(ir.OpMatmul, []ir.Type{a, b}, attrs, nil)
	if err != nil {
		return nil, err
	}
	return singleInstrFunc(ir.OpMatmul, attrs, []ir.Type{a, b}, out), nil
}

// Matmul against the naive reference over broadcast batches and every
// transpose combination. Tolerances: sums of up to 7 products of standard
// normals; f64 agrees to ~1e-15, f32 GEMM accumulates in float32 (ulp
// 6e-8 on values of size ~3), so 1e-5 absolute is ample.
func TestMatmulAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	shapes := []struct{ a, b []int }{
		{[]int{3, 4}, []int{4, 5}},
		{[]int{2, 1, 3, 4}, []int{3, 4, 5}},    // batch [2,1] with [3] → [2,3]
		{[]int{1, 3, 4}, []int{2, 1, 4, 5}},    // batch [1] with [2,1] → [2,1]
		{[]int{2, 3, 7, 1}, []int{2, 3, 1, 6}}, // outer products
		{[]int{1, 1}, []int{1, 1}},
	}
	tols := map[ir.DType]tolerance{ir.F32: {1e-5, 1e-5}, ir.F64: {1e-13, 1e-13}}
	for _, d := range []ir.DType{ir.F32, ir.F64} {
		for _, s := range shapes {
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					name := fmt.Sprintf("%s/%v×%v/tA=%t/tB=%t", d, s.a, s.b, tA, tB)
					t.Run(name, func(t *testing.T) {
						aShape, bShape := swapLast(s.a, tA), swapLast(s.b, tB)
						a, b := randomTensor(r, d, aShape...), randomTensor(r, d, bShape...)
						f, err := matmulFunc(a.Type, b.Type, tA, tB)
						if err != nil {
							t.Fatal(err)
						}
						got, err := Run(f, []*Tensor{a, b})
						if err != nil {
							t.Fatal(err)
						}
						outType := f.Results[0].Type
						want := FromFloat64s(ir.TensorOf(ir.F64, outType.Shape...), naiveMatmul(a, b, tA, tB, outType))
						gotF64 := FromFloat64s(want.Type, got[0].Float64s())
						if err := CheckClose(gotF64, want, tols[d].rtol, tols[d].atol); err != nil {
							t.Error(err)
						}
					})
				}
			}
		}
	}
}

// swapLast returns shape with its last two axes exchanged if swap is set:
// the stored shape of an operand that matmul transposes.
func swapLast(shape []int, swap bool) []int {
	s := append([]int{}, shape...)
	if swap {
		n := len(s)
		s[n-2], s[n-1] = s[n-1], s[n-2]
	}
	return s
}

// countingGEMM counts the products it is asked for.
type countingGEMM struct {
	kernels.Gonum
	calls *atomic.Int64
}

func (g countingGEMM) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	g.calls.Add(1)
	g.Gonum.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (g countingGEMM) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	g.calls.Add(1)
	g.Gonum.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// WithGEMM routes matmul through the given kernel, once per batch element.
func TestWithGEMM(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, d := range []ir.DType{ir.F32, ir.F64} {
		a, b := randomTensor(r, d, 2, 3, 4, 5), randomTensor(r, d, 5, 2)
		f, err := matmulFunc(a.Type, b.Type, false, false)
		if err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int64
		it, err := New(f, WithGEMM(countingGEMM{calls: &calls}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := it.Run([]*Tensor{a, b}); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 6 {
			t.Errorf("%s: %d GEMM calls, want 6 (one per batch element)", d, calls.Load())
		}
	}
}
