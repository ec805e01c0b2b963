package reduction_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/reduction"
)

// explicitCases are reductions by explicit maps, with points to check
// them at: affine, nonlinear and constant maps, and the identity.
func explicitCases(t *testing.T) []struct {
	name string
	r    *reduction.Reduction
	x1   [][]float64
} {
	rng := rand.New(rand.NewPCG(7, 0))
	k, _ := reduction.SpectralK(5, 0.5, 4, rng)
	g3 := newReduction(t, reduction.G3(k, 10, 2), reduction.Tanh(k, 2))
	g2 := newReduction(t, reduction.G2(k, 10), reduction.Linear("lin", k))
	pts := func(n, count int) [][]float64 {
		xs := make([][]float64, count)
		for i := range xs {
			xs[i] = reduction.Normals(n, rng)
			floats.Scale(0.3, xs[i])
		}
		return xs
	}
	return []struct {
		name string
		r    *reduction.Reduction
		x1   [][]float64
	}{
		{"g3/tanh", g3, pts(5, 3)},
		{"g2/linear", g2, pts(5, 2)},
		{"a1/bad", newReduction(t, reduction.A1(10), reduction.A1Bad()), [][]float64{{0}, {0.3}, {-0.45}}},
		{"a1/zero", newReduction(t, reduction.A1(10), reduction.Zero(1)), [][]float64{{0.2}}},
		{"a2/sin", newReduction(t, reduction.A2(), reduction.SinMap()), [][]float64{{0.1}, {0.9}, {-1.3}}},
		{"a2/identity", newReduction(t, reduction.A2(), reduction.Identity()), [][]float64{{0.7}, {-1.1}}},
	}
}

// Oracle 1: ∇F by reverse mode through F, and the chain rule assembled
// from the kernels of f and Ψ, match central differences of F.
func TestGradientChainRule(t *testing.T) {
	for _, c := range explicitCases(t) {
		for _, x1 := range c.x1 {
			got := make([]float64, len(x1))
			must[float64](t)(c.r.Gradient(x1, got))
			chain := make([]float64, len(x1))
			must[float64](t)(c.r.ChainRuleGradient(x1, chain))
			want := fdGradient(func(x []float64) float64 { return must[float64](t)(c.r.Value(x)) }, x1, 1e-6)
			if e := relErr(got, want, 1); e > 1e-6 {
				t.Errorf("%s at %v: ∇F = %v, finite differences %v (relative error %.2g)", c.name, x1, got, want, e)
			}
			if e := relErr(chain, got, 1); e > 1e-12 {
				t.Errorf("%s at %v: chain rule %v, reverse mode %v", c.name, x1, chain, got)
			}
		}
	}
}

// Oracles 1 and 2 for an argmin map: the Jacobian from the argmin's
// implicit-function rule equals −H_uu⁻¹H_ux and the finite-difference
// Jacobian of an accurate (Newton, ‖∇_uG‖ < 1e-13) inner solver; the
// gradient of F through the argmin matches finite differences of F
// through that solver.
func TestArgminMapDerivatives(t *testing.T) {
	bl := newBilevel()
	r := newReduction(t, bl.problem(), bl.argminMap())
	o := bl.oracle(t)
	for _, x := range [][]float64{{0.2, -0.4, 0.6}, {-0.9, 0.3, 0.1}} {
		psi := must[[]float64](t)(r.Psi(x))
		exact, _ := o.solve(x)
		if e := relErr(psi, exact, 1); e > 1e-8 {
			t.Errorf("at %v: the runtime's argmin %v, Newton %v", x, psi, exact)
		}
		j := must[*mat.Dense](t)(r.Jacobian(x))
		if e := matRelErr(j, o.jacobian(x), 1); e > 1e-6 {
			t.Errorf("at %v: J = %v, −H_uu⁻¹H_ux = %v", x, mat.Formatted(j), mat.Formatted(o.jacobian(x)))
		}
		fdJ := fdJacobian(2, func(y, x []float64) { u, _ := o.solve(x); copy(y, u) }, x, 1e-6)
		if e := matRelErr(j, fdJ, 1); e > 1e-6 {
			t.Errorf("at %v: J = %v, finite differences of the solver %v", x, mat.Formatted(j), mat.Formatted(fdJ))
		}
		got := make([]float64, 3)
		must[float64](t)(r.Gradient(x, got))
		want := fdGradient(o.value, x, 1e-6)
		if e := relErr(got, want, 1); e > 1e-6 {
			t.Errorf("at %v: ∇F through the argmin %v, finite differences %v", x, got, want)
		}
		chain := make([]float64, 3)
		must[float64](t)(r.ChainRuleGradient(x, chain))
		if e := relErr(chain, got, 1); e > 1e-8 {
			t.Errorf("at %v: chain rule %v, reverse mode %v", x, chain, got)
		}
	}
}

