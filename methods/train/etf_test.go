package train

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
)

// ufmConfig trains the unconstrained-features model with the implicit
// nearest-ETF head, stratified, with the collapse metrics.
func ufmConfig(method string, epochs int) (Model, *data.Dataset, Config) {
	ds := etf.UFMData(4, 10)
	model, eval := etf.UFM(ds.N, 5, nn.ETFConfig{Head: nn.ImplicitHead, Classes: 4, Tau: 5}, ir.F32)
	cfg := Config{Method: fwdgrad.Config{Method: method, K: 2}, Optimizer: optim.Momentum{LR: 1, Mu: 0.9}, Epochs: epochs, Batch: 8,
		Seed: 3, EvalModel: eval, Collapse: true, Stratified: true}
	return model, ds, cfg
}

// etfMLPConfig trains an MLP with the implicit head on a small MNIST-1D,
// whose layers forward-gradient methods perturb.
func etfMLPConfig(t *testing.T, method string, epochs int) (Model, *data.Dataset, *data.Dataset, Config) {
	train, test := smallMNIST1D(t, 300)
	model, eval := etf.MLP(40, []int{16}, 11, false, nn.ETFConfig{Head: nn.ImplicitHead, Classes: 10, Tau: 5}, ir.F32)
	cfg := Config{Method: fwdgrad.Config{Method: method, K: 2}, Optimizer: adamw(1e-3), Epochs: epochs, Batch: 64,
		Seed: 3, EvalModel: eval, Collapse: true}
	return model, train, test, cfg
}

// A run of a model with state (the implicit head's moving average,
// previous solution, step and seen classes) stopped in the middle of an
// epoch and resumed from its checkpoint ends with the same metrics, the
// same parameters and bit for bit the same state as a run that was not
// stopped, for backprop and for a forward-gradient method.
func TestResumeWithModelStateIsExact(t *testing.T) {
	for _, method := range []string{fwdgrad.Backprop, "wperp"} {
		t.Run(method, func(t *testing.T) {
			model, ds, test, cfg := etfMLPConfig(t, method, 3)
			if method == fwdgrad.Backprop {
				model, ds, cfg = ufmConfig(method, 3)
				test = ds
			}
			cfg.Out = t.TempDir()
			whole, err := Run(context.Background(), model, ds, test, cfg)
			if err != nil {
				t.Fatal(err)
			}
			final := func(dir string) map[string]SavedTensor {
				c, err := LoadCheckpoint(filepath.Join(dir, CheckpointFile))
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]SavedTensor{}
				for _, s := range c.Tensors {
					m[s.Name] = s
				}
				return m
			}
			want := final(cfg.Out)
			cfg.Out, cfg.Resume, cfg.CheckpointEvery = t.TempDir(), true, 1
			if _, err := Run(&stopAfter{Context: context.Background(), n: 9}, model, ds, test, cfg); err == nil {
				t.Fatal("the stopped run did not stop")
			}
			mid := final(cfg.Out)
			if got := mid["head.step"].Ints[0]; got == 0 || got == whole.Steps {
				t.Fatalf("stopped after %d steps, want a step inside the run", got)
			}
			resumed, err := Run(context.Background(), model, ds, test, cfg)
			if err != nil {
				t.Fatal(err)
			}
			sameMetrics(t, whole.Epochs, resumed.Epochs)
			sameParams(t, whole, resumed)
			got := final(cfg.Out)
			for _, name := range []string{"head.ema", "head.prox", "head.step", "head.seen", "head.mu"} {
				if !slices.Equal(got[name].Floats, want[name].Floats) || !slices.Equal(got[name].Ints, want[name].Ints) {
					t.Errorf("state %s differs after the resumption", name)
				}
			}
			if got["head.step"].Ints[0] != whole.Steps {
				t.Errorf("head.step = %d after %d steps", got["head.step"].Ints[0], whole.Steps)
			}
		})
	}
}

// Stratified batches hold every class in proportion, and their sizes
// differ by at most one.
func TestStratifiedBatches(t *testing.T) {
	ds := etf.UFMData(10, 7) // 70 examples, 7 per class
	ds.Labels[0], ds.Labels[1] = 3, 3
	var o order
	for ep := 1; ep <= 3; ep++ {
		n := stratifiedBatches(ds.N, 20)
		o.shuffle(ds, 5, ep, 20, n, true)
		seen := map[int]bool{}
		for b := range n {
			idx := o.batch(b)
			if len(idx) < ds.N/n || len(idx) > ds.N/n+1 {
				t.Errorf("batch %d has %d examples of %d in %d batches", b, len(idx), ds.N, n)
			}
			count := map[int64]int{}
			for _, i := range idx {
				seen[i] = true
				count[ds.Labels[i]]++
			}
			for y := range int64(10) {
				if count[y] == 0 {
					t.Errorf("epoch %d, batch %d: no example of class %d", ep, b, y)
				}
			}
		}
		if len(seen) != ds.N {
			t.Errorf("epoch %d covers %d of %d examples", ep, len(seen), ds.N)
		}
	}
}

// The collapse metrics reach the metrics files as the nc object and the
// CSV's extra columns; runs without them write what they always did.
func TestCollapseInMetricsFiles(t *testing.T) {
	model, ds, cfg := ufmConfig(fwdgrad.Backprop, 2)
	cfg.Out = t.TempDir()
	res, err := Run(context.Background(), model, ds, ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, filepath.Join(cfg.Out, "metrics.jsonl"))
	if len(lines) != 2 || !strings.Contains(lines[0], `"nc":{"nc1":`) {
		t.Fatalf("metrics.jsonl:\n%s", strings.Join(lines, "\n"))
	}
	csv := readLines(t, filepath.Join(cfg.Out, "metrics.csv"))
	if !strings.HasPrefix(csv[0], strings.TrimSpace(csvHeader)+",nc1,vci,") || strings.Count(csv[1], ",") != strings.Count(csv[0], ",") {
		t.Errorf("metrics.csv:\n%s", strings.Join(csv, "\n"))
	}
	back, err := ReadMetrics(filepath.Join(cfg.Out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	back[1].Elapsed, back[1].Steps, back[1].TestLoss = res.Epochs[1].Elapsed, res.Epochs[1].Steps, res.Epochs[1].TestLoss // not in the file
	sameMetrics(t, res.Epochs[1:], back[1:])
	if res.Collapse == nil || len(res.Collapse.Margins) != ds.N {
		t.Errorf("the result has no per-example margins")
	}
}
