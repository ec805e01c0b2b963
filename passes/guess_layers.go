package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// A Layer is a perturbation point of a model for forward gradients: a
// pre-activation s = x·W (+ b) of a batch of examples.
type Layer struct {
	Pre    *ir.Value // s, [B, d_out]
	Input  *ir.Value // x, [B, d_in]
	Weight *ir.Value // W, a param [d_in, d_out]
	Bias   *ir.Value // b, a param [d_out], or nil
}

// FindLayers returns the layers of f in order: every matmul of a rank-2
// value by a rank-2 float parameter with role param (not transposed); if
// its result is used only by an add of a rank-1 param, that sum is the
// pre-activation and the param its bias. Nothing else about the network
// is assumed: what lies between two layers is whatever the IR says.
func FindLayers(f *ir.Func) ([]Layer, error) {
	uses := usesOf(f)
	var layers []Layer
	for _, in := range f.Body {
		if in.Op != ir.OpMatmul || len(in.Attrs) > 0 {
			continue
		}
		x, w := in.Args[0], in.Args[1]
		if !w.IsParam() || w.Role != ir.Param || w.Type.Rank() != 2 || x.Type.Rank() != 2 || !w.Type.DType.IsFloat() {
			continue
		}
		l := Layer{Pre: in.Results[0], Input: x, Weight: w}
		if u := uses[l.Pre]; len(u) == 1 && u[0].Op == ir.OpAdd {
			add := u[0]
			b := add.Args[1]
			if b == l.Pre {
				b = add.Args[0]
			}
			if b.IsParam() && b.Role == ir.Param && b.Type.Rank() == 1 && add.Results[0].Type.Equal(l.Pre.Type) {
				l.Pre, l.Bias = add.Results[0], b
			}
		}
		layers = append(layers, l)
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("@%s: no layers (matmul of a value by a param) to perturb", f.Name)
	}
	return layers, nil
}

// usesOf maps each value of f to the instructions that use it.
func usesOf(f *ir.Func) map[*ir.Value][]*ir.Instr {
	uses := map[*ir.Value][]*ir.Instr{}
	for _, in := range f.Body {
		for _, a := range in.Args {
			uses[a] = append(uses[a], in)
		}
	}
	return uses
}

// perExampleLoss returns a copy of f in which the loss (the first result)
// is the mean of a vector of per-example losses, and that vector. A
// softmax_xent loss is expanded into its per-example form; a reduce_mean
// of a rank-1 vector is taken as it is. Forward gradients need the
// per-example directional derivatives J_b, the tangents of that vector.
func perExampleLoss(f *ir.Func) (*ir.Func, *ir.Value, error) {
	g := f.Clone()
	if len(g.Results) == 0 || g.Results[0].Type.Rank() != 0 || !g.Results[0].Type.DType.IsFloat() {
		return nil, nil, fmt.Errorf("@%s: forward gradients need a float scalar loss as the first result", f.Name)
	}
	loss := g.Results[0]
	in := loss.Def
	switch {
	case in != nil && in.Op == ir.OpReduceMean && in.Args[0].Type.Rank() == 1:
		return g, in.Args[0], nil
	case in != nil && in.Op == ir.OpSoftmaxXent:
		return g, expandXent(g, in), nil
	}
	return nil, nil, fmt.Errorf("@%s: the loss %s is neither softmax_xent nor the mean of per-example losses", f.Name, loss)
}

// expandXent rewrites loss = softmax_xent(z, t) in g as
// loss = reduce_mean(-sum(one_hot(t) * log_softmax(z), axis 1)) and
// returns the per-example vector.
func expandXent(g *ir.Func, xent *ir.Instr) *ir.Value {
	z, labels := xent.Args[0], xent.Args[1]
	// The new code is written into a body of its own, with g's names, and
	// spliced in before the loss.
	e := ir.NewWriter(&ir.Func{Name: g.Name}, ir.NewNamer(g)).At(xent.Pos)
	lp := emit1(e, ir.OpLogSoftmax, ir.Attrs{"axis": ir.Int(1)}, z)
	oh := e.Emit(ir.OpOneHot, vals(labels), ir.Attrs{"depth": ir.Int(z.Type.Shape[1])}, z.Type)[0]
	ll := reduceSum(e, mul(e, oh, lp), []int{1}, false)
	per := neg(e.Named(xent.Results[0].Name+".per_example"), ll)
	xent.Op, xent.Args, xent.Attrs = ir.OpReduceMean, vals(per), nil
	at := 0
	for i, b := range g.Body {
		if b == xent {
			at = i
		}
	}
	body := append([]*ir.Instr{}, g.Body[:at]...)
	body = append(body, e.Func().Body...)
	g.Body = append(body, g.Body[at:]...)
	return per
}