// Oracle 3: for the exact inner argmin of f, ∇_{x₂}f vanishes on the graph
// to the inner tolerance, Danskin's gradient ∇_{x₁}f equals ∇F, and so a
// perturbed Jacobian changes ∇_{x₁}f + Jᵀ∇_{x₂}f only at that tolerance —
// unlike for a map that is not the inner argmin.
func TestDanskin(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	k, _ := reduction.SpectralK(4, 0.5, 3, rng)
	p := reduction.G3(k, 10, 1.5)
	const tol = 1e-10
	argmin := newReduction(t, p, reduction.InnerArgmin(p, tol))
	other := newReduction(t, p, reduction.Tanh(k, 1.5*10/11+0.2))
	x := []float64{0.3, -0.2, 0.5, 0.1}
	e := randomMatrix(4, 4, rng) // a perturbation of J
	for _, c := range []struct {
		name    string
		r       *reduction.Reduction
		isInner bool
	}{{"inner argmin", argmin, true}, {"other map", other, false}} {
		psi := must[[]float64](t)(c.r.Psi(x))
		g := make([]float64, 8)
		must[float64](t)(c.r.FullGradient(append(append([]float64{}, x...), psi...), g))
		g2 := g[4:]
		var dj mat.VecDense
		dj.MulVec(e.T(), mat.NewVecDense(4, g2))
		shift := floats.Norm(dj.RawVector().Data, 2)
		grad := make([]float64, 4)
		must[float64](t)(c.r.Gradient(x, grad))
		danskin := make([]float64, 4)
		must[float64](t)(c.r.PartialGradient(x, danskin))
		diff := relErr(danskin, grad, 1)
		t.Logf("%s: ‖∇_{x₂}f‖ = %.2g, gradient shift from perturbing J %.2g, Danskin vs ∇F %.2g", c.name, floats.Norm(g2, 2), shift, diff)
		if c.isInner {
			if n := floats.Norm(g2, math.Inf(1)); n > 10*tol {
				t.Errorf("%s: ‖∇_{x₂}f‖∞ = %g on the graph, want ≤ %g", c.name, n, 10*tol)
			}
			if shift > 1e-8 || diff > 1e-8 {
				t.Errorf("%s: perturbing J moves the gradient by %g, Danskin's gradient differs by %g", c.name, shift, diff)
			}
		} else if shift < 1e-2 || diff < 1e-2 {
			t.Errorf("%s: perturbing J moves the gradient by only %g and Danskin differs by %g: the oracle cannot tell the maps apart", c.name, shift, diff)
		}
	}
}

