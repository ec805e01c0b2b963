package train

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/runtime"
)

// Config configures Run.
type Config struct {
	// Method selects backprop or a forward-gradient method and its settings.
	Method fwdgrad.Config
	// Optimizer updates the parameters; nil means optim.DefaultAdamW().
	Optimizer optim.Optimizer
	// Epochs is the number of passes over the training set; Batch the
	// number of examples per step (the last step of an epoch takes the
	// rest).
	Epochs, Batch int
	// Seed determines everything random: the initial parameters, the
	// guess state, the order of the examples and the guess noise.
	Seed uint64
	// Out, if set, is the run's directory: metrics.jsonl, metrics.csv and
	// checkpoint.gob are written there.
	Out string
	// JSON, if set, receives one JSON line of metrics per epoch.
	JSON io.Writer
	// Progress, if set and a terminal, shows a progress bar redrawn in
	// place; on anything else nothing is written.
	Progress io.Writer
	// CheckpointEvery saves a checkpoint every so many epochs (0: only at
	// the end and when cancelled). Checkpoints need Out.
	CheckpointEvery int
	// Resume continues from Out's checkpoint, if there is one, which must
	// come from a run with the same configuration (but for Epochs).
	Resume bool
	// Label names the run in the progress bar, plots and tables (default:
	// the method's name).
	Label string
	// Width is the hidden width reported in the metrics.
	Width int
	// EvalBatch is the largest chunk evaluated at once (default 1000).
	EvalBatch int
	// EvalModel, if set, builds the function evaluated after each epoch
	// in place of the model: a model whose evaluation differs from its
	// training (the nearest-ETF heads read the classifier of the last
	// step from their state instead of fitting it to the batch). It takes
	// the model's input, labels and parameters and may read, never
	// update, the model's state.
	EvalModel Model
	// Collapse measures the neural-collapse metrics (etf.Collapse) on the
	// training set after each epoch, from the evaluated model's results
	// named FeaturesResult, ClassifierResult and BiasResult, into
	// EpochMetrics.Collapse and the metrics files.
	Collapse bool
	// Stratified draws batches with every class in proportion (the
	// nearest-ETF paper's stratified sampler): each epoch deals each
	// class's shuffled examples in turn over ⌊N/Batch⌋ batches (at least
	// one), whose sizes differ by at most one, so no batch is partial.
	Stratified bool
	// Schedule compiles the step with passes.Schedule: the activations
	// and guesses the estimates need are recomputed after the loss
	// tangents, so the step's memory stays flat in depth, for a second
	// forward pass. The numbers are the same.
	Schedule bool
	// Fuse compiles the step and the evaluation with passes.Fuse (after
	// the other passes): chains of elementwise ops, the optimizer's
	// update among them, run as one loop each, matmul epilogues in the
	// product's wake. The numbers are the same, bit for bit; the README's
	// Fusion section has what it saves.
	Fuse bool
	// Backend, if set, runs the compiled functions instead of the
	// interpreter: it is given each function Run compiles (the step for
	// a batch size, an evaluation, as StepFunc and EvalFunc return them)
	// and returns what runs it, such as the adapter of the Go that
	// codegen generated from it (examples/generate).
	Backend func(f *ir.Func) (Stepper, error)

	// interpret runs the steps with the allocating Interpreter.Run, the
	// reference of the tests.
	interpret bool
}

// A Stepper runs a compiled function on tensors, one per parameter in
// order, and returns its results, which it may own and overwrite on the
// next Run, as a runtime.Runner does. It must not modify its inputs; the
// training loop copies the new parameters and state into them.
type Stepper interface {
	Run(inputs []*runtime.Tensor) ([]*runtime.Tensor, error)
}

