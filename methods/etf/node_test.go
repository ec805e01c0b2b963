package etf_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// A nodeCase is a nearest-ETF problem: H̄ [d,K], U_prox [d,r], the first
// flag and δ.
type nodeCase struct {
	d, k  int
	first float64
	delta float64
	hbar  []float64
	prox  []float64
	init  []float64 // the generic solver's start on square problems (withStart)
}

func (c nodeCase) r() int {
	if c.d == c.k-1 {
		return c.k - 1
	}
	return c.k
}

func (c nodeCase) String() string {
	return fmt.Sprintf("d=%d,K=%d,first=%g,δ=%g", c.d, c.k, c.first, c.delta)
}

// newCase draws H̄ from normal class means centred and normalised as the
// head does, and U_prox a random point of the Stiefel manifold.
func newCase(seed uint64, d, k int, first, delta float64) nodeCase {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := nodeCase{d: d, k: k, first: first, delta: delta}
	f := mat.NewDense(d, k, normals(rng, d*k))
	var fm mat.Dense
	fm.Mul(f, mat.NewDense(k, k, nn.CentringMatrix(k)))
	fm.Scale(1/mat.Norm(&fm, 2), &fm)
	c.hbar = fm.RawMatrix().Data
	c.prox = etf.RandomStiefel(rng, d, c.r()).RawMatrix().Data
	return c
}

func normals(rng *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	return xs
}

// nodeFunc builds U* = NearestETF(hbar, prox) as a function of both, in
// f64, with the given argmin options.
func nodeFunc(t testing.TB, c nodeCase, opts ...builder.ArgminOption) *ir.Func {
	t.Helper()
	return nodeFuncWith(t, c, func(*ir.Value) []builder.ArgminOption { return opts })
}

