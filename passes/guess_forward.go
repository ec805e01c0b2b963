package passes

import (
	"fmt"
	"strconv"

	"github.com/pushforward/pushforward/ir"
)

// The guess pass hands its seeds to the jvp pass through marks
// (ir.Func.Marks) on the function it builds, numbered k = 0, 1, ... in
// the order the estimates come:
//
//	guess.per_example   the per-example losses, whose tangents are J
//	guess.seed.k        a guess, added to the tangent of
//	guess.target.k      a layer's pre-activation, or a weight or bias (wp)
//	guess.input.k       for a pre-activation: the layer's input x,
//	guess.weight.k      its weight
//	guess.bias.k        and bias, if it has one
//	guess.diagnostic.i  layer i's guess, for GuessOptions.Diagnostics
//
// The marks live in memory only: guess and jvp must run in one pipeline.

const markPerExample = "guess.per_example"

func guessMark(what string, k int) string { return "guess." + what + "." + strconv.Itoa(k) }

// mark records the seeds of the step under construction.
func (gb *guessBuilder) mark() error {
	g := gb.r.g
	g.Marks = map[string]*ir.Value{markPerExample: gb.r.primal[gb.per]}
	k := 0
	for i, l := range gb.layers {
		for _, v := range []*ir.Value{l.Pre, l.Weight, l.Bias} {
			y := gb.seedOf[v]
			if v == nil || y == nil {
				continue
			}
			gb.r.e.Rename(y, v.Name+".guess") // for dumps
			g.Marks[guessMark("seed", k)] = y
			g.Marks[guessMark("target", k)] = gb.r.primal[v]
			if !v.IsParam() {
				g.Marks[guessMark("input", k)] = gb.r.primal[l.Input]
				g.Marks[guessMark("weight", k)] = gb.r.primal[l.Weight]
				if l.Bias != nil {
					g.Marks[guessMark("bias", k)] = gb.r.primal[l.Bias]
				}
			}
			k++
		}
		if d := gb.opts.Method.diagnostic(gb, l); d != nil {
			g.Marks[guessMark("diagnostic", i)] = d
		}
	}
	if k == 0 {
		return fmt.Errorf("@%s: the %s method seeded no layer", gb.src.Name, gb.opts.Method.Name())
	}
	return nil
}

// A guessSeed is one seed read back from the marks.
type guessSeed struct {
	seed, target, input, weight, bias *ir.Value
}

// isGuessSeeded reports whether f carries the guess pass's seeds.
func isGuessSeeded(f *ir.Func) bool { return f.Marks[markPerExample] != nil }

// readSeeds reads the seeds, checking that every marked value is still
// defined in g (a pass between guess and jvp may have replaced it).
func readSeeds(g *ir.Func) (per *ir.Value, seeds []guessSeed, diag []*ir.Value, err error) {
	defined := map[*ir.Value]bool{}
	g.Values(func(v *ir.Value) bool {
		defined[v] = true
		return true
	})
	for name, v := range g.Marks {
		if !defined[v] {
			return nil, nil, nil, fmt.Errorf("@%s: the value marked %s is no longer defined (run jvp right after guess)", g.Name, name)
		}
	}
	per = g.Marks[markPerExample]
	for k := 0; g.Marks[guessMark("seed", k)] != nil; k++ {
		m := func(what string) *ir.Value { return g.Marks[guessMark(what, k)] }
		s := guessSeed{seed: m("seed"), target: m("target"), input: m("input"), weight: m("weight"), bias: m("bias")}
		if s.target == nil || (!s.target.IsParam() && (s.input == nil || s.weight == nil)) {
			return nil, nil, nil, fmt.Errorf("@%s: incomplete marks for guess seed %d", g.Name, k)
		}
		seeds = append(seeds, s)
	}
	for i := 0; g.Marks[guessMark("diagnostic", i)] != nil; i++ {
		diag = append(diag, g.Marks[guessMark("diagnostic", i)])
	}
	if len(seeds) == 0 {
		return nil, nil, nil, fmt.Errorf("@%s: no guess seeds", g.Name)
	}
	return per, seeds, diag, checkWindows(g, seeds)
}

