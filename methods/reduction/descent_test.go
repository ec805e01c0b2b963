package reduction_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/methods/reduction"
)

// quadratic is (β/2)‖x‖² in Go, counting its evaluations and recording
// the points its value is asked at.
type quadratic struct {
	beta   float64
	n      int
	trials [][]float64
}

func (q *quadratic) Dim() int { return q.n }
func (q *quadratic) Value(x []float64) (float64, error) {
	q.trials = append(q.trials, append([]float64(nil), x...))
	return q.beta / 2 * floats.Dot(x, x), nil
}
func (q *quadratic) Gradient(x, g []float64) (float64, error) {
	floats.ScaleTo(g, q.beta, x)
	return q.beta / 2 * floats.Dot(x, x), nil
}

// Armijo on (β/2)x² accepts η = 2⁻ᵏ with the least k such that
// η ≤ 2(1−c)/β; for β = 10 that is k = 3 at every iteration, because the
// search restarts from η₀ = 1: x ← x(1 − 10/8) = −x/4. From x = 1 the
// gradient 10|x| drops below 1e-8 after 15 steps, with 3 halvings and 4
// trial values each.
func TestArmijoSemantics(t *testing.T) {
	q := &quadratic{beta: 10, n: 1}
	ls := reduction.DefaultArmijo()
	res, err := reduction.Minimize(context.Background(), q, []float64{1}, reduction.Options{LineSearch: &ls, MaxIter: 100, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged() || res.Iterations != 15 || res.Shrinks != 45 || res.Values != 60 || res.Gradients != 16 {
		t.Errorf("got %d iterations (%s), %d halvings, %d values, %d gradients; want 15, 45, 60, 16",
			res.Iterations, res.Stop, res.Shrinks, res.Values, res.Gradients)
	}
	if want := math.Pow(-0.25, 15); math.Abs(res.X[0]-want) > 1e-15*math.Abs(want) {
		t.Errorf("x = %g, want (−1/4)^15 = %g", res.X[0], want)
	}
	// Every iteration's trials start from the full step η₀ = 1.
	for it := range 15 {
		x := math.Pow(-0.25, float64(it))
		for k, tr := range q.trials[4*it : 4*it+4] {
			if want := x * (1 - 10*math.Pow(0.5, float64(k))); math.Abs(tr[0]-want) > 1e-15 {
				t.Errorf("iteration %d trial %d at %g, want %g", it, k, tr[0], want)
			}
		}
	}
	if len(res.Trace) != 16 || res.Trace[15].GNorm >= 1e-8 || res.Trace[14].GNorm < 1e-8 {
		t.Errorf("trace of %d points ending %v", len(res.Trace), res.Trace[len(res.Trace)-1])
	}
}

func TestMinimizeStops(t *testing.T) {
	q := &quadratic{beta: 10, n: 2}
	ctx := context.Background()
	res, err := reduction.Minimize(ctx, q, []float64{1, 1}, reduction.Options{Step: 0.01, MaxIter: 5})
	if err != nil || res.Stop != reduction.IterationLimit || res.Iterations != 5 {
		t.Errorf("fixed step with a cap: %v, %+v", err, res)
	}
	ls := reduction.DefaultArmijo()
	ascent := preconditioner(func(x, g, d []float64) error { floats.ScaleTo(d, -1, g); return nil })
	res, err = reduction.Minimize(ctx, q, []float64{1, 1}, reduction.Options{LineSearch: &ls, MaxIter: 5, Precondition: ascent})
	if err != nil || res.Stop != reduction.LineSearchFailed || res.Iterations != 0 {
		t.Errorf("ascent direction: %v, %+v", err, res)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	res, err = reduction.Minimize(cancelled, q, []float64{1, 1}, reduction.Options{Step: 0.01, MaxIter: 5})
	if !errors.Is(err, context.Canceled) || res == nil {
		t.Errorf("cancelled: %v, %+v", err, res)
	}
	failing := preconditioner(func(x, g, d []float64) error { return errors.New("no metric") })
	if _, err := reduction.Minimize(ctx, q, []float64{1, 1}, reduction.Options{Step: 1, MaxIter: 5, Precondition: failing}); err == nil || !strings.Contains(err.Error(), "iteration 0: no metric") {
		t.Errorf("failing preconditioner: %v", err)
	}
	for _, c := range []struct {
		opts reduction.Options
		x0   []float64
		want string
	}{
		{reduction.Options{MaxIter: 5}, []float64{1, 1}, "positive Step"},
		{reduction.Options{Step: 1, MaxIter: -1}, []float64{1, 1}, "negative"},
		{reduction.Options{LineSearch: &reduction.Armijo{Init: 1, Shrink: 2, C: 1e-4, MaxShrinks: 5}, MaxIter: 5}, []float64{1, 1}, "Shrink"},
		{reduction.Options{Step: 1, MaxIter: 5}, []float64{1}, "1 coordinates"},
	} {
		if _, err := reduction.Minimize(ctx, q, c.x0, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.opts, err, c.want)
		}
	}
}

type preconditioner func(x, g, d []float64) error

func (p preconditioner) Solve(x, g, d []float64) error { return p(x, g, d) }

// Oracle 11 (G.1): G = x² + 10(y − x)² from (−1.2, 4.5): gradient descent
// with η = 1/λ_max(∇²G) takes 802 steps to ‖∇G‖ < 1e-8; on F = x², GD with
// η = ½ and GeoPrecGD with η = 1 (R = 2 = F″: Newton) take one.
func TestG1(t *testing.T) {
	r := newReduction(t, reduction.A1(10), reduction.Identity())
	ev := must[[]float64](t)(reduction.Eigenvalues(must[*mat.SymDense](t)(r.FullHessian([]float64{0, 0}))))
	full := must[reduction.Objective](t)(r.Full())
	red := must[reduction.Objective](t)(r.Reduced(reduction.ChainRule))
	pc := must[*reduction.MetricCG](t)(r.MetricPreconditioner(0))
	ctx := context.Background()
	for _, c := range []struct {
		name string
		obj  reduction.Objective
		x0   []float64
		opts reduction.Options
		want int
	}{
		{"full GD", full, []float64{-1.2, 4.5}, reduction.Options{Step: 1 / ev[1], MaxIter: 2000}, 802},
		{"reduced GD", red, []float64{-1.2}, reduction.Options{Step: 0.5, MaxIter: 10}, 1},
		{"GeoPrecGD", red, []float64{-1.2}, reduction.Options{Step: 1, MaxIter: 10, Precondition: pc}, 1},
	} {
		res, err := reduction.Minimize(ctx, c.obj, c.x0, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Converged() || res.Iterations != c.want {
			t.Errorf("%s: %d iterations (%s), want %d", c.name, res.Iterations, res.Stop, c.want)
		}
	}
}

// Oracle 8: GeoPrecGD with η = 1 is Newton's method on G.2's quadratic
// F (R = ∇²F = I + KᵀK): one step to the minimiser.
func TestGeoPrecGDNewtonOnG2(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 0))
	k, _ := reduction.SpectralK(10, 1, 1999, rng)
	r := newReduction(t, reduction.G2(k, 10), reduction.Linear("lin", k))
	red := must[reduction.Objective](t)(r.Reduced(reduction.ChainRule))
	pc := must[*reduction.MetricCG](t)(r.MetricPreconditioner(0))
	res, err := reduction.Minimize(context.Background(), red, reduction.Normals(10, rng), reduction.Options{Step: 1, MaxIter: 10, Precondition: pc, Tol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations != 1 || res.GNorm >= 1e-10 {
		t.Errorf("GeoPrecGD took %d steps to ‖∇F‖ = %g, want one to below 1e-10", res.Iterations, res.GNorm)
	}
}

// Oracle 8: on G.3, F = ½‖Φ(x)‖² with Φ = (x, α tanh Kx), and R⁻¹∇F is the
// Gauss–Newton step (I + JᵀJ)⁻¹(x + JᵀΨ), J = α diag(1 − tanh²(Kx)) K,
// computed here in closed form.
func TestGeoPrecGDIsGaussNewton(t *testing.T) {
	const n, alpha = 6, 3.0
	rng := rand.New(rand.NewPCG(19, 0))
	k, _ := reduction.SpectralK(n, 0.5, 40, rng)
	r := newReduction(t, reduction.G3(k, 10, alpha), reduction.Tanh(k, alpha))
	pc := must[*reduction.MetricCG](t)(r.MetricPreconditioner(0))
	for range 3 {
		x := reduction.Normals(n, rng)
		var kx mat.VecDense
		kx.MulVec(k, mat.NewVecDense(n, x))
		j := mat.DenseCopyOf(k)
		psi := make([]float64, n)
		for i := range n {
			th := math.Tanh(kx.AtVec(i))
			psi[i] = alpha * th
			row := j.RowView(i).(*mat.VecDense)
			row.ScaleVec(alpha*(1-th*th), row)
		}
		var grad mat.VecDense
		grad.MulVec(j.T(), mat.NewVecDense(n, psi))
		grad.AddVec(&grad, mat.NewVecDense(n, x))
		var gn mat.SymDense
		gn.SymOuterK(1, j.T())
		for i := range n {
			gn.SetSym(i, i, gn.At(i, i)+1)
		}
		var ch mat.Cholesky
		ch.Factorize(&gn)
		var want mat.VecDense
		if err := ch.SolveVecTo(&want, &grad); err != nil {
			t.Fatal(err)
		}

		g := make([]float64, n)
		f := must[float64](t)(r.Gradient(x, g))
		if wantF := 0.5 * (floats.Dot(x, x) + floats.Dot(psi, psi)); math.Abs(f-wantF) > 1e-12*wantF {
			t.Errorf("F = %g, ½‖Φ‖² = %g", f, wantF)
		}
		d := make([]float64, n)
		if err := pc.Solve(x, g, d); err != nil {
			t.Fatal(err)
		}
		if e := relErr(d, want.RawVector().Data, 1e-300); e > 1e-10 {
			t.Errorf("R⁻¹∇F = %v, Gauss–Newton step %v (relative %.2g)", d, want.RawVector().Data, e)
		}
	}
	if pc.Iterations == 0 {
		t.Error("the metric preconditioner ran no CG iterations")
	}
}

func TestCG(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 0))
	a := randomMatrix(8, 8, rng)
	var spd mat.SymDense
	spd.SymOuterK(1, a)
	for i := range 8 {
		spd.SetSym(i, i, spd.At(i, i)+0.1)
	}
	apply := func(v, out []float64) error {
		var y mat.VecDense
		y.MulVec(&spd, mat.NewVecDense(8, v))
		copy(out, y.RawVector().Data)
		return nil
	}
	b := reduction.Normals(8, rng)
	d := make([]float64, 8)
	cg := reduction.NewCG(8)
	if _, err := cg.Solve(apply, b, d, 1e-12, 100); err != nil {
		t.Fatal(err)
	}
	var ch mat.Cholesky
	ch.Factorize(&spd)
	var want mat.VecDense
	if err := ch.SolveVecTo(&want, mat.NewVecDense(8, b)); err != nil {
		t.Fatal(err)
	}
	if e := relErr(d, want.RawVector().Data, 1); e > 1e-8 {
		t.Errorf("CG %v, Cholesky %v", d, want.RawVector().Data)
	}
	if _, err := cg.Solve(apply, b, d, 1e-12, 2); err == nil || !strings.Contains(err.Error(), "after 2 iterations") {
		t.Errorf("capped CG: %v", err)
	}
	negative := func(v, out []float64) error { floats.ScaleTo(out, -1, v); return nil }
	if _, err := cg.Solve(negative, b, d, 1e-12, 10); err == nil || !strings.Contains(err.Error(), "not positive definite") {
		t.Errorf("negative definite operator: %v", err)
	}
}
