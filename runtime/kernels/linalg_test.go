package kernels

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// The matrices here are small and well conditioned, so LAPACK's backward
// stable algorithms reproduce closed forms to a few ulps of the entries'
// size; 1e-12 leaves a wide margin.
const tol = 1e-12

func near(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			return false
		}
	}
	return true
}

// matmul returns the m×n product of the m×k matrix a and the k×n matrix b,
// transposing b first if tb is set (b is then n×k).
func matmul(m, k, n int, a, b []float64, tb bool) []float64 {
	ldb := n
	if tb {
		ldb = k
	}
	c := make([]float64, m*n)
	naiveGEMM(false, tb, m, n, k, 1, a, k, b, ldb, 0, c, n)
	return c
}

func scaleColumns(x []float64, rows, cols int, s []float64) []float64 {
	y := append([]float64(nil), x...)
	for i := range rows {
		for j := range cols {
			y[i*cols+j] *= s[j]
		}
	}
	return y
}

func isOrthonormalColumns(x []float64, rows, cols int) bool {
	for p := range cols {
		for q := range cols {
			var dot float64
			for i := range rows {
				dot += x[i*cols+p] * x[i*cols+q]
			}
			want := 0.0
			if p == q {
				want = 1
			}
			if math.Abs(dot-want) > tol {
				return false
			}
		}
	}
	return true
}

func TestQRClosedForm(t *testing.T) {
	tests := []struct {
		name string
		m, n int
		a    []float64
		q, r []float64
	}{
		{"square", 2, 2, []float64{3, 1, 4, 2}, []float64{0.6, -0.8, 0.8, 0.6}, []float64{5, 2.2, 0, 0.4}},
		// LAPACK gives r[0,0] = -5 here; the sign rule flips it.
		{"negative pivot", 2, 2, []float64{-3, 1, -4, 2}, []float64{-0.6, -0.8, -0.8, 0.6}, []float64{5, -2.2, 0, 0.4}},
		{"wide", 2, 3, []float64{3, 1, 0, 4, 2, 1}, []float64{0.6, -0.8, 0.8, 0.6}, []float64{5, 2.2, 0.8, 0, 0.4, 0.6}},
		{"tall", 3, 1, []float64{2, 0, 0}, []float64{1, 0, 0}, []float64{2}},
	}
	for _, tt := range tests {
		k := min(tt.m, tt.n)
		q, r := make([]float64, tt.m*k), make([]float64, k*tt.n)
		QR(tt.m, tt.n, tt.a, q, r)
		if !near(q, tt.q, tol) || !near(r, tt.r, tol) {
			t.Errorf("%s: QR = q %v r %v, want q %v r %v", tt.name, q, r, tt.q, tt.r)
		}
	}
}

func TestQRProperties(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, d := range [][2]int{{5, 3}, {3, 5}, {4, 4}, {1, 6}, {6, 1}} {
		m, n := d[0], d[1]
		k := min(m, n)
		a := randomSlice(rnd, m*n)
		keep := append([]float64(nil), a...)
		q, r := make([]float64, m*k), make([]float64, k*n)
		QR(m, n, a, q, r)
		if !near(a, keep, 0) {
			t.Errorf("%dx%d: QR modified its input", m, n)
		}
		if !near(matmul(m, k, n, q, r, false), a, tol) {
			t.Errorf("%dx%d: q·r != a", m, n)
		}
		if !isOrthonormalColumns(q, m, k) {
			t.Errorf("%dx%d: q has no orthonormal columns", m, n)
		}
		for i := range k {
			if r[i*n+i] < 0 {
				t.Errorf("%dx%d: r[%d,%d] = %v < 0", m, n, i, i, r[i*n+i])
			}
			for j := range i {
				if r[i*n+j] != 0 {
					t.Errorf("%dx%d: r[%d,%d] = %v below the diagonal", m, n, i, j, r[i*n+j])
				}
			}
		}
	}
}

