package conformance

import (
	"fmt"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
)

// declarativeCases returns the cases of the declarative ops.
//
// argmin is checked through the interpreter's solver (BFGS on
// finite-difference gradients) against the JVP rule of the passes
// (implicit differentiation with the dense Hessian of the region). The
// finite differences of the check differentiate the solver's output, so
// the solve must be accurate to far below the FD step: the cases ask for a
// tight gradient tolerance.
func declarativeCases() []Case {
	solve := ir.Attrs{"tol": ir.Float(argminTol), "max_iter": ir.Int(1000)}
	return []Case{
		// x* = θ: the derivative is the identity.
		{Name: "argmin/projection", Op: ir.OpArgmin, Attrs: solve, Inputs: []Input{fl(4)},
			Declared: declare(4), Region: objective(projection)},
		// 0.5 xᵀAx − θᵀx for a fixed SPD A: x* = A⁻¹θ, the derivative is A⁻¹.
		{Name: "argmin/quadratic", Op: ir.OpArgmin, Attrs: solve, Inputs: []Input{fl(3)},
			Declared: declare(3), Region: quadraticObjective},
		// exp(x) + x = θ elementwise: no closed form.
		{Name: "argmin/exp", Op: ir.OpArgmin, Attrs: solve, Inputs: []Input{fl(2, 2)},
			Declared: declare(2, 2), Region: objective(expObjective)},
		// A scalar variable (n = 1): x* = log θ.
		{Name: "argmin/scalar", Op: ir.OpArgmin, Attrs: solve, Inputs: []Input{flDist(Positive)},
			Declared: declare(), Region: objective(scalarObjective)},
		// Two results coupled through a matrix operand: a dense Hessian
		// with off-diagonal blocks, a solution nonlinear in W, three
		// operands.
		{Name: "argmin/two_results", Op: ir.OpArgmin, Attrs: solve, Inputs: []Input{fl(3, 2), fl(3), fl(2)},
			Declared: func(d ir.DType) []ir.Type { return []ir.Type{ir.TensorOf(d, 2), ir.TensorOf(d, 3)} },
			Region:   objective(twoResults)},
		// An i64 operand, which gets no tangent: x* = θ + k.
		{Name: "argmin/labels", Op: ir.OpArgmin, Attrs: solve, Inputs: []Input{fl(3), labels(4, 3)},
			Declared: declare(3), Region: objective(withLabels)},
	}
}

// argminTol is the solver's gradient tolerance in the argmin cases. The
// interpreter's BFGS cannot reach it (its gradients are finite differences
// of the objective); it iterates until its line search stalls at the
// noise floor, which is what the finite differences of the check need.
// The explicit max_iter makes the iteration count a budget, not a failure.
const argminTol = 1e-12

