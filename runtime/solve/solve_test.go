package solve

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// dense is an Operator of a dense matrix.
func dense(a *mat.Dense) Operator {
	return func(v, av []float64) error {
		av2 := mat.NewVecDense(len(av), av)
		av2.MulVec(a, mat.NewVecDense(len(v), v))
		return nil
	}
}

func randMatrix(r *rand.Rand, n, m int) *mat.Dense {
	a := mat.NewDense(n, m, nil)
	for i := range n {
		for j := range m {
			a.Set(i, j, r.NormFloat64())
		}
	}
	return a
}

// spd returns MᵀM + shift·I.
func spd(r *rand.Rand, n int, shift float64) *mat.Dense {
	m := randMatrix(r, n, n)
	var a mat.Dense
	a.Mul(m.T(), m)
	for i := range n {
		a.Set(i, i, a.At(i, i)+shift)
	}
	return &a
}

func randVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

func residual(a *mat.Dense, x, b []float64) float64 {
	ax := make([]float64, len(b))
	dense(a)(x, ax)
	for i := range ax {
		ax[i] -= b[i]
	}
	return norm2(ax) / norm2(b)
}

func TestLinearSolvers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 30
	spdA := spd(r, n, 1)
	symA := mat.DenseCopyOf(spdA)
	for i := range n / 2 { // an indefinite symmetric matrix
		symA.Set(i, i, symA.At(i, i)-40)
	}
	genA := randMatrix(r, n, n)
	for i := range n {
		genA.Set(i, i, genA.At(i, i)+8)
	}
	b := randVec(r, n)
	for _, tc := range []struct {
		name  string
		a     *mat.Dense
		solve func(Operator, []float64, []float64) (LinearStats, error)
	}{
		{"cg", spdA, func(a Operator, b, x []float64) (LinearStats, error) { return CG(a, b, x, 1e-12, 500) }},
		{"minres/spd", spdA, func(a Operator, b, x []float64) (LinearStats, error) { return MINRES(a, b, x, 1e-12, 500) }},
		{"minres/indefinite", symA, func(a Operator, b, x []float64) (LinearStats, error) { return MINRES(a, b, x, 1e-12, 500) }},
		{"gmres", genA, func(a Operator, b, x []float64) (LinearStats, error) { return GMRES(a, b, x, 1e-12, 10, 2000) }},
	} {
		x := make([]float64, n)
		st, err := tc.solve(dense(tc.a), b, x)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res := residual(tc.a, x, b); res > 1e-10 {
			t.Errorf("%s: residual %.3g after %d iterations", tc.name, res, st.Iterations)
		}
	}
}

