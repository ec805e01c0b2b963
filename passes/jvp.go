package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// JVP returns the forward-mode derivative of f with respect to the
// parameters named wrt. The new function takes f's parameters followed by
// one tangent parameter per name in wrt, called "<name>.tangent", role data,
// with f's parameter type (prefixed by an axis of size T when tangents > 1).
// It returns f's results followed by their tangents, in the same order.
//
// Values that do not depend on a perturbed parameter get no tangent and no
// code (symbolic zeros); a result whose tangent is zero returns zeros.
func JVP(f *ir.Func, wrt []string, tangents int) (*ir.Func, error) {
	seeds, err := paramSeeds(f, wrt)
	if err != nil {
		return nil, err
	}
	j, err := forward(f, seeds, tangents, f.Name+"_jvp")
	if err != nil {
		return nil, err
	}
	return j.withResults(true), nil
}

// paramSeeds looks up the named parameters, which must be floating point.
func paramSeeds(f *ir.Func, wrt []string) ([]*ir.Value, error) {
	if len(wrt) == 0 {
		return nil, fmt.Errorf("@%s: no parameters to differentiate with respect to", f.Name)
	}
	seen := map[string]bool{}
	var seeds []*ir.Value
	for _, name := range wrt {
		p := f.Param(name)
		switch {
		case p == nil:
			return nil, fmt.Errorf("@%s has no parameter %%%s", f.Name, name)
		case !p.Type.DType.IsFloat():
			return nil, fmt.Errorf("@%s: cannot differentiate with respect to %%%s of type %s", f.Name, name, p.Type)
		case seen[name]:
			return nil, fmt.Errorf("@%s: %%%s listed twice", f.Name, name)
		}
		seen[name] = true
		seeds = append(seeds, p)
	}
	return seeds, nil
}

// freshName returns name, or name with a numeric suffix if src already
// uses it (differentiating a function that is itself a JVP). A name derived
// from a numbered value ("0.tangent") is not valid; it becomes "v0.tangent".
func freshName(src *ir.Func, name string) string {
	if !ir.ValidName(name) {
		name = "v" + name
	}
	taken := func(n string) bool { return lookupValue(src, n) != nil }
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s.%d", name, i); !taken(n) {
			return n
		}
	}
}

// ParamsWithRole returns the names of f's parameters with the given role,
// the default set to differentiate with respect to (role param).
func ParamsWithRole(f *ir.Func, role ir.Role) []string {
	var names []string
	for _, p := range f.Params {
		if p.Role == role && p.Type.DType.IsFloat() {
			names = append(names, p.Name)
		}
	}
	return names
}

// jvpResult is a function under construction by forward: primal values
// and tangents of the source function mapped into it.
type jvpResult struct {
	src      *ir.Func
	g        *ir.Func
	e        *ir.Writer
	T        int
	primal   map[*ir.Value]*ir.Value // source value -> value in g
	tangent  map[*ir.Value]*ir.Value // source value -> its tangent in g, or nil
	seeds    []*ir.Value             // source values given tangent inputs
	tanParam []*ir.Value             // the tangent parameters of g, one per seed
}

// forward builds a function that computes src and the tangents of every
// value downstream of the seeds. A seed may be a parameter or any value of
// src; its tangent becomes a new parameter "<name>.tangent" and whatever
// tangent flows into it from upstream seeds is discarded. The results of the
// new function are not set; see withResults.
func forward(src *ir.Func, seeds []*ir.Value, T int, name string) (*jvpResult, error) {
	r, err := startForward(src, seeds, T, name)
	if err != nil {
		return nil, err
	}
	return r, r.walk(nil)
}

// startForward creates the new function with src's parameters and one
// tangent parameter per seed; walk then fills in its body.
func startForward(src *ir.Func, seeds []*ir.Value, T int, name string) (*jvpResult, error) {
	if T < 1 {
		return nil, fmt.Errorf("@%s: tangent count %d must be at least 1", src.Name, T)
	}
	if T == 1 {
		T = 0 // a single tangent has no tangent axis
	}
	g := ir.NewFunc(name)
	g.Pos = src.Pos
	r := &jvpResult{src: src, g: g, T: T, primal: map[*ir.Value]*ir.Value{}, tangent: map[*ir.Value]*ir.Value{}, seeds: seeds}
	for _, p := range src.Params {
		q := g.AddParam(p.Name, p.Type, p.Role)
		q.Pos = p.Pos
		r.primal[p] = q
	}
	for _, s := range seeds {
		if !s.Type.DType.IsFloat() {
			return nil, fmt.Errorf("@%s: cannot seed a tangent at %s of type %s", src.Name, s, s.Type)
		}
		tp := g.AddParam(freshName(src, s.Name+".tangent"), lift(s.Type, T), ir.Data)
		tp.Pos = s.Pos
		r.tanParam = append(r.tanParam, tp)
	}
	r.e = ir.NewWriter(g, nil)
	return r, nil
}

