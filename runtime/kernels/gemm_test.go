package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGEMM is the reference: a triple loop on row-major storage.
func naiveGEMM(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	at := func(i, p int) float64 {
		if tA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float64 {
		if tB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	for i := range m {
		for j := range n {
			var sum float64
			for p := range k {
				sum += at(i, p) * bt(p, j)
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * sum
			} else {
				c[i*ldc+j] = alpha*sum + beta*c[i*ldc+j]
			}
		}
	}
}

func randomSlice(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func toF32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// The products are checked with |got - want| ≤ tol·(1 + |want|): the sums
// have at most 70 terms of size O(1), so f64 rounding stays below 1e-13 and
// f32 rounding below 1e-5 (the f32 reference is computed in f64 from the
// same f32 inputs).
func TestGonumGEMMAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, dims := range [][3]int{{1, 1, 1}, {3, 4, 5}, {17, 9, 33}, {64, 70, 3}, {0, 3, 4}, {3, 0, 4}, {3, 4, 0}} {
		m, n, k := dims[0], dims[1], dims[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				// Padded strides check that lda/ldb/ldc are honoured.
				aRows, aCols := m, k
				if tA {
					aRows, aCols = k, m
				}
				bRows, bCols := k, n
				if tB {
					bRows, bCols = n, k
				}
				lda, ldb, ldc := aCols+2, bCols+1, n+3
				a := randomSlice(r, aRows*lda)
				b := randomSlice(r, bRows*ldb)
				c0 := randomSlice(r, m*ldc)
				for _, beta := range []float64{0, 0.5} {
					want := append([]float64(nil), c0...)
					naiveGEMM(tA, tB, m, n, k, 1.5, a, lda, b, ldb, beta, want, ldc)

					got := append([]float64(nil), c0...)
					Gonum{}.Dgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, beta, got, ldc)
					compareMatrix(t, "Dgemm", dims, tA, tB, beta, got, want, 1e-13)

					a32, b32 := toF32(a), toF32(b)
					want32 := append([]float64(nil), toF64(toF32(c0))...)
					naiveGEMM(tA, tB, m, n, k, 1.5, toF64(a32), lda, toF64(b32), ldb, beta, want32, ldc)
					got32 := toF32(c0)
					Gonum{}.Sgemm(tA, tB, m, n, k, 1.5, a32, lda, b32, ldb, float32(beta), got32, ldc)
					compareMatrix(t, "Sgemm", dims, tA, tB, beta, toF64(got32), want32, 1e-5)
				}
			}
		}
	}
}

func toF64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func compareMatrix(t *testing.T, name string, dims [3]int, tA, tB bool, beta float64, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Errorf("%s m,n,k=%v tA=%t tB=%t beta=%v: element %d = %v, want %v", name, dims, tA, tB, beta, i, got[i], want[i])
			return
		}
	}
}

// With beta = 0, c is overwritten even where it holds NaN.
func TestGEMMBetaZeroOverwritesNaN(t *testing.T) {
	c := []float64{math.NaN(), math.NaN()}
	Gonum{}.Dgemm(false, false, 1, 2, 1, 1, []float64{2}, 1, []float64{3, 4}, 2, 0, c, 2)
	if c[0] != 6 || c[1] != 8 {
		t.Errorf("c = %v, want [6 8]", c)
	}
	c = []float64{math.NaN(), math.NaN()}
	Gonum{}.Dgemm(false, false, 1, 2, 0, 1, nil, 0, nil, 2, 0, c, 2)
	if c[0] != 0 || c[1] != 0 {
		t.Errorf("k = 0: c = %v, want [0 0]", c)
	}
}

type countingGEMM struct {
	Gonum
	calls *int
}

func (g countingGEMM) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	*g.calls++
	g.Gonum.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func TestSetDefault(t *testing.T) {
	if _, ok := Default().(Packed); !ok {
		t.Fatalf("Default() = %T, want Packed", Default())
	}
	calls := 0
	prev := Default()
	SetDefault(countingGEMM{calls: &calls})
	defer SetDefault(prev)
	Default().Dgemm(false, false, 1, 1, 1, 1, []float64{1}, 1, []float64{1}, 1, 0, []float64{0}, 1)
	if calls != 1 {
		t.Errorf("the GEMM set by SetDefault was called %d times, want 1", calls)
	}
}
