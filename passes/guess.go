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
	// Keep lists results of the model, after the loss, that the step
	// returns after the updated state (the next values of the model's
	// own state parameters: running statistics, the nearest-ETF head's
	// moving average), computed by the step's forward pass.
	Keep []int
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
// order), then the updated value of each State parameter, then the
// model's results listed in GuessOptions.Keep (and the diagnostics, if
// asked for).
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
//
// It is the passes guess and jvp in a row: GuessSeeds builds the model
// with its guesses, marked as the seeds of the tangents, and the jvp pass
// runs forward mode from those seeds and assembles the estimates.
func Guess(f *ir.Func, opts GuessOptions) (*GuessStep, error) {
	seeded, err := GuessSeeds(f, opts)
	if err != nil {
		return nil, err
	}
	step, err := guessForward(seeded.Func, opts.Diagnostics)
	if err != nil {
		return nil, err
	}
	seeded.Func, seeded.Estimates = step.g, step.estimates
	return seeded, nil
}

// GuessSeeds is the guess pass: it returns f's forward-gradient step
// without its forward-mode part. Func computes the loss, each layer's
// guess and the updated state: it takes the parameters of the step (see
// GuessStep) and returns the loss, the new value of each State
// parameter, then the model's results listed in opts.Keep. The guesses are marked in Func.Marks as the seeds of the
// tangents of the values they perturb, with what the estimates need; the
// jvp pass (and Guess) completes the step from them. Estimates is not set.
func GuessSeeds(f *ir.Func, opts GuessOptions) (*GuessStep, error) {
	opts.defaults()
	if opts.Method == nil {
		return nil, fmt.Errorf("no guess method (known: %s)", strings.Join(GuessMethodNames(), ", "))
	}
	if err := opts.Method.check(&opts); err != nil {
		return nil, err
	}
	for _, i := range opts.Keep {
		if i < 1 || i >= len(f.Results) {
			return nil, fmt.Errorf("@%s: guess: cannot keep result %d of %d (the first is the loss)", f.Name, i, len(f.Results))
		}
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
	step := &GuessStep{Func: gb.r.g, Inputs: gb.inputNames, State: gb.stateNames}
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

// guessBuilder carries the state of one GuessSeeds call.
type guessBuilder struct {
	opts   GuessOptions
	src    *ir.Func // the model with per-example losses
	layers []Layer
	per    *ir.Value

	// r copies src into the step, calling seed as each value is defined;
	// no value has a tangent, so r emits primal code only.
	r          *jvpResult
	key, ctr   *ir.Value
	seedOf     map[*ir.Value]*ir.Value // perturbed value in src -> its guess in the step
	state      map[int]*ir.Value       // wperp's warm start by layer index
	stateNames []string
	inputs     []*ir.Value // extra data params, per hidden layer
	inputNames []string
	newState   []*ir.Value
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
	r.g.Results = append([]*ir.Value{r.primal[gb.src.Results[0]]}, gb.newState...)
	for _, i := range gb.opts.Keep {
		r.g.Results = append(r.g.Results, r.primal[gb.src.Results[i]])
	}
	return gb.mark()
}

func sanitizeMethod(name string) string { return strings.ReplaceAll(name, "-", "_") }

// seed is the walk hook: it emits the method's guess for v and remembers
// it. It adds no tangent: the jvp pass does, from the marks.
func (gb *guessBuilder) seed(v *ir.Value) (*ir.Value, error) {
	y, err := gb.opts.Method.seed(gb, v)
	if y != nil {
		gb.seedOf[v] = y
	}
	return nil, err
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
