package reduction_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/reduction"
	"github.com/pushforward/pushforward/runtime"
)

// Oracle 11 (A.1, M = 10): λ(∇²f) = (42 ± √1604)/2 = {41.025, 0.975}, and
// the largest curvature on [−0.5, 0.5] of F is 22 for Ψ = 0, 2 for the
// inner argmin Ψ = x₁ (an argmin op) and 82 for Ψ = x₁ − 2 sin x₁, all at 0.
func TestA1(t *testing.T) {
	p := reduction.A1(10)
	r := newReduction(t, p, reduction.Zero(1))
	ev := must[[]float64](t)(reduction.Eigenvalues(must[*mat.SymDense](t)(r.FullHessian([]float64{0.1, -0.3}))))
	want := []float64{(42 - math.Sqrt(1604)) / 2, (42 + math.Sqrt(1604)) / 2}
	if math.Abs(ev[0]-want[0]) > 1e-12 || math.Abs(ev[1]-want[1]) > 1e-12 {
		t.Errorf("λ(∇²f) = %v, want %v", ev, want)
	}
	if got := math.Round(ev[1]*100) / 100; got != 41.02 {
		t.Errorf("λ_max = %.2f, want 41.02", got)
	}
	for _, c := range []struct {
		m    reduction.Map
		want float64
	}{
		{reduction.Zero(1), 22},
		{reduction.InnerArgmin(p, 1e-10), 2},
		{reduction.A1Bad(), 82},
	} {
		r := newReduction(t, p, c.m)
		best := reduction.MaxCurvature(must[[]reduction.CurvaturePoint](t)(r.CurvatureProfile(-0.5, 0.5, 41)))
		if math.Abs(best.Curvature-c.want) > 1e-9 || best.X != 0 {
			t.Errorf("%s: largest curvature %.12g at %g, want %g at 0", c.m.Name, best.Curvature, best.X, c.want)
		}
	}
}

// Oracle 11 (A.2) and oracle 10: on S, λ_max(∇²f(0, 0)) = 4; Ψ₁ = sin x₁,
// given explicitly or as the argmin of f, is the inner argmin, and
// F₁ = φ vanishes on the basin [−0.5, 0.5]: every point there is a
// minimiser with Φ(x₁) ∈ S, and ker ∇²F has dimension 1 = dim(S ∩ M_F).
// With Ψ₂ = 0, S ∩ M_F = {(0, 0)}: F₂″(0) = 2, no kernel. The largest
// curvatures on [−1.5, 1.5] are 2.15 for Ψ₁ (outside the basin), 2 for
// Ψ₂ and 2.22 for Ψ₃ = x₁.
func TestA2(t *testing.T) {
	p := reduction.A2()
	for _, c := range []struct {
		name      string
		m         reduction.Map
		f2, kappa float64 // F″(0), largest curvature
		kernel    int     // dim ker ∇²F(0)
	}{
		{"sin", reduction.SinMap(), 0, 2.1514, 1},
		{"argmin", reduction.InnerArgmin(p, 1e-10), 0, 2.1514, 1},
		{"zero", reduction.Zero(1), 2, 2, 0},
		{"identity", reduction.Identity(), 0, 2.2224, 1},
	} {
		r := newReduction(t, p, c.m)
		h := must[*mat.SymDense](t)(r.Hessian([]float64{0})).At(0, 0)
		if math.Abs(h-c.f2) > 1e-9 {
			t.Errorf("%s: F″(0) = %g, want %g", c.name, h, c.f2)
		}
		if kernel := map[bool]int{true: 1, false: 0}[math.Abs(h) < 1e-9]; kernel != c.kernel {
			t.Errorf("%s: dim ker ∇²F(0) = %d, want %d", c.name, kernel, c.kernel)
		}
		best := reduction.MaxCurvature(must[[]reduction.CurvaturePoint](t)(r.CurvatureProfile(-1.5, 1.5, 301)))
		if math.Abs(best.Curvature-c.kappa) > 1e-3 {
			t.Errorf("%s: largest curvature %.6g at %g, want %g", c.name, best.Curvature, best.X, c.kappa)
		}
	}
	r := newReduction(t, p, reduction.SinMap())
	if ev := must[[]float64](t)(reduction.Eigenvalues(must[*mat.SymDense](t)(r.FullHessian([]float64{0, 0})))); math.Abs(ev[1]-4) > 1e-12 || math.Abs(ev[0]) > 1e-12 {
		t.Errorf("eig ∇²f(0, 0) = %v, want 0 and 4", ev)
	}
	for _, x1 := range []float64{-0.5, -0.2, 0.3, 0.5} {
		x := []float64{x1, math.Sin(x1)}
		g := make([]float64, 2)
		f := must[float64](t)(r.FullGradient(x, g))
		F := must[float64](t)(r.Value([]float64{x1}))
		if F != 0 || math.Abs(f) > 1e-30 || math.Abs(g[0]) > 1e-15 || math.Abs(g[1]) > 1e-15 {
			t.Errorf("x₁ = %g: F = %g, f(Φ) = %g, ∇f(Φ) = %v; want a minimiser on S", x1, F, f, g)
		}
	}
}

// Sin agrees with math.Sin, and its derivative with math.Cos, on [−π, π].
func TestSin(t *testing.T) {
	b := builder.New("sin")
	x := b.Param("x", ir.F64, 201)
	b.Return(reduction.Sin(b, x))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	xs := make([]float64, 201)
	for i := range xs {
		xs[i] = math.Pi * float64(i-100) / 100
	}
	out, err := runtime.Run(f, []*runtime.Tensor{runtime.FromF64([]int{201}, xs)})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out[0].F64 {
		if math.Abs(v-math.Sin(xs[i])) > 1e-15 {
			t.Errorf("Sin(%g) = %.17g, math.Sin %.17g", xs[i], v, math.Sin(xs[i]))
		}
	}
	r := newReduction(t, reduction.A1(1), reduction.SinMap())
	for _, x := range []float64{-3, -1, 0.4, 2.5} {
		j := must[*mat.Dense](t)(r.Jacobian([]float64{x})).At(0, 0)
		if math.Abs(j-math.Cos(x)) > 1e-14 {
			t.Errorf("Sin′(%g) = %.17g, cos %.17g", x, j, math.Cos(x))
		}
	}
}

// SpectralK has the singular values it was asked for, and I + KᵀK the
// spectrum 1 + s_i².
func TestSpectralK(t *testing.T) {
	k, s := reduction.SpectralK(40, 1, 1999, rand.New(rand.NewPCG(1, 0)))
	if math.Abs(s[0]-1) > 1e-15 || math.Abs(s[39]*s[39]-1999) > 1e-9 {
		t.Errorf("s from %g to %g, want 1 to √1999", s[0], s[39])
	}
	var svd mat.SVD
	if !svd.Factorize(k, mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	sv := svd.Values(nil) // descending
	for i := range sv {
		if want := s[39-i]; math.Abs(sv[i]-want) > 1e-10*want {
			t.Errorf("singular value %d is %g, want %g", i, sv[i], want)
		}
	}
	for i := 1; i < 40; i++ {
		if ratio := s[i] * s[i] / (s[i-1] * s[i-1]); math.Abs(ratio-math.Pow(1999, 1.0/39)) > 1e-12 {
			t.Errorf("s²[%d]/s²[%d] = %g, want geometric spacing", i, i-1, ratio)
			break
		}
	}
	k2, _ := reduction.SpectralK(40, 1, 1999, rand.New(rand.NewPCG(1, 0)))
	if !mat.Equal(k, k2) {
		t.Error("the same seed gave another K")
	}
}