// checkWindows checks what the forward walk relies on: each guess is
// computed in a window of instructions right after the value it
// perturbs (its target; the top of the body for a parameter), and the
// model reads nothing computed in a window. The guess joins its target's
// tangent where it is defined, so a model value computed in the window
// would have a tangent without it. The guess pass leaves that so; cse
// between guess and jvp may merge a model value into a guess's
// recomputation of it, which this reports rather than miscompute.
func checkWindows(g *ir.Func, seeds []guessSeed) error {
	pos := map[*ir.Instr]int{}
	for i, in := range g.Body {
		pos[in] = i
	}
	inWindow := make([]bool, len(g.Body))
	for _, s := range seeds {
		start := 0
		if s.target.Def != nil {
			start = pos[s.target.Def] + 1
		}
		end, ok := pos[s.seed.Def]
		if !ok || end < start {
			return fmt.Errorf("@%s: guess %s is not computed after the value it perturbs, %s", g.Name, s.seed, s.target)
		}
		for i := start; i <= end; i++ {
			inWindow[i] = true
		}
	}
	for i, in := range g.Body {
		if inWindow[i] {
			continue
		}
		for _, a := range in.Args {
			if a.Def != nil && inWindow[pos[a.Def]] {
				return fmt.Errorf("@%s: %s = %s reads %s, which is computed with the guesses: a pass between guess and jvp merged model code into them (run jvp right after guess)",
					g.Name, instrNames(in), in.Op, a)
			}
		}
	}
	return nil
}

// guessTangents returns the number of guesses T the seeds carry on a
// leading axis (1 without one).
func guessTangents(seeds []guessSeed) (int, error) {
	T := 0
	for _, s := range seeds {
		t := 1
		if s.seed.Type.Rank() == s.target.Type.Rank()+1 {
			t = s.seed.Type.Shape[0]
		}
		if !s.seed.Type.Equal(lift(s.target.Type, t)) && !(t == 1 && s.seed.Type.Equal(s.target.Type)) {
			return 0, fmt.Errorf("guess %s for %s has type %s, want %s with a leading axis of guesses", s.seed, s.target, s.seed.Type, s.target.Type)
		}
		if T != 0 && t != T {
			return 0, fmt.Errorf("guesses %s and %s differ in their number of guesses (%d and %d)", seeds[0].seed, s.seed, T, t)
		}
		T = t
	}
	return T, nil
}

// A forwardStep is the output of guessForward.
type forwardStep struct {
	g         *ir.Func
	estimates []string
}