// addParam appends a parameter to the function under construction, with
// a name unused there.
func (r *jvpResult) addParam(name string, t ir.Type, role ir.Role) *ir.Value {
	p := r.g.AddParam(r.e.Names().Fresh(name), t, role)
	return p
}

// A seedHook may return, for a source value v just defined (or a
// parameter, before the body), a tangent to add to v's; nil adds nothing.
// The guess pass seeds forward gradients this way.
type seedHook func(v *ir.Value) (*ir.Value, error)

// walk copies and differentiates src's body into the new function. The
// tangent of a seed is its tangent parameter, whatever flows into it from
// upstream; hook, if set, adds tangents to any value.
func (r *jvpResult) walk(hook seedHook) error {
	isSeed := map[*ir.Value]int{}
	for i, s := range r.seeds {
		isSeed[s] = i
	}
	define := func(v *ir.Value) error {
		if i, ok := isSeed[v]; ok {
			r.tangent[v] = r.tanParam[i]
		}
		if hook == nil {
			return nil
		}
		extra, err := hook(v)
		if err == nil {
			err = r.e.Err()
		}
		if err != nil || extra == nil {
			return err
		}
		if want := lift(v.Type, r.T); !extra.Type.Equal(want) {
			return fmt.Errorf("seed of %s has type %s, want %s", v, extra.Type, want)
		}
		if t := r.tangent[v]; t != nil {
			extra = add(r.e, t, extra)
		}
		r.tangent[v] = extra
		return nil
	}
	for _, p := range r.src.Params {
		if err := define(p); err != nil {
			return err
		}
	}
	for _, in := range r.src.Body {
		if err := r.instr(in); err != nil {
			return err
		}
		for _, v := range in.Results {
			if err := define(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// instr copies in into the new function and emits its tangents.
func (r *jvpResult) instr(in *ir.Instr) (err error) {
	args := make([]*ir.Value, len(in.Args))
	ts := make([]*ir.Value, len(in.Args))
	perturbed := false
	for i, a := range in.Args {
		args[i] = r.primal[a]
		ts[i] = r.tangent[a]
		perturbed = perturbed || ts[i] != nil
	}
	c := r.e.Copy(in, args)
	for i, v := range in.Results {
		r.primal[v] = c.Results[i]
	}
	if err := prepareDeclarative(c); err != nil {
		return err
	}
	if !perturbed {
		return nil
	}
	rule := rules[in.Op].jvp
	if rule == nil {
		return fmt.Errorf("%s: %s = %s: no JVP rule for %s", in.Pos, instrNames(in), in.Op, in.Op)
	}
	defer tagPanic(in)
	defer checkEmit(r.e, &err, func() string { return fmt.Sprintf("%s: %s = %s: JVP rule", in.Pos, instrNames(in), in.Op) })
	r.e.At(in.Pos).Scope("")
	out, err := rule(r.e, c, ts)
	if err != nil {
		return fmt.Errorf("%s: %s = %s: %w", in.Pos, instrNames(in), in.Op, err)
	}
	for i, v := range in.Results {
		var t *ir.Value
		if i < len(out) {
			t = out[i]
		}
		if t == nil {
			continue
		}
		if want := lift(v.Type, r.T); !t.Type.Equal(want) {
			return fmt.Errorf("%s: %s = %s: JVP rule gave a tangent of type %s, want %s", in.Pos, instrNames(in), in.Op, t.Type, want)
		}
		r.e.Rename(t, v.Name+".tangent") // after its primal, for dumps
		r.tangent[v] = t
	}
	return nil
}

// withResults sets the results of the new function: the primal results,
// then (if tangents) their tangents, zeros where a tangent is symbolically
// zero.
func (r *jvpResult) withResults(tangents bool) *ir.Func {
	for _, v := range r.src.Results {
		r.g.Results = append(r.g.Results, r.primal[v])
	}
	if tangents {
		for _, v := range r.src.Results {
			r.g.Results = append(r.g.Results, r.tangentOrZero(v))
		}
	}
	return r.g
}

// tangentOrZero returns the tangent of the source value v, emitting zeros
// if it is symbolically zero.
func (r *jvpResult) tangentOrZero(v *ir.Value) *ir.Value {
	if t := r.tangent[v]; t != nil {
		return t
	}
	return full(r.e.Named(v.Name+".tangent"), lift(v.Type, r.T), 0)
}

func instrNames(in *ir.Instr) string {
	s := ""
	for i, r := range in.Results {
		if i > 0 {
			s += ", "
		}
		s += r.String()
	}
	return s
}
