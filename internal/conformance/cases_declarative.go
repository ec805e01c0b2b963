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
// argmin runs the solver its attributes name on the functions the
// implicit pass derives (Check runs the pass), and its JVP is the
// implicit rule (matrix-free by default, dense where the case asks):
// the finite differences of the check differentiate the solution map
// through the solver, so they also check that the solve is accurate
// (to ~1e-12 relative in f64, far below the step). linear_solve runs a
// Krylov method on its region's matvec; its cases perturb the right-hand
// side and the operator.
func declarativeCases() []Case {
	dense := ir.Attrs{"implicit": ir.String("dense")}
	return []Case{
		// x* = θ: the derivative is the identity.
		{Name: "argmin/projection", Op: ir.OpArgmin, Inputs: []Input{fl(4)},
			Declared: declare(4), Region: objective(projection)},
		// 0.5 xᵀAx − θᵀx for a fixed SPD A: x* = A⁻¹θ, the derivative is A⁻¹.
		{Name: "argmin/quadratic", Op: ir.OpArgmin, Inputs: []Input{fl(3)},
			Declared: declare(3), Region: quadraticObjective},
		{Name: "argmin/quadratic_dense", Op: ir.OpArgmin, Attrs: dense, Inputs: []Input{fl(3)},
			Declared: declare(3), Region: quadraticObjective},
		// exp(x) + x = θ elementwise: no closed form.
		{Name: "argmin/exp", Op: ir.OpArgmin, Inputs: []Input{fl(2, 2)},
			Declared: declare(2, 2), Region: objective(expObjective)},
		{Name: "argmin/exp_bfgs", Op: ir.OpArgmin, Attrs: ir.Attrs{"solver": ir.String("bfgs")}, Inputs: []Input{fl(2, 2)},
			Declared: declare(2, 2), Region: objective(expObjective)},
		// A scalar variable (n = 1): x* = log θ.
		{Name: "argmin/scalar", Op: ir.OpArgmin, Inputs: []Input{flDist(Positive)},
			Declared: declare(), Region: objective(scalarObjective)},
		// Two results coupled through a matrix operand: a dense Hessian
		// with off-diagonal blocks, a solution nonlinear in W, three
		// operands.
		{Name: "argmin/two_results", Op: ir.OpArgmin, Inputs: []Input{fl(3, 2), fl(3), fl(2)},
			Declared: func(d ir.DType) []ir.Type { return []ir.Type{ir.TensorOf(d, 2), ir.TensorOf(d, 3)} },
			Region:   objective(twoResults)},
		{Name: "argmin/two_results_dense", Op: ir.OpArgmin, Attrs: dense, Inputs: []Input{fl(3, 2), fl(3), fl(2)},
			Declared: func(d ir.DType) []ir.Type { return []ir.Type{ir.TensorOf(d, 2), ir.TensorOf(d, 3)} },
			Region:   objective(twoResults)},
		// An i64 operand, which gets no tangent: x* = θ + k.
		{Name: "argmin/labels", Op: ir.OpArgmin, Inputs: []Input{fl(3), labels(4, 3)},
			Declared: declare(3), Region: objective(withLabels)},
		// An equality constraint (sqp, KKT by MINRES): the projection onto
		// the unit sphere around e₁ (which passes through the start, 0),
		// x* = e₁ + (θ − e₁)/‖θ − e₁‖.
		{Name: "argmin/sphere", Op: ir.OpArgmin, Inputs: []Input{flDist(AwayFromZero, 4)},
			Declared: declare(4), Region: objective(sphere)},
		{Name: "argmin/sphere_dense", Op: ir.OpArgmin, Attrs: dense, Inputs: []Input{flDist(AwayFromZero, 4)},
			Declared: declare(4), Region: objective(sphere)},
		// The Stiefel constraint XᵀX = I: the nearest orthonormal matrix,
		// the polar factor of A (riemannian, and sqp on the same problem).
		{Name: "argmin/stiefel", Op: ir.OpArgmin, Inputs: []Input{fl(5, 3)},
			Declared: declare(5, 3), Region: objective(stiefel)},
		// sqp finds the stationary point nearest its start, warm-started
		// from A (orthonormalised) rather than from the identity's columns.
		{Name: "argmin/stiefel_sqp", Op: ir.OpArgmin, Attrs: ir.Attrs{"solver": ir.String("sqp"), "init": ir.Ints(0)}, Inputs: []Input{fl(5, 3)},
			Declared: declare(5, 3), Region: objective(stiefel)},
		// Closed forms: ridge (A, B, λ) and least squares (A, B).
		{Name: "argmin/ridge", Op: ir.OpArgmin, Attrs: ir.Attrs{"solver": ir.String("ridge")},
			Inputs: []Input{fl(6, 3), fl(6, 2), flDist(Positive)}, Declared: declare(3, 2), Region: objective(ridge)},
		{Name: "argmin/ridge_wide", Op: ir.OpArgmin, Attrs: ir.Attrs{"solver": ir.String("ridge")},
			Inputs: []Input{fl(2, 4), fl(2), flDist(Positive)}, Declared: declare(4), Region: objective(ridgeWide)},
		{Name: "argmin/lstsq", Op: ir.OpArgmin, Attrs: ir.Attrs{"solver": ir.String("lstsq")},
			Inputs: []Input{fl(6, 3), fl(6, 2)}, Declared: declare(3, 2), Region: objective(lstsq)},

		// linear_solve: conjugate gradients, MINRES (indefinite), GMRES
		// (non-symmetric, transposed by the VJP of its matvec), a batch of
		// right-hand sides.
		{Name: "linear_solve/cg", Op: ir.OpLinearSolve, Attrs: ir.Attrs{"symmetric": ir.Bool(true), "posdef": ir.Bool(true)},
			Inputs: []Input{fl(3), fl(3, 3)}, Region: objective(spdMatvec)},
		{Name: "linear_solve/minres", Op: ir.OpLinearSolve, Attrs: ir.Attrs{"symmetric": ir.Bool(true)},
			Inputs: []Input{fl(3), fl(3, 3)}, Region: objective(indefiniteMatvec)},
		{Name: "linear_solve/gmres", Op: ir.OpLinearSolve,
			Inputs: []Input{fl(3), fl(3, 3)}, Region: objective(generalMatvec)},
		{Name: "linear_solve/batch", Op: ir.OpLinearSolve, Attrs: ir.Attrs{"symmetric": ir.Bool(true), "posdef": ir.Bool(true)},
			Inputs: []Input{fl(2, 3), fl(3, 3)}, Region: objective(spdMatvec)},
	}
}

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
	// ½‖x − θ‖² subject to ‖x − e₁‖² − 1 = 0.
	sphere = `
func @objective(%x: D[4] param, %t: D[4] data) -> (D[]) {
  %d = sub %x, %t : D[4]
  %d2 = square %d : D[4]
  %s = reduce_sum %d2 : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %s : D[]
  return %obj
}
func @sphere(%x: D[4] param, %t: D[4] data) -> (D[]) {
  %e = constant {value=[1, 0, 0, 0]} : D[4]
  %xe = sub %x, %e : D[4]
  %x2 = square %xe : D[4]
  %n = reduce_sum %x2 : D[]
  %one = full {value=1} : D[]
  %c = sub %n, %one : D[]
  return %c
}`
	// ½‖X − A‖² subject to XᵀX = I, as builder.Stiefel writes it.
	stiefel = `
func @objective(%x: D[5,3] param, %a: D[5,3] data) -> (D[]) {
  %d = sub %x, %a : D[5,3]
  %d2 = square %d : D[5,3]
  %s = reduce_sum %d2 : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %s : D[]
  return %obj
}
func @stiefel(%x: D[5,3] param, %a: D[5,3] data) -> (D[3,3]) {
  %g = matmul %x, %x {transpose_a=true} : D[3,3]
  %eye = constant {value=[1, 0, 0, 0, 1, 0, 0, 0, 1]} : D[3,3]
  %r = sub %g, %eye : D[3,3]
  return %r
}`
	// ½‖AX − B‖² + ½λ‖X‖².
	ridge = `
func @objective(%x: D[3,2] param, %a: D[6,3] data, %b: D[6,2] data, %l: D[] data) -> (D[]) {
  %ax = matmul %a, %x : D[6,2]
  %r = sub %ax, %b : D[6,2]
  %r2 = square %r : D[6,2]
  %s = reduce_sum %r2 : D[]
  %x2 = square %x : D[3,2]
  %sx = reduce_sum %x2 : D[]
  %lsx = mul %l, %sx : D[]
  %t = add %s, %lsx : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %t : D[]
  return %obj
}`
	// The same with fewer rows than columns (the dual closed form) and a
	// vector right-hand side.
	ridgeWide = `
func @objective(%x: D[4] param, %a: D[2,4] data, %b: D[2] data, %l: D[] data) -> (D[]) {
  %xc = reshape %x : D[4,1]
  %axc = matmul %a, %xc : D[2,1]
  %ax = reshape %axc : D[2]
  %r = sub %ax, %b : D[2]
  %r2 = square %r : D[2]
  %s = reduce_sum %r2 : D[]
  %x2 = square %x : D[4]
  %sx = reduce_sum %x2 : D[]
  %lsx = mul %l, %sx : D[]
  %t = add %s, %lsx : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %t : D[]
  return %obj
}`
	// ½‖AX − B‖².
	lstsq = `
func @objective(%x: D[3,2] param, %a: D[6,3] data, %b: D[6,2] data) -> (D[]) {
  %ax = matmul %a, %x : D[6,2]
  %r = sub %ax, %b : D[6,2]
  %r2 = square %r : D[6,2]
  %s = reduce_sum %r2 : D[]
  %half = full {value=0.5} : D[]
  %obj = mul %half, %s : D[]
  return %obj
}`
	// A v = (MᵀM + 2I) v: symmetric positive definite for any M.
	spdMatvec = `
func @matvec(%v: D[3] data, %m: D[3,3] param) -> (D[3]) {
  %vc = reshape %v : D[3,1]
  %mv = matmul %m, %vc : D[3,1]
  %mtmv = matmul %m, %mv {transpose_a=true} : D[3,1]
  %a = reshape %mtmv : D[3]
  %two = full {value=2} : D[]
  %tv = mul %two, %v : D[3]
  %av = add %a, %tv : D[3]
  return %av
}`
	// A v = (diag(3, −2, 4) + 0.1 (M + Mᵀ)) v: symmetric, indefinite, and
	// well away from singular for the sampled M.
	indefiniteMatvec = `
func @matvec(%v: D[3] data, %m: D[3,3] param) -> (D[3]) {
  %d = constant {value=[3, -2, 4]} : D[3]
  %dv = mul %d, %v : D[3]
  %vc = reshape %v : D[3,1]
  %mv = matmul %m, %vc : D[3,1]
  %mtv = matmul %m, %vc {transpose_a=true} : D[3,1]
  %s = add %mv, %mtv : D[3,1]
  %k = full {value=0.1} : D[]
  %ks = mul %k, %s : D[3,1]
  %sv = reshape %ks : D[3]
  %av = add %dv, %sv : D[3]
  return %av
}`
	// A v = (4I + 0.3 M) v: not symmetric.
	generalMatvec = `
func @matvec(%v: D[3] data, %m: D[3,3] param) -> (D[3]) {
  %vc = reshape %v : D[3,1]
  %mv = matmul %m, %vc : D[3,1]
  %k = full {value=0.3} : D[]
  %kmv = mul %k, %mv : D[3,1]
  %s = reshape %kmv : D[3]
  %four = full {value=4} : D[]
  %fv = mul %four, %v : D[3]
  %av = add %fv, %s : D[3]
  return %av
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

// objective returns a Region hook that parses src, one or more
// functions (an objective and constraints, or a matvec), with D replaced
// by the dtype. The sources are fixed, so a parse error is a bug in this
// file.
func objective(src string) func(d ir.DType) *ir.Region {
	return func(d ir.DType) *ir.Region {
		text := strings.NewReplacer(" D[", " "+d.String()+"[", "(D[", "("+d.String()+"[").Replace(src)
		m, err := ir.Parse("region", []byte(text))
		if err != nil {
			panic(fmt.Sprintf("conformance: region: %v\n%s", err, text))
		}
		return &ir.Region{Funcs: m.Funcs}
	}
}
