package passes_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// The argmin JVP rule is checked here on objectives written the plain way
// (the conformance suite needs residual forms that its finite differences
// can resolve) against closed-form derivatives, which do not depend on how
// accurately the interpreter solves the problem: for 0.5 xᵀAx − θᵀx the
// derivative is A⁻¹ everywhere, and for Σ exp(x) + 0.5||x||² − θ·x it is
// diag(1/(exp(x*) + 1)) at whatever x* the solver returned.

const argminQuadraticSrc = `
func @quad(%t: f64[3] param) -> (f64[3]) {
  %x = argmin %t {max_iter=1000, tol=1e-10} region {
    func @objective(%x: f64[3] param, %t: f64[3] data) -> (f64[]) {
      %a = constant {value=[4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2]} : f64[3,3]
      %xc = reshape %x : f64[3,1]
      %axc = matmul %a, %xc : f64[3,1]
      %ax = reshape %axc : f64[3]
      %xax = mul %x, %ax : f64[3]
      %q = reduce_sum %xax : f64[]
      %half = full {value=0.5} : f64[]
      %hq = mul %half, %q : f64[]
      %tx = mul %t, %x : f64[3]
      %lin = reduce_sum %tx : f64[]
      %obj = sub %hq, %lin : f64[]
      return %obj
    }
  } : f64[3]
  return %x
}`

var argminQuadraticA = mat.NewDense(3, 3, []float64{4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2})

const argminExpSrc = `
func @soft(%t: f64[2,2] param) -> (f64[2,2]) {
  %x = argmin %t {max_iter=1000, tol=1e-10} region {
    func @objective(%x: f64[2,2] param, %t: f64[2,2] data) -> (f64[]) {
      %e = exp %x : f64[2,2]
      %tx = mul %t, %x : f64[2,2]
      %x2 = square %x : f64[2,2]
      %half = full {value=0.5} : f64[]
      %hx2 = mul %half, %x2 : f64[2,2]
      %a = sub %e, %tx : f64[2,2]
      %b = add %a, %hx2 : f64[2,2]
      %obj = reduce_sum %b : f64[]
      return %obj
    }
  } : f64[2,2]
  return %x
}`

// parseVerified parses and verifies one function.
func parseVerified(t *testing.T, src string) *ir.Func {
	t.Helper()
	f, err := ir.ParseFunc(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := ir.Verify(f); err != nil {
		t.Fatal(err)
	}
	return f
}

func argminNormals(r *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	return xs
}

// argminRunJVP runs the T-tangent JVP of f (one parameter, one result)
// after the clean-up passes and returns the primal result and the tangents
// (T rows).
func argminRunJVP(t *testing.T, f *ir.Func, theta, v []float64, T int) (x, dx []float64) {
	t.Helper()
	j, err := passes.Run(f, append([]string{"jvp"}, passes.Cleanup...), passes.Options{Tangents: T, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Params[0]
	out, err := runtime.Run(j, []*runtime.Tensor{
		runtime.FromFloat64s(p.Type, theta),
		runtime.FromFloat64s(j.Params[1].Type, v),
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, j)
	}
	return out[0].Float64s(), out[1].Float64s()
}

func argminClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.15g, want %.15g", what, i, got[i], want[i])
		}
	}
}

func TestArgminJVPQuadratic(t *testing.T) {
	f := parseVerified(t, argminQuadraticSrc)
	r := rand.New(rand.NewPCG(1, 2))
	theta := argminNormals(r, 3)
	for _, T := range []int{1, 4} {
		v := argminNormals(r, 3*T)
		_, dx := argminRunJVP(t, f, theta, v, T)
		// Each tangent row solves A ẋ = θ̇.
		want := make([]float64, 0, len(v))
		for k := range T {
			var s mat.VecDense
			if err := s.SolveVec(argminQuadraticA, mat.NewVecDense(3, v[3*k:3*k+3])); err != nil {
				t.Fatal(err)
			}
			want = append(want, s.RawVector().Data...)
		}
		argminClose(t, "ẋ", dx, want, 1e-12)
	}
}