// Oracle 4: the Hessian of Lemma 3, [I Jᵀ]∇²f[I; J] + C, assembled from
// separate kernels, equals forward-over-reverse ∇²F and central
// differences of ∇F.
func TestLemma3Hessian(t *testing.T) {
	for _, c := range explicitCases(t) {
		for _, x1 := range c.x1 {
			h := must[*mat.SymDense](t)(c.r.Hessian(x1))
			l3 := must[*mat.SymDense](t)(c.r.Lemma3Hessian(x1))
			n := len(x1)
			fdH := fdJacobian(n, func(y, x []float64) { must[float64](t)(c.r.Gradient(x, y)) }, x1, 1e-5)
			if e := matRelErr(l3, fdH, 1); e > 1e-5 {
				t.Errorf("%s at %v: Lemma 3 %v, finite differences %v (%.2g)", c.name, x1, mat.Formatted(l3), mat.Formatted(fdH), e)
			}
			if e := matRelErr(h, l3, 1); e > 1e-12 {
				t.Errorf("%s at %v: ∇²F %v, Lemma 3 %v", c.name, x1, mat.Formatted(h), mat.Formatted(l3))
			}
			v := reduction.Normals(n, rand.New(rand.NewPCG(1, 1)))
			hv := make([]float64, n)
			if err := c.r.HessianVec(x1, v, hv); err != nil {
				t.Fatal(err)
			}
			var want mat.VecDense
			want.MulVec(h, mat.NewVecDense(n, v))
			if e := relErr(hv, want.RawVector().Data, 1); e > 1e-12 {
				t.Errorf("%s: ∇²F·v = %v, want %v", c.name, hv, want.RawVector().Data)
			}
		}
	}
}

// Oracle 4 through an argmin: the second derivative of Ψ that Lemma 3
// needs comes from differentiating the argmin's implicit rule again; the
// Hessian matches differences of the accurate chain-rule gradient.
func TestLemma3HessianArgmin(t *testing.T) {
	bl := newBilevel()
	r := newReduction(t, bl.problem(), bl.argminMap())
	o := bl.oracle(t)
	x := []float64{0.2, -0.4, 0.6}
	h := must[*mat.SymDense](t)(r.Hessian(x))
	l3 := must[*mat.SymDense](t)(r.Lemma3Hessian(x))
	fdH := fdJacobian(3, func(y, x []float64) { copy(y, o.gradient(x)) }, x, 1e-5)
	if e := matRelErr(l3, fdH, 1); e > 1e-5 {
		t.Errorf("Lemma 3 %v, finite differences %v (%.2g)", mat.Formatted(l3), mat.Formatted(fdH), e)
	}
	if e := matRelErr(h, l3, 1); e > 1e-8 {
		t.Errorf("∇²F %v, Lemma 3 %v", mat.Formatted(h), mat.Formatted(l3))
	}
	if c := must[*mat.SymDense](t)(r.Bending(x)); mat.Norm(c, math.Inf(1)) < 1e-3 {
		t.Errorf("the bending term of a nonlinear argmin map is %v, want it far from zero", mat.Formatted(c))
	}
}

// Oracle 4: C ≡ 0 for affine maps; and it is not for a curved one.
func TestBendingVanishesForAffineMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	k, _ := reduction.SpectralK(5, 1, 10, rng)
	cases := []struct {
		name   string
		r      *reduction.Reduction
		curved bool
	}{
		{"linear", newReduction(t, reduction.G2(k, 10), reduction.Linear("lin", k)), false},
		{"zero", newReduction(t, reduction.G2(k, 10), reduction.Zero(5)), false},
		{"tanh", newReduction(t, reduction.G3(k, 10, 1), reduction.Tanh(k, 0.5)), true},
	}
	for _, c := range cases {
		x := reduction.Normals(5, rng)
		norm := mat.Norm(must[*mat.SymDense](t)(c.r.Bending(x)), math.Inf(1))
		if c.curved != (norm > 1e-12) {
			t.Errorf("%s: ‖C‖∞ = %g at %v", c.name, norm, x)
		}
	}
}

