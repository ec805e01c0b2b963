package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// The MLP of the issue: 784-1024-1024-10 with ReLU, batch 128, f32,
// softmax cross-entropy.
const (
	mlpBatch   = 128
	mlpIn      = 784
	mlpWidth   = 1024
	mlpClasses = 10
	guessK     = 10 // the subspace dimension of wperp
)

// mlpModel builds the MLP with depth linear layers (depth-1 hidden layers
// of the given width) and returns it with its parameters' initial values.
func mlpModel(depth, width, batch int) (*ir.Func, map[string][]float64, error) {
	b := builder.New("mlp")
	x := b.Data("x", ir.F32, batch, mlpIn)
	labels := b.Data("t", ir.I64, batch)
	widths := make([]int, depth)
	for i := range widths {
		widths[i] = width
	}
	widths[depth-1] = mlpClasses
	logits := nn.MLP(b, "mlp", x, widths, nn.ReLU)
	b.Return(b.Named("loss", nn.CrossEntropy(b, logits, labels)))
	f, err := b.Build()
	if err != nil {
		return nil, nil, err
	}
	values, err := nn.InitParams(f, b.Inits(), 1)
	return f, values, err
}

// A step is one compiled training step of the MLP with its inputs.
type step struct {
	name   string
	fn     *ir.Func
	inputs []*runtime.Tensor
	runner *runtime.Runner
}

