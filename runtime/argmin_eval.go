package runtime

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/solve"
)

// An argminEval evaluates an argmin's region functions on flat float64
// vectors, for the solvers' callbacks. It holds one Runner per region
// function, so that the many evaluations of a solve reuse their buffers;
// it belongs to one execution (Runners are not safe for concurrent use).
type argminEval struct {
	c       *call
	a       *ir.ArgminRegion
	vars    []ir.Type
	off     []int // offset of each variable in the flat vector
	n       int
	ops     []*Tensor
	cTypes  []ir.Type
	cOff    []int
	m       int
	runners map[*ir.Func]*Runner
}

func newArgminEval(c *call, a *ir.ArgminRegion, vars []ir.Type) *argminEval {
	ev := &argminEval{c: c, a: a, vars: vars, ops: c.args, runners: map[*ir.Func]*Runner{}}
	for _, t := range vars {
		ev.off = append(ev.off, ev.n)
		ev.n += t.Shape.Size()
	}
	for _, f := range a.Constraints {
		t := f.Results[0].Type
		ev.cTypes = append(ev.cTypes, t)
		ev.cOff = append(ev.cOff, ev.m)
		ev.m += t.Shape.Size()
	}
	return ev
}

// run runs region function f on inputs; its results are valid until the
// next run of f.
func (ev *argminEval) run(f *ir.Func, inputs []*Tensor) ([]*Tensor, error) {
	r := ev.runners[f]
	if r == nil {
		r = ev.c.region.funcs[f].NewRunner()
		ev.runners[f] = r
	}
	outs, err := r.Run(inputs)
	if err != nil {
		return nil, fmt.Errorf("@%s: %w", f.Name, err)
	}
	return outs, nil
}

// args builds the inputs variables(x), operands, then extra.
func (ev *argminEval) args(x []float64, extra ...*Tensor) []*Tensor {
	in := make([]*Tensor, 0, len(ev.vars)+len(ev.ops)+len(extra))
	in = append(in, splitVars(x, ev.vars)...)
	in = append(in, ev.ops...)
	return append(in, extra...)
}

func (ev *argminEval) f(x []float64) (float64, error) {
	outs, err := ev.run(ev.a.Objective, ev.args(x))
	if err != nil {
		return 0, err
	}
	return outs[0].Float64s()[0], nil
}

func (ev *argminEval) grad(x, g []float64) error {
	outs, err := ev.run(ev.a.Grad, ev.args(x))
	if err != nil {
		return err
	}
	flattenInto(g, outs)
	return nil
}

func (ev *argminEval) hessVec(x, v, hv []float64) error {
	outs, err := ev.run(ev.a.HVP, ev.args(x, splitVars(v, ev.vars)...))
	if err != nil {
		return err
	}
	flattenInto(hv, outs)
	return nil
}

// cons writes the constraints' values, concatenated.
func (ev *argminEval) cons(x, c []float64) error {
	for i, f := range ev.a.Constraints {
		outs, err := ev.run(f, ev.args(x))
		if err != nil {
			return err
		}
		flattenInto(c[ev.cOff[i]:], outs)
	}
	return nil
}

func (ev *argminEval) jac(x, v, av []float64) error {
	vs := splitVars(v, ev.vars)
	for i, f := range ev.a.ConstraintJVP {
		outs, err := ev.run(f, ev.args(x, vs...))
		if err != nil {
			return err
		}
		flattenInto(av[ev.cOff[i]:], outs)
	}
	return nil
}

// multiplier returns constraint i's part of w as a tensor.
func (ev *argminEval) multiplier(w []float64, i int) *Tensor {
	t := ev.cTypes[i]
	return FromFloat64s(t, w[ev.cOff[i]:ev.cOff[i]+t.Shape.Size()])
}

// accumulate runs one function per constraint and sums their flattened
// results into out.
func (ev *argminEval) accumulate(fs []*ir.Func, out []float64, inputs func(i int) []*Tensor) error {
	clear(out)
	tmp := make([]float64, len(out))
	for i, f := range fs {
		outs, err := ev.run(f, inputs(i))
		if err != nil {
			return err
		}
		flattenInto(tmp, outs)
		for k, t := range tmp {
			out[k] += t
		}
	}
	return nil
}

func (ev *argminEval) jacT(x, w, atw []float64) error {
	return ev.accumulate(ev.a.ConstraintVJP, atw, func(i int) []*Tensor { return ev.args(x, ev.multiplier(w, i)) })
}

func (ev *argminEval) consHessVec(x, w, v, hv []float64) error {
	vs := splitVars(v, ev.vars)
	return ev.accumulate(ev.a.ConstraintHVP, hv, func(i int) []*Tensor {
		return ev.args(x, append([]*Tensor{ev.multiplier(w, i)}, vs...)...)
	})
}

func (ev *argminEval) problem() solve.Problem {
	return solve.Problem{N: ev.n, Func: ev.f, Grad: ev.grad, HessVec: ev.hessVec}
}

func (ev *argminEval) constraints() solve.Constraints {
	return solve.Constraints{M: ev.m, Func: ev.cons, JacVec: ev.jac, JacTVec: ev.jacT, HessVec: ev.consHessVec}
}
