package passes_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// run runs f on float64 inputs (one slice per parameter, converted to its
// type) and returns its results as float64 slices.
func run(t *testing.T, f *ir.Func, inputs ...[]float64) [][]float64 {
	t.Helper()
	ts := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		ts[i] = runtime.FromFloat64s(p.Type, inputs[i])
	}
	out, err := runtime.Run(f, ts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	res := make([][]float64, len(out))
	for i, o := range out {
		res[i] = o.Float64s()
	}
	return res
}

func concat(xs ...[]float64) []float64 {
	var out []float64
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

func dotf(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func relErr(got, want []float64) float64 {
	num, den := 0.0, 0.0
	for i := range got {
		num += (got[i] - want[i]) * (got[i] - want[i])
		den += want[i] * want[i]
	}
	return math.Sqrt(num / max(den, 1e-300))
}

func prepared(t *testing.T, src string) *ir.Func {
	t.Helper()
	f := parseVerified(t, src)
	if _, err := passes.Implicit(f); err != nil {
		t.Fatal(err)
	}
	if err := ir.Verify(f); err != nil {
		t.Fatalf("after implicit: %v\n%s", err, f)
	}
	return f
}

// A problem with two variables, an operand and a nonlinear equality
// constraint: min Σ exp(x) + ½‖x − θ‖² + ½(y − ⟨w, x⟩)² subject to
// ‖x‖² + y² = 2.
const constrainedSrc = `
func @c(%t: f64[3] param, %w: f64[3] param) -> (f64[3], f64[]) {
  %x, %y = argmin %t, %w region {
    func @objective(%x: f64[3] param, %y: f64[] param, %t: f64[3] data, %w: f64[3] data) -> (f64[]) {
      %e = exp %x : f64[3]
      %se = reduce_sum %e : f64[]
      %d = sub %x, %t : f64[3]
      %d2 = square %d : f64[3]
      %sd = reduce_sum %d2 : f64[]
      %wx = mul %w, %x : f64[3]
      %swx = reduce_sum %wx : f64[]
      %r = sub %y, %swx : f64[]
      %r2 = square %r : f64[]
      %q = add %sd, %r2 : f64[]
      %half = full {value=0.5} : f64[]
      %hq = mul %half, %q : f64[]
      %obj = add %se, %hq : f64[]
      return %obj
    }
    func @ball(%x: f64[3] param, %y: f64[] param, %t: f64[3] data, %w: f64[3] data) -> (f64[]) {
      %x2 = square %x : f64[3]
      %sx = reduce_sum %x2 : f64[]
      %y2 = square %y : f64[]
      %s = add %sx, %y2 : f64[]
      %two = full {value=2} : f64[]
      %c = sub %s, %two : f64[]
      return %c
    }
  } : f64[3], f64[]
  return %x, %y
}`

// The derived region functions compute what they are named for, checked
// against central differences of the user's functions: ∇f, the
// Hessian-vector product, and the constraint's Jacobian products (the
// transposed one by the dot-product test).
func TestImplicitDerivedFunctions(t *testing.T) {
	f := prepared(t, constrainedSrc)
	a, err := ir.SplitArgmin(f.Body[0].Region)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Derived() || a.Solution != nil || len(a.Constraints) != 1 {
		t.Fatalf("region after implicit: %d functions, derived %t", len(f.Body[0].Region.Funcs), a.Derived())
	}
	r := rand.New(rand.NewPCG(1, 2))
	x, y, th, w := argminNormals(r, 3), argminNormals(r, 1), argminNormals(r, 3), argminNormals(r, 3)
	vx, vy, u := argminNormals(r, 3), argminNormals(r, 1), argminNormals(r, 1)
	const h = 1e-6
	// fd returns the central difference of fn's flattened results along
	// (vx, vy) at (x, y).
	fd := func(fn *ir.Func, extra ...[]float64) []float64 {
		step := func(s float64) []float64 {
			xs, ys := make([]float64, 3), []float64{y[0] + s*vy[0]}
			for i := range xs {
				xs[i] = x[i] + s*vx[i]
			}
			return concat(run(t, fn, append([][]float64{xs, ys, th, w}, extra...)...)...)
		}
		p, m := step(h), step(-h)
		for i := range p {
			p[i] = (p[i] - m[i]) / (2 * h)
		}
		return p
	}
	at := [][]float64{x, y, th, w}
	grad := concat(run(t, a.Grad, at...)...)
	if e := relErr([]float64{dotf(grad, concat(vx, vy))}, fd(a.Objective)); e > 1e-8 {
		t.Errorf("@objective.grad: relative error %g against finite differences", e)
	}
	if e := relErr(concat(run(t, a.HVP, append(at, vx, vy)...)...), fd(a.Grad)); e > 1e-7 {
		t.Errorf("@objective.hvp: relative error %g", e)
	}
	jv := concat(run(t, a.ConstraintJVP[0], append(at, vx, vy)...)...)
	if e := relErr(jv, fd(a.Constraints[0])); e > 1e-8 {
		t.Errorf("@ball.jvp: relative error %g", e)
	}
	jtu := concat(run(t, a.ConstraintVJP[0], append(at, u)...)...)
	if lhs, rhs := dotf(jv, u), dotf(concat(vx, vy), jtu); math.Abs(lhs-rhs) > 1e-12*(1+math.Abs(lhs)) {
		t.Errorf("@ball.vjp: ⟨Jv, u⟩ = %.15g, ⟨v, Jᵀu⟩ = %.15g", lhs, rhs)
	}
	if e := relErr(concat(run(t, a.ConstraintHVP[0], append(at, u, vx, vy)...)...), fd(a.ConstraintVJP[0], u)); e > 1e-7 {
		t.Errorf("@ball.hvp: relative error %g", e)
	}
}

// The pass may run twice; its output prints and parses back to the same
// text, and verifies.
func TestImplicitIdempotentAndRoundTrips(t *testing.T) {
	for _, src := range []string{constrainedSrc, string(mustRead(t, "argmin_constrained.pf")), string(mustRead(t, "argmin_projection.pf"))} {
		f := prepared(t, src)
		once := f.String()
		if _, err := passes.Implicit(f); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(once, f.String()); diff != "" {
			t.Errorf("a second run changed the function:\n%s", diff)
		}
		back, err := ir.ParseFunc(once)
		if err != nil {
			t.Fatalf("does not parse back: %v\n%s", err, once)
		}
		if err := ir.Verify(back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(once, back.String()); diff != "" {
			t.Errorf("print∘parse∘print differs:\n%s", diff)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "ir", name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// The Stiefel constraint XᵀX − I is recognised and reduced to its
// k(k+1)/2 independent equations; the attribute stiefel names it and the
// riemannian solver is kept.
func TestImplicitStiefel(t *testing.T) {
	f := prepared(t, string(mustRead(t, "argmin_constrained.pf")))
	in := f.Body[0]
	if got := in.Attrs["stiefel"]; got == nil || got.String() != "[0]" {
		t.Errorf("stiefel = %v, want [0]", got)
	}
	a, _ := ir.SplitArgmin(in.Region)
	if got := a.Constraints[0].Results[0].Type; !got.Equal(ir.TensorOf(ir.F32, 10)) {
		t.Errorf("the Stiefel constraint returns %s, want its 10 upper entries", got)
	}
	if got := in.Attrs["solver"]; got.String() != `"riemannian"` {
		t.Errorf("solver = %v", got)
	}
}

// The golden dumps of the implicit pass and the jvp after it on the
// golden argmin graphs.
func TestImplicitGoldenDumps(t *testing.T) {
	for _, name := range []string{"argmin_projection", "argmin_constrained"} {
		m, err := ir.Parse(name+".pf", mustRead(t, name+".pf"))
		if err != nil {
			t.Fatal(err)
		}
		var dump strings.Builder
		_, err = passes.Run(m.Funcs[0], append([]string{"implicit", "jvp"}, passes.Cleanup...),
			passes.Options{Verify: true, DumpAfter: []string{"implicit", "dce"}, Dump: &dump, Wrt: []string{m.Funcs[0].Params[0].Name}})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "testdata", "dumps", name+".implicit.pf")
		if *update {
			if err := os.WriteFile(path, []byte(dump.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./passes -run TestImplicitGoldenDumps -update)", err)
		}
		if diff := cmp.Diff(string(want), dump.String()); diff != "" {
			t.Errorf("dump differs from %s (-want +got):\n%s", path, diff)
		}
	}
}

// spdProblem is ½xᵀAx + 0.1 Σx⁴ − θᵀBx with a random SPD A [n,n] and B
// [n,m] given as constants: the Hessian A + 1.2 diag(x²) depends on x.
func spdProblem(r *rand.Rand, n, m int, extra string) string {
	a := make([]float64, n*n)
	g := argminNormals(r, n*n)
	for i := range n {
		for j := range n {
			s := 0.0
			for k := range n {
				s += g[i*n+k] * g[j*n+k]
			}
			a[i*n+j] = s / float64(n)
		}
		a[i*n+i] += 0.5
	}
	b := argminNormals(r, n*m)
	return strings.NewReplacer("N", itoa(n), "M", itoa(m), "AVALS", floatList(a), "BVALS", floatList(b), "EXTRA", extra).Replace(`
func @p(%t: f64[M] param) -> (f64[N]) {
  %x = argmin %t {EXTRA} region {
    func @objective(%x: f64[N] param, %t: f64[M] data) -> (f64[]) {
      %a = constant {value=[AVALS]} : f64[N,N]
      %b = constant {value=[BVALS]} : f64[N,M]
      %xc = reshape %x : f64[N,1]
      %axc = matmul %a, %xc : f64[N,1]
      %ax = reshape %axc : f64[N]
      %xax = mul %x, %ax : f64[N]
      %q = reduce_sum %xax : f64[]
      %half = full {value=0.5} : f64[]
      %hq = mul %half, %q : f64[]
      %x4 = pow %x {exponent=4} : f64[N]
      %s4 = reduce_sum %x4 : f64[]
      %k = full {value=0.1} : f64[]
      %ks4 = mul %k, %s4 : f64[]
      %tc = reshape %t : f64[M,1]
      %btc = matmul %b, %tc : f64[N,1]
      %bt = reshape %btc : f64[N]
      %tbx = mul %bt, %x : f64[N]
      %lin = reduce_sum %tbx : f64[]
      %o1 = add %hq, %ks4 : f64[]
      %obj = sub %o1, %lin : f64[]
      return %obj
    }
  } : f64[N]
  return %x
}`)
}

func itoa(n int) string { return strconv.Itoa(n) }

func floatList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = ir.Float(x).String()
	}
	return strings.Join(parts, ", ")
}

// The matrix-free rule (conjugate gradients on Hessian-vector products)
// agrees with the dense rule (a Cholesky factor of the formed Hessian) to
// 1e-10 on random SPD problems, with one and several tangents.
func TestKrylovMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 4 {
		n, m := 10+7*trial, 4
		src := spdProblem(r, n, m, `implicit="krylov"`)
		theta := argminNormals(r, m)
		for _, T := range []int{1, 3} {
			v := argminNormals(r, m*T)
			krylov := parseVerified(t, src)
			dense := parseVerified(t, strings.Replace(src, `implicit="krylov"`, `implicit="dense"`, 1))
			_, dk := argminRunJVP(t, krylov, theta, v, T)
			_, dd := argminRunJVP(t, dense, theta, v, T)
			if e := relErr(dk, dd); e > 1e-10 {
				t.Errorf("n=%d T=%d: matrix-free and dense JVPs differ by %g (relative)", n, T, e)
			}
		}
	}
}

// dotProduct checks ⟨J v, u⟩ = ⟨v, Jᵀ u⟩ for the implicit JVP and the VJP
// (its transpose) of f, whose results are argmin variables, with respect
// to the parameters wrt.
func dotProduct(t *testing.T, name string, f *ir.Func, inputs [][]float64, wrt []string, tol float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(len(name)), 9))
	j, err := passes.Run(f, append([]string{"implicit", "jvp"}, passes.Cleanup...), passes.Options{Wrt: wrt, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	var vs [][]float64
	for _, n := range wrt {
		vs = append(vs, argminNormals(r, f.Param(n).Type.Shape.Size()))
	}
	out := run(t, j, append(append([][]float64{}, inputs...), vs...)...)
	jv := concat(out[len(f.Results):]...)

	// ⟨x*, u⟩ as a scalar loss, so vjp returns Jᵀu.
	g := f.Clone()
	w := ir.NewWriter(g, nil)
	var total *ir.Value
	var us [][]float64
	for i, res := range g.Results {
		u := g.AddParam("u"+itoa(i), res.Type, ir.Data)
		us = append(us, argminNormals(r, res.Type.Shape.Size()))
		s := w.Emit(ir.OpReduceSum, []*ir.Value{w.Emit(ir.OpMul, []*ir.Value{res, u}, nil)[0]}, nil)[0]
		if total != nil {
			s = w.Emit(ir.OpAdd, []*ir.Value{total, s}, nil)[0]
		}
		total = s
	}
	g.Results = []*ir.Value{total}
	vjp, err := passes.Run(g, append([]string{"implicit", "vjp"}, passes.Cleanup...), passes.Options{Wrt: wrt, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	grads := run(t, vjp, append(append([][]float64{}, inputs...), us...)...)
	lhs, rhs := dotf(jv, concat(us...)), dotf(concat(vs...), concat(grads[1:]...))
	if math.Abs(lhs-rhs) > tol*(1+math.Abs(lhs)) {
		t.Errorf("%s: ⟨J v, u⟩ = %.15g, ⟨v, Jᵀu⟩ = %.15g", name, lhs, rhs)
	}
}

// Reverse mode through argmin is the transpose of the implicit JVP: the
// dot-product test, without constraints, with a general equality
// constraint (KKT by MINRES) and on the Stiefel manifold.
func TestImplicitDotProduct(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	dotProduct(t, "unconstrained", parseVerified(t, spdProblem(r, 12, 3, "")), [][]float64{argminNormals(r, 3)}, []string{"t"}, 1e-10)
	dotProduct(t, "constrained", parseVerified(t, constrainedSrc), [][]float64{argminNormals(r, 3), argminNormals(r, 3)}, []string{"t", "w"}, 1e-10)
	stiefel := parseVerified(t, strings.ReplaceAll(string(mustRead(t, "argmin_constrained.pf")), "f32", "f64"))
	dotProduct(t, "stiefel", stiefel, [][]float64{argminNormals(r, 40)}, []string{"h"}, 1e-9)
}

// fdSolution returns the central difference of f's flattened results along
// v (for the parameters wrt, in order) at the inputs.
func fdSolution(t *testing.T, f *ir.Func, inputs [][]float64, wrt []string, v [][]float64, h float64) []float64 {
	t.Helper()
	step := func(s float64) []float64 {
		in := append([][]float64{}, inputs...)
		for k, name := range wrt {
			i := f.Param(name).Index
			in[i] = append([]float64(nil), inputs[i]...)
			for e := range in[i] {
				in[i][e] += s * v[k][e]
			}
		}
		return concat(run(t, f, in...)...)
	}
	p, m := step(h), step(-h)
	for i := range p {
		p[i] = (p[i] - m[i]) / (2 * h)
	}
	return p
}

// The JVP of constrained argmins agrees with finite differences of the
// solution map (the solver run at perturbed operands): a general
// equality constraint, and the Stiefel fit of argmin_constrained.pf (two
// variables, one on the manifold) with both solvers.
func TestConstrainedJVPFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	stiefelSrc := strings.ReplaceAll(string(mustRead(t, "argmin_constrained.pf")), "f32", "f64")
	for _, c := range []struct {
		name, src string
		sizes     []int
	}{
		{"ball", constrainedSrc, []int{3, 3}},
		{"stiefel/riemannian", stiefelSrc, []int{40}},
		// sqp converges to the KKT point nearest its start, so it starts from H
		// (orthonormalised), not from the identity's columns.
		{"stiefel/sqp", strings.Replace(stiefelSrc, `solver="riemannian"`, `solver="sqp", init=[0, -1]`, 1), []int{40}},
		{"stiefel/dense", strings.Replace(stiefelSrc, `solver="riemannian"`, `solver="riemannian", implicit="dense"`, 1), []int{40}},
	} {
		f := parseVerified(t, c.src)
		var inputs, v [][]float64
		var wrt []string
		for i, n := range c.sizes {
			inputs = append(inputs, argminNormals(r, n))
			v = append(v, argminNormals(r, n))
			wrt = append(wrt, f.Params[i].Name)
		}
		j, err := passes.Run(f, append([]string{"implicit", "jvp"}, passes.Cleanup...), passes.Options{Wrt: wrt, Verify: true})
		if err != nil {
			t.Fatal(err)
		}
		out := run(t, j, append(append([][]float64{}, inputs...), v...)...)
		got := concat(out[len(f.Results):]...)
		prep := f.Clone()
		if _, err := passes.Implicit(prep); err != nil {
			t.Fatal(err)
		}
		want := fdSolution(t, prep, inputs, wrt, v, 1e-6)
		if e := relErr(got, want); e > 1e-6 {
			t.Errorf("%s: JVP and finite differences of the solution differ by %g (relative)", c.name, e)
		}
	}
}

// A rule registered under a solver's name is used by default, and the
// attribute implicit picks the generic ones; all three agree.
func TestRegisteredArgminRule(t *testing.T) {
	used := 0
	passes.RegisterArgminRule("test-dense-twice", func(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
		used++
		return passes.ImplicitJVP(passes.RuleDense, e, in, ts)
	})
	r := rand.New(rand.NewPCG(9, 10))
	src := spdProblem(r, 8, 3, `implicit="test-dense-twice"`)
	theta, v := argminNormals(r, 3), argminNormals(r, 3)
	_, reg := argminRunJVP(t, parseVerified(t, src), theta, v, 1)
	if used != 1 {
		t.Errorf("the registered rule ran %d times, want 1", used)
	}
	_, kry := argminRunJVP(t, parseVerified(t, strings.Replace(src, "test-dense-twice", "krylov", 1)), theta, v, 1)
	if e := relErr(reg, kry); e > 1e-10 {
		t.Errorf("registered and krylov rules differ by %g", e)
	}
}
