package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/testblas"
)

// gonum's own Dgemm tests (every transpose of its reference cases, with
// alpha and beta) pass against BLAS.
func TestGonumDgemmSuite(t *testing.T) {
	for _, threads := range []int{1, 2} {
		testblas.TestDgemm(t, BLAS{Threads: threads})
	}
}

// sgemmAsDgemm runs Sgemm on float64 arguments rounded to float32, so that
// gonum's Dgemm suite, whose cases are small integers and halves (exact in
// float32), checks Sgemm too: testblas has no Sgemm suite.
type sgemmAsDgemm struct{ BLAS }

func (s sgemmAsDgemm) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	c32 := toF32(c)
	s.BLAS.Sgemm(tA, tB, m, n, k, float32(alpha), toF32(a), lda, toF32(b), ldb, float32(beta), c32, ldc)
	for i, v := range c32 {
		c[i] = float64(v)
	}
}

func TestGonumDgemmSuiteOnSgemm(t *testing.T) {
	testblas.TestDgemm(t, sgemmAsDgemm{})
}

// The BLAS adapter panics on bad arguments with gonum's messages.
func TestBLASPanicsLikeGonum(t *testing.T) {
	a := make([]float64, 6)
	cases := []struct {
		name string
		call func()
		want string
	}{
		{"transpose", func() { BLAS{}.Dgemm('x', blas.NoTrans, 2, 3, 1, 1, a, 1, a, 3, 0, a, 3) }, errBadTranspose},
		{"m", func() { BLAS{}.Dgemm(blas.NoTrans, blas.NoTrans, -1, 3, 1, 1, a, 1, a, 3, 0, a, 3) }, errMLT0},
		{"lda", func() { BLAS{}.Dgemm(blas.NoTrans, blas.NoTrans, 2, 3, 2, 1, a, 1, a, 3, 0, a, 3) }, errBadLdA},
		{"ldc", func() { BLAS{}.Dgemm(blas.NoTrans, blas.NoTrans, 2, 3, 1, 1, a, 1, a, 3, 0, a, 2) }, errBadLdC},
		{"short c", func() { BLAS{}.Dgemm(blas.NoTrans, blas.NoTrans, 3, 3, 1, 1, a, 1, a, 3, 0, a, 3) }, errShortC},
		{"short a", func() {
			BLAS{}.Sgemm(blas.Trans, blas.NoTrans, 2, 3, 4, 1, make([]float32, 7), 2, make([]float32, 12), 3, 0, make([]float32, 6), 3)
		}, errShortA},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("%s: panic %v, want %q", tc.name, r, tc.want)
				}
			}()
			tc.call()
		}()
	}
}

// blas32.Use and blas64.Use route gonum's generic wrappers to the kernel.
func TestBLASUse(t *testing.T) {
	defer blas32.Use(blas32.Implementation())
	defer blas64.Use(blas64.Implementation())
	blas32.Use(BLAS{})
	blas64.Use(BLAS{})
	a64 := blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: []float64{1, 2, 3, 4, 5, 6}}
	b64 := blas64.General{Rows: 3, Cols: 1, Stride: 1, Data: []float64{1, 1, 1}}
	c64 := blas64.General{Rows: 2, Cols: 1, Stride: 1, Data: make([]float64, 2)}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a64, b64, 0, c64)
	if c64.Data[0] != 6 || c64.Data[1] != 15 {
		t.Errorf("blas64.Gemm = %v, want [6 15]", c64.Data)
	}
	a32 := blas32.General{Rows: 2, Cols: 3, Stride: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	b32 := blas32.General{Rows: 3, Cols: 1, Stride: 1, Data: []float32{1, 1, 1}}
	c32 := blas32.General{Rows: 2, Cols: 1, Stride: 1, Data: make([]float32, 2)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a32, b32, 0, c32)
	if c32.Data[0] != 6 || c32.Data[1] != 15 {
		t.Errorf("blas32.Gemm = %v, want [6 15]", c32.Data)
	}
}

// A batch gives, bit for bit, what one call per product gives, with
// broadcast operands (offsets repeating) and on any number of threads.
func TestBatchMatchesSingleProducts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, d := range [][4]int{{128, 15, 15, 64}, {7, 20, 9, 33}, {3, 200, 190, 210}, {1, 6, 16, 8}} {
		count, m, n, k := d[0], d[1], d[2], d[3]
		a := randomSlice(r, count*m*k)
		b := randomSlice(r, k*n) // shared by every product
		aOff, bOff, cOff := make([]int, count), make([]int, count), make([]int, count)
		for i := range count {
			aOff[i], cOff[i] = i*m*k, i*m*n
		}
		want := make([]float64, count*m*n)
		want32 := make([]float32, count*m*n)
		a32, b32 := toF32(a), toF32(b)
		for i := range count {
			Packed{Threads: 1}.Dgemm(false, false, m, n, k, 1, a[aOff[i]:], k, b, n, 0, want[cOff[i]:], n)
			Packed{Threads: 1}.Sgemm(false, false, m, n, k, 1, a32[aOff[i]:], k, b32, n, 0, want32[cOff[i]:], n)
		}
		for _, threads := range []int{1, 2, 3} {
			got := make([]float64, count*m*n)
			for i := range got {
				got[i] = math.NaN() // beta = 0 overwrites
			}
			got32 := toF32(got)
			Packed{Threads: threads}.DgemmBatch(false, false, m, n, k, 1, a, k, aOff, b, n, bOff, 0, got, n, cOff)
			Packed{Threads: threads}.SgemmBatch(false, false, m, n, k, 1, a32, k, aOff, b32, n, bOff, 0, got32, n, cOff)
			if i := bitsEqual(got, want); i >= 0 {
				t.Errorf("%v threads=%d: DgemmBatch differs at %d", d, threads, i)
			}
			if i := bitsEqual(got32, want32); i >= 0 {
				t.Errorf("%v threads=%d: SgemmBatch differs at %d", d, threads, i)
			}
		}
	}
}

// Concurrent products from many goroutines (sharing the helpers) are each
// right: no part is lost or run twice.
func TestPackedConcurrentCalls(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const m, n, k = 70, 90, 300
	a, b := randomSlice(r, m*k), randomSlice(r, k*n)
	want := make([]float64, m*n)
	Packed{Threads: 1}.Dgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	errs := make(chan int, 16)
	for g := range 16 {
		go func() {
			c := make([]float64, m*n)
			for range 20 {
				Packed{Threads: 1 + g%4}.Dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				if i := bitsEqual(c, want); i >= 0 {
					errs <- i
					return
				}
			}
			errs <- -1
		}()
	}
	for range 16 {
		if i := <-errs; i >= 0 {
			t.Errorf("a concurrent product differs at %d", i)
		}
	}
}
