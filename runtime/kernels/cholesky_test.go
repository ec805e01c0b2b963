package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// spd returns a random n×n symmetric positive definite matrix, not
// exactly symmetric (CholeskyBlocked factors the symmetric part), with a
// condition number of about cond.
func spd(r *rand.Rand, n int, cond float64) []float64 {
	x := randomSlice(r, n*n)
	a := make([]float64, n*n)
	naiveGEMM(false, true, n, n, n, 1/float64(n), x, n, x, n, 0, a, n)
	for i := range n {
		a[i*n+i] += 1 / cond
		for j := range n {
			a[i*n+j] += 1e-3 * r.NormFloat64() * float64(i-j) / float64(n) // antisymmetric-ish noise
		}
	}
	return a
}

// The blocked factor agrees with LAPACK's (Cholesky, in float64) to the
// precision's rounding, in f64 and f32, on sizes around the block width,
// and its upper triangle is zero.
func TestCholeskyBlockedAgainstLAPACK(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{0, 1, 2, 5, 31, 32, 33, 64, 65, 100, 256} {
		a := spd(r, n, 100)
		want := make([]float64, n*n)
		if err := Cholesky(n, a, want); err != nil {
			t.Fatalf("n=%d: LAPACK: %v", n, err)
		}
		got := make([]float64, n*n)
		if err := CholeskyBlocked(n, a, got); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		compareMatrix(t, fmt.Sprintf("f64 n=%d", n), [3]int{n, n, n}, false, false, 0, got, want, 1e-12*float64(n+1))
		got32 := make([]float32, n*n)
		if err := CholeskyBlocked(n, toF32(a), got32); err != nil {
			t.Fatalf("n=%d f32: %v", n, err)
		}
		compareMatrix(t, fmt.Sprintf("f32 n=%d", n), [3]int{n, n, n}, false, false, 0, toF64(got32), want, 3e-5*float64(n+1))
		for i := range n {
			for j := i + 1; j < n; j++ {
				if got[i*n+j] != 0 || got32[i*n+j] != 0 {
					t.Fatalf("n=%d: l[%d][%d] = %v, %v above the diagonal", n, i, j, got[i*n+j], got32[i*n+j])
				}
			}
		}
	}
}

// A matrix that is not positive definite is refused, whichever block its
// failing pivot is in.
func TestCholeskyBlockedNotPositiveDefinite(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	for _, n := range []int{1, 3, 40, 100} {
		for _, bad := range []int{0, n / 2, n - 1} {
			a := spd(r, n, 10)
			a[bad*n+bad] = -1e3
			l := make([]float64, n*n)
			if err := CholeskyBlocked(n, a, l); !errors.Is(err, ErrNotPositiveDefinite) {
				t.Errorf("n=%d, pivot %d negative: err = %v", n, bad, err)
			}
			nan := spd(r, n, 10)
			nan[bad*n+bad] = math.NaN()
			if err := CholeskyBlocked(n, toF32(nan), make([]float32, n*n)); !errors.Is(err, ErrNotPositiveDefinite) {
				t.Errorf("n=%d, pivot %d NaN: err = %v", n, bad, err)
			}
		}
	}
}

// The factor is the same bits at every instruction-set level and on
// repeated runs: it depends on the matrix only.
func TestCholeskyBlockedDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	const n = 200
	a := toF32(spd(r, n, 50))
	want := make([]float32, n*n)
	if err := CholeskyBlocked(n, a, want); err != nil {
		t.Fatal(err)
	}
	for _, l := range supportedLevels() {
		got := make([]float32, n*n)
		if err := choleskyBlocked(atLevel(l, 1), n, a, got); err != nil {
			t.Fatal(err)
		}
		if i := bitsEqual(got, want); i >= 0 {
			t.Fatalf("at level %v the factor differs at %d: %v vs %v", l, i, got[i], want[i])
		}
	}
}

// BenchmarkCholesky256 factors a 256×256 f32 matrix (one example of W̃ᴾ's
// guess at width 256) blocked in f32 and through LAPACK in f64 with the
// conversions, on one goroutine.
func BenchmarkCholesky256(b *testing.B) {
	r := rand.New(rand.NewPCG(47, 48))
	const n = 256
	a64 := spd(r, n, 100)
	a := toF32(a64)
	l := make([]float32, n*n)
	b.Run("blocked-f32", func(b *testing.B) {
		for b.Loop() {
			if err := CholeskyBlocked(n, a, l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lapack-f64", func(b *testing.B) {
		x, y := make([]float64, n*n), make([]float64, n*n)
		for b.Loop() {
			for i, v := range a {
				x[i] = float64(v)
			}
			if err := Cholesky(n, x, y); err != nil {
				b.Fatal(err)
			}
			for i, v := range y {
				l[i] = float32(v)
			}
		}
	})
}
