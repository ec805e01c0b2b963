package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

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

// fuseChains are chains the training steps fuse, %R and %C standing for
// the rows and columns: a layer's bias, ReLU and ReLU mask on a tangent;
// the same after the layer's product (an epilogue); a W̃ᵀ tangent chain
// (mask, product, accumulation); AdamW's update of one weight.
var fuseChains = []struct{ name, src string }{
	{"relu", `func @f(%s: f32[R,C] data, %b: f32[C] data, %t: f32[R,C] data) -> (f32[R,C], f32[R,C]) {
  %a = add %s, %b : f32[R,C]
  %h = relu %a : f32[R,C]
  %m = step %a : f32[R,C]
  %ht = mul %m, %t : f32[R,C]
  return %h, %ht
}`},
	{"epilogue", `func @f(%x: f32[R,C] data, %w: f32[C,C] data, %b: f32[C] data, %t: f32[R,C] data) -> (f32[R,C], f32[R,C]) {
  %p = matmul %x, %w : f32[R,C]
  %a = add %p, %b : f32[R,C]
  %h = relu %a : f32[R,C]
  %m = step %a : f32[R,C]
  %ht = mul %m, %t : f32[R,C]
  return %h, %ht
}`},
	{"tangent", `func @f(%p: f32[R,C] data, %s: f32[R,C] data, %c: f32[R,C] data) -> (f32[R,C], f32[R,C]) {
  %m = step %s : f32[R,C]
  %a = mul %p, %m : f32[R,C]
  %b = add %c, %a : f32[R,C]
  %d = mul %b, %m : f32[R,C]
  return %a, %d
}`},
	{"adamw", `func @f(%w: f32[R,C] data, %g: f32[R,C] data, %m: f32[R,C] data, %v: f32[R,C] data, %lr: f32[] data, %bc: f32[] data) -> (f32[R,C], f32[R,C], f32[R,C]) {
  %decay = full {value=0.999999} : f32[]
  %b1 = full {value=0.1} : f32[]
  %b2 = full {value=0.999} : f32[]
  %c2 = full {value=0.001} : f32[]
  %eps = full {value=1e-08} : f32[]
  %wd = mul %w, %decay : f32[R,C]
  %d = sub %g, %m : f32[R,C]
  %dm = mul %d, %b1 : f32[R,C]
  %mn = add %m, %dm : f32[R,C]
  %v1 = mul %v, %b2 : f32[R,C]
  %g1 = mul %g, %c2 : f32[R,C]
  %g2 = mul %g1, %g : f32[R,C]
  %vn = add %v1, %g2 : f32[R,C]
  %sq = sqrt %vn : f32[R,C]
  %sc = div %sq, %bc : f32[R,C]
  %den = add %sc, %eps : f32[R,C]
  %num = mul %lr, %mn : f32[R,C]
  %u = div %num, %den : f32[R,C]
  %wn = sub %wd, %u : f32[R,C]
  return %mn, %vn, %wn
}`},
}

// fuseChainShapes are the shapes the chains are timed at: the paper's
// layer at widths 128 and 512, the MLP's layer, a 1024×1024 weight.
var fuseChainShapes = [][2]int{{512, 128}, {512, 512}, {128, 1024}, {1024, 1024}}

// runFuseChains times each chain unfused and fused, taking turns round by
// round, and reports the time and bytes ratios.
func runFuseChains(o *options, emit func(result)) error {
	shapes := fuseChainShapes
	if o.quick {
		shapes = [][2]int{{16, 8}}
	}
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range fuseChains {
		for _, sh := range shapes {
			src := strings.NewReplacer("[R,C]", fmt.Sprintf("[%d,%d]", sh[0], sh[1]), "[C,C]", fmt.Sprintf("[%d,%d]", sh[1], sh[1]),
				"[C]", fmt.Sprintf("[%d]", sh[1])).Replace(c.src)
			f, err := ir.ParseFunc(src)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			it, err := runtime.New(f)
			if err != nil {
				return err
			}
			name := fmt.Sprintf("%s/%dx%d", c.name, sh[0], sh[1])
			s := &step{name: name, fn: f, inputs: stepInputs(f, nil, nil, r), runner: it.NewRunner()}
			twin, err := fusedTwin(s, "fuse")
			if err != nil {
				return err
			}
			group := []*step{s, twin}
			samples, err := timeTurns(group, o.rounds, o.minTime)
			if err != nil {
				return err
			}
			for i, g := range group {
				emit(result{Case: "fuse-chain", Method: g.name, DType: "f32", Shape: sh[:], NsPerOp: median(slices.Clone(samples[i])),
					BytesMoved: passes.TrafficBytes(g.fn), Rounds: o.rounds})
			}
			fusedRatios(group, samples, emit)
		}
	}
	return nil
}

// timeTurns times the steps of group round by round, each for at least
// minTime a round, after a warm-up run, and returns each one's times by
// round.
func timeTurns(group []*step, rounds int, minTime time.Duration) ([][]float64, error) {
	samples := make([][]float64, len(group))
	for i, g := range group {
		if _, err := g.runner.Run(g.inputs); err != nil { // sizes the buffers
			return nil, fmt.Errorf("%s: %w", g.name, err)
		}
		samples[i] = make([]float64, rounds)
	}
	for r := range rounds {
		for i, g := range group {
			var runErr error
			samples[i][r] = timeRound(func() {
				if _, err := g.runner.Run(g.inputs); err != nil {
					runErr = err
				}
			}, minTime)
			if runErr != nil {
				return nil, fmt.Errorf("%s: %w", g.name, runErr)
			}
		}
	}
	return samples, nil
}