// nodeFuncWith is nodeFunc with options that may name the data
// parameter init [d,r], the generic solver's start.
func nodeFuncWith(t testing.TB, c nodeCase, opts func(init *ir.Value) []builder.ArgminOption) *ir.Func {
	t.Helper()
	b := builder.New("node")
	hbar := b.Data("hbar", ir.F64, c.d, c.k)
	prox := b.Data("prox", ir.F64, c.d, c.r())
	init := b.Data("init", ir.F64, c.d, c.r())
	u := nn.NearestETF(b, "etf", hbar, prox, b.Scalar(ir.F64, c.first), c.delta, opts(init)...)
	b.Return(b.Named("u", u))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// generic is the generic path: trust regions on the Stiefel manifold
// warm-started at init, checked, differentiated by the given rule.
func generic(rule string) func(init *ir.Value) []builder.ArgminOption {
	return func(init *ir.Value) []builder.ArgminOption {
		return []builder.ArgminOption{builder.Solver("riemannian"), builder.WarmStart(init), builder.Check(true),
			builder.Tol(1e-13), builder.ImplicitRule(rule)}
	}
}

// inputs returns the function's inputs. The generic solver starts at
// U_prox, except on square problems (d = r), whose manifold O(d) has two
// components: there it starts at the closed form's solution turned by a
// random rotation of angle about 0.3, within the solution's component.
func (c nodeCase) inputs() map[string]*runtime.Tensor {
	init := c.prox
	if c.d == c.r() && c.init != nil {
		init = c.init
	}
	return map[string]*runtime.Tensor{
		"hbar": runtime.FromF64([]int{c.d, c.k}, c.hbar),
		"prox": runtime.FromF64([]int{c.d, c.r()}, c.prox),
		"init": runtime.FromF64([]int{c.d, c.r()}, init),
	}
}

// withStart sets the generic solver's start for square problems (see
// inputs) from the closed form's solution.
func (c nodeCase) withStart(t testing.TB) nodeCase {
	if c.d != c.r() {
		return c
	}
	u := solve(t, c)
	rng := rand.New(rand.NewPCG(11, 11))
	var rot mat.Dense
	rot.Exp(etf.RandomSkew(rng, c.r(), 0.3))
	var start mat.Dense
	start.Mul(u, &rot)
	c.init = start.RawMatrix().Data
	return c
}

func run(t testing.TB, f *ir.Func, in map[string]*runtime.Tensor) []*runtime.Tensor {
	t.Helper()
	g, err := passes.Implicit(f.Clone())
	if err != nil {
		t.Fatal(err)
	}
	out, err := runtime.RunNamed(g, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// solve returns U* by the node's closed form.
func solve(t testing.TB, c nodeCase) *mat.Dense {
	out := run(t, nodeFunc(t, c), c.inputs())
	return mat.NewDense(c.d, c.r(), out[0].F64)
}

func relErr(got, want []float64) float64 {
	var num, den float64
	for i := range got {
		num += (got[i] - want[i]) * (got[i] - want[i])
		den += want[i] * want[i]
	}
	return math.Sqrt(num / max(den, 1e-300))
}

// rule returns the options of the closed form differentiated by rule.
func rule(name string) func(*ir.Value) []builder.ArgminOption {
	return func(*ir.Value) []builder.ArgminOption { return []builder.ArgminOption{builder.ImplicitRule(name)} }
}

// jvp returns the tangents of U* along the T tangents of H̄ (and of U_prox
// if tp is not nil) by the solver and rule opts picks (nil: the closed
// form and its polar rule).
func jvp(t testing.TB, c nodeCase, th, tp []float64, T int, opts func(*ir.Value) []builder.ArgminOption) []float64 {
	t.Helper()
	if opts == nil {
		opts = func(*ir.Value) []builder.ArgminOption { return nil }
	}
	f := nodeFuncWith(t, c, opts)
	wrt := []string{"hbar"}
	in := c.inputs()
	lead := []int{T}
	if T == 1 {
		lead = nil
	}
	in["hbar.tangent"] = runtime.FromF64(append(lead, c.d, c.k), th)
	if tp != nil {
		wrt = append(wrt, "prox")
		in["prox.tangent"] = runtime.FromF64(append(lead, c.d, c.r()), tp)
	}
	g, err := passes.JVP(f, wrt, T)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, g, in)[1].F64
}

var nodeCases = []nodeCase{
	newCase(1, 7, 4, 0, 1e-3),
	newCase(2, 12, 5, 0, 1e-3),
	newCase(3, 6, 6, 0, 0.05),
	newCase(4, 4, 5, 0, 0), // d = K − 1: the Helmert basis
}

// The closed form solves the problem: it beats random points of the
// manifold, satisfies the KKT conditions to rounding, and is what the
// generic Riemannian trust-region solver converges to.
func TestProcrustesIsTheMinimiser(t *testing.T) {
	for _, c := range nodeCases {
		t.Run(c.String(), func(t *testing.T) {
			u := solve(t, c)
			p := etf.Problem{HBar: mat.NewDense(c.d, c.k, c.hbar), Prox: mat.NewDense(c.d, c.r(), c.prox), First: c.first > 0, Delta: c.delta}
			best := p.Objective(u)
			rng := rand.New(rand.NewPCG(9, 9))
			for range 1000 {
				x := etf.RandomStiefel(rng, c.d, c.r())
				if f := p.Objective(x); f < best {
					t.Fatalf("a random Stiefel point has objective %.15g < %.15g at the closed form", f, best)
				}
			}
			kkt := p.KKT(u)
			t.Logf("KKT %+v", kkt)
			for name, v := range map[string]float64{"UᵀU − I": kkt.Feasibility, "skew(UᵀG)": kkt.Skew, "G − U·sym(UᵀG)": kkt.Stationarity, "B_K − S": kkt.HessianVsS} {
				if v > 1e-12 {
					t.Errorf("KKT: ‖%s‖ = %.3g > 1e-12", name, v)
				}
			}
			if kkt.MinEigB <= 0 {
				t.Errorf("B_K's smallest eigenvalue %.3g: not positive definite", kkt.MinEigB)
			}
			c = c.withStart(t)
			out := run(t, nodeFuncWith(t, c, generic(passes.RuleKrylov)), c.inputs())
			if e := relErr(out[0].F64, u.RawMatrix().Data); e > 1e-8 {
				t.Errorf("trust regions reach a point %.3g away (relative) from the closed form", e)
			}
		})
	}
}

// The four derivative paths agree: the polar factor's JVP, the generic
// implicit rule (Krylov on the KKT system), the dense KKT matrix and the
// reference's dense DDN, along tangents of H̄ and U_prox; and they match
// central differences of the closed form.
func TestNodeDerivativePaths(t *testing.T) {
	const T = 3
	for _, c := range nodeCases {
		t.Run(c.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 5))
			th := normals(rng, T*c.d*c.k)
			tp := normals(rng, T*c.d*c.r())
			c = c.withStart(t)
			polar := jvp(t, c, th, tp, T, nil)
			paths := map[string]func(*ir.Value) []builder.ArgminOption{
				"trust regions + krylov": generic(passes.RuleKrylov),
				"dense KKT":              rule(passes.RuleDense),
				"dense DDN":              rule(nn.ETFDDNRule),
			}
			for name, opts := range paths {
				got := jvp(t, c, th, tp, T, opts)
				rule := name
				e := relErr(got, polar)
				t.Logf("rule %s vs polar: %.2g", rule, e)
				if e > 1e-10 {
					t.Errorf("rule %s differs from the polar rule by %.3g (relative)", rule, e)
				}
			}
			fd := centralDifference(t, c, th[:c.d*c.k], tp[:c.d*c.r()], 1e-6)
			e := relErr(polar[:c.d*c.r()], fd)
			t.Logf("polar vs central differences: %.2g", e)
			if e > 1e-6 {
				t.Errorf("polar rule vs central differences: %.3g (relative)", e)
			}
		})
	}
}

