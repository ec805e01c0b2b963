package passes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// A GuessMethod is a family of forward-gradient guess directions: where
// the guesses go and how each is made. Each method is a type of its own,
// in a file of its own that registers it (guess_wt.go, guess_wperp.go,
// ...); adding a method is adding such a file and its test. The methods
// build IR with the guess pass's internals, so the interface is
// implemented in this package only.
type GuessMethod interface {
	// Name is the method's name, as flags and configurations spell it
	// ("wt", "wperp", ...).
	Name() string
	// Covariance returns the covariance of the method's guess y at a
	// hidden layer for one example, Cov(y) = Q diag(c) Qᵀ, as the
	// eigenvalues c in the eigenbasis Q of AᵀA described by s (A the
	// example's upstream Jacobian). Every method here guesses along a
	// spectral function of A, so c is a function of the spectrum. A
	// method whose guesses are not at the pre-activations (wp) has no
	// such covariance and returns an error.
	Covariance(s GuessSpectrum) ([]float64, error)

	// check validates the options for this method.
	check(o *GuessOptions) error
	// prepare adds the step's extra parameters (inputs, state) before
	// the forward walk.
	prepare(gb *guessBuilder) error
	// seed returns the guess added to the tangent of v, a value of the
	// model (a parameter, or a result just defined), or nil. Guesses go to
	// layers' pre-activations (estimates Ĝ_W = xᵀ(J ⊙ y)) or to their
	// weights and biases (Ĝ_W = (Σ_b J_b) V); they must not depend on
	// values the guesses perturb.
	seed(gb *guessBuilder, v *ir.Value) (*ir.Value, error)
	// hidden emits the guess of hidden layer i (every layer but the last).
	hidden(gb *guessBuilder, i int) (*ir.Value, error)
	// diagnostic returns layer l's guess, for GuessOptions.Diagnostics.
	diagnostic(gb *guessBuilder, l Layer) *ir.Value
}

// A GuessSpectrum describes one example at one hidden layer for
// GuessMethod.Covariance: the eigenvalues of AᵀA, ascending, and the
// settings of the step.
type GuessSpectrum struct {
	Lambda []float64
	// K and Sigma are GuessOptions.K and GuessOptions.Sigma (defaults
	// applied).
	K     int
	Sigma float64
	// Inputs is the layer's data input, if the method takes one
	// (wperp-ns's coefficients).
	Inputs []float64
}

// top returns the largest eigenvalue, 0 for none.
func (s GuessSpectrum) top() float64 {
	if len(s.Lambda) == 0 {
		return 0
	}
	return s.Lambda[len(s.Lambda)-1]
}

// spectral returns c_i = g(λ_i).
func (s GuessSpectrum) spectral(g func(lambda float64) float64) []float64 {
	c := make([]float64, len(s.Lambda))
	for i, l := range s.Lambda {
		c[i] = g(l)
	}
	return c
}

// span returns c with ones at the indices [lo, hi) and zeros elsewhere.
func (s GuessSpectrum) span(lo, hi int) []float64 {
	c := make([]float64, len(s.Lambda))
	for i := max(lo, 0); i < min(hi, len(c)); i++ {
		c[i] = 1
	}
	return c
}

// guessMethods is the registry, filled by each method's file.
var guessMethods = map[string]GuessMethod{}

// registerGuessMethod adds m to the registry and returns it.
func registerGuessMethod(m GuessMethod) GuessMethod {
	if _, dup := guessMethods[m.Name()]; dup {
		panic("passes: guess method " + m.Name() + " registered twice")
	}
	guessMethods[m.Name()] = m
	return m
}

// GuessMethods returns every guess method, sorted by name.
func GuessMethods() []GuessMethod {
	ms := make([]GuessMethod, 0, len(guessMethods))
	for _, m := range guessMethods {
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b GuessMethod) int { return strings.Compare(a.Name(), b.Name()) })
	return ms
}

// GuessMethodNames returns the names of the guess methods, sorted.
func GuessMethodNames() []string {
	var names []string
	for _, m := range GuessMethods() {
		names = append(names, m.Name())
	}
	return names
}

// LookupGuessMethod returns the guess method called name.
func LookupGuessMethod(name string) (GuessMethod, error) {
	if m, ok := guessMethods[name]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("unknown guess method %q (known: %s)", name, strings.Join(GuessMethodNames(), ", "))
}

// atPreActivations holds the behaviour every method but wp shares: the
// guesses go to the layers' pre-activations, the hidden layers' from the
// method (hidden), the output layer's plain noise (the estimates are then
// Ĝ_W = xᵀ(J ⊙ y)). Methods embed it.
type atPreActivations struct{}

// check rejects k < 0 (k = rank), which only wperp takes.
func (atPreActivations) check(o *GuessOptions) error {
	if o.K < 0 {
		return fmt.Errorf("k < 0 (k = rank) is for wperp only, not %s", o.Method.Name())
	}
	return nil
}

func (atPreActivations) prepare(*guessBuilder) error { return nil }

func (atPreActivations) seed(gb *guessBuilder, v *ir.Value) (*ir.Value, error) {
	for i, l := range gb.layers {
		if l.Pre != v {
			continue
		}
		if i == len(gb.layers)-1 {
			return gb.noise(v.Type, gb.streamOf(v)), nil
		}
		y, err := gb.opts.Method.hidden(gb, i)
		if err != nil {
			return nil, fmt.Errorf("%s: guess for %s: %w", v.Pos, v, err)
		}
		return y, nil
	}
	return nil, nil
}

func (atPreActivations) diagnostic(gb *guessBuilder, l Layer) *ir.Value { return gb.seedOf[l.Pre] }
