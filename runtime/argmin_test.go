package runtime

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime/solve"
)

// argminFunc builds @f(operands...) -> (argmin ...) with the builder: the
// objective (and constraints) from build, which gets the variables and
// the operand parameters of the region functions, and runs the implicit
// pass.
type argminProblem struct {
	name     string
	vars     []ir.Type
	operands []ir.Type
	// objective returns f; constraints, if set, the constraint values.
	objective   func(r *builder.Builder, x, p []*ir.Value) *ir.Value
	constraints func(r *builder.Builder, x, p []*ir.Value) []*ir.Value
	opts        []builder.ArgminOption
}

func (ap argminProblem) build(t *testing.T, extra ...builder.ArgminOption) *ir.Func {
	t.Helper()
	b := builder.New("f")
	ops := make([]*ir.Value, len(ap.operands))
	for i, o := range ap.operands {
		ops[i] = b.Data(string(rune('a'+i)), o.DType, o.Shape...)
	}
	obj := b.Func("objective", ap.vars, ops, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
		return []*ir.Value{ap.objective(r, x, p)}
	})
	opts := append(append([]builder.ArgminOption{}, ap.opts...), extra...)
	if ap.constraints != nil {
		c := b.Func("constraint", ap.vars, ops, ap.constraints)
		opts = append(opts, builder.Constraint(c))
	}
	b.Return(b.Argmin(obj, ops, opts...)...)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := passes.Implicit(f); err != nil {
		t.Fatal(err)
	}
	return f
}

func halfSquaredDistance(r *builder.Builder, x, a *ir.Value) *ir.Value {
	return r.Mul(r.Scalar(x.Type.DType, 0.5), r.Sum(r.Square(r.Sub(x, a))))
}

// stiefelProblem is ½‖X − A‖² over XᵀX = I, whose minimiser is the polar
// factor of A.
func stiefelProblem(d ir.DType, n, k int, opts ...builder.ArgminOption) argminProblem {
	return argminProblem{
		name: "stiefel", vars: []ir.Type{ir.TensorOf(d, n, k)}, operands: []ir.Type{ir.TensorOf(d, n, k)},
		objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value { return halfSquaredDistance(r, x[0], p[0]) },
		opts:      append([]builder.ArgminOption{builder.Stiefel(0)}, opts...),
	}
}

// sphereProblem is ½‖x − a‖² over ‖x − e₁‖² = 1.
func sphereProblem(d ir.DType, n int) argminProblem {
	return argminProblem{
		name: "sphere", vars: []ir.Type{ir.TensorOf(d, n)}, operands: []ir.Type{ir.TensorOf(d, n)},
		objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value { return halfSquaredDistance(r, x[0], p[0]) },
		constraints: func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
			e := make([]float64, n)
			e[0] = 1
			c := r.Sub(r.Sum(r.Square(r.Sub(x[0], r.Constant(ir.TensorOf(d, n), e...)))), r.Scalar(d, 1))
			return []*ir.Value{c}
		},
	}
}

// expProblem is Σ exp(x) + ½‖x‖² − a·x: exp(x) + x = a, no closed form.
func expProblem(d ir.DType, n int, opts ...builder.ArgminOption) argminProblem {
	return argminProblem{
		name: "exp", vars: []ir.Type{ir.TensorOf(d, n)}, operands: []ir.Type{ir.TensorOf(d, n)},
		objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value {
			half := r.Scalar(d, 0.5)
			return r.Sum(r.Sub(r.Add(r.Exp(x[0]), r.Mul(half, r.Square(x[0]))), r.Mul(p[0], x[0])))
		},
		opts: opts,
	}
}

func randFloats(r *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	return xs
}

func polarFactor(a []float64, n, k int) []float64 {
	var svd mat.SVD
	svd.Factorize(mat.NewDense(n, k, a), mat.SVDThin)
	var u, v, p mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	p.Mul(&u, v.T())
	return p.RawMatrix().Data
}

func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.12g, want %.12g", what, i, got[i], want[i])
			return
		}
	}
}

