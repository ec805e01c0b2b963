package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPair times two products that share op(B), as the W̃ᵀ step of
// the 784-1024-1024-10 MLP has them (the activations and the tangents by
// the same weight), in one PairGEMM call and in two GEMM calls.
func BenchmarkPair(b *testing.B) {
	for _, s := range []struct{ m, n, k int }{{128, 1024, 1024}, {128, 1024, 784}, {128, 10, 1024}} {
		for _, f32 := range []bool{true, false} {
			dt := map[bool]string{true: "f32", false: "f64"}[f32]
			for _, pair := range []bool{true, false} {
				name := map[bool]string{true: "pair", false: "two"}[pair]
				b.Run(fmt.Sprintf("%dx%dx%d/%s/%s", s.m, s.n, s.k, dt, name), func(b *testing.B) {
					benchPair(b, Packed{}, f32, pair, s.m, s.n, s.k)
				})
			}
		}
	}
}

func benchPair(b *testing.B, g Packed, f32, pair bool, m, n, k int) {
	r := rand.New(rand.NewPCG(1, 2))
	a1, a2, bb := randomSlice(r, m*k), randomSlice(r, m*k), randomSlice(r, k*n)
	c1, c2 := make([]float64, m*n), make([]float64, m*n)
	a1s, a2s, bs, c1s, c2s := toF32(a1), toF32(a2), toF32(bb), toF32(c1), toF32(c2)
	for b.Loop() {
		switch {
		case f32 && pair:
			g.SgemmPair(false, false, m, m, n, k, 1, a1s, k, a2s, k, bs, n, 0, c1s, n, c2s, n)
		case f32:
			g.Sgemm(false, false, m, n, k, 1, a1s, k, bs, n, 0, c1s, n)
			g.Sgemm(false, false, m, n, k, 1, a2s, k, bs, n, 0, c2s, n)
		case pair:
			g.DgemmPair(false, false, m, m, n, k, 1, a1, k, a2, k, bb, n, 0, c1, n, c2, n)
		default:
			g.Dgemm(false, false, m, n, k, 1, a1, k, bb, n, 0, c1, n)
			g.Dgemm(false, false, m, n, k, 1, a2, k, bb, n, 0, c2, n)
		}
	}
	b.ReportMetric(4*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
