package kernels

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pushforward/pushforward/runtime/kernels/isa"
)

// gramBatch returns count n×n f32 Gram matrices X·Xᵀ/k of random k-column
// X, as W̃⊥ decomposes (rank min(n, k): k < n gives zero eigenvalues),
// not exactly symmetric (the symmetric part is decomposed).
func gramBatch(r *rand.Rand, n, k, count int) []float32 {
	a := make([]float32, count*n*n)
	m := make([]float64, n*n)
	for i := range count {
		x := randomSlice(r, n*k)
		naiveGEMM(false, true, n, n, k, 1/float64(k), x, k, x, k, 0, m, n)
		for j, v := range m {
			a[i*n*n+j] = float32(v * (1 + 1e-7*r.NormFloat64()))
		}
	}
	return a
}

// EighBatch32 agrees with LAPACK (Eigh, in float64) to float32 rounding:
// the eigenvalues, and the eigenvectors of well-separated eigenvalues
// (signed by the same rule); and its eigenvectors are orthonormal and
// reconstruct the matrix.
func TestEighBatch32AgainstLAPACK(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for _, c := range []struct{ n, k, count int }{{1, 1, 3}, {2, 5, 17}, {5, 3, 16}, {30, 64, 40}, {30, 10, 20}, {12, 40, 33}} {
		n, count := c.n, c.count
		a := gramBatch(r, n, c.k, count)
		w, v := make([]float32, count*n), make([]float32, count*n*n)
		for _, l := range supportedLevels() {
			if i, err := eighBatch32(l, n, count, a, w, v, 2); err != nil {
				t.Fatalf("%v %+v: matrix %d: %v", l, c, i, err)
			}
		}
		for i := range count {
			name := fmt.Sprintf("%+v matrix %d", c, i)
			ai := toF64(a[i*n*n : (i+1)*n*n])
			wantW, wantV := make([]float64, n), make([]float64, n*n)
			if err := Eigh(n, ai, wantW, wantV); err != nil {
				t.Fatal(err)
			}
			scale := math.Max(math.Abs(wantW[0]), math.Abs(wantW[n-1]))
			for j := range n {
				if d := math.Abs(float64(w[i*n+j]) - wantW[j]); d > 2e-6*scale*float64(n) {
					t.Fatalf("%s: eigenvalue %d = %v, want %v", name, j, w[i*n+j], wantW[j])
				}
				gap := math.Inf(1)
				if j > 0 {
					gap = wantW[j] - wantW[j-1]
				}
				if j < n-1 {
					gap = math.Min(gap, wantW[j+1]-wantW[j])
				}
				if gap < 1e-2*scale {
					continue // the eigenvector is ill-determined
				}
				for r := range n {
					if d := math.Abs(float64(v[i*n*n+r*n+j]) - wantV[r*n+j]); d > 1e-4*scale/gap {
						t.Fatalf("%s: eigenvector %d entry %d = %v, want %v (gap %v)", name, j, r, v[i*n*n+r*n+j], wantV[r*n+j], gap)
					}
				}
			}
			checkEigenpairs(t, name, n, ai, toF64(w[i*n:(i+1)*n]), toF64(v[i*n*n:(i+1)*n*n]), scale)
		}
	}
}