// Every solver finds the minimiser, in f64 and f32, and its answer
// satisfies the optimality conditions, checked here independently of the
// solvers: ∇f = 0; for the sphere ∇f ∥ ∇c; on the Stiefel manifold the
// Riemannian gradient G − X sym(XᵀG) = 0 with XᵀX = I.
func TestArgminSolvers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range []ir.DType{ir.F64, ir.F32} {
		tol := map[ir.DType]float64{ir.F64: 1e-9, ir.F32: 2e-3}[d]
		a := randFloats(r, 6)
		expWant := make([]float64, 6)
		for i, ai := range a {
			x := 0.0 // exp(x) + x = a by Newton's method
			for range 60 {
				x -= (math.Exp(x) + x - ai) / (math.Exp(x) + 1)
			}
			expWant[i] = x
		}
		for _, solver := range []string{"newton", "bfgs", "lbfgs"} {
			f := expProblem(d, 6, builder.Solver(solver)).build(t)
			out, err := Run(f, []*Tensor{FromFloat64s(ir.TensorOf(d, 6), a)})
			if err != nil {
				t.Fatalf("%s %s: %v", solver, d, err)
			}
			stol := tol
			if solver != "newton" && d == ir.F64 {
				stol = 1e-6 // the quasi-Newton line search stalls at the check's floor
			}
			assertClose(t, solver+" "+d.String(), out[0].Float64s(), expWant, stol)
		}

		e := append([]float64{1}, make([]float64, 5)...)
		sphere := sphereProblem(d, 6).build(t)
		if got := sphere.Body[len(sphere.Body)-1].Attrs; got["solver"] != ir.String("sqp") {
			t.Errorf("the implicit pass picked solver %v for an equality constraint", got["solver"])
		}
		out, err := Run(sphere, []*Tensor{FromFloat64s(ir.TensorOf(d, 6), a)})
		if err != nil {
			t.Fatalf("sphere %s: %v", d, err)
		}
		want := make([]float64, 6)
		dist := 0.0
		for i := range a {
			dist += (a[i] - e[i]) * (a[i] - e[i])
		}
		for i := range a {
			want[i] = e[i] + (a[i]-e[i])/math.Sqrt(dist)
		}
		assertClose(t, "sqp "+d.String(), out[0].Float64s(), want, tol)

		am := randFloats(r, 15)
		polar := polarFactor(am, 5, 3)
		for _, c := range []struct {
			solver string
			opts   []builder.ArgminOption
		}{{"riemannian", nil}, {"sqp", []builder.ArgminOption{builder.Solver("sqp")}}} {
			st := stiefelProblem(d, 5, 3, c.opts...)
			var f *ir.Func
			if c.solver == "sqp" { // warm-started from A: sqp finds the stationary point nearest its start
				st.operands = append(st.operands, st.vars[0])
				f = st.build(t)
				in := f.Body[len(f.Body)-1]
				in.Attrs["init"] = ir.Ints(1)
			} else {
				f = st.build(t)
			}
			inputs := []*Tensor{FromFloat64s(ir.TensorOf(d, 5, 3), am)}
			if c.solver == "sqp" {
				inputs = append(inputs, inputs[0])
			}
			out, err := Run(f, inputs)
			if err != nil {
				t.Fatalf("stiefel %s %s: %v", c.solver, d, err)
			}
			x := out[0].Float64s()
			assertClose(t, c.solver+" "+d.String(), x, polar, tol)
			// The Riemannian gradient (X − A) − X sym(Xᵀ(X − A)) vanishes.
			g := make([]float64, 15)
			for i := range g {
				g[i] = x[i] - am[i]
			}
			m := solve.Manifold{N: 15, Stiefel: []solve.Block{{Rows: 5, Cols: 3}}}
			m.Project(x, g)
			for i, gi := range g {
				if math.Abs(gi) > 10*tol {
					t.Errorf("stiefel %s %s: Riemannian gradient[%d] = %g", c.solver, d, i, gi)
					break
				}
			}
		}
	}
}

