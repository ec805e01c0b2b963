package runtime_test

import (
	"math/rand/v2"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// stepFuncs builds an MLP classifier (784-512-512-10 at batch 128, f32:
// wide enough that the GEMMs and the noise of the guesses run on several
// goroutines) and the training steps whose steady state must not
// allocate: the forward pass, the JVP with one tangent for every
// parameter, and the forward-gradient steps with W̃ᵀ and W̃⊥ guesses (the
// latter with Cholesky factors, triangular solves and eigendecompositions
// per example). Without the
// assembly kernels (noasm), whose Go twin is slow, the layers are 128 wide.
func stepFuncs(t *testing.T) map[string]*ir.Func {
	t.Helper()
	width := 512
	if !kernels.Assembly() {
		width = 128
	}
	b := builder.New("mlp")
	x := b.Data("x", ir.F32, 128, 784)
	labels := b.Data("t", ir.I64, 128)
	logits := nn.MLP(b, "mlp", x, []int{width, width, 10}, nn.ReLU)
	b.Return(b.Named("loss", nn.CrossEntropy(b, logits, labels)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	jvp, err := passes.JVP(f, passes.ParamsWithRole(f, ir.Param), 1)
	if err != nil {
		t.Fatal(err)
	}
	if jvp, err = passes.Run(jvp, passes.Cleanup, passes.Options{}); err != nil {
		t.Fatal(err)
	}
	guess, err := passes.Guess(f, passes.GuessOptions{Method: passes.WT})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := passes.Run(guess.Func, passes.Cleanup, passes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	guess, err = passes.Guess(f, passes.GuessOptions{Method: passes.WPerp, K: 10})
	if err != nil {
		t.Fatal(err)
	}
	wperp, err := passes.Run(guess.Func, passes.Cleanup, passes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*ir.Func{"forward": f, "jvp": jvp, "fwdgrad-wt": wt, "fwdgrad-wperp": wperp}
}

// randomInputs makes inputs for f: normal floats, labels in range, RNG key
// and counter 1.
func randomInputs(f *ir.Func, r *rand.Rand) []*runtime.Tensor {
	in := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		switch p.Type.DType {
		case ir.I64:
			data := make([]int64, p.Type.Shape.Size())
			for j := range data {
				data[j] = int64(r.IntN(10))
			}
			in[i] = runtime.FromI64(p.Type.Shape, data)
		case ir.U64:
			data := make([]uint64, p.Type.Shape.Size())
			for j := range data {
				data[j] = 1
			}
			in[i] = runtime.FromU64(p.Type.Shape, data)
		default:
			data := make([]float64, p.Type.Shape.Size())
			for j := range data {
				data[j] = 0.05 * r.NormFloat64()
			}
			in[i] = runtime.FromFloat64s(p.Type, data)
		}
	}
	return in
}

// A Runner's steady state allocates nothing for the training steps of an
// MLP, with the default GEMM and with products split over goroutines
// explicitly (AllocsPerRun sets GOMAXPROCS to 1).
func TestRunnerStepsDoNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three MLP steps")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for name, f := range stepFuncs(t) {
		for _, g := range []kernels.GEMM{kernels.Default(), kernels.Packed{Threads: 2}} {
			it, err := runtime.New(f, runtime.WithGEMM(g))
			if err != nil {
				t.Fatal(err)
			}
			runner := it.NewRunner()
			inputs := randomInputs(f, r)
			// Warm up: sizes the scratch space.
			for range 3 {
				if _, err := runner.Run(inputs); err != nil {
					t.Fatal(err)
				}
			}
			allocs := testing.AllocsPerRun(5, func() {
				if _, err := runner.Run(inputs); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s with %T: %v allocations per step, want 0", name, g, allocs)
			}
		}
	}
}

// The same, measured with all processors available, so that the noise of
// the guesses is also drawn on several goroutines. Here Go's runtime
// allocates now and then on its own account: a kernel helper goroutine
// that parks after idling (between steps) takes a sudog from its
// processor's cache, which the runtime refills by allocating when it is
// empty, as it is after a GC or when helpers park on one processor and
// wake on another; more so on a loaded machine. So the test counts the
// allocations that code asks for (see codeAllocations). Those are none in
// steady state, except that the kernels' recycled scratch grows when more
// products run side by side than ever before (see kernels' bufferPool),
// which a loaded machine may first bring about after the warm-up; maxLate
// allows for that, once (the buffer asked for, a processor's worth more
// and the class's free list: GOMAXPROCS + 1 allocations), where an
// allocating kernel would show one or more per step.
func TestRunnerStepsDoNotAllocateInParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three MLP steps")
	}
	if goruntime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2")
	}
	if !kernels.Assembly() {
		t.Skip("the Go twin's products are slow enough that helpers park within a step")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for name, f := range stepFuncs(t) {
		it, err := runtime.New(f)
		if err != nil {
			t.Fatal(err)
		}
		runner := it.NewRunner()
		inputs := randomInputs(f, r)
		const warmup, runs = 3, 20
		maxLate := int64(goruntime.GOMAXPROCS(0) + 1)
		for range warmup {
			if _, err := runner.Run(inputs); err != nil {
				t.Fatal(err)
			}
		}
		var before, after goruntime.MemStats
		n, sites := codeAllocations(func() {
			goruntime.ReadMemStats(&before)
			for range runs {
				if _, err := runner.Run(inputs); err != nil {
					t.Fatal(err)
				}
			}
			goruntime.ReadMemStats(&after)
		})
		t.Logf("%s: %d allocations in %d steps, and %d by Go's runtime", name, n, runs, int64(after.Mallocs-before.Mallocs)-n)
		if n > maxLate {
			t.Errorf("%s: %d allocations in %d steps, want at most %d:\n%s", name, n, runs, maxLate, strings.Join(sites, "\n"))
		}
	}
}

// The Runner computes what Run computes, bit for bit, on the real steps.
func TestRunnerStepsMatchRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three MLP steps")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for name, f := range stepFuncs(t) {
		it, err := runtime.New(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs := randomInputs(f, r)
		want, err := it.Run(inputs)
		if err != nil {
			t.Fatal(err)
		}
		runner := it.NewRunner()
		for run := range 2 {
			got, err := runner.Run(inputs)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if !got[i].Equal(want[i]) {
					t.Errorf("%s, run %d: result %d differs from Run's", name, run, i)
				}
			}
		}
		if peak := passes.PeakLiveBytes(f); runner.Bytes() > 2*peak {
			t.Errorf("%s: Runner holds %d bytes for a live peak of %d", name, runner.Bytes(), peak)
		}
	}
}
