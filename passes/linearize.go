package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// Reverse mode is derived from forward mode. linearize runs the JVP
// transform with a single tangent and splits the result: the primal part
// (values that do not depend on any tangent input) and the linear part
// (values that do; every JVP rule emits code linear in the tangents).
// transpose then walks the linear part backwards, turning each linear
// instruction into the transpose rule of its op, so gradients need no
// hand-written VJP rules.

// linearization is the output of linearize: a JVP function and the set of
// its values that are linear in the tangent inputs.
type linearization struct {
	*jvpResult
	linear map[*ir.Value]bool
}

// linearize builds the JVP of src seeded at seeds with T tangents and
// marks its linear values.
func linearize(src *ir.Func, seeds []*ir.Value, T int, name string) (*linearization, error) {
	j, err := forward(src, seeds, T, name)
	if err != nil {
		return nil, err
	}
	lin := &linearization{jvpResult: j, linear: map[*ir.Value]bool{}}
	for _, p := range j.tanParam {
		lin.linear[p] = true
	}
	for _, in := range j.g.Body {
		dependent := false
		for _, a := range in.Args {
			dependent = dependent || lin.linear[a]
		}
		for _, r := range in.Results {
			lin.linear[r] = dependent
		}
	}
	return lin, nil
}

// transposer emits the transpose of a linearization's linear part into a
// new function whose primal part is copied from the linearization.
type transposer struct {
	lin    *linearization
	out    *ir.Func
	e      *ir.Writer
	primal map[*ir.Value]*ir.Value // linearization value -> value in out
	ct     map[*ir.Value]*ir.Value // linearization value -> accumulated cotangent in out
}

// newTransposer starts a function named name with the source function's
// parameters plus extra, and copies the primal part of lin into it.
func newTransposer(lin *linearization, name string, extra ...*ir.Value) *transposer {
	out := ir.NewFunc(name)
	out.Pos = lin.src.Pos
	t := &transposer{lin: lin, out: out, primal: map[*ir.Value]*ir.Value{}, ct: map[*ir.Value]*ir.Value{}}
	for _, p := range lin.g.Params {
		if lin.linear[p] {
			continue
		}
		q := out.AddParam(p.Name, p.Type, p.Role)
		q.Pos = p.Pos
		t.primal[p] = q
	}
	for _, p := range extra {
		p.Index = len(out.Params)
		out.Params = append(out.Params, p)
	}
	t.e = ir.NewWriter(out, nil)
	for _, in := range lin.g.Body {
		if lin.linear[in.Results[0]] {
			continue
		}
		args := make([]*ir.Value, len(in.Args))
		for i, a := range in.Args {
			args[i] = t.primal[a]
		}
		c := t.e.Copy(in, args)
		for i, r := range in.Results {
			t.primal[r] = c.Results[i]
		}
	}
	return t
}

// accumulate adds ct to the cotangent of v.
func (t *transposer) accumulate(v, ct *ir.Value) {
	if ct == nil {
		return
	}
	if prev := t.ct[v]; prev != nil {
		ct = add(t.e, prev, ct)
	}
	t.ct[v] = ct
}

// run walks the linear instructions backwards from the seeded cotangents.
func (t *transposer) run() (err error) {
	body := t.lin.g.Body
	for i := len(body) - 1; i >= 0; i-- {
		in := body[i]
		if !t.lin.linear[in.Results[0]] {
			continue
		}
		if err := t.instr(in); err != nil {
			return err
		}
	}
	return nil
}

func (t *transposer) instr(in *ir.Instr) (err error) {
	cts := make([]*ir.Value, len(in.Results))
	any := false
	for i, r := range in.Results {
		cts[i] = t.ct[r]
		any = any || cts[i] != nil
	}
	if !any {
		return nil
	}
	rule := rules[in.Op].transpose
	if rule == nil {
		return fmt.Errorf("%s: %s = %s: no transpose rule for %s, which the JVP of an op emitted on tangents", in.Pos, instrNames(in), in.Op, in.Op)
	}
	// The rule sees the instruction with its primal operands mapped into the
	// output; linear operands keep their linearization values, of which
	// only the types may be used.
	shadow := *in
	shadow.Args = make([]*ir.Value, len(in.Args))
	linear := make([]bool, len(in.Args))
	for i, a := range in.Args {
		linear[i] = t.lin.linear[a]
		if linear[i] {
			shadow.Args[i] = a
		} else {
			shadow.Args[i] = t.primal[a]
		}
	}
	defer tagPanic(in)
	defer checkEmit(t.e, &err, func() string { return fmt.Sprintf("%s: %s = %s: transpose rule", in.Pos, instrNames(in), in.Op) })
	t.e.At(in.Pos)
	out, err := rule(t.e, &shadow, cts, linear)
	if err != nil {
		return fmt.Errorf("%s: %s = %s: transpose: %w", in.Pos, instrNames(in), in.Op, err)
	}
	for i, a := range in.Args {
		if !linear[i] || i >= len(out) || out[i] == nil {
			continue
		}
		if !out[i].Type.Equal(a.Type) {
			return fmt.Errorf("%s: %s = %s: transpose rule gave operand %d a cotangent of type %s, want %s", in.Pos, instrNames(in), in.Op, i, out[i].Type, a.Type)
		}
		t.accumulate(a, out[i])
	}
	return nil
}

