package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	goruntime "runtime"
	"strconv"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/internal/genmod"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/runtime"
)

// The gen case times training steps as generated Go (codegen) against
// the interpreter, on the same functions and inputs: each method's step
// (the gradient or its estimate, then AdamW's update) as methods/train
// compiles it, unfused and fused (passes.Fuse), for the forward-gradient
// paper's MNIST-1D network at several widths (batch 512) and for the
// 784-1024-1024-10 MLP (batch 128). All the steps are generated into one
// package of a temporary module, built once into a program that also
// runs the interpreter (internal/genmod), and timed there, the four
// variants of a step taking turns round by round: interp (the unfused
// step by a runtime.Runner), interp-fused, gen and gen-fused, timed by
// the wall clock or, with -clock cpu, by the timing program's CPU time.
// Before the timing, every variant's results are checked to be the
// interpreter's, bit for bit. The ratios are of the medians over the
// rounds.

// genWidths are the paper network's widths the gen case times.
var genWidths = []int{64, 128, 512, 1024}

// genMethods are the steps timed at each size.
var genMethods = []string{fwdgrad.Backprop, "wt", "wperp"}

// genVariants are the four ways a step runs, in the order of a round.
var genVariants = []struct {
	name             string
	fused, generated bool
}{{"interp", false, false}, {"interp-fused", true, false}, {"gen", false, true}, {"gen-fused", true, true}}

// A genStep is one step of the case, with its unfused and fused functions
// (indices into the program's functions) and its inputs.
type genStep struct {
	name   string
	shape  []int
	funcs  [2]int // unfused, fused
	inputs []*runtime.Tensor
}

// genModels returns the models the case times, named by their widths.
func genModels(quick bool) []struct {
	name         string
	model        train.Model
	batch, width int
	shape        []int
} {
	type m = struct {
		name         string
		model        train.Model
		batch, width int
		shape        []int
	}
	if quick {
		return []m{{"w16", train.MLP(paperFeatures, mlpClasses, []int{16, 16}, false, ir.F32), 32, 16, []int{32, paperFeatures, 16, 16, mlpClasses}}}
	}
	var models []m
	for _, w := range genWidths {
		models = append(models, m{fmt.Sprintf("w%d", w), train.MLP(paperFeatures, mlpClasses, []int{w, w, w}, false, ir.F32), paperBatch, w,
			[]int{paperBatch, paperFeatures, w, w, w, mlpClasses}})
	}
	return append(models, m{"mlp784", train.MLP(mlpIn, mlpClasses, []int{mlpWidth, mlpWidth}, false, ir.F32), mlpBatch, mlpWidth,
		[]int{mlpBatch, mlpIn, mlpWidth, mlpWidth, mlpClasses}})
}

// genSteps builds every step, unfused and fused, with its inputs.
func genSteps(quick bool) ([]*ir.Func, []*genStep, error) {
	opt, err := optim.New("adamw", 1e-3)
	if err != nil {
		return nil, nil, err
	}
	r := rand.New(rand.NewPCG(21, 22))
	var funcs []*ir.Func
	var steps []*genStep
	for _, m := range genModels(quick) {
		for _, method := range genMethods {
			s := &genStep{name: method + "/" + m.name, shape: m.shape}
			for i, fuse := range []bool{false, true} {
				cfg := train.Config{Method: fwdgrad.Config{Method: method, K: guessK}, Optimizer: opt, Batch: m.batch, Fuse: fuse}
				f, err := train.StepFunc(m.model, cfg, m.batch)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", s.name, err)
				}
				s.funcs[i] = len(funcs)
				funcs = append(funcs, f)
			}
			inputs, err := genInputs(m.model, m.batch, funcs[s.funcs[0]], r)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", s.name, err)
			}
			s.inputs = inputs
			steps = append(steps, s)
		}
	}
	return funcs, steps, nil
}

// genInputs returns inputs for a training step: the model's parameters
// as initialised, random inputs and labels, zero optimizer slots, a
// random guess state.
func genInputs(model train.Model, batch int, step *ir.Func, r *rand.Rand) ([]*runtime.Tensor, error) {
	f, inits, err := model(batch)
	if err != nil {
		return nil, err
	}
	values, err := nn.InitParams(f, inits, 1)
	if err != nil {
		return nil, err
	}
	inputs := make([]*runtime.Tensor, len(step.Params))
	for i, p := range step.Params {
		t := runtime.Zeros(p.Type)
		switch v, ok := values[p.Name]; {
		case ok:
			t = runtime.FromFloat64s(p.Type, v)
		case p.Role == ir.Data && p.Type.DType == ir.F32, p.Role == ir.State:
			for k := range t.F32 {
				t.F32[k] = float32(r.NormFloat64())
			}
		}
		for k := range t.I64 {
			if p.Role == ir.Data {
				t.I64[k] = int64(r.IntN(mlpClasses))
			}
		}
		for k := range t.U64 {
			t.U64[k] = 7
		}
		inputs[i] = t
	}
	return inputs, nil
}

// runGen runs the gen case.
func runGen(o *options, emit func(result)) error {
	funcs, steps, err := genSteps(o.quick)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "pf-bench-gen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	m, err := genmod.New(dir)
	if err != nil {
		return err
	}
	// The timing program runs with the bench's threads.
	m.Env = []string{"GOMAXPROCS=" + strconv.Itoa(goruntime.GOMAXPROCS(0))}
	prog, err := genmod.Build(m, funcs)
	if err != nil {
		return err
	}
	defer prog.Close()
	for i, err := range prog.GenErr {
		if err != nil {
			return fmt.Errorf("function %d: %w", i, err)
		}
	}
	for _, s := range steps {
		if err := checkGenStep(prog, s); err != nil {
			return err
		}
		samples := make([][]float64, len(genVariants))
		for range o.rounds {
			for k, v := range genVariants {
				d, err := prog.Time(s.funcs[b2i(v.fused)], v.generated, cpuClock, o.minTime)
				if err != nil {
					return fmt.Errorf("%s %s: %w", s.name, v.name, err)
				}
				samples[k] = append(samples[k], float64(d.Nanoseconds()))
			}
		}
		ns := make([]float64, len(genVariants))
		for k, v := range genVariants {
			ns[k] = median(samples[k])
			emit(result{Case: "gen", Method: s.name, Impl: v.name, DType: "f32", Shape: s.shape, NsPerOp: ns[k], Rounds: o.rounds})
		}
		for _, pair := range [][2]int{{3, 0}, {2, 0}, {1, 0}, {3, 1}} {
			emit(result{Case: "ratio", Name: fmt.Sprintf("%s %s/%s", s.name, genVariants[pair[0]].name, genVariants[pair[1]].name),
				Value: ns[pair[0]] / ns[pair[1]], Rounds: o.rounds})
		}
	}
	return nil
}

// checkGenStep runs every variant of a step once on its inputs, which the
// timing then reuses, and requires the interpreter's bits from each.
func checkGenStep(prog *genmod.Program, s *genStep) error {
	want, err := prog.Interpreted(s.funcs[0], s.inputs)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	for _, v := range genVariants[1:] {
		var got []*runtime.Tensor
		if v.generated {
			got, err = prog.Generated(s.funcs[b2i(v.fused)], s.inputs)
		} else {
			got, err = prog.Interpreted(s.funcs[b2i(v.fused)], s.inputs)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", s.name, v.name, err)
		}
		for k := range want {
			if err := runtime.CheckIdentical(got[k], want[k]); err != nil {
				return fmt.Errorf("%s %s: result %d differs from the interpreter's: %w", s.name, v.name, k, err)
			}
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