// checkEigenpairs checks VᵀV = I and V·diag(w)·Vᵀ = (a + aᵀ)/2 to f32
// rounding.
func checkEigenpairs(t *testing.T, name string, n int, a, w, v []float64, scale float64) {
	t.Helper()
	for i := range n {
		for j := range n {
			var dot, rec float64
			for k := range n {
				dot += v[k*n+i] * v[k*n+j]
				rec += v[i*n+k] * w[k] * v[j*n+k]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(dot-want) > 1e-5*float64(n) {
				t.Fatalf("%s: (VᵀV)[%d][%d] = %v", name, i, j, dot)
			}
			if s := 0.5 * (a[i*n+j] + a[j*n+i]); math.Abs(rec-s) > 1e-5*scale*float64(n) {
				t.Fatalf("%s: (V diag(w) Vᵀ)[%d][%d] = %v, want %v", name, i, j, rec, s)
			}
		}
	}
}

// The assembly rotation and its Go twin give the same bits, and a
// matrix's result depends on it alone: not on the goroutines, nor on the
// other matrices of its group or batch.
func TestEighBatch32Deterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	const n, count = 30, 50
	a := gramBatch(r, n, 40, count)
	want := func(l isa.Level, threads int, a []float32, count int) ([]float32, []float32) {
		w, v := make([]float32, count*n), make([]float32, count*n*n)
		if i, err := eighBatch32(l, n, count, a, w, v, threads); err != nil {
			t.Fatalf("matrix %d: %v", i, err)
		}
		return w, v
	}
	refW, refV := want(isa.Generic, 1, a, count)
	for _, l := range supportedLevels() {
		for _, threads := range []int{1, 3} {
			w, v := want(l, threads, a, count)
			if i := bitsEqual(w, refW); i >= 0 {
				t.Errorf("%v on %d threads: eigenvalue %d differs from the Go twin's", l, threads, i)
			}
			if i := bitsEqual(v, refV); i >= 0 {
				t.Errorf("%v on %d threads: eigenvector entry %d differs from the Go twin's", l, threads, i)
			}
		}
		// Matrix 20 alone, and in a batch starting at 7 (other lanes,
		// other partners).
		for _, first := range []int{20, 7} {
			cnt := count - first
			if first == 20 {
				cnt = 1
			}
			w, v := want(l, 2, a[first*n*n:], cnt)
			k := 20 - first
			if i := bitsEqual(w[k*n:(k+1)*n], refW[20*n:21*n]); i >= 0 {
				t.Errorf("%v: matrix 20 batched from %d: eigenvalue %d differs", l, first, i)
			}
			if i := bitsEqual(v[k*n*n:(k+1)*n*n], refV[20*n*n:21*n*n]); i >= 0 {
				t.Errorf("%v: matrix 20 batched from %d: eigenvector entry %d differs", l, first, i)
			}
		}
	}
}

// A matrix with an infinity or NaN gives ErrNoConvergence with its index;
// the others of its group are still decomposed.
func TestEighBatch32NonFinite(t *testing.T) {
	r := rand.New(rand.NewPCG(55, 56))
	const n, count = 4, 20
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		a := gramBatch(r, n, 6, count)
		good := slices.Clone(a[3*n*n : 4*n*n])
		a[18*n*n+5] = bad
		a[17*n*n+2] = bad
		w, v := make([]float32, count*n), make([]float32, count*n*n)
		i, err := EighBatch32(n, count, a, w, v, 2)
		if !errors.Is(err, ErrNoConvergence) || i != 17 {
			t.Errorf("%v at matrices 17 and 18: (%d, %v), want (17, ErrNoConvergence)", bad, i, err)
		}
		w1, v1 := make([]float32, n), make([]float32, n*n)
		if _, err := EighBatch32(n, 1, good, w1, v1, 1); err != nil {
			t.Fatal(err)
		}
		if bitsEqual(w[3*n:4*n], w1) >= 0 || bitsEqual(v[3*n*n:4*n*n], v1) >= 0 {
			t.Errorf("matrix 3 differs beside non-finite matrices")
		}
	}
}

// A batch in steady state allocates nothing.
func TestEighBatch32DoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(59, 60))
	const n, count = 30, 40
	a := gramBatch(r, n, 40, count)
	w, v := make([]float32, count*n), make([]float32, count*n*n)
	EighBatch32(n, count, a, w, v, 2)
	if allocs := testing.AllocsPerRun(5, func() { EighBatch32(n, count, a, w, v, 2) }); allocs != 0 {
		t.Errorf("%v allocations per batch, want 0", allocs)
	}
}

// BenchmarkEighBatch30 decomposes 512 Gram matrices of 30×30 (W̃⊥'s
// Rayleigh–Ritz step at batch 512): EighBatch32 at each level, and Eigh per matrix in
// float64 with the conversions, as the interpreter does, both on all the
// processors.
func BenchmarkEighBatch30(b *testing.B) {
	r := rand.New(rand.NewPCG(57, 58))
	const n, count = 30, 512
	a := gramBatch(r, n, 60, count)
	w, v := make([]float32, count*n), make([]float32, count*n*n)
	for _, l := range supportedLevels() {
		b.Run("jacobi-f32-"+l.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := eighBatch32(l, n, count, a, w, v, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("lapack-f64", func(b *testing.B) {
		t := &lapackEighTask{n: n, a: a, w: w, v: v}
		for b.Loop() {
			Parallel(count, t)
		}
	})
}

type lapackEighTask struct {
	n       int
	a, w, v []float32
}

func (t *lapackEighTask) RunPart(i int) {
	n := t.n
	a := toF64(t.a[i*n*n : (i+1)*n*n])
	w, v := make([]float64, n), make([]float64, n*n)
	if err := Eigh(n, a, w, v); err != nil {
		panic(err)
	}
	for j := range w {
		t.w[i*n+j] = float32(w[j])
	}
	for j := range v {
		t.v[i*n*n+j] = float32(v[j])
	}
}
