// Command reduction reproduces the experiments of "Sharper Convergence
// Rates for Nonconvex Optimisation via Reduction Mappings" (Markou,
// Ajanthan and Gould, arXiv:2506.08428): the curvatures of the worked
// examples A.1 and A.2, and experiments G.1, G.2 and G.3, which compare
// gradient descent on the full objective, on the reduced objective and
// GeoPrecGD (iterations to ‖∇‖ < 1e-8, condition numbers, wall time).
// See usage for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

const usageText = `Usage: go run ./examples/reduction [flags]

Reproduces the experiments of the reduction-mappings paper
(arXiv:2506.08428) with methods/reduction:

  a1  App. A.1, f = x₁² + 10(x₂ − x₁)²: λ(∇²f) and the largest curvature
      F″/(1 + F′²)^{3/2} on [−0.5, 0.5] of F = f(x₁, Ψ(x₁)) for Ψ = 0,
      the inner argmin (an argmin op) and Ψ = x₁ − 2 sin x₁
  a2  App. A.2, f = φ(x₁) + (x₂ − sin x₁)²: λ_max(∇²f) at 0 and the
      largest curvature on [−1.5, 1.5] for Ψ₁ = sin x₁ (also as an argmin),
      Ψ₂ = 0 and Ψ₃ = x₁
  g1  G = x² + 10(y − x)², Φ(x) = (x, x), from (−1.2, 4.5): GD on G with
      η = 1/λ_max, GD on F = x² with η = ½, GeoPrecGD with η = 1
  g2  G = ½‖x‖² + ½‖y‖² + (λ/2)‖y − Kx‖², Φ(x) = (x, Kx), n = 40
  g3  G = ½‖x‖² + ½‖y‖² + (λ/2)‖y − α tanh(Kx)‖², Φ(x) = (x, α tanh Kx)

G.2 and G.3 run full GD, reduced GD and GeoPrecGD (R⁻¹∇F by conjugate
gradients) with Armijo backtracking (η₀ = 1 at every iteration, halving,
c = 1e-4) to ‖∇‖₂ < 1e-8, from x₀, y₀ ~ N(0, I). K = U diag(s) Vᵀ with U, V
the Q factors of Gaussian matrices and s² spaced geometrically over
[1, 1999]; each seed draws K, then x₀ and y₀. Full GD on G.3 stops at
-g3-full-cap iterations, as the paper's did not converge.

A table goes to stdout (to stderr with -json, which prints one JSON line
per measurement on stdout); convergence plots (objective and ‖∇‖ against
the iteration, log scales) go to -out as <experiment>[-seed<S>]-<quantity>.png.
Progress of long runs goes to stderr. Without flags it runs everything
with seed 1 (about 20 seconds on 2 cores).

Flags:
`

// options are the settings of a run.
type options struct {
	experiments      []string
	seed             uint64
	seeds            int
	n                int
	lambda, alpha    float64
	s2max            float64
	maxIter, g3Cap   int
	json, short      bool
	g2Fixed          bool
	diagonalK        bool
	out              string
	progressInterval float64 // seconds between progress lines off a terminal
}

var defaults = options{
	experiments: allExperiments, seed: 1, seeds: 1, n: 40, lambda: 10, alpha: 10, s2max: 1999,
	maxIter: 1_000_000, g3Cap: 100_000, out: "out/reduction", progressInterval: 10,
}

var allExperiments = []string{"a1", "a2", "g1", "g2", "g3"}

// A usageError is a bad command line: exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the program
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command and returns its exit status: 0, 1 for a failure,
// 2 for a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	var ue usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "reduction: %v\nRun 'go run ./examples/reduction -h' for usage.\n", ue.err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "reduction:", err)
		return 1
	}
	if err := runAll(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "reduction:", err)
		return 1
	}
	return 0
}

// parse reads the command line.
func parse(args []string, stderr io.Writer) (options, error) {
	o := defaults
	fs := flag.NewFlagSet("reduction", flag.ContinueOnError)
	// Parse errors are reported by run, and the usage only for -h.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	exp := fs.String("exp", strings.Join(o.experiments, ","), "experiments to run: a comma-separated list of "+strings.Join(allExperiments, ", ")+", or all")
	fs.Uint64Var(&o.seed, "seed", o.seed, "first seed of G.2 and G.3 (K, x₀ and y₀)")
	fs.IntVar(&o.seeds, "seeds", o.seeds, "number of seeds of G.2 and G.3: seed, seed+1, ...")
	fs.IntVar(&o.n, "n", o.n, "dimension of x and of y in G.2 and G.3")
	fs.Float64Var(&o.lambda, "lambda", o.lambda, "coupling weight λ of G.2 and G.3")
	fs.Float64Var(&o.alpha, "alpha", o.alpha, "slope α of G.3's map α tanh(Kx)")
	fs.Float64Var(&o.s2max, "s2max", o.s2max, "largest squared singular value of K (the smallest is 1)")
	fs.IntVar(&o.maxIter, "max-iter", o.maxIter, "iteration cap of every run but G.3's full GD")
	fs.IntVar(&o.g3Cap, "g3-full-cap", o.g3Cap, "iteration cap of full GD on G.3")
	fs.BoolVar(&o.g2Fixed, "g2-fixed", false, "also run G.2 with fixed steps: η = 1/λ_max(∇²G(0)), 1/λ_max(∇²F(0)), and 1 for GeoPrecGD")
	fs.BoolVar(&o.diagonalK, "diagonal-k", false, "use K = diag(s) instead of U diag(s) Vᵀ in G.2 and G.3")
	fs.BoolVar(&o.json, "json", false, "print one JSON line per measurement on stdout (the table goes to stderr)")
	fs.BoolVar(&o.short, "short", false, "a quick check: n = 10, s² over [1, 99], G.3's full GD capped at 2000 iterations")
	fs.StringVar(&o.out, "out", o.out, "directory of the plots")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usageText)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return o, err
		}
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if o.short {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["n"] {
			o.n = 10
		}
		if !set["s2max"] {
			o.s2max = 99
		}
		if !set["g3-full-cap"] {
			o.g3Cap = 2000
		}
	}
	var err error
	if o.experiments, err = parseExperiments(*exp); err != nil {
		return o, usageError{err}
	}
	switch {
	case o.seeds < 1:
		return o, usageError{fmt.Errorf("-seeds %d: want at least 1", o.seeds)}
	case o.n < 2:
		return o, usageError{fmt.Errorf("-n %d: want at least 2", o.n)}
	case !(o.lambda > 0) || !(o.alpha > 0):
		return o, usageError{fmt.Errorf("-lambda %g and -alpha %g must be positive", o.lambda, o.alpha)}
	case !(o.s2max > 1):
		return o, usageError{fmt.Errorf("-s2max %g: want more than 1", o.s2max)}
	case o.maxIter < 1 || o.g3Cap < 1:
		return o, usageError{fmt.Errorf("-max-iter %d and -g3-full-cap %d must be positive", o.maxIter, o.g3Cap)}
	case o.out == "":
		return o, usageError{errors.New("-out is empty")}
	}
	return o, nil
}

// parseExperiments reads -exp.
func parseExperiments(s string) ([]string, error) {
	if strings.TrimSpace(s) == "all" {
		return allExperiments, nil
	}
	var out []string
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if !slices.Contains(allExperiments, e) {
			return nil, fmt.Errorf("-exp: unknown experiment %q (want %s or all)", e, strings.Join(allExperiments, ", "))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}
