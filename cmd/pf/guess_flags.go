package main

import (
	"flag"
	"github.com/pushforward/pushforward/internal/cli"
	"strings"

	"github.com/pushforward/pushforward/passes"
)

// guessFlagSet holds the flags of pf opt that configure the guess pass.
type guessFlagSet struct {
	method                  *string
	k, guesses, iters, over *int
	sigma                   *float64
	exact                   *bool
	layers                  *string
}

func guessFlags(fs *flag.FlagSet) *guessFlagSet {
	return &guessFlagSet{
		method:  fs.String("method", "wperp", "guess method `M`: "+strings.Join(passes.GuessMethodNames(), ", ")),
		k:       fs.Int("k", 10, "subspace dimension `K` of wperp and wperp-bottom (wperp: -1 for k = rank)"),
		guesses: fs.Int("guesses", 1, "guesses per step `G`, on a leading axis, averaged"),
		iters:   fs.Int("iters", 1, "block Krylov steps `N` of wperp per step"),
		over:    fs.Int("oversample", 5, "vectors `P` beyond k in wperp's Krylov blocks"),
		sigma:   fs.Float64("sigma", 1e-5, "regularisation `σ` of wprecond"),
		exact:   fs.Bool("exact", false, "wperp by per-example SVDs, wprecond by eigendecompositions (the reference paths)"),
		layers:  fs.String("layers", "", "comma-separated pre-activation `values` to perturb (default: every layer)"),
	}
}

// options checks the flags and returns the guess pass's options.
func (g *guessFlagSet) options() (passes.GuessOptions, error) {
	m, err := passes.LookupGuessMethod(*g.method)
	switch {
	case err != nil:
		return passes.GuessOptions{}, cli.Usagef("-method %s: want one of %s", *g.method, strings.Join(passes.GuessMethodNames(), ", "))
	case *g.k == 0 || *g.k < -1:
		return passes.GuessOptions{}, cli.Usagef("-k %d: want at least 1, or -1 for k = rank", *g.k)
	case *g.guesses < 1:
		return passes.GuessOptions{}, cli.Usagef("-guesses %d: want at least 1", *g.guesses)
	case *g.iters < 1:
		return passes.GuessOptions{}, cli.Usagef("-iters %d: want at least 1", *g.iters)
	case *g.over < 0:
		return passes.GuessOptions{}, cli.Usagef("-oversample %d: want at least 0", *g.over)
	case !(*g.sigma > 0):
		return passes.GuessOptions{}, cli.Usagef("-sigma %g: want a number > 0", *g.sigma)
	}
	return passes.GuessOptions{Method: m, K: *g.k, Guesses: *g.guesses, Iters: *g.iters, Oversample: *g.over,
		Sigma: *g.sigma, Exact: *g.exact, Layers: splitList(*g.layers)}, nil
}