// withDefaults returns cfg with its defaults filled in, or an error.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Optimizer == nil {
		cfg.Optimizer = optim.DefaultAdamW()
	}
	if cfg.Label == "" {
		cfg.Label = cfg.Method.Method
	}
	if cfg.EvalBatch == 0 {
		cfg.EvalBatch = 1000
	}
	var errs []error
	if cfg.Method.Method == "" {
		errs = append(errs, errors.New("no method (want one of "+strings.Join(fwdgrad.Methods(), ", ")+")"))
	} else if !slices.Contains(fwdgrad.Methods(), cfg.Method.Method) {
		errs = append(errs, fmt.Errorf("unknown method %q (want one of %s)", cfg.Method.Method, strings.Join(fwdgrad.Methods(), ", ")))
	}
	if cfg.Epochs < 0 {
		errs = append(errs, fmt.Errorf("epochs %d, want ≥ 0", cfg.Epochs))
	}
	if cfg.Batch <= 0 {
		errs = append(errs, fmt.Errorf("batch size %d, want ≥ 1", cfg.Batch))
	}
	if cfg.EvalBatch < 0 {
		errs = append(errs, fmt.Errorf("eval batch %d, want ≥ 1", cfg.EvalBatch))
	}
	if cfg.CheckpointEvery < 0 {
		errs = append(errs, fmt.Errorf("checkpoint interval %d, want ≥ 0", cfg.CheckpointEvery))
	}
	if cfg.Resume && cfg.Out == "" {
		errs = append(errs, errors.New("resume needs an output directory (Out) holding the checkpoint"))
	}
	if len(errs) > 0 {
		return cfg, fmt.Errorf("train: bad config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// checkData checks that the data sets fit the model and each other.
func checkData(sig signature, train, test *data.Dataset) error {
	for _, d := range []struct {
		name string
		set  *data.Dataset
	}{{"train", train}, {"test", test}} {
		if d.set == nil {
			return fmt.Errorf("train: no %s set", d.name)
		}
		if err := d.set.Validate(); err != nil {
			return fmt.Errorf("train: %s set: %w", d.name, err)
		}
		if d.set.N == 0 {
			return fmt.Errorf("train: the %s set is empty", d.name)
		}
		if d.set.Features != sig.features || d.set.Classes > sig.classes {
			return fmt.Errorf("train: the %s set has %d features and %d classes; the model takes %d features and has %d classes",
				d.name, d.set.Features, d.set.Classes, sig.features, sig.classes)
		}
	}
	return nil
}

// describe is the configuration a checkpoint must match to be resumed:
// everything that changes the numbers but the number of epochs, one
// setting per line.
func describe(cfg Config, sig signature, types map[string]string, train, test *data.Dataset) string {
	var b strings.Builder
	fmt.Fprintf(&b, "method %+v\n", cfg.Method)
	fmt.Fprintf(&b, "optimizer %s %+v\n", cfg.Optimizer.Name(), cfg.Optimizer)
	fmt.Fprintf(&b, "batch %d\nseed %d\n", cfg.Batch, cfg.Seed)
	for _, p := range sig.params {
		fmt.Fprintf(&b, "param %s %s\n", p, types[p])
	}
	for _, p := range sig.states {
		fmt.Fprintf(&b, "state %s %s\n", p, types[p])
	}
	if cfg.Stratified {
		b.WriteString("stratified batches\n")
	}
	for _, d := range []struct {
		name string
		set  *data.Dataset
	}{{"train", train}, {"test", test}} {
		fmt.Fprintf(&b, "%s %d×%d, %d classes, sha256 %s\n", d.name, d.set.N, d.set.Features, d.set.Classes, hashData(d.set))
	}
	return b.String()
}

// hashData is a short hash of a data set's values and labels.
func hashData(d *data.Dataset) string {
	h := sha256.New()
	buf := make([]byte, 0, 1<<15)
	flush := func() {
		h.Write(buf)
		buf = buf[:0]
	}
	for _, v := range d.X {
		if len(buf)+8 > cap(buf) {
			flush()
		}
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	for _, l := range d.Labels {
		if len(buf)+8 > cap(buf) {
			flush()
		}
		buf = binary.LittleEndian.AppendUint64(buf, uint64(l))
	}
	flush()
	return hex.EncodeToString(h.Sum(nil)[:8])
}