// The closed forms give the least-squares and ridge solutions.
func TestArgminClosedForms(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	am, bm := randFloats(r, 8*3), randFloats(r, 8*2)
	a, b := mat.NewDense(8, 3, am), mat.NewDense(8, 2, bm)
	for _, lambda := range []float64{0, 0.7} {
		// (AᵀA + λI) X = AᵀB.
		var g, atb, want mat.Dense
		g.Mul(a.T(), a)
		for i := range 3 {
			g.Set(i, i, g.At(i, i)+lambda)
		}
		atb.Mul(a.T(), b)
		if err := want.Solve(&g, &atb); err != nil {
			t.Fatal(err)
		}
		p := argminProblem{
			vars: []ir.Type{ir.TensorOf(ir.F64, 3, 2)}, operands: []ir.Type{ir.TensorOf(ir.F64, 8, 3), ir.TensorOf(ir.F64, 8, 2)},
			objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value {
				return halfSquaredDistance(r, r.Matmul(p[0], x[0]), p[1])
			},
			opts: []builder.ArgminOption{builder.Solver("lstsq")},
		}
		inputs := []*Tensor{FromF64([]int{8, 3}, am), FromF64([]int{8, 2}, bm)}
		if lambda > 0 {
			p.operands = append(p.operands, ir.Scalar(ir.F64))
			p.objective = func(r *builder.Builder, x, p []*ir.Value) *ir.Value {
				reg := r.Mul(r.Mul(r.Scalar(ir.F64, 0.5), p[2]), r.Sum(r.Square(x[0])))
				return r.Add(halfSquaredDistance(r, r.Matmul(p[0], x[0]), p[1]), reg)
			}
			p.opts = []builder.ArgminOption{builder.Solver("ridge")}
			inputs = append(inputs, ScalarF64(lambda))
		}
		f := p.build(t)
		a := f.Body[len(f.Body)-1]
		if parts, _ := ir.SplitArgmin(a.Region); parts.Solution == nil {
			t.Fatalf("λ = %g: no closed form in the region", lambda)
		}
		out, err := Run(f, inputs)
		if err != nil {
			t.Fatalf("λ = %g: %v", lambda, err)
		}
		assertClose(t, "X", out[0].F64, want.RawMatrix().Data, 1e-12)
	}
}

// A closed form applied to a problem it does not solve fails the
// optimality check instead of returning a wrong answer.
func TestArgminClosedFormMismatch(t *testing.T) {
	p := argminProblem{
		vars: []ir.Type{ir.TensorOf(ir.F64, 3)}, operands: []ir.Type{ir.TensorOf(ir.F64, 5, 3), ir.TensorOf(ir.F64, 5), ir.Scalar(ir.F64)},
		objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value { // λ counted twice
			return r.Add(halfSquaredDistance(r, r.Reshape(r.Matmul(p[0], r.Reshape(x[0], 3, 1)), 5), p[1]), r.Mul(p[2], r.Sum(r.Square(x[0]))))
		},
		opts: []builder.ArgminOption{builder.Solver("ridge")},
	}
	f := p.build(t)
	r := rand.New(rand.NewPCG(5, 6))
	_, err := Run(f, []*Tensor{FromF64([]int{5, 3}, randFloats(r, 15)), FromF64([]int{5}, randFloats(r, 5)), ScalarF64(1)})
	wantErrorParts(t, err, "argmin_test.go:", "= argmin", "after the closed form ridge solve: optimality check", "not stationary")
}

func wantErrorParts(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// Failures are errors that name the node (its name and the builder's
// file:line) and the step.
func TestArgminFailures(t *testing.T) {
	d := ir.F64
	t.Run("not prepared", func(t *testing.T) {
		b := builder.New("f")
		a := b.Data("a", d, 2)
		obj := b.Func("objective", []ir.Type{ir.TensorOf(d, 2)}, []*ir.Value{a}, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
			return []*ir.Value{halfSquaredDistance(r, x[0], p[0])}
		})
		b.Return(b.Named("x", b.Argmin(obj, []*ir.Value{a})[0]))
		f, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(f)
		wantErrorParts(t, err, "argmin_test.go:", "%x = argmin", "no derived functions", "implicit pass")
	})
	t.Run("unbounded", func(t *testing.T) {
		p := argminProblem{vars: []ir.Type{ir.Scalar(d)}, operands: []ir.Type{ir.Scalar(d)},
			objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value { return r.Mul(p[0], x[0]) }}
		_, err := Run(p.build(t, builder.MaxIter(50)), []*Tensor{ScalarF64(-1)})
		wantErrorParts(t, err, "argmin_test.go:", "= argmin", "solve (newton)", "newton-cg", "did not converge")
	})
	t.Run("budget", func(t *testing.T) {
		_, err := Run(expProblem(d, 3).build(t, builder.MaxIter(1)), []*Tensor{FromF64([]int{3}, []float64{5, 6, 7})})
		wantErrorParts(t, err, "solve (newton)", "iteration 1", "did not converge")
	})
	t.Run("singular Hessian", func(t *testing.T) {
		// (x₁ + x₂ − a)²: every point of the line x₁ + x₂ = a is a minimiser.
		p := argminProblem{vars: []ir.Type{ir.TensorOf(d, 2)}, operands: []ir.Type{ir.Scalar(d)},
			objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value { return r.Square(r.Sub(r.Sum(x[0]), p[0])) }}
		f := p.build(t)
		_, err := Run(f, []*Tensor{ScalarF64(3)})
		wantErrorParts(t, err, "argmin_test.go:", "= argmin", "second-order check", "singular")
		// Damping regularises the derivative: the same problem passes.
		if _, err := Run(p.build(t, builder.Damping(0.1)), []*Tensor{ScalarF64(3)}); err != nil {
			t.Errorf("with damping: %v", err)
		}
	})
	t.Run("objective error", func(t *testing.T) {
		p := argminProblem{vars: []ir.Type{ir.TensorOf(d, 2, 2)}, operands: nil,
			objective: func(r *builder.Builder, x, p []*ir.Value) *ir.Value { return r.Sum(r.Cholesky(x[0])) }}
		_, err := Run(p.build(t), nil)
		wantErrorParts(t, err, "= argmin", "@objective.grad", "cholesky", "not positive definite")
	})
}