// Oracle 5: on G.2 with the true inner argmin y* = λKx/(1 + λ), as a closed
// form and as an argmin op, F = ½‖x‖² + λ/(2(1+λ))‖Kx‖² and ∇²F equals
// the Schur complement H₁₁ − H₁₂H₂₂⁻¹H₂₁ and I + λ/(1+λ) KᵀK.
func TestSchurComplement(t *testing.T) {
	const n, lambda = 6, 10.0
	rng := rand.New(rand.NewPCG(5, 0))
	k, _ := reduction.SpectralK(n, 1, 50, rng)
	p := reduction.G2(k, lambda)
	var scaled mat.Dense
	scaled.Scale(lambda/(1+lambda), k)
	var want mat.SymDense
	want.SymOuterK(lambda/(1+lambda), k.T())
	for i := range n {
		want.SetSym(i, i, want.At(i, i)+1)
	}
	for _, c := range []struct {
		name string
		m    reduction.Map
		tol  float64
	}{
		{"closed form", reduction.Linear("ystar", &scaled), 1e-10},
		{"argmin", reduction.InnerArgmin(p, 1e-10), 1e-10},
	} {
		r := newReduction(t, p, c.m)
		x := reduction.Normals(n, rng)
		var kx mat.VecDense
		kx.MulVec(k, mat.NewVecDense(n, x))
		wantF := 0.5*floats.Dot(x, x) + lambda/(2*(1+lambda))*mat.Dot(&kx, &kx)
		if got := must[float64](t)(r.Value(x)); math.Abs(got-wantF) > 1e-9*wantF {
			t.Errorf("%s: F = %.15g, want %.15g", c.name, got, wantF)
		}
		h := must[*mat.SymDense](t)(r.Hessian(x))
		full := must[*mat.SymDense](t)(r.FullHessian(append(x, must[[]float64](t)(r.Psi(x))...)))
		fd := mat.DenseCopyOf(full)
		var h22inv mat.Dense
		if err := h22inv.Inverse(fd.Slice(n, 2*n, n, 2*n)); err != nil {
			t.Fatal(err)
		}
		var schur mat.Dense
		schur.Product(fd.Slice(0, n, n, 2*n), &h22inv, fd.Slice(n, 2*n, 0, n))
		schur.Sub(fd.Slice(0, n, 0, n), &schur)
		if e := matRelErr(h, &want, 1); e > c.tol {
			t.Errorf("%s: ∇²F differs from I + λ/(1+λ)KᵀK by %.2g", c.name, e)
		}
		if e := matRelErr(&schur, &want, 1); e > c.tol {
			t.Errorf("%s: the Schur complement differs from I + λ/(1+λ)KᵀK by %.2g", c.name, e)
		}
	}
}

// Oracle 7: the pullback metric.
func TestMetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 0))
	k, _ := reduction.SpectralK(5, 0.5, 20, rng)
	t.Run("R ⪰ I and R = I + JᵀJ", func(t *testing.T) {
		for _, c := range explicitCases(t) {
			for _, x1 := range c.x1 {
				r := must[*mat.SymDense](t)(c.r.Metric(x1))
				j := must[*mat.Dense](t)(c.r.Jacobian(x1))
				var want mat.SymDense
				want.SymOuterK(1, j.T())
				for i := range len(x1) {
					want.SetSym(i, i, want.At(i, i)+1)
				}
				if e := matRelErr(r, &want, 1); e > 1e-12 {
					t.Errorf("%s at %v: R = %v, I + JᵀJ = %v", c.name, x1, mat.Formatted(r), mat.Formatted(&want))
				}
				if ev := must[[]float64](t)(reduction.Eigenvalues(r)); ev[0] < 1-1e-12 {
					t.Errorf("%s at %v: λ_min(R) = %g < 1", c.name, x1, ev[0])
				}
				v := reduction.Normals(len(x1), rng)
				rv := make([]float64, len(x1))
				if err := c.r.MetricVec(x1, v, rv); err != nil {
					t.Fatal(err)
				}
				var wv mat.VecDense
				wv.MulVec(r, mat.NewVecDense(len(x1), v))
				if e := relErr(rv, wv.RawVector().Data, 1); e > 1e-12 {
					t.Errorf("%s: R·v = %v, want %v", c.name, rv, wv.RawVector().Data)
				}
			}
		}
	})
	t.Run("constant map", func(t *testing.T) {
		r := newReduction(t, reduction.G3(k, 10, 1), reduction.Zero(5))
		got := must[*mat.SymDense](t)(r.Metric(reduction.Normals(5, rng)))
		if !mat.Equal(got, eye(5)) {
			t.Errorf("R = %v for a constant map, want I", mat.Formatted(got))
		}
	})
	t.Run("projector", func(t *testing.T) {
		// Ψ(x) = Px with P the orthogonal projector onto a random plane:
		// JᵀJ = P, so R⁻¹ = I − ½P and λ_max(R) = 2.
		q := mat.NewDense(5, 2, nil)
		var qr mat.QR
		qr.Factorize(randomMatrix(5, 2, rng))
		var qf mat.Dense
		qr.QTo(&qf)
		q.Copy(qf.Slice(0, 5, 0, 2))
		var proj mat.Dense
		proj.Mul(q, q.T())
		r := newReduction(t, reduction.G2(k, 10), reduction.Linear("proj", &proj))
		x := reduction.Normals(5, rng)
		metric := must[*mat.SymDense](t)(r.Metric(x))
		var inv mat.Dense
		if err := inv.Inverse(metric); err != nil {
			t.Fatal(err)
		}
		var want mat.Dense
		want.Scale(-0.5, &proj)
		want.Add(&want, eye(5))
		if e := matRelErr(&inv, &want, 1); e > 1e-12 {
			t.Errorf("R⁻¹ = %v, want I − ½P = %v", mat.Formatted(&inv), mat.Formatted(&want))
		}
		ev := must[[]float64](t)(reduction.Eigenvalues(metric))
		if math.Abs(ev[4]-2) > 1e-12 || math.Abs(ev[0]-1) > 1e-12 {
			t.Errorf("eig(R) = %v, want 1 (×3) and 2 (×2)", ev)
		}
	})
}

