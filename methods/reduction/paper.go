package reduction

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// The paper's worked examples (App. A) and synthetic experiments (App. G)
// as Problems and Maps.

// A1 is the example of App. A.1, f(x₁, x₂) = x₁² + M(x₂ − x₁)² with
// n₁ = n₂ = 1. G.1 is A1(10) with the map Identity.
func A1(M float64) Problem {
	return Problem{Name: "a1", N1: 1, N2: 1, Objective: func(b *builder.Builder, x1, x2 *ir.Value) *ir.Value {
		d := b.Sub(x2, x1)
		return b.Sum(b.Add(b.Square(x1), b.Mul(b.Scalar(ir.F64, M), b.Square(d))))
	}}
}

// Zero is the constant map Ψ = 0 into ℝ^{n2}.
func Zero(n2 int) Map {
	return Explicit("zero", func(b *builder.Builder, x1 *ir.Value) *ir.Value {
		return b.Zeros(vec(n2))
	})
}

// Identity is the map Ψ(x₁) = x₁ (n₂ = n₁).
func Identity() Map {
	return Explicit("identity", func(b *builder.Builder, x1 *ir.Value) *ir.Value { return x1 })
}

// A1Bad is A.1's map Ψ(x₁) = x₁ − 2 sin x₁, which makes the reduced
// objective F = x₁² + 4M sin²x₁ worse conditioned than f.
func A1Bad() Map {
	return Explicit("bad", func(b *builder.Builder, x1 *ir.Value) *ir.Value {
		return b.Sub(x1, b.Mul(b.Scalar(ir.F64, 2), Sin(b, x1)))
	})
}

// A2Basin is [α, β] of App. A.2, where φ vanishes.
var A2Basin = [2]float64{-0.5, 0.5}

// A2 is the example of App. A.2, f(x₁, x₂) = φ(x₁) + (x₂ − sin x₁)² with
// φ = (x₁ − α)⁴ left of [α, β] = A2Basin, (x₁ − β)⁴ right of it, and 0 in
// it; its minimisers S = {(x₁, sin x₁) : x₁ ∈ [α, β]} are not isolated.
func A2() Problem {
	return Problem{Name: "a2", N1: 1, N2: 1, Objective: func(b *builder.Builder, x1, x2 *ir.Value) *ir.Value {
		left := b.Relu(b.Sub(b.Scalar(ir.F64, A2Basin[0]), x1))
		right := b.Relu(b.Sub(x1, b.Scalar(ir.F64, A2Basin[1])))
		phi := b.Add(b.Square(b.Square(left)), b.Square(b.Square(right)))
		return b.Sum(b.Add(phi, b.Square(b.Sub(x2, Sin(b, x1)))))
	}}
}

// SinMap is Ψ(x₁) = sin x₁, A.2's Ψ₁: the exact inner argmin of A2's f.
func SinMap() Map {
	return Explicit("sin", func(b *builder.Builder, x1 *ir.Value) *ir.Value { return Sin(b, x1) })
}

// sinTerms is the number of odd terms of Sin's Taylor polynomial (degree
// 2·sinTerms − 1 = 35): the first omitted term, x³⁷/37!, is below 1e-17
// relative to sin x for |x| ≤ π.
const sinTerms = 18

// Sin emits sin x elementwise for the f64 tensor x, as its Taylor
// polynomial of degree 35 in Horner form over x² (the IR has no sine). It
// agrees with math.Sin to a few ulps for |x| ≤ π and is differentiated by
// the passes like any polynomial; beyond |x| = π it loses accuracy fast.
func Sin(b *builder.Builder, x *ir.Value) *ir.Value {
	builder.Helper()
	x2 := b.Square(x)
	// sin x = x Σ_k (−1)^k x^{2k}/(2k+1)!, summed from the highest term.
	coef := func(k int) float64 {
		c := 1.0
		for i := 2; i <= 2*k+1; i++ {
			c /= float64(i)
		}
		if k%2 == 1 {
			c = -c
		}
		return c
	}
	acc := b.Scalar(ir.F64, coef(sinTerms-1))
	for k := sinTerms - 2; k >= 0; k-- {
		acc = b.Add(b.Mul(acc, x2), b.Scalar(ir.F64, coef(k)))
	}
	return b.Mul(acc, x)
}