// mlpSteps compiles the steps the issue benchmarks, each as the passes
// produce it: the model itself, its JVP with one tangent for every
// parameter, backprop (VJP), and the forward-gradient steps of
// methods/fwdgrad, each followed by the clean-up passes.
func mlpSteps(depth, width, batch int, only map[string]bool) ([]*step, error) {
	f, values, err := mlpModel(depth, width, batch)
	if err != nil {
		return nil, err
	}
	params := passes.ParamsWithRole(f, ir.Param)
	cleanup := func(g *ir.Func, err error) (*ir.Func, error) {
		if err != nil {
			return nil, err
		}
		return passes.Run(g, passes.Cleanup, passes.Options{})
	}
	build := map[string]func() (*ir.Func, []fwdgrad.State, error){
		"mlp-fwd": func() (*ir.Func, []fwdgrad.State, error) { return f, nil, nil },
		// The JVP along one tangent direction of the input: one tangent
		// product per layer, the shape of the activation-guess methods'
		// JVP.
		"mlp-jvp": func() (*ir.Func, []fwdgrad.State, error) {
			g, err := cleanup(passes.JVP(f, []string{"x"}, 1))
			return g, nil, err
		},
		// The JVP along one tangent of every weight and bias (weight
		// perturbation's shape): each layer adds h·Ẇ to ḣ·W.
		"mlp-jvp-params": func() (*ir.Func, []fwdgrad.State, error) {
			g, err := cleanup(passes.JVP(f, params, 1))
			return g, nil, err
		},
		"mlp-backprop": func() (*ir.Func, []fwdgrad.State, error) {
			g, err := cleanup(passes.VJP(f, params))
			return g, nil, err
		},
	}
	for _, m := range []string{"wt", "wperp", "wt-schedule"} {
		build["mlp-fwdgrad-"+m] = func() (*ir.Func, []fwdgrad.State, error) {
			name, scheduled := strings.CutSuffix(m, "-schedule")
			g, err := fwdgrad.Build(f, fwdgrad.Config{Method: name, K: guessK})
			if err != nil {
				return nil, nil, err
			}
			fn, err := cleanup(g.Func, nil)
			if scheduled && err == nil {
				fn, err = passes.Run(fn, []string{"schedule"}, passes.Options{})
			}
			return fn, g.State, err
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	var steps []*step
	for _, name := range mlpCases {
		if only != nil && !only[name] {
			continue
		}
		fn, state, err := build[name]()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		it, err := runtime.New(fn)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		steps = append(steps, &step{name: name, fn: fn, inputs: stepInputs(fn, values, state, r), runner: it.NewRunner()})
	}
	return steps, nil
}

// stepInputs makes a step's inputs: the parameters' initial values, a
// batch of normal pixels with random labels, normal tangents, the RNG key
// and counter 1, and the initial state of the guesses.
func stepInputs(fn *ir.Func, values map[string][]float64, state []fwdgrad.State, r *rand.Rand) []*runtime.Tensor {
	in := make([]*runtime.Tensor, len(fn.Params))
	for i, p := range fn.Params {
		n := p.Type.Shape.Size()
		switch {
		case values[p.Name] != nil:
			in[i] = runtime.FromFloat64s(p.Type, values[p.Name])
		case p.Type.DType == ir.I64:
			labels := make([]int64, n)
			for j := range labels {
				labels[j] = int64(r.IntN(mlpClasses))
			}
			in[i] = runtime.FromI64(p.Type.Shape, labels)
		case p.Type.DType == ir.U64:
			in[i] = runtime.FromU64(p.Type.Shape, []uint64{1})
		default:
			for j, s := range state {
				if s.Name == p.Name && s.Orthonormal {
					in[i] = fwdgrad.OrthonormalRows(s.Type, uint64(j+1))
				}
			}
			if in[i] == nil {
				data := make([]float64, n)
				for j := range data {
					data[j] = r.NormFloat64()
				}
				in[i] = runtime.FromFloat64s(p.Type, data)
			}
		}
	}
	return in
}

// matmulFLOPs counts the flops of fn's matrix products, 2mnk each (fused
// epilogues included).
func matmulFLOPs(fn *ir.Func) float64 {
	var total float64
	for _, in := range fn.Body {
		if kind, _ := in.Attrs.Str("kind", ""); in.Op != ir.OpMatmul && (in.Op != ir.OpFused || kind != ir.FusedMatmul) {
			continue
		}
		tA, _ := in.Attrs.Bool("transpose_a", false)
		tB, _ := in.Attrs.Bool("transpose_b", false)
		batch, m, k, n, err := ir.MatmulDims(in.Args[0].Type.Shape, in.Args[1].Type.Shape, tA, tB)
		if err != nil {
			continue
		}
		total += 2 * float64(batch.Size()) * float64(m) * float64(n) * float64(k)
	}
	return total
}

// runMLP times the MLP steps round-robin, each round running every step
// for o.minTime, reports the median of each, and the ratios the issue
// sets targets for, computed from the same rounds.
func runMLP(o *options, emit func(result)) error {
	width, batch := mlpWidth, mlpBatch
	if o.quick {
		width, batch = 64, 16
	}
	steps, err := mlpSteps(3, width, batch, o.only)
	if err != nil {
		return err
	}
	for _, s := range slices.Clone(steps) {
		if !slices.Contains(fusedMLPCases, s.name) {
			continue
		}
		for _, v := range o.fuse {
			twin, err := fusedTwin(s, v)
			if err != nil {
				return err
			}
			steps = append(steps, twin)
		}
	}
	for _, s := range steps { // warm up: sizes scratch space and packing buffers
		if _, err := s.runner.Run(s.inputs); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	samples := make([][]float64, len(steps))
	for range o.rounds {
		for i, s := range steps {
			var runErr error
			samples[i] = append(samples[i], timeRound(func() {
				if _, err := s.runner.Run(s.inputs); err != nil {
					runErr = err
				}
			}, o.minTime))
			if runErr != nil {
				return fmt.Errorf("%s: %w", s.name, runErr)
			}
		}
	}
	if o.opProfile > 0 {
		for _, s := range steps {
			if err := profileStep(s, o.opProfile); err != nil {
				return err
			}
		}
	}
	ns := map[string]float64{}
	for i, s := range steps {
		ns[s.name] = median(slices.Clone(samples[i])) // samples stay in round order for the ratios
		emit(result{
			Case: s.name, DType: "f32", Shape: []int{batch, mlpIn, width, width, mlpClasses},
			NsPerOp: ns[s.name], GFLOPS: matmulFLOPs(s.fn) / ns[s.name],
			BytesPeak: passes.PeakLiveBytes(s.fn), RunnerBytes: s.runner.Bytes(), BytesMoved: passes.TrafficBytes(s.fn), Rounds: o.rounds,
		})
	}
	fusedRatios(steps, samples, emit)
	// Ratios of medians, and the median of the per-round ratios, which
	// cancels a load that changes between rounds.
	for _, pair := range [][2]string{{"mlp-jvp", "mlp-fwd"}, {"mlp-jvp-params", "mlp-fwd"}, {"mlp-fwdgrad-wt", "mlp-backprop"}, {"mlp-fwdgrad-wt-schedule", "mlp-backprop"}, {"mlp-fwdgrad-wperp", "mlp-backprop"}, {"mlp-backprop", "mlp-fwd"}} {
		i := stepIndex(steps, pair[0])
		j := stepIndex(steps, pair[1])
		if i < 0 || j < 0 {
			continue
		}
		perRound := make([]float64, o.rounds)
		for r := range perRound {
			perRound[r] = samples[i][r] / samples[j][r]
		}
		emit(result{Case: "ratio", Name: pair[0] + "/" + pair[1], Value: median(perRound), Rounds: o.rounds})
		// The same ratio of the steps' matrix-product flops: what the
		// time ratio would be if the products were all the work.
		emit(result{Case: "ratio", Name: "flops " + pair[0] + "/" + pair[1], Value: matmulFLOPs(steps[i].fn) / matmulFLOPs(steps[j].fn)})
	}
	return nil
}

func stepIndex(steps []*step, name string) int {
	for i, s := range steps {
		if s.name == name {
			return i
		}
	}
	return -1
}

// runDepth reports bytes_peak (passes.PeakLiveBytes) and the Runner's
// planned memory of the forward-gradient steps and of backprop for MLPs of
// depth 2, 8 and 32, which is what a step needs beyond its parameters.
func runDepth(o *options, emit func(result)) error {
	width, batch := mlpWidth, mlpBatch
	if o.quick {
		width, batch = 64, 16
	}
	for _, depth := range []int{2, 8, 32} {
		f, _, err := mlpModel(depth, width, batch)
		if err != nil {
			return err
		}
		for _, method := range []string{"wt", "wt+schedule", "wperp", "wperp+schedule", "backprop"} {
			name, scheduled := strings.CutSuffix(method, "+schedule")
			g, err := fwdgrad.Build(f, fwdgrad.Config{Method: name, K: guessK})
			if err != nil {
				return fmt.Errorf("depth %d, %s: %w", depth, method, err)
			}
			pipeline := passes.Cleanup
			if scheduled {
				pipeline = append(pipeline[:len(pipeline):len(pipeline)], "schedule")
			}
			fn, err := passes.Run(g.Func, pipeline, passes.Options{})
			if err != nil {
				return err
			}
			it, err := runtime.New(fn)
			if err != nil {
				return err
			}
			emit(result{Case: "mlp-fwdgrad-depth", Method: method, Depth: depth, DType: "f32",
				Shape:     []int{batch, mlpIn, width, mlpClasses},
				BytesPeak: passes.PeakLiveBytes(fn), BytesTemp: passes.PeakTemporaryBytes(fn), RunnerBytes: it.NewRunner().Bytes()})
		}
	}
	return nil
}

// profileStep runs s three times under the Runner's profile and prints
// its n costliest groups of instructions to stderr.
func profileStep(s *step, n int) error {
	prof := s.runner.Profile()
	defer s.runner.StopProfile()
	for range 3 {
		if _, err := s.runner.Run(s.inputs); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Fprintf(os.Stderr, "profile of %s:\n", s.name)
	prof.Write(os.Stderr, n)
	return nil
}