// cotangentOrZero returns the cotangent accumulated for v, or zeros.
func (t *transposer) cotangentOrZero(v *ir.Value, name string) *ir.Value {
	if ct := t.ct[v]; ct != nil {
		t.e.Rename(ct, name)
		return ct
	}
	return full(t.e.Named(name), v.Type, 0)
}

// VJP returns the reverse-mode derivative of f's first result with respect
// to the parameters named wrt. When that result is a float scalar (a loss),
// the new function takes f's parameters and returns the loss followed by
// one gradient per name in wrt, in that order. Otherwise it also takes a
// cotangent for the result, a last parameter "<result>.cotangent" of the
// result's type, and returns the result followed by the cotangents of the
// wrt parameters (Jᵀ times the given cotangent).
func VJP(f *ir.Func, wrt []string) (g *ir.Func, err error) { return VJPKeep(f, wrt, nil) }

// VJPKeep is VJP that also returns, after the gradients, the values of
// f's results at the indices keep (results after the first: the next
// values of a model's state, as a training step needs them).
func VJPKeep(f *ir.Func, wrt []string, keep []int) (g *ir.Func, err error) {
	for _, i := range keep {
		if i < 1 || i >= len(f.Results) {
			return nil, fmt.Errorf("@%s: vjp: cannot keep result %d of %d (the first is the loss)", f.Name, i, len(f.Results))
		}
	}
	if len(f.Results) == 0 || !f.Results[0].Type.DType.IsFloat() {
		return nil, fmt.Errorf("@%s: vjp needs a float first result", f.Name)
	}
	seeds, err := paramSeeds(f, wrt)
	if err != nil {
		return nil, err
	}
	lin, err := linearize(f, seeds, 1, f.Name+"_vjp")
	if err != nil {
		return nil, err
	}
	out := f.Results[0]
	var ctParam *ir.Value
	if out.Type.Rank() > 0 {
		ctParam = &ir.Value{Name: freshName(f, out.Name+".cotangent"), Type: out.Type, Role: ir.Data, Pos: out.Pos}
	}
	var t *transposer
	if ctParam != nil {
		t = newTransposer(lin, f.Name+"_vjp", ctParam)
	} else {
		t = newTransposer(lin, f.Name+"_vjp")
	}
	defer checkEmit(t.e, &err, func() string { return "@" + f.Name + ": vjp" })
	if lt := lin.tangent[out]; lt != nil {
		if ctParam != nil {
			t.ct[lt] = ctParam
		} else {
			t.ct[lt] = full(t.e.Named(out.Name+".cotangent"), out.Type, 1)
		}
	}
	if err := t.run(); err != nil {
		return nil, err
	}
	t.out.Results = append(t.out.Results, t.primal[lin.primal[out]])
	for i, p := range lin.tanParam {
		t.out.Results = append(t.out.Results, t.cotangentOrZero(p, seeds[i].Name+".grad"))
	}
	for _, i := range keep {
		t.out.Results = append(t.out.Results, t.primal[lin.primal[f.Results[i]]])
	}
	return DCE(t.out), nil
}

// Segment is the linearization of a part of a function, from one value to
// another, as two functions of IR: Map takes the function's parameters and
// "<from>.tangent" and returns the tangent of to; Transpose takes the
// function's parameters and "<to>.cotangent" and returns the cotangent of
// from. Both are linear in their last parameter. With T > 1 vectors, the
// last parameter and the result carry a leading axis of size T: the maps
// are applied to T vectors at once.
type Segment struct {
	Map, Transpose *ir.Func
}

// LinearizeSegment linearizes f between the values named from and to,
// evaluated at the point given by f's parameters, for T vectors at once.
//
// The transpose rules need no special case for T: in the linearization,
// every tangent-dependent value already carries the T axis in its type,
// and the rules take their shapes from those types.
func LinearizeSegment(f *ir.Func, from, to string, T int) (seg *Segment, err error) {
	src, dst := lookupValue(f, from), lookupValue(f, to)
	switch {
	case src == nil:
		return nil, fmt.Errorf("@%s has no value %%%s", f.Name, from)
	case dst == nil:
		return nil, fmt.Errorf("@%s has no value %%%s", f.Name, to)
	}
	lin, err := linearize(f, []*ir.Value{src}, T, f.Name+"_lin")
	if err != nil {
		return nil, err
	}
	what := func() string { return "@" + f.Name + ": linearize segment" }
	defer checkEmit(lin.e, &err, what)
	m := lin.g
	m.Results = []*ir.Value{lin.tangentOrZero(dst)}
	ctParam := &ir.Value{Name: freshName(f, dst.Name+".cotangent"), Type: lift(dst.Type, lin.T), Role: ir.Data, Pos: dst.Pos}
	t := newTransposer(lin, f.Name+"_lin_t", ctParam)
	defer checkEmit(t.e, &err, what)
	if dt := lin.tangent[dst]; dt != nil {
		t.ct[dt] = ctParam
	}
	if err := t.run(); err != nil {
		return nil, err
	}
	t.out.Results = []*ir.Value{t.cotangentOrZero(lin.tanParam[0], src.Name+".cotangent_in")}
	return &Segment{Map: DCE(m), Transpose: DCE(t.out)}, nil
}

func lookupValue(f *ir.Func, name string) *ir.Value {
	var found *ir.Value
	f.Values(func(v *ir.Value) bool {
		if v.Name == name {
			found = v
			return false
		}
		return true
	})
	return found
}