// A warm start begins where the previous solution ended: from near the
// solution, a budget of three Newton iterations suffices; from zeros it
// does not.
// The convention: the previous solution is a state parameter passed with
// builder.WarmStart, and the new one is returned as a result.
func TestArgminWarmStart(t *testing.T) {
	d := ir.F64
	b := builder.New("step")
	a := b.Data("a", d, 4)
	prev := b.State("x.prev", d, 4)
	obj := b.Func("objective", []ir.Type{ir.TensorOf(d, 4)}, []*ir.Value{a}, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
		half := r.Scalar(d, 0.5)
		return []*ir.Value{r.Sum(r.Sub(r.Add(r.Exp(x[0]), r.Mul(half, r.Square(x[0]))), r.Mul(p[0], x[0])))}
	})
	x := b.Argmin(obj, []*ir.Value{a}, builder.WarmStart(prev), builder.MaxIter(3))[0]
	b.Return(b.Named("x", x))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := passes.Implicit(f); err != nil {
		t.Fatal(err)
	}
	in := f.Body[len(f.Body)-1]
	if got := in.Attrs["init"]; got.String() != "[1]" {
		t.Errorf("init = %v, want [1]", got)
	}
	av := FromF64([]int{4}, []float64{20, 30, 40, 50})
	if _, err := Run(f, []*Tensor{av, FromF64([]int{4}, make([]float64, 4))}); !errors.Is(err, solve.ErrNotConverged) {
		t.Errorf("three iterations from zeros: %v, want did not converge", err)
	}
	// The solution of exp(x) + x = a, to full precision.
	sol := make([]float64, 4)
	for i, ai := range av.F64 {
		for range 60 {
			sol[i] -= (math.Exp(sol[i]) + sol[i] - ai) / (math.Exp(sol[i]) + 1)
		}
	}
	near := append([]float64(nil), sol...)
	for i := range near {
		near[i] += 1e-4
	}
	out, err := Run(f, []*Tensor{av, FromF64([]int{4}, near)})
	if err != nil {
		t.Fatalf("three iterations from near the solution: %v", err)
	}
	assertClose(t, "x", out[0].F64, sol, 1e-12)
}

// linear_solve fails loudly: a direction of negative curvature under CG,
// a budget too small.
func TestLinearSolveFailures(t *testing.T) {
	d := ir.F64
	build := func(posdef bool, shift float64) *ir.Func {
		b := builder.New("f")
		rhs := b.Data("b", d, 3)
		mv := b.Func("matvec", []ir.Type{ir.TensorOf(d, 3)}, nil, func(r *builder.Builder, x, _ []*ir.Value) []*ir.Value {
			return []*ir.Value{r.Mul(r.Constant(ir.TensorOf(d, 3), 1, shift, 2), x[0])}
		})
		b.Return(b.Named("x", b.LinearSolve(mv, rhs, nil, true, posdef)))
		f, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	rhs := FromF64([]int{3}, []float64{1, 1, 1})
	_, err := Run(build(true, -3), []*Tensor{rhs})
	wantErrorParts(t, err, "argmin_test.go:", "%x = linear_solve", "conjugate gradients", "not positive definite")
	out, err := Run(build(false, -3), []*Tensor{rhs}) // MINRES handles it
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "x", out[0].F64, []float64{1, -1.0 / 3, 0.5}, 1e-12)
	_, err = Run(build(false, 0), []*Tensor{rhs})
	wantErrorParts(t, err, "%x = linear_solve", "MINRES", "singular")
}

