package passes

import (
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// Schedule keeps the live set of a forward-gradient step flat in depth by
// recomputing instead of keeping. The estimates of a guess step,
// Ĝ_W = Σ_b J_b y_b x_bᵀ, need each layer's input x and guess y, which the
// forward pass made long before the loss tangents J (the value Guess
// marks RecomputeMark in ir.Func.Marks) exist; kept live until then they cost memory linear in depth, as
// reverse mode's stored activations do. Schedule moves every use after J
// of a large value made before J onto a copy recomputed after J from the
// parameters, in the order the uses come: a second forward pass whose
// values die as soon as their layer's estimate is formed. The noise is
// counter-based, so recomputed guesses are the same numbers.
//
// Small values (no larger than J) are recomputed too when everything they
// derive from is small (counters, constants); other small values, such as
// per-example losses, are kept rather than recomputed. So are values made
// through a decomposition or a solver (W̃⊥'s guesses): recomputing those
// would repeat the costliest part of the step. The price is a second
// forward pass (and the guesses' products) per step. CSE would merge the
// copies back into the originals, so it must not run after Schedule.
// Functions without the mark (or whose marked value a pass has since
// replaced) are returned unchanged.
func Schedule(f *ir.Func) *ir.Func {
	j := f.Marks[RecomputeMark]
	barrier := -1
	if j != nil {
		barrier = slices.IndexFunc(f.Body, func(in *ir.Instr) bool { return in == j.Def })
	}
	if barrier < 0 {
		return f
	}
	s := &scheduler{
		keep:   j.Type.Bytes(),
		small:  map[*ir.Value]bool{},
		costly: map[*ir.Value]bool{},
		early:  map[*ir.Instr]bool{},
		copies: map[*ir.Value]*ir.Value{},
		e:      ir.NewWriter(&ir.Func{Name: f.Name}, ir.NewNamer(f)),
	}
	for _, in := range f.Body[:barrier+1] {
		s.early[in] = true
		s.e.Func().Body = append(s.e.Func().Body, in)
	}
	for _, in := range f.Body[barrier+1:] {
		for i, a := range in.Args {
			in.Args[i] = s.late(a)
		}
		s.e.Func().Body = append(s.e.Func().Body, in)
	}
	f.Body = s.e.Func().Body
	return DCE(f)
}

type scheduler struct {
	keep   int64                   // values of at most this many bytes are small
	small  map[*ir.Value]bool      // memo of smallOrigin
	costly map[*ir.Value]bool      // memo of viaSolver
	early  map[*ir.Instr]bool      // the instructions up to J
	copies map[*ir.Value]*ir.Value // early values recomputed after J
	e      *ir.Writer
}

// late returns the value to use for v after J: v itself if it is a
// parameter, made after J, or small with a large origin; else its
// recomputed copy.
func (s *scheduler) late(v *ir.Value) *ir.Value {
	if v.Def == nil || !s.early[v.Def] || (v.Type.Bytes() <= s.keep && !s.smallOrigin(v)) || s.viaSolver(v) {
		return v
	}
	if c, ok := s.copies[v]; ok {
		return c
	}
	in := v.Def
	args := make([]*ir.Value, len(in.Args))
	for i, a := range in.Args {
		args[i] = s.late(a)
	}
	c := s.e.Copy(in, args)
	for i, r := range in.Results {
		s.copies[r] = c.Results[i]
	}
	return s.copies[v]
}

// smallOrigin says whether v and every value it derives from are
// parameters or small: then recomputing v is cheap.
func (s *scheduler) smallOrigin(v *ir.Value) bool {
	if v.Def == nil {
		return true
	}
	if ok, seen := s.small[v]; seen {
		return ok
	}
	ok := v.Type.Bytes() <= s.keep
	for _, a := range v.Def.Args {
		ok = ok && s.smallOrigin(a)
	}
	s.small[v] = ok
	return ok
}

// solverOps are the decompositions and solvers.
var solverOps = []ir.Op{ir.OpQR, ir.OpSVD, ir.OpEigh, ir.OpCholesky, ir.OpTriangularSolve, ir.OpArgmin, ir.OpLinearSolve}

// viaSolver says whether v derives from a decomposition or a solver.
func (s *scheduler) viaSolver(v *ir.Value) bool {
	if v.Def == nil {
		return false
	}
	if ok, seen := s.costly[v]; seen {
		return ok
	}
	ok := slices.Contains(solverOps, v.Def.Op)
	for _, a := range v.Def.Args {
		ok = ok || s.viaSolver(a)
	}
	s.costly[v] = ok
	return ok
}
