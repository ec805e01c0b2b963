package etf_test

import (
	"fmt"
	"math"
	"math/rand/v2"
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
	u := nn.NearestETF(b, hbar, prox, b.Scalar(ir.F64, c.first), c.delta, opts(init)...)
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
	in["hbar.tangent"] = runtime.FromF64([]int{T, c.d, c.k}, th)
	if tp != nil {
		wrt = append(wrt, "prox")
		in["prox.tangent"] = runtime.FromF64([]int{T, c.d, c.r()}, tp)
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