// setRegion gives f's only instruction, a declarative op, the region
// holding fn (an argmin's objective, a linear_solve's matvec), prepared by
// the implicit pass.
func setRegion(t *testing.T, f *ir.Func, fn *ir.Func) {
	t.Helper()
	f.Body[0].Region = &ir.Region{Funcs: []*ir.Func{fn}}
	if _, err := passes.Implicit(f); err != nil {
		t.Fatal(err)
	}
}

// weightedQuadratic is the objective f(x; a) = Σ w·(x - a)² with w = [1, 10],
// a mildly ill-conditioned problem with minimiser x = a.
func weightedQuadratic(d ir.DType) *ir.Func {
	t := ir.TensorOf(d, 2)
	b := funcBuilder{ir.NewFunc("objective")}
	x := b.f.AddParam("x", t, ir.Param)
	a := b.f.AddParam("a", t, ir.Data)
	sq := b.emit("sq", ir.OpSquare, t, nil, b.emit("d", ir.OpSub, t, nil, x, a))
	w := b.emit("w", ir.OpConstant, t, ir.Attrs{"value": ir.Floats(1, 10)})
	loss := b.emit("loss", ir.OpReduceSum, ir.Scalar(d), nil, b.emit("wsq", ir.OpMul, t, nil, w, sq))
	b.f.Results = []*ir.Value{loss}
	return b.f
}

// twoVariables is the objective f(x, y; a) = (x - a)² + Σ (y·a - 1)² over a
// scalar x and a vector y, with minimiser x = a, y = 1/a.
func twoVariables(d ir.DType) *ir.Func {
	s, t := ir.Scalar(d), ir.TensorOf(d, 2)
	b := funcBuilder{ir.NewFunc("objective")}
	x := b.f.AddParam("x", s, ir.Param)
	y := b.f.AddParam("y", t, ir.Param)
	a := b.f.AddParam("a", s, ir.Data)
	one := b.emit("one", ir.OpFull, s, ir.Attrs{"value": ir.Int(1)})
	dx := b.emit("dx2", ir.OpSquare, s, nil, b.emit("dx", ir.OpSub, s, nil, x, a))
	ya := b.emit("ya", ir.OpMul, t, nil, y, a)
	dy := b.emit("dy2", ir.OpSquare, t, nil, b.emit("dy", ir.OpSub, t, nil, ya, one))
	loss := b.emit("loss", ir.OpAdd, s, nil, dx, b.emit("sy", ir.OpReduceSum, s, nil, dy))
	b.f.Results = []*ir.Value{loss}
	return b.f
}

// spdMatvec is v ↦ (diag(4, 1) + [[0, 1], [1, 0]]) v + m v, symmetric
// positive definite for m ≥ 0.
func spdMatvec(d ir.DType) *ir.Func {
	t := ir.TensorOf(d, 2)
	b := funcBuilder{ir.NewFunc("matvec")}
	v := b.f.AddParam("v", t, ir.Data)
	m := b.f.AddParam("m", ir.Scalar(d), ir.Data)
	a := b.emit("a", ir.OpConstant, ir.TensorOf(d, 2, 2), ir.Attrs{"value": ir.Floats(4, 1, 1, 1)})
	vc := b.emit("vc", ir.OpReshape, ir.TensorOf(d, 2, 1), nil, v)
	av := b.emit("av", ir.OpReshape, t, nil, b.emit("avc", ir.OpMatmul, ir.TensorOf(d, 2, 1), nil, a, vc))
	b.f.Results = []*ir.Value{b.emit("r", ir.OpAdd, t, nil, av, b.emit("mv", ir.OpMul, t, nil, m, v))}
	return b.f
}

// The tolerance of iterative solutions: the solvers stop at ~1e-12 (f64)
// and ~1e-6 (f32) relative gradients.
var iterativeTol = map[ir.DType]tolerance{
	ir.F32: {rtol: 1e-4, atol: 1e-4},
	ir.F64: {rtol: 1e-9, atol: 1e-9},
}

func TestDeclarativeOps(t *testing.T) { runOpCases(t, declarativeCases()) }