// centralDifference returns (U*(H̄ + εḢ, P + εṖ) − U*(H̄ − εḢ, P − εṖ))/2ε
// by the closed form.
func centralDifference(t *testing.T, c nodeCase, th, tp []float64, eps float64) []float64 {
	shift := func(s float64) []float64 {
		d := c
		d.hbar, d.prox = axpy(c.hbar, s, th), axpy(c.prox, s, tp)
		return solve(t, d).RawMatrix().Data
	}
	plus, minus := shift(eps), shift(-eps)
	out := make([]float64, len(plus))
	for i := range out {
		out[i] = (plus[i] - minus[i]) / (2 * eps)
	}
	return out
}

func axpy(x []float64, a float64, y []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] + a*y[i]
	}
	return out
}

// vjp returns ∂L/∂H̄ and ∂L/∂U_prox of L = ⟨g, U*⟩ by reverse mode (the
// transpose of the rule opts picks).
func vjp(t testing.TB, c nodeCase, g []float64, opts func(*ir.Value) []builder.ArgminOption) (gh, gp []float64) {
	t.Helper()
	if opts == nil {
		opts = func(*ir.Value) []builder.ArgminOption { return nil }
	}
	b := builder.New("loss")
	hbar := b.Data("hbar", ir.F64, c.d, c.k)
	prox := b.Data("prox", ir.F64, c.d, c.r())
	init := b.Data("init", ir.F64, c.d, c.r())
	cot := b.Data("g", ir.F64, c.d, c.r())
	u := nn.NearestETF(b, "etf", hbar, prox, b.Scalar(ir.F64, c.first), c.delta, opts(init)...)
	b.Return(b.Named("loss", b.Sum(b.Mul(u, cot))))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	v, err := passes.VJP(f, []string{"hbar", "prox"})
	if err != nil {
		t.Fatal(err)
	}
	in := c.inputs()
	in["g"] = runtime.FromF64([]int{c.d, c.r()}, g)
	out := run(t, v, in)
	return out[1].F64, out[2].F64
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// Reverse mode is the transpose of the JVP rule: ⟨Ḡ, J·(Ḣ, Ṗ)⟩ =
// ⟨Jᵀ·Ḡ, (Ḣ, Ṗ)⟩ for the polar and the DDN rules, and the JVP's U̇ is
// tangent to the manifold at U*: sym(U*ᵀ·U̇) = 0.
func TestNodeReverseModeIsTheTranspose(t *testing.T) {
	for _, c := range nodeCases {
		t.Run(c.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(6, 6))
			th, tp, g := normals(rng, c.d*c.k), normals(rng, c.d*c.r()), normals(rng, c.d*c.r())
			u := solve(t, c)
			for _, name := range []string{nn.ETFPolarRule, nn.ETFDDNRule} {
				udot := jvp(t, c, th, tp, 1, rule(name))
				gh, gp := vjp(t, c, g, rule(name))
				lhs, rhs := dot(g, udot), dot(gh, th)+dot(gp, tp)
				// Relative to the scale of the terms summed, ‖Ḡ‖·‖U̇‖.
				if e := math.Abs(lhs-rhs) / math.Sqrt(dot(g, g)*dot(udot, udot)); e > 1e-13 {
					t.Errorf("rule %s: ⟨Ḡ, J·ẋ⟩ = %.15g, ⟨Jᵀ·Ḡ, ẋ⟩ = %.15g (relative %.2g)", name, lhs, rhs, e)
				}
				var ud, s mat.Dense
				ud.Mul(u.T(), mat.NewDense(c.d, c.r(), udot))
				s.Add(&ud, ud.T())
				if n := mat.Norm(&s, 2) / mat.Norm(&ud, 2); n > 1e-12 {
					t.Errorf("rule %s: ‖sym(UᵀU̇)‖/‖UᵀU̇‖ = %.2g: U̇ is not tangent", name, n)
				}
			}
		})
	}
}

