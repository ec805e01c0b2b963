package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// The closed forms built in: least squares and ridge regression. Each
// documents the operands it expects; the objective is the user's, and
// the runtime's optimality check after the solve catches a closed form
// applied to a problem it does not solve.

func init() {
	RegisterClosedForm("ridge", ridgeSolution)
	RegisterClosedForm("lstsq", lstsqSolution)
}

// regressionOperands checks the operands (A [m,d], B [m,c] or [m]) of a
// regression with one variable X [d,c] or [d], and returns B as a matrix.
func regressionOperands(e *ir.Writer, in *ir.Instr, ops []*ir.Value, want int) (a, b *ir.Value, err error) {
	if len(ops) != want || len(in.Results) != 1 {
		return nil, nil, fmt.Errorf("want %d operands and one variable, got %d and %d", want, len(ops), len(in.Results))
	}
	a, b = ops[0], ops[1]
	x := in.Results[0].Type
	if a.Type.Rank() != 2 || !a.Type.DType.IsFloat() || b.Type.DType != a.Type.DType || x.DType != a.Type.DType {
		return nil, nil, fmt.Errorf("want a float matrix A and B of its dtype, got %s and %s", a.Type, b.Type)
	}
	m, d := a.Type.Shape[0], a.Type.Shape[1]
	switch {
	case b.Type.Rank() == 1 && b.Type.Shape[0] == m && x.Shape.Equal(ir.Shape{d}):
		b = reshape(e, b, ir.Shape{m, 1})
	case b.Type.Rank() == 2 && b.Type.Shape[0] == m && x.Shape.Equal(ir.Shape{d, b.Type.Shape[1]}):
	default:
		return nil, nil, fmt.Errorf("operands A %s and B %s do not give a variable %s (want B [m] or [m,c] and X [d] or [d,c])", a.Type, b.Type, x)
	}
	return a, b, nil
}

// ridgeSolution is the closed form "ridge": operands (A [m,d], B [m,c] or
// [m], λ a scalar), objective ½‖AX − B‖² + ½λ‖X‖², solution
// X = (AᵀA + λI)⁻¹AᵀB by a Cholesky factor, or X = Aᵀ(AAᵀ + λI)⁻¹B when
// m < d (the smaller system; it needs λ > 0).
func ridgeSolution(e *ir.Writer, in *ir.Instr, ops []*ir.Value) ([]*ir.Value, error) {
	a, b, err := regressionOperands(e, in, ops, 3)
	if err != nil {
		return nil, err
	}
	lambda := ops[2]
	if lambda.Type.Rank() != 0 || lambda.Type.DType != a.Type.DType {
		return nil, fmt.Errorf("λ is %s, want a scalar %s", lambda.Type, a.Type.DType)
	}
	m, d := a.Type.Shape[0], a.Type.Shape[1]
	var x *ir.Value
	if m < d {
		g := add(e, matmul(e, a, a, false, true), mul(e, identity(e, a.Type.DType, m), lambda))
		x = matmul(e, a, cholSolve(e, g, b), true, false)
	} else {
		g := add(e, matmul(e, a, a, true, false), mul(e, identity(e, a.Type.DType, d), lambda))
		x = cholSolve(e, g, matmul(e, a, b, true, false))
	}
	return vals(reshape(e, x, in.Results[0].Type.Shape)), nil
}

// lstsqSolution is the closed form "lstsq": operands (A [m,d], B [m,c] or
// [m]) with m ≥ d, objective ½‖AX − B‖², solution X = R⁻¹QᵀB from the
// reduced QR factorisation A = QR.
func lstsqSolution(e *ir.Writer, in *ir.Instr, ops []*ir.Value) ([]*ir.Value, error) {
	a, b, err := regressionOperands(e, in, ops, 2)
	if err != nil {
		return nil, err
	}
	if m, d := a.Type.Shape[0], a.Type.Shape[1]; m < d {
		return nil, fmt.Errorf("operand A %s has fewer rows than columns: the least-squares solution is not unique", a.Type)
	}
	qr := e.Emit(ir.OpQR, vals(a), nil)
	if qr == nil {
		return nil, e.Err()
	}
	x := trsolve(e, qr[1], matmul(e, qr[0], b, true, false), trsolveFlags{lower: false, left: true})
	return vals(reshape(e, x, in.Results[0].Type.Shape)), nil
}

// cholSolve emits G⁻¹B for a symmetric positive definite G.
func cholSolve(e *ir.Writer, g, b *ir.Value) *ir.Value {
	l := emit1(e, ir.OpCholesky, nil, g)
	y := trsolve(e, l, b, trsolveFlags{lower: true, left: true})
	return trsolve(e, l, y, trsolveFlags{lower: true, left: true, transA: true})
}
