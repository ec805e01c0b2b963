package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// benchShapes are the square sizes of the issue and the products of one
// step of the 784-1024-1024-10 MLP at batch 128: the forward products,
// the input-gradient products (Bᵀ) and the weight-gradient products (Aᵀ).
var benchShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"square256", false, false, 256, 256, 256},
	{"square512", false, false, 512, 512, 512},
	{"square1024", false, false, 1024, 1024, 1024},
	{"mlp_x_w0", false, false, 128, 1024, 784},
	{"mlp_h_w1", false, false, 128, 1024, 1024},
	{"mlp_h_w2", false, false, 128, 10, 1024},
	{"mlp_g_w1T", false, true, 128, 1024, 1024},
	{"mlp_g_w2T", false, true, 128, 1024, 10},
	{"mlp_xT_g", true, false, 784, 1024, 128},
	{"mlp_hT_g", true, false, 1024, 1024, 128},
	{"mlp_hT_g2", true, false, 1024, 10, 128},
}

// BenchmarkGEMM reports GFLOP/s (2mnk per product) for Packed, its Go
// twin (small sizes only: it is slow) and gonum, in f32 and f64.
func BenchmarkGEMM(b *testing.B) {
	impls := []struct {
		name string
		g    GEMM
	}{{"packed", Packed{}}, {"packed1", Packed{Threads: 1}}, {"gonum", Gonum{}}, {"gotwin", Packed{goKernels: true}},
		{"avx2", atLevel(isa.AVX2, 0)}, {"avx512", atLevel(isa.AVX512, 0)}}
	for _, s := range benchShapes {
		for _, dt := range []string{"f32", "f64"} {
			for _, im := range impls {
				if im.name == "gotwin" && s.m*s.n*s.k > 1<<24 {
					continue
				}
				b.Run(fmt.Sprintf("%s/%s/%s", s.name, dt, im.name), func(b *testing.B) {
					benchGEMM(b, im.g, dt == "f32", s.tA, s.tB, s.m, s.n, s.k)
				})
			}
		}
	}
}

func benchGEMM(b *testing.B, g GEMM, f32 bool, tA, tB bool, m, n, k int) {
	r := rand.New(rand.NewPCG(1, 1))
	a, bb, c := randomSlice(r, m*k), randomSlice(r, k*n), make([]float64, m*n)
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	a32, b32, c32 := toF32(a), toF32(bb), toF32(c)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if f32 {
			g.Sgemm(tA, tB, m, n, k, 1, a32, lda, b32, ldb, 0, c32, n)
		} else {
			g.Dgemm(tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
		}
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSmallBatch times the batched small products of W̃⊥'s guess
// step at the paper's width 512 and batch 512, through the dot path and,
// for comparison, the packed path: the Gram matrices Y·Yᵀ of 30×512 blocks
// and Xᵀ·X of 512×10 ones, and a general product with a small output.
func BenchmarkSmallBatch(b *testing.B) {
	shapes := []struct {
		name    string
		tA, tB  bool
		m, n, k int
		gram    bool
	}{
		{"gram_YYT_30x512", false, true, 30, 30, 512, true},
		{"gram_XTX_512x10", true, false, 10, 10, 512, true},
		{"general_AT_B_512x30x10", true, false, 30, 10, 512, false},
	}
	const count = 512
	for _, s := range shapes {
		for _, im := range []struct {
			name string
			g    Packed
		}{{"dot", Packed{}}, {"packed", Packed{noDot: true}}} {
			b.Run(s.name+"/f32/"+im.name, func(b *testing.B) {
				r := rand.New(rand.NewPCG(2, 2))
				sizeA, sizeB := s.m*s.k, s.k*s.n
				a, bb := toF32(randomSlice(r, count*sizeA)), toF32(randomSlice(r, count*sizeB))
				c := make([]float32, count*s.m*s.n)
				lda, ldb := s.k, s.n
				if s.tA {
					lda = s.m
				}
				if s.tB {
					ldb = s.k
				}
				aOff, bOff, cOff := make([]int, count), make([]int, count), make([]int, count)
				for i := range count {
					aOff[i], bOff[i], cOff[i] = i*sizeA, i*sizeB, i*s.m*s.n
				}
				if s.gram {
					bb, ldb, bOff = a, lda, aOff
				}
				b.ReportAllocs()
				for b.Loop() {
					im.g.SgemmBatch(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, aOff, bb, ldb, bOff, 0, c, s.n, cOff)
				}
				b.ReportMetric(2*float64(count*s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkBatchProducts times batches of square products of W̃⊥-NS's
// sizes (a Jacobian per example): 512 products of 64³ and 128³, 64 of
// 256³, in f32. Up to 2²⁶ multiply-adds a product, a batch of at least
// four products a thread runs side by side, one product per goroutine.
func BenchmarkBatchProducts(b *testing.B) {
	for _, s := range []struct{ d, count int }{{64, 512}, {128, 512}, {256, 64}} {
		b.Run(fmt.Sprintf("d%d", s.d), func(b *testing.B) {
			r := rand.New(rand.NewPCG(2, 2))
			size := s.d * s.d
			a, bb := toF32(randomSlice(r, s.count*size)), toF32(randomSlice(r, s.count*size))
			c := make([]float32, s.count*size)
			off := make([]int, s.count)
			for i := range off {
				off[i] = i * size
			}
			b.ReportAllocs()
			for b.Loop() {
				Packed{}.SgemmBatch(false, false, s.d, s.d, s.d, 1, a, s.d, off, bb, s.d, off, 0, c, s.d, off)
			}
			b.ReportMetric(2*float64(s.count*size*s.d)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSmallOutputLongK times lone products with a small output and a
// long k (A·Bᵀ and Gram products of 30 rows, as W̃⊥'s Gram matrices over a
// whole batch), f32, on all the processors.
func BenchmarkSmallOutputLongK(b *testing.B) {
	for _, k := range []int{2048, 16384} {
		for _, gram := range []bool{false, true} {
			name := fmt.Sprintf("ABT_30x30x%d", k)
			if gram {
				name = fmt.Sprintf("gram_30x30x%d", k)
			}
			b.Run(name, func(b *testing.B) {
				r := rand.New(rand.NewPCG(3, 3))
				a, bb := toF32(randomSlice(r, 30*k)), toF32(randomSlice(r, 30*k))
				if gram {
					bb = a
				}
				c := make([]float32, 30*30)
				b.ReportAllocs()
				for b.Loop() {
					Packed{}.Sgemm(false, true, 30, 30, k, 1, a, k, bb, k, 0, c, 30)
				}
				b.ReportMetric(2*float64(30*30*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