func TestSVDClosedForm(t *testing.T) {
	s5, s10, s2 := math.Sqrt(5), math.Sqrt(10), math.Sqrt2
	tests := []struct {
		name    string
		m, n    int
		a       []float64
		u, s, v []float64
	}{
		// aᵀa = [[25,20],[20,25]]: eigenvalues 45 and 5, eigenvectors
		// (1,1)/√2 and (1,-1)/√2; u = a·v/s.
		{"2x2", 2, 2, []float64{3, 0, 4, 5},
			[]float64{1 / s10, 3 / s10, 3 / s10, -1 / s10}, []float64{3 * s5, s5}, []float64{1 / s2, 1 / s2, 1 / s2, -1 / s2}},
		// Sign rule: v's columns are ±e2 and ±e1 with a positive largest
		// entry, so v = [e2 e1] and u = [e1 -e2].
		{"wide", 2, 3, []float64{0, 2, 0, -1, 0, 0},
			[]float64{1, 0, 0, -1}, []float64{2, 1}, []float64{0, 1, 1, 0, 0, 0}},
		// v is 1×1, made positive by the sign rule, so u = a/5.
		{"tall", 3, 1, []float64{0, -3, 4},
			[]float64{0, -0.6, 0.8}, []float64{5}, []float64{1}},
	}
	for _, tt := range tests {
		k := min(tt.m, tt.n)
		u, s, v := make([]float64, tt.m*k), make([]float64, k), make([]float64, tt.n*k)
		if err := SVD(tt.m, tt.n, tt.a, u, s, v); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !near(u, tt.u, tol) || !near(s, tt.s, tol) || !near(v, tt.v, tol) {
			t.Errorf("%s: SVD = u %v s %v v %v,\nwant u %v s %v v %v", tt.name, u, s, v, tt.u, tt.s, tt.v)
		}
	}
}

func TestSVDProperties(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, d := range [][2]int{{5, 3}, {3, 5}, {4, 4}, {1, 3}} {
		m, n := d[0], d[1]
		k := min(m, n)
		a := randomSlice(rnd, m*n)
		u, s, v := make([]float64, m*k), make([]float64, k), make([]float64, n*k)
		if err := SVD(m, n, a, u, s, v); err != nil {
			t.Fatal(err)
		}
		if !near(matmul(m, k, n, scaleColumns(u, m, k, s), v, true), a, tol) {
			t.Errorf("%dx%d: u·diag(s)·vᵀ != a", m, n)
		}
		if !isOrthonormalColumns(u, m, k) || !isOrthonormalColumns(v, n, k) {
			t.Errorf("%dx%d: singular vectors not orthonormal", m, n)
		}
		for j := range k {
			if j > 0 && s[j] > s[j-1] {
				t.Errorf("%dx%d: s = %v not descending", m, n, s)
			}
			if largestIsNegative(v, n, k, j) {
				t.Errorf("%dx%d: column %d of v breaks the sign rule", m, n, j)
			}
		}
	}
}

func TestEighClosedForm(t *testing.T) {
	s2 := math.Sqrt2
	tests := []struct {
		name string
		n    int
		a    []float64
		w, v []float64
	}{
		{"2x2", 2, []float64{2, 1, 1, 2}, []float64{1, 3}, []float64{1 / s2, 1 / s2, -1 / s2, 1 / s2}},
		// The symmetric part of [[2,0],[2,2]] is [[2,1],[1,2]].
		{"unsymmetric input", 2, []float64{2, 0, 2, 2}, []float64{1, 3}, []float64{1 / s2, 1 / s2, -1 / s2, 1 / s2}},
		{"diagonal", 3, []float64{3, 0, 0, 0, 1, 0, 0, 0, 2}, []float64{1, 2, 3}, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}},
	}
	for _, tt := range tests {
		w, v := make([]float64, tt.n), make([]float64, tt.n*tt.n)
		if err := Eigh(tt.n, tt.a, w, v); err != nil {
			t.Fatal(err)
		}
		if !near(w, tt.w, tol) || !near(v, tt.v, tol) {
			t.Errorf("%s: Eigh = w %v v %v, want w %v v %v", tt.name, w, v, tt.w, tt.v)
		}
	}
}

func TestEighProperties(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	const n = 5
	a := randomSlice(rnd, n*n)
	sym := make([]float64, n*n)
	symmetricPart(n, a, sym)
	w, v := make([]float64, n), make([]float64, n*n)
	if err := Eigh(n, a, w, v); err != nil {
		t.Fatal(err)
	}
	if !near(matmul(n, n, n, scaleColumns(v, n, n, w), v, true), sym, tol) {
		t.Error("v·diag(w)·vᵀ != (a+aᵀ)/2")
	}
	if !isOrthonormalColumns(v, n, n) {
		t.Error("eigenvectors not orthonormal")
	}
	for j := range n {
		if j > 0 && w[j] < w[j-1] {
			t.Errorf("w = %v not ascending", w)
		}
		if largestIsNegative(v, n, n, j) {
			t.Errorf("column %d of v breaks the sign rule", j)
		}
	}
}