// The detached rule gives the node no derivative.
func TestDetachedRule(t *testing.T) {
	c := nodeCases[0]
	rng := rand.New(rand.NewPCG(6, 6))
	udot := jvp(t, c, normals(rng, c.d*c.k), nil, 1, rule(nn.ETFDetachedRule))
	for _, v := range udot {
		if v != 0 {
			t.Fatalf("tangent %v, want zeros", udot)
		}
	}
}

// The node commutes with rotations of the feature space, (R·H̄, R·U_prox)
// ↦ R·U*, and with permutations of the classes, (H̄·Π, U_prox·Π) ↦ U*·Π
// (ΠᵀMΠ = M), and so does its derivative.
func TestNodeEquivariance(t *testing.T) {
	for _, c := range nodeCases[:3] { // M's problems; the Helmert basis is not permutation invariant
		t.Run(c.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(8, 8))
			u := solve(t, c)
			th := normals(rng, c.d*c.k)
			udot := mat.NewDense(c.d, c.r(), jvp(t, c, th, nil, 1, nil))
			rot := etf.RandomStiefel(rng, c.d, c.d)
			perm := mat.NewDense(c.k, c.k, nil)
			for i, j := range rng.Perm(c.k) {
				perm.Set(i, j, 1)
			}
			for name, tr := range map[string]func(x *mat.Dense) *mat.Dense{
				"rotation":    func(x *mat.Dense) *mat.Dense { var y mat.Dense; y.Mul(rot, x); return &y },
				"permutation": func(x *mat.Dense) *mat.Dense { var y mat.Dense; y.Mul(x, perm); return &y },
			} {
				moved := c
				moved.hbar = tr(mat.NewDense(c.d, c.k, c.hbar)).RawMatrix().Data
				moved.prox = tr(mat.NewDense(c.d, c.r(), c.prox)).RawMatrix().Data
				if e := relErr(solve(t, moved).RawMatrix().Data, tr(u).RawMatrix().Data); e > 1e-10 {
					t.Errorf("%s: U* moves by %.2g (relative) from the transformed solution", name, e)
				}
				mth := tr(mat.NewDense(c.d, c.k, th)).RawMatrix().Data
				if e := relErr(jvp(t, moved, mth, nil, 1, nil), tr(udot).RawMatrix().Data); e > 1e-10 {
					t.Errorf("%s: U̇ differs by %.2g (relative) from the transformed tangent", name, e)
				}
			}
		})
	}
}

