package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/runtime"
)

// Run trains model on train for cfg.Epochs epochs, measuring the
// accuracy on train and test after each, and returns what happened.
//
// If ctx is cancelled, Run stops after the current step, saves a
// checkpoint (when cfg.Out is set) and returns the result so far with an
// error wrapping ctx.Err(). A step whose loss is NaN or infinite stops
// the run with an error naming the method, the epoch and the step (the
// parameters in the result then hold that step's update; no checkpoint is
// saved).
func Run(ctx context.Context, model Model, train, test *data.Dataset, cfg Config) (*Result, error) {
	start := time.Now()
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t, err := newTrainer(model, train, test, cfg)
	if err != nil {
		return nil, err
	}
	t.start = start
	return t.run(ctx)
}

// A trainer is one run in progress.
type trainer struct {
	cfg         Config
	train, test *data.Dataset
	comp        *compiler
	st          *state
	config      string // what a checkpoint must match
	log         *metricsLog
	prog        *progress
	full        int // the full batch size
	batches     int // steps per epoch
	epochOrder  order
	order       []int // 0, 1, ...: the evaluation's order
	start       time.Time
	// collapse is the last epoch's collapse metrics with the margins.
	collapse *etf.Collapse
}

// Check reports what would stop Run before its first step: a bad
// configuration, data that do not fit the model, and, when resuming, a
// checkpoint that cannot be read or comes from another configuration. It
// compiles and trains nothing. Compare checks every method so before it
// runs the first.
func Check(model Model, train, test *data.Dataset, cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	p, err := prepare(model, train, test, cfg)
	if err != nil || !cfg.Resume {
		return err
	}
	_, err = loadState(filepath.Join(cfg.Out, CheckpointFile), p.config)
	return err
}

// A preparedRun is what a run knows before it compiles: the model at the
// full batch, its signature, and the configuration a checkpoint must
// match.
type preparedRun struct {
	f      *ir.Func
	inits  map[string]builder.Initializer
	sig    signature
	full   int // the full batch size
	config string
}

// prepare builds the model at the full batch and checks the data.
func prepare(model Model, train, test *data.Dataset, cfg Config) (*preparedRun, error) {
	if model == nil {
		return nil, errors.New("train: no model")
	}
	if train == nil || train.N == 0 {
		return nil, errors.New("train: no training examples")
	}
	p := &preparedRun{full: min(cfg.Batch, train.N)}
	var err error
	if p.f, p.inits, p.sig, err = model.build(p.full); err != nil {
		return nil, err
	}
	if err := checkData(p.sig, train, test); err != nil {
		return nil, err
	}
	p.config = describe(cfg, p.sig, paramTypes(p.f), train, test)
	return p, nil
}

func newTrainer(model Model, train, test *data.Dataset, cfg Config) (*trainer, error) {
	p, err := prepare(model, train, test, cfg)
	if err != nil {
		return nil, err
	}
	full := p.full
	batches := plainBatches(train.N, full)
	if cfg.Stratified {
		batches = stratifiedBatches(train.N, cfg.Batch)
	}
	t := &trainer{cfg: cfg, train: train, test: test, full: full, batches: batches,
		comp: newCompiler(model, cfg, p.sig), config: p.config}
	t.order = make([]int, max(train.N, test.N))
	for i := range t.order {
		t.order[i] = i
	}
	first, err := t.comp.step(full)
	if err != nil {
		return nil, err
	}
	if t.st, err = t.initialState(p.f, p.inits, first); err != nil {
		return nil, err
	}
	t.log = newMetricsLog(cfg.Out, cfg.JSON, t.st.history)
	return t, nil
}

// initialState loads the checkpoint when resuming, else starts afresh.
func (t *trainer) initialState(f *ir.Func, inits map[string]builder.Initializer, first *stepFn) (*state, error) {
	var st *state
	var err error
	if t.cfg.Resume {
		if st, err = loadState(t.checkpointPath(), t.config); err != nil {
			return nil, err
		}
	}
	if st == nil {
		if st, err = newState(f, inits, first, t.cfg.Seed); err != nil {
			return nil, err
		}
	}
	if err := st.check(first); err != nil {
		return nil, fmt.Errorf("train: state for the %s step: %w", t.cfg.Method.Method, err)
	}
	return st, nil
}

func paramTypes(f *ir.Func) map[string]string {
	types := map[string]string{}
	for _, p := range f.Params {
		types[p.Name] = p.Type.String()
	}
	return types
}

func (t *trainer) checkpointPath() string { return filepath.Join(t.cfg.Out, CheckpointFile) }

// elapsed is the run's wall time so far, over all its processes.
func (t *trainer) elapsed() time.Duration { return t.st.elapsed + time.Since(t.start) }

// run trains until the last epoch, a cancellation or an error.
func (t *trainer) run(ctx context.Context) (*Result, error) {
	t.prog = newProgress(t.cfg.Progress, t.cfg.Label, int64(t.cfg.Epochs*t.batches), t.st.step)
	err := t.epochs(ctx)
	res := t.result()
	t.prog.done(res, err)
	return res, err
}

// epochs runs the remaining epochs and saves the final checkpoint.
func (t *trainer) epochs(ctx context.Context) error {
	for t.st.epoch < t.cfg.Epochs {
		err := t.epoch(ctx)
		if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return t.interrupted(err)
		}
		if err != nil {
			return err
		}
	}
	return t.save()
}