// guessForward is the jvp pass on a function the guess pass built: it
// runs forward mode with the marked guesses as the tangents of the values
// they perturb, and assembles the estimates from the per-example tangents
// of the loss. The result takes g's parameters and returns the loss, the
// estimates (named after their parameters, in the order of the seeds),
// the rest of g's results (the new state) and, with diagnostics, the
// scaled loss tangents J and each layer's guess. It marks J for Schedule.
func guessForward(g *ir.Func, diagnostics bool) (step *forwardStep, err error) {
	per, seeds, diag, err := readSeeds(g)
	if err != nil {
		return nil, err
	}
	T, err := guessTangents(seeds)
	if err != nil {
		return nil, err
	}
	r, err := startForward(g, nil, T, g.Name)
	if err != nil {
		return nil, err
	}
	seedOf := map[*ir.Value]guessSeed{}
	for _, s := range seeds {
		seedOf[s.seed] = s
	}
	defer checkEmit(r.e, &err, func() string { return "@" + g.Name + ": forward mode of the guess step" })
	// A guess joins its target's tangent where it is defined, before any
	// use of the target by the model (checkWindows).
	err = r.walk(func(v *ir.Value) (*ir.Value, error) {
		s, ok := seedOf[v]
		if !ok {
			return nil, nil
		}
		t := r.primal[v] // the guess is a direction: its own tangent, if any, plays no part
		if prev := r.tangent[s.target]; prev != nil {
			t = add(r.e, prev, t)
		}
		r.tangent[s.target] = t
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	a := &assembler{r: r}
	j := a.lossTangents(per)
	for _, s := range seeds {
		y := r.primal[s.seed]
		if s.target.IsParam() {
			a.weightEstimate(j, r.primal[s.target], y)
			continue
		}
		var bias *ir.Value
		if s.bias != nil {
			bias = r.primal[s.bias]
		}
		a.activationEstimate(j, y, r.primal[s.input], r.primal[s.weight], bias)
	}
	out := r.g
	out.Results = append([]*ir.Value{r.primal[g.Results[0]]}, a.results...)
	for _, v := range g.Results[1:] {
		out.Results = append(out.Results, r.primal[v])
	}
	if diagnostics {
		out.Results = append(out.Results, j)
		for _, d := range diag {
			out.Results = append(out.Results, r.primal[d])
		}
	}
	out.Marks = map[string]*ir.Value{RecomputeMark: j}
	return &forwardStep{g: out, estimates: a.estimates}, nil
}

// JName names the per-example loss tangents J_b (scaled by 1/B, and 1/T
// when guesses are averaged) in a guess step, for dumps.
const JName = "guess.J"

// RecomputeMark is the mark (ir.Func.Marks) of the value after which
// Schedule recomputes what the rest of the function needs: in a guess
// step, the per-example loss tangents, after which only the estimates are
// formed.
const RecomputeMark = "schedule.recompute_after"

// An assembler emits the estimates of a guess step.
type assembler struct {
	r         *jvpResult
	estimates []string
	results   []*ir.Value
}

// lossTangents returns J: the tangents of the per-example losses per,
// scaled by the 1/B of the mean and, for guesses averaged on the tangent
// axis, 1/T.
func (a *assembler) lossTangents(per *ir.Value) *ir.Value {
	e, T := a.r.e, a.r.T
	perT := a.r.tangent[per]
	if perT == nil {
		perT = zeroTangent(e, a.r.primal[per], T)
	}
	B := per.Type.Shape[0]
	c := scalar(e, perT.Type.DType, 1/float64(B*max(T, 1)))
	return mul(e.Named(JName), perT, c)
}

// activationEstimate emits Ĝ_W = xᵀ S and Ĝ_b = Σ_b S with
// S = Σ_t J_t ⊙ y_t, for a guess y at the pre-activation of a layer with
// input x, weight w and bias b (or nil).
func (a *assembler) activationEstimate(j, y, x, w, b *ir.Value) {
	e, T := a.r.e, a.r.T
	jcol := reshape(e, j, append(j.Type.Shape.Clone(), 1))
	s := mul(e, jcol, y)
	if T > 0 {
		s = reduceSum(e, s, []int{0}, false)
	}
	a.add(w, matmul(e, x, s, true, false))
	if b != nil {
		a.add(b, reduceSum(e, s, []int{0}, false))
	}
}

// weightEstimate emits Ĝ_p = Σ_t (Σ_b J_tb) V_t for a weight p with
// tangent V.
func (a *assembler) weightEstimate(j, p, v *ir.Value) {
	e, T := a.r.e, a.r.T
	total := reduceSum(e, j, []int{j.Type.Rank() - 1}, false) // [T] or []
	if T > 0 {
		shape := ir.Shape{T}
		for range p.Type.Rank() {
			shape = append(shape, 1)
		}
		total = reshape(e, total, shape)
	}
	g := mul(e, total, v)
	if T > 0 {
		g = reduceSum(e, g, []int{0}, false)
	}
	a.add(p, g)
}

func (a *assembler) add(p, g *ir.Value) {
	a.r.e.Rename(g, p.Name+".estimate")
	a.estimates = append(a.estimates, p.Name)
	a.results = append(a.results, g)
}
