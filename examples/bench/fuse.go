package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// -fuse adds, next to the MLP steps and the paper's gradient steps, their
// versions compiled with the fuse pass, timed in the same rounds, with the
// bytes each moves per step (passes.TrafficBytes) and the ratios fused /
// unfused of both.

// fuseVariants are the variants -fuse accepts: the options of the fuse
// pass each stands for.
var fuseVariants = map[string]passes.FuseOptions{
	"fuse":     {},
	"wide":     {WideGEMM: true},
	"noepi":    {NoEpilogues: true},
	"noreduce": {NoReductions: true},
}

// fusedMLPCases are the MLP steps -fuse compiles fused too.
var fusedMLPCases = []string{"mlp-fwd", "mlp-jvp", "mlp-backprop", "mlp-fwdgrad-wt", "mlp-fwdgrad-wperp"}

// fusedPaperMethods are the paper's steps -fuse compiles fused too (not
// W̃⊥-NS: a step takes seconds, in products fusion does not touch).
var fusedPaperMethods = []string{"backprop", "wt", "wperp"}

// parseFuseVariants reads -fuse: a comma-separated list of variants, or
// "" for none.
func parseFuseVariants(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var vs []string
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if _, ok := fuseVariants[v]; !ok {
			return nil, cli.Usagef("-fuse: unknown variant %q (want a comma-separated list of %s)", v, fuseVariantNames())
		}
		if !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	return vs, nil
}

func fuseVariantNames() string {
	var names []string
	for v := range fuseVariants {
		names = append(names, v)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// fusedTwin returns s compiled with the fuse pass's variant v, on the same
// inputs, named s.name+"+"+v.
func fusedTwin(s *step, v string) (*step, error) {
	fn, err := passes.Fuse(s.fn, fuseVariants[v])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	if err := ir.Verify(fn); err != nil {
		return nil, fmt.Errorf("%s fused: %w", s.name, err)
	}
	it, err := runtime.New(fn)
	if err != nil {
		return nil, fmt.Errorf("%s fused: %w", s.name, err)
	}
	return &step{name: s.name + "+" + v, fn: fn, inputs: s.inputs, runner: it.NewRunner()}, nil
}

// baseName returns the name of the unfused step of a step's name.
func baseName(name string) string {
	base, _, _ := strings.Cut(name, "+")
	return base
}

// fusedRatios emits, for each fused step of steps, the median over rounds
// of its time over its unfused step's, and the ratio of the bytes they
// move. samples[i] are step i's times by round.
func fusedRatios(steps []*step, samples [][]float64, emit func(result)) {
	for i, s := range steps {
		base := baseName(s.name)
		if base == s.name {
			continue
		}
		j := stepIndex(steps, base)
		if j < 0 {
			continue
		}
		perRound := make([]float64, len(samples[i]))
		for r := range perRound {
			perRound[r] = samples[i][r] / samples[j][r]
		}
		emit(result{Case: "ratio", Name: s.name + "/" + base, Value: median(perRound), Rounds: len(perRound)})
		emit(result{Case: "ratio", Name: "bytes " + s.name + "/" + base,
			Value: float64(passes.TrafficBytes(s.fn)) / float64(passes.TrafficBytes(steps[j].fn))})
	}
}