func TestCholesky(t *testing.T) {
	tests := []struct {
		n    int
		a, l []float64
	}{
		{2, []float64{4, 2, 2, 3}, []float64{2, 0, 1, math.Sqrt2}},
		{3, []float64{4, 12, -16, 12, 37, -43, -16, -43, 98}, []float64{2, 0, 0, 6, 1, 0, -8, 5, 3}},
		{1, []float64{9}, []float64{3}},
	}
	for _, tt := range tests {
		l := make([]float64, tt.n*tt.n)
		if err := Cholesky(tt.n, tt.a, l); err != nil {
			t.Fatal(err)
		}
		if !near(l, tt.l, tol) {
			t.Errorf("Cholesky(%v) = %v, want %v", tt.a, l, tt.l)
		}
	}
	for _, a := range [][]float64{{1, 2, 2, 1}, {0, 0, 0, 0}, {-1, 0, 0, 1}, {math.NaN(), 0, 0, 1}} {
		if err := Cholesky(2, a, make([]float64, 4)); !errors.Is(err, ErrNotPositiveDefinite) {
			t.Errorf("Cholesky(%v): err = %v, want ErrNotPositiveDefinite", a, err)
		}
	}
}

func TestTriangularSolveClosedForm(t *testing.T) {
	tests := []struct {
		name                string
		left, lower, transA bool
		rows, cols          int
		a, b, x             []float64
	}{
		{"left lower", true, true, false, 2, 1, []float64{2, 0, 1, 4}, []float64{2, 9}, []float64{1, 2}},
		// The lower triangle (99) is not read.
		{"left upper", true, false, false, 2, 1, []float64{2, 3, 99, 4}, []float64{8, 8}, []float64{1, 2}},
		{"left lower transposed", true, true, true, 2, 1, []float64{2, 0, 1, 4}, []float64{4, 8}, []float64{1, 2}},
		// [x1 x2]·[[2,0],[1,4]] = [2x1+x2, 4x2].
		{"right lower", false, true, false, 1, 2, []float64{2, 0, 1, 4}, []float64{4, 8}, []float64{1, 2}},
	}
	for _, tt := range tests {
		x := make([]float64, tt.rows*tt.cols)
		if err := TriangularSolve(tt.left, tt.lower, tt.transA, tt.rows, tt.cols, tt.a, tt.b, x); err != nil {
			t.Fatal(err)
		}
		if !near(x, tt.x, tol) {
			t.Errorf("%s: x = %v, want %v", tt.name, x, tt.x)
		}
	}
	err := TriangularSolve(true, true, false, 2, 1, []float64{1, 0, 1, 0}, []float64{1, 1}, make([]float64, 2))
	if !errors.Is(err, ErrSingular) {
		t.Errorf("zero on the diagonal: err = %v, want ErrSingular", err)
	}
}

// Every flag combination solves its equation on a random well-conditioned
// triangle (unit-ish diagonal keeps the condition number small).
func TestTriangularSolveAllFlags(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	const n, p = 4, 3
	for _, left := range []bool{true, false} {
		for _, lower := range []bool{true, false} {
			for _, transA := range []bool{true, false} {
				a := randomSlice(rnd, n*n)
				tri := make([]float64, n*n) // the triangle that is read
				for i := range n {
					a[i*n+i] = 3 + math.Abs(a[i*n+i])
					for j := range n {
						if (lower && j <= i) || (!lower && j >= i) {
							tri[i*n+j] = a[i*n+j]
						}
					}
				}
				opA := tri
				if transA {
					opA = make([]float64, n*n)
					for i := range n {
						for j := range n {
							opA[i*n+j] = tri[j*n+i]
						}
					}
				}
				rows, cols := n, p
				if !left {
					rows, cols = p, n
				}
				b := randomSlice(rnd, rows*cols)
				x := make([]float64, rows*cols)
				if err := TriangularSolve(left, lower, transA, rows, cols, a, b, x); err != nil {
					t.Fatal(err)
				}
				var back []float64
				if left {
					back = matmul(n, n, p, opA, x, false)
				} else {
					back = matmul(p, n, n, x, opA, false)
				}
				if !near(back, b, 1e-12) {
					t.Errorf("left=%t lower=%t transA=%t: residual too large", left, lower, transA)
				}
			}
		}
	}
}

func TestZeroSizedDecompositions(t *testing.T) {
	QR(0, 3, nil, nil, nil)
	QR(3, 0, nil, nil, nil)
	if err := SVD(0, 2, nil, nil, nil, nil); err != nil {
		t.Error(err)
	}
	if err := Eigh(0, nil, nil, nil); err != nil {
		t.Error(err)
	}
	if err := Cholesky(0, nil, nil); err != nil {
		t.Error(err)
	}
	if err := TriangularSolve(true, true, false, 2, 0, []float64{1, 0, 0, 1}, nil, nil); err != nil {
		t.Error(err)
	}
}
