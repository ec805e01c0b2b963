package reduction_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/reduction"
)

// newReduction is reduction.New that fails the test on an error.
func newReduction(t *testing.T, p reduction.Problem, m reduction.Map) *reduction.Reduction {
	t.Helper()
	r, err := reduction.New(p, m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// must returns v, failing the test on err.
func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// fdGradient is the central-difference gradient of f with step h.
func fdGradient(f func([]float64) float64, x []float64, h float64) []float64 {
	return fd.Gradient(nil, f, x, &fd.Settings{Formula: fd.Central, Step: h})
}

// fdJacobian is the central-difference Jacobian of f: ℝⁿ → ℝᵐ.
func fdJacobian(m int, f func(y, x []float64), x []float64, h float64) *mat.Dense {
	j := mat.NewDense(m, len(x), nil)
	fd.Jacobian(j, f, x, &fd.JacobianSettings{Formula: fd.Central, Step: h})
	return j
}

// relErr returns ‖got − want‖_max / max(‖want‖_max, floor).
func relErr(got, want []float64, floor float64) float64 {
	diff := 0.0
	for i := range got {
		diff = max(diff, math.Abs(got[i]-want[i]))
	}
	return diff / max(floats.Norm(want, math.Inf(1)), floor)
}

// matRelErr is relErr for matrices.
func matRelErr(got, want mat.Matrix, floor float64) float64 {
	return relErr(mat.DenseCopyOf(got).RawMatrix().Data, mat.DenseCopyOf(want).RawMatrix().Data, floor)
}

func randomMatrix(r, c int, rng *rand.Rand) *mat.Dense {
	return mat.NewDense(r, c, reduction.Normals(r*c, rng))
}

// bilevel is a problem whose map is the minimiser of a non-quadratic
// inner objective, with no closed form:
//
//	f(x, y) = ½‖x − c‖² + ½‖y − d‖² + 0.3 yᵀWx
//	G(u, x) = ½‖u‖² + ¼Σu⁴ − uᵀ tanh(Bx)
//
// for x ∈ ℝ³, y, u ∈ ℝ². G is strictly convex in u, so Ψ is smooth.
type bilevel struct {
	c, d []float64
	w, b *mat.Dense
}

func newBilevel() bilevel {
	return bilevel{
		c: []float64{0.3, -0.2, 0.5},
		d: []float64{-0.4, 0.6},
		w: mat.NewDense(2, 3, []float64{1, -0.5, 0.25, 0.75, 0.5, -1}),
		b: mat.NewDense(2, 3, []float64{0.8, -0.3, 1.2, -0.6, 1.1, 0.4}),
	}
}

func (bl bilevel) problem() reduction.Problem {
	return reduction.Problem{Name: "bilevel", N1: 3, N2: 2, Objective: func(b *builder.Builder, x, y *ir.Value) *ir.Value {
		c := b.Constant(ir.TensorOf(ir.F64, 3), bl.c...)
		d := b.Constant(ir.TensorOf(ir.F64, 2), bl.d...)
		half := b.Scalar(ir.F64, 0.5)
		sq := b.Add(b.Sum(b.Square(b.Sub(x, c))), b.Sum(b.Square(b.Sub(y, d))))
		couple := b.Sum(b.Mul(y, reduction.MatVec(b, bl.w, x)))
		return b.Add(b.Mul(half, sq), b.Mul(b.Scalar(ir.F64, 0.3), couple))
	}}
}

// inner emits G(u, x).
func (bl bilevel) inner(b *builder.Builder, u, x *ir.Value) *ir.Value {
	quad := b.Mul(b.Scalar(ir.F64, 0.5), b.Sum(b.Square(u)))
	quart := b.Mul(b.Scalar(ir.F64, 0.25), b.Sum(b.Square(b.Square(u))))
	lin := b.Sum(b.Mul(u, b.Tanh(reduction.MatVec(b, bl.b, x))))
	return b.Sub(b.Add(quad, quart), lin)
}

// argminMap is Ψ(x) = argmin_u G(u, x), solved by the runtime.
func (bl bilevel) argminMap() reduction.Map {
	return reduction.Argmin("psi", bl.inner, 1e-10)
}

// innerProblem is G as a problem of (x, u), whose gradient and Hessian
// kernels the Newton oracle uses.
func (bl bilevel) innerProblem() reduction.Problem {
	return reduction.Problem{Name: "inner", N1: 3, N2: 2, Objective: func(b *builder.Builder, x, u *ir.Value) *ir.Value {
		return bl.inner(b, u, x)
	}}
}

// oracle solves the inner problem by Newton's method on exact derivatives
// (kernels of the inner problem) to ‖∇_uG‖ < 1e-13: the accurate solver
// whose finite differences check the argmin's implicit derivatives.
type oracle struct {
	t     *testing.T
	inner *reduction.Reduction
	outer *reduction.Reduction
}

func (bl bilevel) oracle(t *testing.T) *oracle {
	return &oracle{t: t,
		inner: newReduction(t, bl.innerProblem(), reduction.Zero(2)),
		outer: newReduction(t, bl.problem(), reduction.Zero(2)),
	}
}

// solve returns Ψ(x) and ∇²G at (x, Ψ(x)).
func (o *oracle) solve(x []float64) ([]float64, *mat.SymDense) {
	o.t.Helper()
	u := make([]float64, 2)
	g := make([]float64, 5)
	for it := 0; ; it++ {
		z := append(append([]float64{}, x...), u...)
		must[float64](o.t)(o.inner.FullGradient(z, g))
		h := must[*mat.SymDense](o.t)(o.inner.FullHessian(z))
		if floats.Norm(g[3:], 2) < 1e-13 {
			return u, h
		}
		if it == 50 {
			o.t.Fatalf("Newton oracle: ‖∇_uG‖ = %g after 50 iterations", floats.Norm(g[3:], 2))
		}
		huu := mat.NewSymDense(2, []float64{h.At(3, 3), h.At(3, 4), h.At(4, 3), h.At(4, 4)})
		var step mat.VecDense
		var ch mat.Cholesky
		if !ch.Factorize(huu) {
			o.t.Fatal("Newton oracle: ∇²_uu G not positive definite")
		}
		if err := ch.SolveVecTo(&step, mat.NewVecDense(2, g[3:])); err != nil {
			o.t.Fatal(err)
		}
		floats.Sub(u, step.RawVector().Data)
	}
}

// jacobian returns J = −H_uu⁻¹ H_ux at the accurate solution.
func (o *oracle) jacobian(x []float64) *mat.Dense {
	_, h := o.solve(x)
	huu := mat.NewDense(2, 2, nil)
	hux := mat.NewDense(2, 3, nil)
	huu.Copy(h.SliceSym(3, 5))
	hux.Copy(mat.DenseCopyOf(h).Slice(3, 5, 0, 3))
	var j mat.Dense
	if err := j.Solve(huu, hux); err != nil {
		o.t.Fatal(err)
	}
	j.Scale(-1, &j)
	return &j
}

// value returns F(x) = f(x, Ψ(x)) with the accurate Ψ.
func (o *oracle) value(x []float64) float64 {
	u, _ := o.solve(x)
	return must[float64](o.t)(o.outer.FullValue(append(append([]float64{}, x...), u...)))
}

// gradient returns ∇_xf + Jᵀ∇_yf at (x, Ψ(x)) with the accurate Ψ and J.
func (o *oracle) gradient(x []float64) []float64 {
	u, _ := o.solve(x)
	g := make([]float64, 5)
	must[float64](o.t)(o.outer.FullGradient(append(append([]float64{}, x...), u...), g))
	var jt mat.VecDense
	jt.MulVec(o.jacobian(x).T(), mat.NewVecDense(2, g[3:]))
	floats.Add(g[:3], jt.RawVector().Data)
	return g[:3]
}