// An exact simplex ETF is its own nearest (the fixed point of §7.3): for
// H̄ = V·M/√(K−1) with V on the manifold and U_prox = V, U* = V; and for
// any U_prox, U*·M → V·M as δ → 0.
func TestNodeFixedPoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, dims := range [][2]int{{7, 4}, {12, 10}} {
		d, k := dims[0], dims[1]
		v := etf.RandomStiefel(rng, d, k)
		var h mat.Dense
		h.Mul(v, mat.NewDense(k, k, nn.CentringMatrix(k)))
		h.Scale(1/math.Sqrt(float64(k-1)), &h)
		c := nodeCase{d: d, k: k, delta: 1e-3, hbar: h.RawMatrix().Data, prox: v.RawMatrix().Data}
		if e := relErr(solve(t, c).RawMatrix().Data, v.RawMatrix().Data); e > 1e-12 {
			t.Errorf("d=%d K=%d: U* is %.2g (relative) from the ETF's own V", d, k, e)
		}
		c.prox = etf.RandomStiefel(rng, d, k).RawMatrix().Data
		var vm mat.Dense
		vm.Mul(v, mat.NewDense(k, k, nn.CentringMatrix(k)))
		prev := math.Inf(1)
		for _, delta := range []float64{1e-2, 1e-4, 1e-6} {
			c.delta = delta
			var um mat.Dense
			um.Mul(solve(t, c), mat.NewDense(k, k, nn.CentringMatrix(k)))
			um.Sub(&um, &vm)
			gap := mat.Norm(&um, 2)
			if !(gap < prev/50) {
				t.Errorf("d=%d K=%d δ=%g: ‖U*M − VM‖ = %.2g, not below a fiftieth of the %.2g at 100δ", d, k, delta, gap, prev)
			}
			prev = gap
		}
	}
}

// The first call solves the fit alone (δ = 0): A = c·H̄·M has σ_K = 0, so
// U* is not unique, but U*·M is, and the closed form's U* is a fixed point
// of the proximal problem with U_prox = U* (the reference's second solve
// stays there).
func TestNodeFirstCall(t *testing.T) {
	for _, c := range nodeCases[:3] {
		c.first = 1
		t.Run(c.String(), func(t *testing.T) {
			p := etf.Problem{HBar: mat.NewDense(c.d, c.k, c.hbar), First: true, Delta: c.delta}
			var svd mat.SVD
			svd.Factorize(p.A(), mat.SVDNone)
			if s := svd.Values(nil); s[c.k-1] > 1e-12*s[0] {
				t.Errorf("σ_K(A) = %.3g, want 0", s[c.k-1])
			}
			u := solve(t, c)
			kkt := p.KKT(u)
			if kkt.Feasibility > 1e-12 || kkt.Stationarity > 1e-12 {
				t.Errorf("KKT of the fit: %+v", kkt)
			}
			// U*·M against the limit of vanishing δ from another U_prox.
			q := etf.Problem{HBar: p.HBar, Prox: etf.RandomStiefel(rand.New(rand.NewPCG(3, 3)), c.d, c.k), Delta: 1e-9}
			m := mat.NewDense(c.k, c.k, nn.CentringMatrix(c.k))
			var um, vm mat.Dense
			um.Mul(u, m)
			vm.Mul(q.Solve(), m)
			if e := relErr(um.RawMatrix().Data, vm.RawMatrix().Data); e > 1e-7 {
				t.Errorf("U*·M differs by %.2g (relative) from the δ → 0 limit: not unique", e)
			}
			fix := etf.Problem{HBar: p.HBar, Prox: u, Delta: c.delta}
			if e := relErr(fix.Solve().RawMatrix().Data, u.RawMatrix().Data); e > 1e-12 {
				t.Errorf("the proximal problem at U_prox = U* moves it by %.2g (relative)", e)
			}
		})
	}
}

// The dense DDN rule refuses problems whose matrices it cannot hold.
func TestDDNRuleLimit(t *testing.T) {
	c := nodeCase{d: 2048, k: 100, delta: 1e-3}
	b := builder.New("big")
	hbar := b.Data("hbar", ir.F32, c.d, c.k)
	prox := b.Data("prox", ir.F32, c.d, c.k)
	u := nn.NearestETF(b, "etf", hbar, prox, b.Scalar(ir.F32, 0), c.delta, builder.ImplicitRule(nn.ETFDDNRule))
	b.Return(u)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	_, err = passes.JVP(f, []string{"hbar"}, 1)
	if err == nil || !strings.Contains(err.Error(), "dense DDN rule forms A_h and T of 5050×204800") {
		t.Fatalf("got %v, want the dense DDN rule's refusal", err)
	}
}