func TestLinearSolverFailures(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 12
	indef := spd(r, n, 1)
	indef.Set(0, 0, -100)
	b := randVec(r, n)
	x := make([]float64, n)
	if _, err := CG(dense(indef), b, x, 1e-12, 100); !errors.Is(err, ErrIndefinite) {
		t.Errorf("cg on an indefinite matrix: %v", err)
	}
	// A singular symmetric matrix and a right-hand side outside its range.
	sing := spd(r, n, 0)
	u := randVec(r, n)
	scal(1/norm2(u), u)
	var p mat.Dense // (I − uuᵀ) A (I − uuᵀ): u spans the null space
	proj := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			proj.Set(i, j, b2f(i == j)-u[i]*u[j])
		}
	}
	p.Mul(proj, sing)
	p.Mul(&p, proj)
	if _, err := MINRES(dense(&p), u, x, 1e-12, 200); !errors.Is(err, ErrSingular) {
		t.Errorf("minres on a singular system: %v", err)
	}
	if _, err := CG(dense(spd(r, n, 1e-3)), b, x, 1e-14, 2); !errors.Is(err, ErrNotConverged) {
		t.Errorf("cg with 2 iterations: %v", err)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestExtremeEigs(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 40
	a := spd(r, n, 0.5)
	var es mat.EigenSym
	es.Factorize(mat.NewSymDense(n, a.RawMatrix().Data), false)
	w := es.Values(nil)
	lo, hi, err := ExtremeEigs(dense(a), n, n, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lo-w[0]) > 1e-8*w[n-1] || math.Abs(hi-w[n-1]) > 1e-8*w[n-1] {
		t.Errorf("Lanczos: [%g, %g], eigenvalues [%g, %g]", lo, hi, w[0], w[n-1])
	}
	lo, hi, _ = ExtremeEigs(dense(a), n, 8, 1, nil)
	if lo < w[0]-1e-9 || hi > w[n-1]+1e-9 {
		t.Errorf("Ritz values [%g, %g] outside the spectrum [%g, %g]", lo, hi, w[0], w[n-1])
	}
}

// rosenbrock is the n-dimensional Rosenbrock function with its exact
// gradient and Hessian-vector product.
func rosenbrock(n int) Problem {
	return Problem{
		N: n,
		Func: func(x []float64) (float64, error) {
			f := 0.0
			for i := range n - 1 {
				a, b := x[i+1]-x[i]*x[i], 1-x[i]
				f += 100*a*a + b*b
			}
			return f, nil
		},
		Grad: func(x, g []float64) error {
			clear(g)
			for i := range n - 1 {
				a := x[i+1] - x[i]*x[i]
				g[i] += -400*a*x[i] - 2*(1-x[i])
				g[i+1] += 200 * a
			}
			return nil
		},
		HessVec: func(x, v, hv []float64) error {
			clear(hv)
			for i := range n - 1 {
				hii := 1200*x[i]*x[i] - 400*x[i+1] + 2
				hij := -400 * x[i]
				hv[i] += hii*v[i] + hij*v[i+1]
				hv[i+1] += hij*v[i] + 200*v[i+1]
			}
			return nil
		},
	}
}

func TestNewtonCG(t *testing.T) {
	p := rosenbrock(10)
	x0 := make([]float64, 10)
	for i := range x0 {
		x0[i] = -1.2
	}
	res, err := NewtonCG(p, x0, Settings{Tol: 1e-10, MaxIter: 500})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range res.X {
		if math.Abs(x-1) > 1e-8 {
			t.Errorf("x[%d] = %g, want 1", i, x)
		}
	}
	if res.GradNorm > 1e-10 {
		t.Errorf("‖∇f‖∞ = %g", res.GradNorm)
	}
	for _, limited := range []bool{false, true} {
		res, err := QuasiNewton(p, x0, Settings{Tol: 1e-8, MaxIter: 2000}, limited)
		if err != nil {
			t.Fatalf("quasi-Newton (limited %t): %v", limited, err)
		}
		if math.Abs(res.X[0]-1) > 1e-6 {
			t.Errorf("quasi-Newton (limited %t): x[0] = %g", limited, res.X[0])
		}
	}
}

func TestNewtonCGUnbounded(t *testing.T) {
	p := Problem{N: 1,
		Func:    func(x []float64) (float64, error) { return -x[0] * x[0], nil },
		Grad:    func(x, g []float64) error { g[0] = -2 * x[0]; return nil },
		HessVec: func(x, v, hv []float64) error { hv[0] = -2 * v[0]; return nil },
	}
	_, err := NewtonCG(p, []float64{1}, Settings{Tol: 1e-10, MaxIter: 50})
	if !errors.Is(err, ErrNotConverged) && !errors.Is(err, ErrNonFinite) {
		t.Errorf("unbounded objective: %v", err)
	}
}

// TestSQP minimises ½‖x − a‖² subject to Σx² = 1 (the projection of a onto
// the sphere, a/‖a‖) and Σx = s.
func TestSQP(t *testing.T) {
	n := 6
	r := rand.New(rand.NewPCG(7, 8))
	a := randVec(r, n)
	p := Problem{N: n,
		Func: func(x []float64) (float64, error) {
			f := 0.0
			for i := range x {
				f += (x[i] - a[i]) * (x[i] - a[i]) / 2
			}
			return f, nil
		},
		Grad: func(x, g []float64) error {
			for i := range x {
				g[i] = x[i] - a[i]
			}
			return nil
		},
		HessVec: func(x, v, hv []float64) error { copy(hv, v); return nil },
	}
	c := Constraints{M: 1,
		Func:    func(x, c []float64) error { c[0] = dot(x, x) - 1; return nil },
		JacVec:  func(x, v, av []float64) error { av[0] = 2 * dot(x, v); return nil },
		JacTVec: func(x, w, g []float64) error { copy(g, x); scal(2*w[0], g); return nil },
		HessVec: func(x, w, v, hv []float64) error { copy(hv, v); scal(2*w[0], hv); return nil },
	}
	x0 := make([]float64, n)
	x0[0] = 1
	res, err := SQP(p, c, x0, Settings{Tol: 1e-12, MaxIter: 100})
	if err != nil {
		t.Fatal(err)
	}
	na := norm2(a)
	for i := range a {
		if math.Abs(res.X[i]-a[i]/na) > 1e-10 {
			t.Errorf("x[%d] = %g, want %g", i, res.X[i], a[i]/na)
		}
	}
	// ∇f + 2νx = 0 with x = a/‖a‖: x − a + 2νx = 0, ν = (‖a‖ − 1)/2.
	if want := (na - 1) / 2; math.Abs(res.Multipliers[0]-want) > 1e-10 {
		t.Errorf("ν = %g, want %g", res.Multipliers[0], want)
	}
}

// TestRiemannianProcrustes maximises tr(XᵀA) over St(n,k), f = −tr(XᵀA):
// the minimiser is the polar factor of A.
func TestRiemannianProcrustes(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	n, k := 7, 3
	a := randMatrix(r, n, k)
	ad := a.RawMatrix().Data
	p := Problem{N: n * k,
		Func: func(x []float64) (float64, error) { return -dot(x, ad), nil },
		Grad: func(x, g []float64) error {
			for i := range g {
				g[i] = -ad[i]
			}
			return nil
		},
		HessVec: func(x, v, hv []float64) error { clear(hv); return nil },
	}
	m := Manifold{N: n * k, Stiefel: []Block{{0, n, k}}}
	res, err := RiemannianTR(p, m, make([]float64, n*k), Settings{Tol: 1e-12, MaxIter: 200})
	if err != nil {
		t.Fatal(err)
	}
	var svd mat.SVD
	svd.Factorize(a, mat.SVDThin)
	var u, v, polar mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	polar.Mul(&u, v.T())
	for i, want := range polar.RawMatrix().Data {
		if math.Abs(res.X[i]-want) > 1e-9 {
			t.Fatalf("X[%d] = %g, polar factor %g", i, res.X[i], want)
		}
	}
	g := gram(res.X, res.X, n, k)
	for i := range k {
		for j := range k {
			if math.Abs(g[i*k+j]-b2f(i == j)) > 1e-12 {
				t.Errorf("XᵀX[%d,%d] = %g", i, j, g[i*k+j])
			}
		}
	}
}

func TestRetractionPositiveDiagonal(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	n, k := 9, 4
	a := randMatrix(r, n, k)
	q := append([]float64(nil), a.RawMatrix().Data...)
	if err := orthonormalise(q, n, k); err != nil {
		t.Fatal(err)
	}
	// R = QᵀA must be upper triangular with a positive diagonal.
	rm := gram(q, a.RawMatrix().Data, n, k)
	for i := range k {
		if rm[i*k+i] <= 0 {
			t.Errorf("R[%d,%d] = %g", i, i, rm[i*k+i])
		}
		for j := range i {
			if math.Abs(rm[i*k+j]) > 1e-12 {
				t.Errorf("R[%d,%d] = %g below the diagonal", i, j, rm[i*k+j])
			}
		}
	}
}