// epoch runs the rest of the current epoch, then measures and records it.
func (t *trainer) epoch(ctx context.Context) error {
	ep := t.st.epoch + 1
	t.epochOrder.shuffle(t.train, t.cfg.Seed, ep, t.full, t.batches, t.cfg.Stratified)
	for t.st.batch < t.batches {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := t.step(ep); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m, err := t.measure(ep)
	if err != nil {
		return err
	}
	t.st.history = append(t.st.history, m)
	t.st.epoch, t.st.batch, t.st.lossSum = ep, 0, 0
	t.prog.epoch(m)
	if err := t.log.write(m); err != nil {
		return err
	}
	if every := t.cfg.CheckpointEvery; every > 0 && ep%every == 0 && ep < t.cfg.Epochs {
		return t.save()
	}
	return nil
}

// step takes the next step of epoch ep.
func (t *trainer) step(ep int) error {
	idx := t.epochOrder.batch(t.st.batch)
	s, err := t.comp.step(len(idx))
	if err != nil {
		return err
	}
	if err := t.st.check(s); err != nil {
		return fmt.Errorf("train: state for the %s step at batch %d: %w", t.cfg.Method.Method, len(idx), err)
	}
	res, err := s.run(t.st, t.train, idx)
	if err != nil {
		return fmt.Errorf("train: %s: epoch %d, step %d: %w", t.cfg.Label, ep, t.st.batch+1, err)
	}
	loss := scalar(res[0])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return fmt.Errorf("train: %s: the loss is %v at epoch %d, step %d of %d (step %d of the run)",
			t.cfg.Label, loss, ep, t.st.batch+1, t.batches, t.st.step+1)
	}
	t.st.batch++
	t.st.step++
	t.st.lossSum += loss
	t.prog.step(ep, t.cfg.Epochs, t.st.batch, t.batches, t.st.step, loss)
	return nil
}

// measure returns the metrics of epoch ep, just finished.
func (t *trainer) measure(ep int) (EpochMetrics, error) {
	var pr *probe
	if t.cfg.Collapse {
		pr = &probe{}
	}
	_, trainAcc, err := t.evaluate(t.train, pr)
	if err != nil {
		return EpochMetrics{}, fmt.Errorf("train: evaluating on the train set after epoch %d: %w", ep, err)
	}
	testLoss, testAcc, err := t.evaluate(t.test, nil)
	if err != nil {
		return EpochMetrics{}, fmt.Errorf("train: evaluating on the test set after epoch %d: %w", ep, err)
	}
	m := EpochMetrics{Epoch: ep, Method: t.cfg.Method.Method, Width: t.cfg.Width,
		TrainLoss: t.st.lossSum / float64(t.batches), TestLoss: testLoss,
		TrainAcc: trainAcc, TestAcc: testAcc, Steps: t.st.step}
	if pr != nil {
		c, err := pr.measure(t.comp.sig.classes)
		if err != nil {
			return EpochMetrics{}, fmt.Errorf("train: collapse metrics after epoch %d: %w", ep, err)
		}
		t.collapse = c
		summary := *c
		summary.Margins = nil
		m.Collapse = &summary
	}
	m.Elapsed = t.elapsed().Seconds()
	return m, nil
}

// evaluate returns the mean loss and the accuracy on d, in chunks of at
// most EvalBatch examples; pr, if not nil, gathers what the collapse
// metrics need.
func (t *trainer) evaluate(d *data.Dataset, pr *probe) (loss, acc float64, err error) {
	var sumLoss, correct float64
	for lo := 0; lo < d.N; lo += t.cfg.EvalBatch {
		idx := t.order[lo:min(lo+t.cfg.EvalBatch, d.N)]
		e, err := t.comp.eval(len(idx))
		if err != nil {
			return 0, 0, err
		}
		l, c, err := e.run(t.st, d, idx, pr)
		if err != nil {
			return 0, 0, err
		}
		sumLoss += l * float64(len(idx))
		correct += c
	}
	return sumLoss / float64(d.N), correct / float64(d.N), nil
}

// save writes a checkpoint if the run has an output directory.
func (t *trainer) save() error {
	if t.cfg.Out == "" {
		return nil
	}
	c := t.st.checkpoint(t.config)
	c.Elapsed = t.elapsed()
	return SaveCheckpoint(t.checkpointPath(), c)
}

// interrupted saves a checkpoint after a cancellation and returns the
// error to report.
func (t *trainer) interrupted(cause error) error {
	where := fmt.Sprintf("train: %s stopped in epoch %d after step %d of %d", t.cfg.Label, t.st.epoch+1, t.st.batch, t.batches)
	if t.cfg.Out == "" {
		return fmt.Errorf("%s (no checkpoint: no output directory): %w", where, cause)
	}
	if err := t.save(); err != nil {
		return fmt.Errorf("%s: %w (and %w)", where, cause, err)
	}
	return fmt.Errorf("%s; checkpoint saved in %s: %w", where, t.checkpointPath(), cause)
}

// result returns what the run has done so far.
func (t *trainer) result() *Result {
	r := &Result{Method: t.cfg.Method.Method, Label: t.cfg.Label, Width: t.cfg.Width, Epochs: slices.Clone(t.st.history),
		Wall: t.elapsed(), Steps: t.st.step, Params: map[string]*runtime.Tensor{}, Collapse: t.collapse}
	for _, p := range t.comp.sig.params {
		r.Params[p] = t.st.tensors[p]
	}
	return r
}