// halfSquaredNorm emits ½‖v‖².
func halfSquaredNorm(b *builder.Builder, v *ir.Value) *ir.Value {
	builder.Helper()
	return b.Mul(b.Scalar(ir.F64, 0.5), b.Sum(b.Square(v)))
}

// MatVec emits the product of the constant matrix k and the vector x.
func MatVec(b *builder.Builder, k mat.Matrix, x *ir.Value) *ir.Value {
	builder.Helper()
	r, c := k.Dims()
	kc := b.Constant(ir.TensorOf(ir.F64, r, c), mat.DenseCopyOf(k).RawMatrix().Data...)
	return b.Reshape(b.Matmul(kc, b.Reshape(x, c, 1)), r)
}

// G2 is experiment G.2: G(x, y) = ½‖x‖² + ½‖y‖² + (λ/2)‖y − Kx‖² with x, y
// of K's order. Its minimiser is (0, 0); Linear(K) is the structure there.
func G2(k mat.Matrix, lambda float64) Problem {
	n, _ := k.Dims()
	return Problem{Name: "g2", N1: n, N2: n, Objective: func(b *builder.Builder, x, y *ir.Value) *ir.Value {
		c := b.Sub(y, MatVec(b, k, x))
		return b.Add(b.Add(halfSquaredNorm(b, x), halfSquaredNorm(b, y)), b.Mul(b.Scalar(ir.F64, lambda), halfSquaredNorm(b, c)))
	}}
}

// Linear is the map Ψ(x) = Kx named name.
func Linear(name string, k mat.Matrix) Map {
	return Explicit(name, func(b *builder.Builder, x *ir.Value) *ir.Value { return MatVec(b, k, x) })
}

// G3 is experiment G.3: G(x, y) = ½‖x‖² + ½‖y‖² + (λ/2)‖y − α tanh(Kx)‖²,
// whose minimiser (0, 0) lies on the graph of Tanh(K, α).
func G3(k mat.Matrix, lambda, alpha float64) Problem {
	n, _ := k.Dims()
	psi := Tanh(k, alpha)
	return Problem{Name: "g3", N1: n, N2: n, Objective: func(b *builder.Builder, x, y *ir.Value) *ir.Value {
		c := b.Sub(y, psi.Emit(b, x))
		return b.Add(b.Add(halfSquaredNorm(b, x), halfSquaredNorm(b, y)), b.Mul(b.Scalar(ir.F64, lambda), halfSquaredNorm(b, c)))
	}}
}

// Tanh is the map Ψ(x) = α tanh(Kx) of G.3.
func Tanh(k mat.Matrix, alpha float64) Map {
	return Explicit("tanh", func(b *builder.Builder, x *ir.Value) *ir.Value {
		return b.Mul(b.Scalar(ir.F64, alpha), b.Tanh(MatVec(b, k, x)))
	})
}

// SpectralK returns the coupling matrix of G.2 and G.3: K = U diag(s) Vᵀ,
// n×n, with U and V the Q factors of Gaussian matrices drawn from rng and
// s_i² spaced geometrically from s2min to s2max (both included), so that
// the eigenvalues of I + KᵀK run geometrically from 1 + s2min to
// 1 + s2max. It returns K and s, ascending.
func SpectralK(n int, s2min, s2max float64, rng *rand.Rand) (*mat.Dense, []float64) {
	s := make([]float64, n)
	for i := range s {
		t := 0.0
		if n > 1 {
			t = float64(i) / float64(n-1)
		}
		s[i] = math.Sqrt(s2min * math.Pow(s2max/s2min, t))
	}
	u, v := gaussianQ(n, rng), gaussianQ(n, rng)
	var us mat.Dense
	us.Scale(1, u)
	for j := range n {
		col := us.ColView(j).(*mat.VecDense)
		col.ScaleVec(s[j], col)
	}
	var k mat.Dense
	k.Mul(&us, v.T())
	return &k, s
}

// gaussianQ returns the Q factor of an n×n standard Gaussian matrix.
func gaussianQ(n int, rng *rand.Rand) *mat.Dense {
	g := mat.NewDense(n, n, Normals(n*n, rng))
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// Normals returns n standard normal numbers from rng.
func Normals(n int, rng *rand.Rand) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}
