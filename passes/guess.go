package passes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// GuessOptions configure Guess.
type GuessOptions struct {
	// Method is the guess family: WP, AP, WT, WPerp, WPerpBottom,
	// WPrecond, WPerpNS (or LookupGuessMethod by name).
	Method GuessMethod
	// K is the subspace dimension of wperp and wperp-bottom (default 10).
	// A negative K makes wperp keep every direction with a non-zero
	// singular value, k = rank per example: with Exact by the SVD, else by
	// the projector onto the row space of the segment's Jacobian.
	K int
	// Sigma regularises wprecond (default 1e-5).
	Sigma float64
	// Guesses is the number of guesses per step, carried on the tangent
	// axis and averaged (default 1).
	Guesses int
	// Iters is the number of block Krylov steps wperp takes per step from
	// its warm start (default 1); Oversample the number of vectors beyond K
	// in each block (default 5).
	Iters, Oversample int
	// Exact makes wperp take the per-example SVD of the dense upstream
	// Jacobian instead of subspace iteration, and wprecond the
	// eigendecomposition of AᵀA instead of a Cholesky factor of AAᵀ (the
	// reference paths of tests).
	Exact bool
	// Layers names the pre-activations to perturb, in order; empty means
	// FindLayers.
	Layers []string
	// Diagnostics makes the step also return, after the state, the
	// per-example loss tangents J (with the 1/B of the mean and the 1/T of
	// the average over guesses) and each layer's guess y_i (for WP, the
	// weight tangents), for metrics and tests.
	Diagnostics bool
}

func (o *GuessOptions) defaults() {
	if o.K == 0 {
		o.K = 10
	}
	if o.Sigma == 0 {
		o.Sigma = 1e-5
	}
	if o.Guesses == 0 {
		o.Guesses = 1
	}
	if o.Iters <= 0 {
		o.Iters = 1
	}
	if o.Oversample == 0 {
		o.Oversample = 5
	}
}

// A GuessStep is the IR of one forward-gradient step.
//
// Func takes the model's parameters, then "guess.key" and "guess.counter"
// (u64 scalars: the RNG key and this step's counter), then Inputs (data
// the caller computes, such as wperp-ns's coefficients), then State. It
// returns the loss, one gradient estimate per name in Estimates (in that
// order), then the updated value of each State parameter (and the
// diagnostics, if asked for).
type GuessStep struct {
	Func      *ir.Func
	Layers    []Layer // in the model function
	Estimates []string
	Inputs    []string
	State     []string
}

// Guess builds the forward-gradient step of f, whose first result is a
// scalar loss (softmax_xent, or the mean of per-example losses). For each
// layer it seeds the tangent of the pre-activation s_i with a guess y_i
// (the output layer, and every layer with AP, with plain noise), runs the
// forward-mode transform once, and assembles the estimates
// Ĝ_{W_i} = Σ_b J_b y_i^b x_i^bᵀ from the per-example tangents J_b of the
// loss. The guesses of the W̃ families are built from the transpose of
// the next segment's linearization, s_i → s_{i+1}, derived from the IR.
func Guess(f *ir.Func, opts GuessOptions) (*GuessStep, error) {
	opts.defaults()
	if opts.Method == nil {
		return nil, fmt.Errorf("no guess method (known: %s)", strings.Join(GuessMethodNames(), ", "))
	}
	if err := opts.Method.check(&opts); err != nil {
		return nil, err
	}
	fx, per, err := perExampleLoss(f)
	if err != nil {
		return nil, err
	}
	layers, err := selectLayers(fx, opts.Layers)
	if err != nil {
		return nil, err
	}
	gb := &guessBuilder{opts: opts, src: fx, layers: layers, per: per}
	if err := gb.build(); err != nil {
		return nil, err
	}
	step := &GuessStep{Func: gb.r.g, Estimates: gb.estimates, Inputs: gb.inputNames, State: gb.stateNames}
	for _, l := range layers {
		step.Layers = append(step.Layers, Layer{Pre: lookupValue(f, l.Pre.Name), Input: lookupValue(f, l.Input.Name),
			Weight: f.Param(l.Weight.Name), Bias: paramOrNil(f, l.Bias)})
	}
	return step, nil
}

func paramOrNil(f *ir.Func, p *ir.Value) *ir.Value {
	if p == nil {
		return nil
	}
	return f.Param(p.Name)
}

