package runtime

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/solve"
)

// linear_solve runs a Krylov method on its region's matvec: conjugate
// gradients for a symmetric positive definite operator, MINRES for a
// symmetric one, restarted GMRES otherwise (or the method attribute's),
// each right-hand side on its own, in float64 with the matvec evaluated
// in the region's dtype. Non-convergence, a direction of non-positive
// curvature under CG and a singular system under MINRES are errors.

// linear_solve defaults, used when the attributes are absent: the
// relative residual, and the iteration budget per right-hand side.
const (
	solveTolF64, solveTolF32 = 1e-10, 1e-5
	gmresRestart             = 50
)

func defaultSolveIter(n int) int { return 3*n + 100 }

func execLinearSolve(c *call) ([]*Tensor, error) {
	mv := c.in.Region.Funcs[0]
	it := c.region.funcs[mv]
	v := mv.Params[0].Type
	b := c.args[0]
	batch, ok := ir.BatchOf(b.Type, v)
	if !ok {
		return nil, fmt.Errorf("right-hand side %s is not a batch of the matvec's vectors %s", b.Type, v)
	}
	n := v.Shape.Size()
	sym, err := c.in.BoolAttr("symmetric")
	if err != nil {
		return nil, err
	}
	posdef, err := c.in.BoolAttr("posdef")
	if err != nil {
		return nil, err
	}
	method := "gmres"
	switch {
	case sym && posdef:
		method = "cg"
	case sym:
		method = "minres"
	}
	if method, err = c.in.Attrs.Str("method", method); err != nil {
		return nil, err
	}
	defTol := solveTolF64
	if v.DType == ir.F32 {
		defTol = solveTolF32
	}
	tol, err := c.in.Attrs.Float("tol", defTol)
	if err != nil {
		return nil, err
	}
	maxIter, err := c.in.Attrs.Int("max_iter", defaultSolveIter(n))
	if err != nil {
		return nil, err
	}
	if !(tol > 0) || maxIter <= 0 {
		return nil, fmt.Errorf("tol=%v and max_iter=%d must be positive", tol, maxIter)
	}
	runner := it.NewRunner()
	inputs := append([]*Tensor{Zeros(v)}, c.args[1:]...)
	op := func(x, ax []float64) error {
		setFloats(inputs[0], x)
		outs, err := runner.Run(inputs)
		if err != nil {
			return fmt.Errorf("matvec @%s: %w", mv.Name, err)
		}
		flattenInto(ax, outs)
		return nil
	}
	bs := b.Float64s()
	xs := make([]float64, len(bs))
	for k := range batch.Size() {
		rhs, x := bs[k*n:(k+1)*n], xs[k*n:(k+1)*n]
		switch method {
		case "cg":
			_, err = solve.CG(op, rhs, x, tol, maxIter)
		case "minres":
			_, err = solve.MINRES(op, rhs, x, tol, maxIter)
		case "gmres":
			_, err = solve.GMRES(op, rhs, x, tol, gmresRestart, maxIter)
		default:
			return nil, fmt.Errorf("unknown method %q (want cg, minres or gmres)", method)
		}
		if err != nil {
			if batch.Size() > 1 {
				return nil, fmt.Errorf("right-hand side %d of %d: %w", k, batch.Size(), err)
			}
			return nil, err
		}
	}
	return []*Tensor{FromFloat64s(b.Type, xs)}, nil
}