// The objectives vanish at their minimiser and are computed from
// residuals that vanish there too. The interpreter's solver differentiates
// the objective by central differences, whose rounding error is about
// ε·|terms|/h: with terms of size 1 (say 0.5 xᵀAx − θᵀx written out) the
// f64 solution is only accurate to ~1e-11, and the check's own finite
// differences (step 1e-5) of that solution are then off by ~1e-6, above
// the f64 tolerance. Written as residuals, the same problems (same
// minimiser, gradient up to a positive factor, and Hessian at the
// solution) are solved to ~1e-15. The JVP rule itself sees the objective
// as written; passes/jvp_rules_argmin_test.go checks it on the plain forms
// against closed-form derivatives.
const (
	projection = `
func @objective(%x: D[4] param, %t: D[4] data) -> (D[]) {
  %d = sub %x, %t : D[4]
  %d2 = square %d : D[4]
  %s = reduce_sum %d2 : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %s : D[]
  return %obj
}`
	// 0.5 (Ax − θ)ᵀ A⁻¹ (Ax − θ) = 0.5 xᵀAx − θᵀx + 0.5 θᵀA⁻¹θ, where
	// the last term does not depend on x.
	quadratic = `
func @objective(%x: D[3] param, %t: D[3] data) -> (D[]) {
  %a = constant {value=[A]} : D[3,3]
  %ainv = constant {value=[AINV]} : D[3,3]
  %xc = reshape %x : D[3,1]
  %axc = matmul %a, %xc : D[3,1]
  %tc = reshape %t : D[3,1]
  %r = sub %axc, %tc : D[3,1]
  %ar = matmul %ainv, %r : D[3,1]
  %rar = mul %r, %ar : D[3,1]
  %q = reduce_sum %rar : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %q : D[]
  return %obj
}`
	// 0.5 ||exp(x) + x − θ||², whose minimiser is that of
	// Σ exp(x) + 0.5||x||² − θ·x.
	expObjective = `
func @objective(%x: D[2,2] param, %t: D[2,2] data) -> (D[]) {
  %e = exp %x : D[2,2]
  %ex = add %e, %x : D[2,2]
  %r = sub %ex, %t : D[2,2]
  %r2 = square %r : D[2,2]
  %s = reduce_sum %r2 : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %s : D[]
  return %obj
}`
	// 0.5 (exp(x) − θ)², whose minimiser is that of exp(x) − θx.
	scalarObjective = `
func @objective(%x: D[] param, %t: D[] data) -> (D[]) {
  %e = exp %x : D[]
  %r = sub %e, %t : D[]
  %r2 = square %r : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %r2 : D[]
  return %obj
}`
	// 0.5 (||y − tanh(Wx) − a||² + ||2x + 0.3 Wᵀy − c||²). The residual
	// map has a nonsingular Jacobian everywhere (its Schur complement is
	// 2I + 0.3 WᵀDW with D = diag(1 − tanh²) ≻ 0), so its only stationary
	// point is the root, and the Hessian there is JᵀJ, dense.
	twoResults = `
func @objective(%x: D[2] param, %y: D[3] param, %w: D[3,2] data, %a: D[3] data, %c: D[2] data) -> (D[]) {
  %xc = reshape %x : D[2,1]
  %wxc = matmul %w, %xc : D[3,1]
  %wx = reshape %wxc : D[3]
  %th = tanh %wx : D[3]
  %y1 = sub %y, %th : D[3]
  %r1 = sub %y1, %a : D[3]
  %yc = reshape %y : D[3,1]
  %wyc = matmul %w, %yc {transpose_a=true} : D[2,1]
  %wy = reshape %wyc : D[2]
  %k = full {value=0.3} : D[]
  %kwy = mul %k, %wy : D[2]
  %two = full {value=2} : D[]
  %x2 = mul %two, %x : D[2]
  %s2 = add %x2, %kwy : D[2]
  %r2 = sub %s2, %c : D[2]
  %q1 = square %r1 : D[3]
  %q2 = square %r2 : D[2]
  %n1 = reduce_sum %q1 : D[]
  %n2 = reduce_sum %q2 : D[]
  %n = add %n1, %n2 : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %n : D[]
  return %obj
}`
	withLabels = `
func @objective(%x: D[3] param, %t: D[3] data, %k: i64[3] data) -> (D[]) {
  %kf = cast %k : D[3]
  %c = add %t, %kf : D[3]
  %d = sub %x, %c : D[3]
  %d2 = square %d : D[3]
  %s = reduce_sum %d2 : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %s : D[]
  return %obj
}`
)

// quadraticA is the SPD matrix of the quadratic case (eigenvalues about
// 1.8, 2.7 and 4.5).
var quadraticA = []float64{4, 1, 0.5, 1, 3, 0.25, 0.5, 0.25, 2}

// quadraticObjective is the quadratic case's region, with A and A⁻¹ (in
// full f64 precision) spelled into the text.
func quadraticObjective(d ir.DType) *ir.Region {
	var inv mat.Dense
	if err := inv.Inverse(mat.NewDense(3, 3, quadraticA)); err != nil {
		panic(fmt.Sprintf("conformance: inverting the quadratic case's matrix: %v", err))
	}
	src := strings.NewReplacer("[A]", "["+numberList(quadraticA)+"]", "[AINV]", "["+numberList(inv.RawMatrix().Data)+"]").Replace(quadratic)
	return objective(src)(d)
}

func numberList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(parts, ", ")
}

// objective returns a Region hook that parses src with D replaced by the
// dtype. The sources are fixed, so a parse error is a bug in this file.
func objective(src string) func(d ir.DType) *ir.Region {
	return func(d ir.DType) *ir.Region {
		text := strings.NewReplacer(" D[", " "+d.String()+"[", "(D[", "("+d.String()+"[").Replace(src)
		f, err := ir.ParseFunc(text)
		if err != nil {
			panic(fmt.Sprintf("conformance: argmin objective: %v\n%s", err, text))
		}
		return &ir.Region{Funcs: []*ir.Func{f}}
	}
}