// declarativeCases are the op cases of argmin (each solver kind, two
// variables) and linear_solve (one and a batch of right-hand sides).
func declarativeCases() []opCase {
	solver := func(name string) ir.Attrs { return ir.Attrs{"solver": ir.String(name)} }
	return []opCase{
		{name: "weighted quadratic", op: ir.OpArgmin, region: weightedQuadratic,
			args: []lit{v(sh(2), 1.5, -2)}, want: []lit{v(sh(2), 1.5, -2)}, tol: iterativeTol},
		{name: "two variables", op: ir.OpArgmin, region: twoVariables,
			args: []lit{sc(2)}, want: []lit{sc(2), v(sh(2), 0.5, 0.5)}, tol: iterativeTol},
		{name: "lbfgs", op: ir.OpArgmin, region: weightedQuadratic, attrs: solver("lbfgs"),
			args: []lit{v(sh(2), 3, 4)}, want: []lit{v(sh(2), 3, 4)}, tol: iterativeTol},
		{name: "bfgs", op: ir.OpArgmin, region: weightedQuadratic, attrs: solver("bfgs"),
			args: []lit{v(sh(2), -1, 0.25)}, want: []lit{v(sh(2), -1, 0.25)}, tol: iterativeTol},
		// (A + I) x = b with A = [[4, 1], [1, 1]]: x = (1, 1) for b = (6, 3).
		{name: "cg", op: ir.OpLinearSolve, region: spdMatvec, attrs: ir.Attrs{"symmetric": ir.Bool(true), "posdef": ir.Bool(true)},
			args: []lit{v(sh(2), 6, 3), sc(1)}, want: []lit{v(sh(2), 1, 1)}, tol: iterativeTol},
		{name: "minres batch", op: ir.OpLinearSolve, region: spdMatvec, attrs: ir.Attrs{"symmetric": ir.Bool(true)},
			args: []lit{v(sh(2, 2), 6, 3, 5.5, 2), sc(1)}, want: []lit{v(sh(2, 2), 1, 1, 1, 0.5)}, tol: iterativeTol},
		{name: "gmres", op: ir.OpLinearSolve, region: spdMatvec,
			args: []lit{v(sh(2), 5, 2), sc(0)}, want: []lit{v(sh(2), 1, 1)}, tol: iterativeTol},
	}
}

// funcBuilder appends single-result instructions to a function.
type funcBuilder struct{ f *ir.Func }

func (b funcBuilder) emit(name string, op ir.Op, t ir.Type, attrs ir.Attrs, args ...*ir.Value) *ir.Value {
	return b.f.Append(op, args, attrs, []ir.Type{t}, []string{name}).Result()
}

// The check of an f32 ridge fit on ill-conditioned features (ReLU
// features with a dominant common direction, more columns than rows, as
// a network's last hidden layer gives them) accepts the closed form's
// answer: the residual of a backward-stable solve is small relative to
// ‖H‖‖x‖, not to ‖Hx‖, which cancels there (the check's scale before it
// counted the normwise term failed this fit). At this conditioning in f32
// a wrong λ is within the solve's backward error, so mismatches are
// tested in f64 (TestArgminClosedFormMismatch).
func TestArgminCheckIllConditionedF32(t *testing.T) {
	const n, d, k = 416, 512, 10
	r := rand.New(rand.NewPCG(7, 8))
	u, v := randFloats(r, n), randFloats(r, d)
	h := make([]float32, n*d)
	for i := range n {
		for j := range d {
			h[i*d+j] = float32(max(0, 8*(2+0.1*u[i])*(1+0.1*v[j])+r.NormFloat64()))
		}
	}
	y := make([]float32, n*k)
	for i := range n {
		y[i*k+r.IntN(k)] = 5
	}
	p := argminProblem{
		vars: []ir.Type{ir.TensorOf(ir.F32, d, k)}, operands: []ir.Type{ir.TensorOf(ir.F32, n, d), ir.TensorOf(ir.F32, n, k), ir.Scalar(ir.F32)},
		objective: func(b *builder.Builder, x, p []*ir.Value) *ir.Value {
			reg := b.Mul(b.Mul(b.Scalar(ir.F32, 0.5), p[2]), b.Sum(b.Square(x[0])))
			return b.Add(halfSquaredDistance(b, b.Matmul(p[0], x[0]), p[1]), reg)
		},
		opts: []builder.ArgminOption{builder.Solver("ridge")},
	}
	if _, err := Run(p.build(t), []*Tensor{FromF32([]int{n, d}, h), FromF32([]int{n, k}, y), ScalarF32(100)}); err != nil {
		t.Fatal(err)
	}
}
