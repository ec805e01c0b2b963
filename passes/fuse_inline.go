package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// Unfuse returns a copy of f in which every fused instruction is replaced
// by the ops of its body applied to whole tensors: the matmul first for
// kind matmul, the reduction last for kind reduce, and broadcast_to where
// a result would otherwise be smaller than the fused op's. It computes
// the same bits as f: elementwise ops compute each element from the
// operands' elements alone, so evaluating them before or after a
// broadcast gives the same values. It is the oracle of the fuse pass's
// tests, and the JVP rule of fused differentiates the ops it emits.
func Unfuse(f *ir.Func) (*ir.Func, error) {
	g, m, w := withParams(f)
	for _, in := range f.Body {
		args := make([]*ir.Value, len(in.Args))
		for i, a := range in.Args {
			args[i] = m[a]
		}
		if in.Op != ir.OpFused {
			c := w.Copy(in, args)
			for i, r := range in.Results {
				m[r] = c.Results[i]
			}
			continue
		}
		res, err := inlineFused(w.At(in.Pos), in, args)
		if err != nil {
			return nil, fmt.Errorf("%s: %s = fused: %w", in.Pos, instrNames(in), err)
		}
		for i, r := range in.Results {
			m[r] = res[i]
		}
	}
	for _, r := range f.Results {
		g.Results = append(g.Results, m[r])
	}
	if f.Marks != nil {
		g.Marks = map[string]*ir.Value{}
		for k, v := range f.Marks {
			g.Marks[k] = m[v]
		}
	}
	return g, nil
}

// inlineFused emits, through w, the ops of fused instruction in's body on
// the tensors args (in's operands as w's function has them) and returns
// the values of in's results.
func inlineFused(w *ir.Writer, in *ir.Instr, args []*ir.Value) (results []*ir.Value, err error) {
	fu, err := ir.AnalyzeFused(in.ArgTypes(), in.Attrs, in.ResultTypes())
	if err != nil {
		return nil, err
	}
	body := in.FusedBody()
	if body == nil {
		return nil, fmt.Errorf("fused has no body")
	}
	defer checkEmit(w, &err, func() string { return "inlining the body" })
	inputs := args[fu.ElementOperands():]
	if fu.Kind == ir.FusedMatmul {
		attrs := ir.Attrs{}
		if fu.TransposeA {
			attrs["transpose_a"] = ir.Bool(true)
		}
		if fu.TransposeB {
			attrs["transpose_b"] = ir.Bool(true)
		}
		prod := emit1(w, ir.OpMatmul, attrs, args[0], args[1])
		inputs = append([]*ir.Value{prod}, inputs...)
	}
	if len(inputs) != len(body.Params) {
		return nil, fmt.Errorf("body @%s takes %d parameters for %d inputs", body.Name, len(body.Params), len(inputs))
	}
	m := map[*ir.Value]*ir.Value{}
	for i, p := range body.Params {
		m[p] = inputs[i]
	}
	for _, bin := range body.Body {
		bargs := make([]*ir.Value, len(bin.Args))
		shapes := make([]ir.Shape, len(bin.Args))
		for i, a := range bin.Args {
			bargs[i] = m[a]
			if bargs[i] == nil {
				return nil, fmt.Errorf("body @%s: %s is not defined before use", body.Name, a)
			}
			shapes[i] = bargs[i].Type.Shape
		}
		var declared []ir.Type
		switch bin.Op {
		case ir.OpFull, ir.OpConstant:
			declared = bin.ResultTypes() // scalars
		case ir.OpCast:
			declared = []ir.Type{bargs[0].Type.WithDType(bin.Results[0].Type.DType)}
		}
		rs := w.Named(bin.Results[0].Name).Emit(bin.Op, bargs, bin.Attrs, declared...)
		if rs == nil {
			return nil, w.Err()
		}
		m[bin.Results[0]] = rs[0]
	}
	for _, r := range body.Results {
		results = append(results, m[r])
	}
	if fu.Kind == ir.FusedReduce {
		v := broadcastTo(w, results[0], fu.Domain)
		attrs := ir.Attrs{"axes": ir.Ints(fu.Axes...)}
		if fu.KeepDims {
			attrs["keepdims"] = ir.Bool(true)
		}
		return w.Emit(fu.Reduce, vals(v), attrs), nil
	}
	for i, r := range results {
		results[i] = broadcastTo(w, r, fu.Domain)
	}
	return results, nil
}

// fusedJVP differentiates a fused instruction by the rules of the ops of
// its body: it emits the body's ops on whole tensors (as Unfuse does),
// then their tangents, op by op. The primal values it emits serve the
// tangents only; the fused instruction still computes the results.
func fusedJVP(e *ir.Writer, in *ir.Instr, tangents []*ir.Value) ([]*ir.Value, error) {
	f := e.Func()
	start := len(f.Body)
	results, err := inlineFused(e, in, in.Args)
	if err != nil {
		return nil, err
	}
	tan := map[*ir.Value]*ir.Value{}
	for i, a := range in.Args {
		if tangents[i] != nil {
			tan[a] = tangents[i]
		}
	}
	inlined := f.Body[start:len(f.Body):len(f.Body)]
	for _, bin := range inlined {
		ts := make([]*ir.Value, len(bin.Args))
		perturbed := false
		for i, a := range bin.Args {
			ts[i] = tan[a]
			perturbed = perturbed || ts[i] != nil
		}
		if !perturbed {
			continue
		}
		rule := rules[bin.Op].jvp
		if rule == nil {
			return nil, fmt.Errorf("no JVP rule for %s in the body", bin.Op)
		}
		out, err := rule(e, bin, ts)
		if err != nil {
			return nil, fmt.Errorf("body's %s: %w", bin.Op, err)
		}
		for i, r := range bin.Results {
			if i < len(out) && out[i] != nil {
				tan[r] = out[i]
			}
		}
	}
	out := make([]*ir.Value, len(results))
	for i, r := range results {
		out[i] = tan[r]
	}
	return out, nil
}
