package runtime_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/runtime/kernels"
)

// BenchmarkEpilogueRowBlocks weighs the choice of the fused matmul's loop:
// the whole product, then its epilogue (bias, ReLU, the mask on a
// tangent) over the whole output, against the product and the epilogue
// block of rows by block of rows, the block still in cache when the
// epilogue reads it (go test -run X -bench EpilogueRowBlocks -cpu 1
// ./runtime). Each block's product packs the right operand again.
func BenchmarkEpilogueRowBlocks(b *testing.B) {
	g := kernels.Default()
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{512, 128, 128}, {512, 512, 512}, {128, 1024, 1024}} {
		m, k, n := s[0], s[1], s[2]
		a, w, bias, t := randFloats(r, m*k), randFloats(r, k*n), randFloats(r, n), randFloats(r, m*n)
		p, h, ht := make([]float32, m*n), make([]float32, m*n), make([]float32, m*n)
		for _, rows := range []int{m, 144, 64} {
			b.Run(fmt.Sprintf("%dx%dx%d/rows%d", m, k, n, rows), func(b *testing.B) {
				for b.Loop() {
					for r0 := 0; r0 < m; r0 += rows {
						r1 := min(m, r0+rows)
						g.Sgemm(false, false, r1-r0, n, k, 1, a[r0*k:r1*k], k, w, n, 0, p[r0*n:r1*n], n)
						reluMaskRows(p[r0*n:r1*n], bias, t[r0*n:r1*n], h[r0*n:r1*n], ht[r0*n:r1*n])
					}
				}
			})
		}
	}
}

// reluMaskRows sets h = relu(p + bias) and ht = step(p + bias)·t row by
// row, overwriting p.
func reluMaskRows(p, bias, t, h, ht []float32) {
	n := len(bias)
	for r := 0; r < len(p)/n; r++ {
		row := p[r*n : (r+1)*n]
		kernels.BinaryVV(kernels.OpAdd, row, row, bias)
		kernels.Relu(h[r*n:(r+1)*n], row)
		kernels.Step(row, row)
		kernels.BinaryVV(kernels.OpMul, ht[r*n:(r+1)*n], row, t[r*n:(r+1)*n])
	}
}

func randFloats(r *rand.Rand, n int) []float32 {
	xs := make([]float32, n)
	for i := range xs {
		xs[i] = float32(r.NormFloat64())
	}
	return xs
}