// selectLayers finds the named layers, or all of them.
func selectLayers(f *ir.Func, names []string) ([]Layer, error) {
	all, err := FindLayers(f)
	if err != nil || len(names) == 0 {
		return all, err
	}
	var out []Layer
	for _, n := range names {
		i := slices.IndexFunc(all, func(l Layer) bool { return l.Pre.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("@%s: %%%s is not the pre-activation of a layer", f.Name, n)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// guessBuilder carries the state of one Guess call.
type guessBuilder struct {
	opts   GuessOptions
	src    *ir.Func // the model with per-example losses
	layers []Layer
	per    *ir.Value

	r          *jvpResult
	key, ctr   *ir.Value
	seedOf     map[*ir.Value]*ir.Value // perturbed value in src -> its guess in the step
	state      map[int]*ir.Value       // wperp's warm start by layer index
	stateNames []string
	inputs     []*ir.Value // extra data params, per hidden layer
	inputNames []string
	newState   []*ir.Value
	estimates  []string
	results    []*ir.Value
}

func (gb *guessBuilder) build() (err error) {
	m := gb.opts.Method
	r, err := startForward(gb.src, nil, gb.opts.Guesses, gb.src.Name+"_"+sanitizeMethod(m.Name()))
	if err != nil {
		return err
	}
	gb.r = r
	gb.key = r.addParam("guess.key", ir.Scalar(ir.U64), ir.Data)
	gb.ctr = r.addParam("guess.counter", ir.Scalar(ir.U64), ir.Data)
	gb.seedOf = map[*ir.Value]*ir.Value{}
	if err := m.prepare(gb); err != nil {
		return err
	}
	defer checkEmit(r.e, &err, func() string { return "@" + gb.src.Name + ": guess" })
	if err := r.walk(gb.seed); err != nil {
		return err
	}
	j := gb.assemble()
	r.g.Results = append(append([]*ir.Value{r.primal[gb.src.Results[0]]}, gb.results...), gb.newState...)
	if gb.opts.Diagnostics {
		r.g.Results = append(r.g.Results, j)
		for _, l := range gb.layers {
			r.g.Results = append(r.g.Results, m.diagnostic(gb, l))
		}
	}
	return nil
}

func sanitizeMethod(name string) string { return strings.ReplaceAll(name, "-", "_") }

// seed is the walk hook: it returns the method's guess added to the
// tangent of v, and remembers it.
func (gb *guessBuilder) seed(v *ir.Value) (*ir.Value, error) {
	y, err := gb.opts.Method.seed(gb, v)
	if y != nil {
		gb.seedOf[v] = y
	}
	return y, err
}

func (gb *guessBuilder) isLayerParam(p *ir.Value) bool {
	for _, l := range gb.layers {
		if l.Weight == p || l.Bias == p {
			return true
		}
	}
	return false
}

// streamOf numbers the random streams: one per perturbed value, in the
// order of the model's parameters and body, so that a guess's noise does
// not depend on the method's other choices.
func (gb *guessBuilder) streamOf(v *ir.Value) int {
	n := 0
	for w := range gb.src.Values {
		if w == v {
			return n
		}
		n++
	}
	return n
}

// noise emits N(0, I) noise of the tangent type of a value of type t,
// from stream s of this step.
func (gb *guessBuilder) noise(t ir.Type, s int) *ir.Value {
	return gb.normal(lift(t, gb.r.T), s)
}

// normal emits N(0, I) noise of type t from stream s: counter·2^16 + s.
func (gb *guessBuilder) normal(t ir.Type, s int) *ir.Value {
	e := gb.r.e
	base := mul(e, gb.ctr, scalar(e, ir.U64, 1<<16))
	c := add(e, base, scalar(e, ir.U64, float64(s)))
	return e.Emit(ir.OpRngNormal, vals(gb.key, c), nil, t)[0]
}

// JName names the per-example loss tangents J_b (scaled by 1/B, and 1/T
// when guesses are averaged) in a guess step, for dumps.
const JName = "guess.J"

// RecomputeMark is the mark (ir.Func.Marks) of the value after which
// Schedule recomputes what the rest of the function needs: in a guess
// step, the per-example loss tangents, after which only the estimates are
// formed.
const RecomputeMark = "schedule.recompute_after"

// assemble emits the estimates from the per-example tangents of the loss
// and returns those tangents, scaled.
func (gb *guessBuilder) assemble() *ir.Value {
	e, T := gb.r.e, gb.r.T
	perT := gb.r.tangent[gb.per]
	B := gb.per.Type.Shape[0]
	if perT == nil {
		perT = zeroTangent(e, gb.r.primal[gb.per], T)
	}
	// J_b includes the 1/B of the mean; guesses on the tangent axis are
	// averaged, hence 1/T too.
	scaleBy := 1 / float64(B*max(T, 1))
	c := scalar(e, perT.Type.DType, scaleBy)
	j := emitOne(e.Named(JName), ir.OpMul, vals(perT, c), nil)
	if gb.r.g.Marks == nil {
		gb.r.g.Marks = map[string]*ir.Value{}
	}
	gb.r.g.Marks[RecomputeMark] = j
	for _, l := range gb.layers {
		gb.opts.Method.estimate(gb, j, l)
	}
	return j
}

// activationEstimate emits Ĝ_W = xᵀ S and Ĝ_b = Σ_b S with
// S = Σ_t J_t ⊙ y_t, for a guess y at the layer's pre-activation.
func (gb *guessBuilder) activationEstimate(j *ir.Value, l Layer) {
	e, T := gb.r.e, gb.r.T
	y := gb.seedOf[l.Pre]
	jcol := reshape(e, j, append(j.Type.Shape.Clone(), 1))
	s := mul(e, jcol, y)
	if T > 0 {
		s = reduceSum(e, s, []int{0}, false)
	}
	x := gb.r.primal[l.Input]
	gb.addEstimate(l.Weight, matmul(e, x, s, true, false))
	if l.Bias != nil {
		gb.addEstimate(l.Bias, reduceSum(e, s, []int{0}, false))
	}
}

// weightEstimate emits Ĝ_W = Σ_t (Σ_b J_tb) V_t for a weight tangent V.
func (gb *guessBuilder) weightEstimate(j, p *ir.Value) {
	e, T := gb.r.e, gb.r.T
	v := gb.seedOf[p]
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
	gb.addEstimate(p, g)
}

func (gb *guessBuilder) addEstimate(p, g *ir.Value) {
	gb.r.e.Rename(g, p.Name+".estimate")
	gb.estimates = append(gb.estimates, p.Name)
	gb.results = append(gb.results, g)
}