func TestArgminJVPExp(t *testing.T) {
	f := parseVerified(t, argminExpSrc)
	r := rand.New(rand.NewPCG(3, 4))
	theta := argminNormals(r, 4)
	for _, T := range []int{1, 3} {
		v := argminNormals(r, 4*T)
		x, dx := argminRunJVP(t, f, theta, v, T)
		// The solver's answer satisfies exp(x) + x = θ.
		for i := range x {
			if res := math.Exp(x[i]) + x[i] - theta[i]; math.Abs(res) > 1e-6 {
				t.Errorf("x*[%d] = %g has residual %g", i, x[i], res)
			}
		}
		want := make([]float64, len(v))
		for i := range v {
			want[i] = v[i] / (math.Exp(x[i%4]) + 1)
		}
		argminClose(t, "ẋ", dx, want, 1e-12)
	}
}

// Reverse mode through argmin is the transpose of the rule: the gradient
// of uᵀx*(θ) for the quadratic is A⁻ᵀu = A⁻¹u.
func TestArgminVJPQuadratic(t *testing.T) {
	f := parseVerified(t, argminQuadraticSrc)
	// Append loss = Σ u ⊙ x with u a data parameter.
	x := f.Results[0]
	u := f.AddParam("u", x.Type, ir.Data)
	p := f.Append(ir.OpMul, []*ir.Value{x, u}, nil, []ir.Type{x.Type}, []string{"ux"}).Results[0]
	loss := f.Append(ir.OpReduceSum, []*ir.Value{p}, nil, []ir.Type{ir.Scalar(ir.F64)}, []string{"loss"}).Results[0]
	f.Results = []*ir.Value{loss}
	g, err := passes.Run(f, append([]string{"vjp"}, passes.Cleanup...), passes.Options{Wrt: []string{"t"}, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	theta, uv := argminNormals(r, 3), argminNormals(r, 3)
	out, err := runtime.Run(g, []*runtime.Tensor{runtime.FromF64([]int{3}, theta), runtime.FromF64([]int{3}, uv)})
	if err != nil {
		t.Fatalf("%v\n%s", err, g)
	}
	var want mat.VecDense
	if err := want.SolveVec(argminQuadraticA.T(), mat.NewVecDense(3, uv)); err != nil {
		t.Fatal(err)
	}
	argminClose(t, "∇θ", out[1].Float64s(), want.RawVector().Data, 1e-12)
}

// The code the rules emit on tangents is linear and transposable: every
// instruction that depends on a tangent parameter uses an op with a
// transpose rule; the dense rule's Hessian, its factor and the matrices of
// its triangular solves are primal, and so are the krylov rule's
// operator operands (only the right-hand side of its linear_solve
// carries tangents).
func TestArgminJVPIsLinearInTangents(t *testing.T) {
	for _, src := range []string{argminQuadraticSrc, argminExpSrc} {
		for _, rule := range []string{passes.RuleDense, passes.RuleKrylov} {
			f := parseVerified(t, src)
			f.Body[0].Attrs["implicit"] = ir.String(rule)
			j, err := passes.JVP(f, []string{"t"}, 1)
			if err != nil {
				t.Fatal(err)
			}
			dep := map[*ir.Value]bool{}
			for _, p := range j.Params[len(f.Params):] {
				dep[p] = true
			}
			solves := map[ir.Op]int{}
			for _, in := range j.Body {
				d := false
				for _, a := range in.Args {
					d = d || dep[a]
				}
				for _, r := range in.Results {
					dep[r] = d
				}
				switch {
				case in.Op == ir.OpCholesky && d:
					t.Errorf("@%s %s: %s = cholesky depends on the tangents", f.Name, rule, in.Results[0])
				case in.Op == ir.OpTriangularSolve:
					solves[in.Op]++
					if dep[in.Args[0]] {
						t.Errorf("@%s %s: the matrix of %s = triangular_solve depends on the tangents", f.Name, rule, in.Results[0])
					}
				case in.Op == ir.OpLinearSolve:
					solves[in.Op]++
					for _, a := range in.Args[1:] {
						if dep[a] {
							t.Errorf("@%s %s: operand %s of %s = linear_solve depends on the tangents", f.Name, rule, a, in.Results[0])
						}
					}
				}
				if _, hasT := passes.HasRules(in.Op); d && !hasT {
					t.Errorf("@%s %s: %s = %s depends on the tangents but has no transpose rule", f.Name, rule, in.Results[0], in.Op)
				}
			}
			want := map[ir.Op]int{ir.OpTriangularSolve: 2}
			if rule == passes.RuleKrylov {
				want = map[ir.Op]int{ir.OpLinearSolve: 1}
			}
			if solves[ir.OpTriangularSolve] != want[ir.OpTriangularSolve] || solves[ir.OpLinearSolve] != want[ir.OpLinearSolve] {
				t.Errorf("@%s %s: solves %v, want %v:\n%s", f.Name, rule, solves, want, j)
			}
		}
	}
}

// Operands the minimiser does not depend on get no tangent code.
func TestArgminJVPSymbolicZero(t *testing.T) {
	f := parseVerified(t, `
func @f(%t: f32[3] param, %s: f32[3] param) -> (f32[3]) {
  %x = argmin %t, %s region {
    func @objective(%x: f32[3] param, %t: f32[3] data, %s: f32[3] data) -> (f32[]) {
      %d = sub %x, %t : f32[3]
      %d2 = square %d : f32[3]
      %s2 = square %s : f32[3]
      %sum = add %d2, %s2 : f32[3]
      %obj = reduce_sum %sum : f32[]
      return %obj
    }
  } : f32[3]
  return %x
}`)
	j, err := passes.JVP(f, []string{"s"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if text := j.String(); strings.Contains(text, "cholesky") || strings.Contains(text, "linear_solve") {
		t.Errorf("tangent code for an argmin that does not move:\n%s", text)
	}
	if got := j.Results[1].Op(); got != ir.OpFull {
		t.Errorf("tangent of %%x is %s, want zeros", got)
	}
}

func TestArgminJVPErrors(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"linear objective", `
func @f(%t: f64[2] param) -> (f64[2]) {
  %x = argmin %t {implicit="dense"} region {
    func @objective(%x: f64[2] param, %t: f64[2] data) -> (f64[]) {
      %tx = mul %t, %x : f64[2]
      %obj = reduce_sum %tx : f64[]
      return %obj
    }
  } : f64[2]
  return %x
}`, []string{"%x = argmin", "linear in the variables"}},
		{"too large", `
func @f(%t: f32[50,50] param) -> (f32[50,50]) {
  %x = argmin %t {implicit="dense"} region {
    func @objective(%x: f32[50,50] param, %t: f32[50,50] data) -> (f32[]) {
      %d = sub %x, %t : f32[50,50]
      %d2 = square %d : f32[50,50]
      %obj = reduce_sum %d2 : f32[]
      return %obj
    }
  } : f32[50,50]
  return %x
}`, []string{"%x = argmin", "2500 variables", "dense"}},
		{"unknown rule", `
func @f(%t: f64[2] param) -> (f64[2]) {
  %x = argmin %t {implicit="magic"} region {
    func @objective(%x: f64[2] param, %t: f64[2] data) -> (f64[]) {
      %d = sub %x, %t : f64[2]
      %d2 = square %d : f64[2]
      %obj = reduce_sum %d2 : f64[]
      return %obj
    }
  } : f64[2]
  return %x
}`, []string{"%x = argmin", `unknown implicit rule "magic"`, "krylov", "dense"}},
		{"unknown solver", `
func @f(%t: f64[2] param) -> (f64[2]) {
  %x = argmin %t {solver="simplex"} region {
    func @objective(%x: f64[2] param, %t: f64[2] data) -> (f64[]) {
      %d = sub %x, %t : f64[2]
      %d2 = square %d : f64[2]
      %obj = reduce_sum %d2 : f64[]
      return %obj
    }
  } : f64[2]
  return %x
}`, []string{"%x = argmin", "implicit", `unknown solver "simplex"`, "ridge"}},
		{"unconstrained solver with constraints", `
func @f(%t: f64[2] param) -> (f64[2]) {
  %x = argmin %t {solver="newton"} region {
    func @objective(%x: f64[2] param, %t: f64[2] data) -> (f64[]) {
      %d = sub %x, %t : f64[2]
      %d2 = square %d : f64[2]
      %obj = reduce_sum %d2 : f64[]
      return %obj
    }
    func @sum(%x: f64[2] param, %t: f64[2] data) -> (f64[]) {
      %s = reduce_sum %x : f64[]
      return %s
    }
  } : f64[2]
  return %x
}`, []string{"%x = argmin", "solver newton is unconstrained", "sqp"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := parseVerified(t, c.src)
			_, err := passes.JVP(f, []string{"t"}, 1)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func argminGolden(t *testing.T, name string) *ir.Func {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "ir", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ir.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	return m.Funcs[0]
}

// The golden argmin graphs, unconstrained and constrained: jvp (one and
// many tangents) and vjp with the clean-up verify and print as IR that
// parses back.
func TestArgminGoldenFiles(t *testing.T) {
	for _, name := range []string{"argmin_projection.pf", "argmin_constrained.pf"} {
		f := argminGolden(t, name)
		for _, c := range []struct {
			pass string
			T    int
		}{{"jvp", 1}, {"jvp", 4}, {"vjp", 1}} {
			passes := append([]string{"implicit", c.pass}, passes.Cleanup...)
			g, err := runPasses(f, passes, c.T)
			if err != nil {
				t.Fatalf("%s %s (T=%d): %v", name, c.pass, c.T, err)
			}
			back, err := ir.ParseFunc(g.String())
			if err != nil {
				t.Fatalf("%s %s (T=%d): output does not parse: %v\n%s", name, c.pass, c.T, err, g)
			}
			if err := ir.Verify(back); err != nil {
				t.Fatalf("%s %s (T=%d): reparsed output does not verify: %v", name, c.pass, c.T, err)
			}
		}
	}
}

func runPasses(f *ir.Func, names []string, T int) (*ir.Func, error) {
	wrt := passes.ParamsWithRole(f, ir.Param)
	if len(wrt) == 0 {
		wrt = []string{f.Params[0].Name}
	}
	return passes.Run(f, names, passes.Options{Tangents: T, Verify: true, Wrt: wrt})
}

// An argmin nested in another's objective, depending on the outer
// variables: the outer Hessian differentiates the inner rule's transpose
// (second order through the inner argmin). Outer: x* = argmin_x
// 0.5||z(x) − θ||² + 0.5||x||² with z(x) = argmin_z 0.5 zᵀAz − xᵀz = A⁻¹x,
// so x* = (A⁻² + I)⁻¹ A⁻¹ θ, a linear map of θ. The derivative does not
// depend on where the solver stops, so the outer solve (whose finite
// differences see the noise of the inner one) gets a loose tolerance.
func TestArgminJVPNested(t *testing.T) {
	f := parseVerified(t, `
func @nested(%t: f64[3] param) -> (f64[3]) {
  %x = argmin %t {max_iter=1000, tol=1e-5} region {
    func @outer(%x: f64[3] param, %t: f64[3] data) -> (f64[]) {
      %z = argmin %x {max_iter=1000, tol=1e-10} region {
        func @inner(%z: f64[3] param, %x: f64[3] data) -> (f64[]) {
          %a = constant {value=[4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2]} : f64[3,3]
          %zc = reshape %z : f64[3,1]
          %azc = matmul %a, %zc : f64[3,1]
          %az = reshape %azc : f64[3]
          %zaz = mul %z, %az : f64[3]
          %q = reduce_sum %zaz : f64[]
          %half = full {value=0.5} : f64[]
          %hq = mul %half, %q : f64[]
          %xz = mul %x, %z : f64[3]
          %lin = reduce_sum %xz : f64[]
          %obj = sub %hq, %lin : f64[]
          return %obj
        }
      } : f64[3]
      %d = sub %z, %t : f64[3]
      %d2 = square %d : f64[3]
      %x2 = square %x : f64[3]
      %s = add %d2, %x2 : f64[3]
      %sum = reduce_sum %s : f64[]
      %half = full {value=0.5} : f64[]
      %obj = mul %half, %sum : f64[]
      return %obj
    }
  } : f64[3]
  return %x
}`)
	r := rand.New(rand.NewPCG(7, 8))
	theta, v := argminNormals(r, 3), argminNormals(r, 3)
	_, dx := argminRunJVP(t, f, theta, v, 1)
	// ẋ = (A⁻² + I)⁻¹ A⁻¹ θ̇ = (A⁻¹ + A)⁻¹ θ̇.
	var ainv, m mat.Dense
	if err := ainv.Inverse(argminQuadraticA); err != nil {
		t.Fatal(err)
	}
	m.Add(&ainv, argminQuadraticA)
	var want mat.VecDense
	if err := want.SolveVec(&m, mat.NewVecDense(3, v)); err != nil {
		t.Fatal(err)
	}
	argminClose(t, "ẋ", dx, want.RawVector().Data, 1e-10)
}