func eye(n int) *mat.SymDense {
	e := mat.NewSymDense(n, nil)
	for i := range n {
		e.SetSym(i, i, 1)
	}
	return e
}

// Bad problems and maps are reported, naming what is wrong.
func TestErrors(t *testing.T) {
	good := reduction.A1(10)
	wrongShape := reduction.Explicit("wide", func(b *builder.Builder, x1 *ir.Value) *ir.Value {
		return b.Zeros(ir.TensorOf(ir.F64, 3))
	})
	vectorObjective := reduction.Problem{Name: "vec", N1: 1, N2: 1, Objective: func(b *builder.Builder, x1, x2 *ir.Value) *ir.Value {
		return b.Add(x1, x2)
	}}
	for _, c := range []struct {
		name string
		p    reduction.Problem
		m    reduction.Map
		want string
	}{
		{"dimensions", reduction.Problem{Name: "p", Objective: good.Objective}, reduction.Identity(), "dimensions"},
		{"no objective", reduction.Problem{Name: "p", N1: 1, N2: 1}, reduction.Identity(), "no objective"},
		{"bad name", reduction.Problem{Name: "a b", N1: 1, N2: 1, Objective: good.Objective}, reduction.Identity(), "not a valid IR name"},
		{"no map", good, reduction.Map{Name: "m"}, "exactly one"},
		{"wrong shape", good, wrongShape, `map "wide" returns f64[3], want f64[1]`},
		{"vector objective", vectorObjective, reduction.Identity(), `objective of "vec" returns f64[1], want an f64 scalar`},
	} {
		_, err := reduction.New(c.p, c.m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	r := newReduction(t, good, reduction.Identity())
	if _, err := r.Func("nonsense"); err == nil {
		t.Error("Func(nonsense): no error")
	}
	if _, err := r.FullValue([]float64{1}); err == nil || !strings.Contains(err.Error(), "2 coordinates, got 1") {
		t.Errorf("FullValue with a short point: %v", err)
	}
	if _, err := r.Value([]float64{1, 2}); err == nil || !strings.Contains(err.Error(), "x1") {
		t.Errorf("Value with a long point: %v", err)
	}
}

// Func returns the kernels as compiled: the metric's is the forward-mode
// derivative in a of the reverse-mode gradient of the squared distance.
func TestFunc(t *testing.T) {
	r := newReduction(t, reduction.A1(10), reduction.A1Bad())
	f := must[*ir.Func](t)(r.Func("R·v"))
	var params []string
	for _, p := range f.Params {
		params = append(params, p.Name)
	}
	if got := strings.Join(params, ","); got != "x1,a,a.tangent" || len(f.Results) != 4 {
		t.Errorf("R·v kernel takes %s and returns %d results:\n%s", got, len(f.Results), f)
	}
	if err := ir.Verify(f); err != nil {
		t.Error(err)
	}
}
