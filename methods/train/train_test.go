package train

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
)

// mnist1d generates an MNIST-1D data set of n samples (80% train),
// once per n.
var mnist1d = sync.OnceValue(func() map[int][2]*data.Dataset { return map[int][2]*data.Dataset{} })

var mnist1dMu sync.Mutex

func smallMNIST1D(t *testing.T, n int) (train, test *data.Dataset) {
	t.Helper()
	mnist1dMu.Lock()
	defer mnist1dMu.Unlock()
	if d, ok := mnist1d()[n]; ok {
		return d[0], d[1]
	}
	cfg := data.DefaultMNIST1D()
	cfg.NumSamples = n
	train, test, err := data.GenerateMNIST1D(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mnist1d()[n] = [2]*data.Dataset{train, test}
	return train, test
}

// tiny is the MLP 40-16-16-10 of the quick tests.
var tiny = MLP(40, 10, []int{16, 16}, false, ir.F32)

func tinyConfig(method string, epochs int) Config {
	return Config{Method: fwdgrad.Config{Method: method}, Optimizer: adamw(1e-3), Epochs: epochs, Batch: 64, Seed: 7, Width: 16}
}

func adamw(lr float64) optim.Optimizer {
	o := optim.DefaultAdamW()
	o.LR = lr
	return o
}

func run(t *testing.T, model Model, cfg Config, n int) *Result {
	t.Helper()
	train, test := smallMNIST1D(t, n)
	res, err := Run(context.Background(), model, train, test, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// methods are the methods the examples offer.
var methods = []string{"wperp", "wt", "ap", "wp", "wperp-bottom", "wprecond", fwdgrad.Backprop}

func TestEveryMethodRuns(t *testing.T) {
	for _, m := range methods {
		t.Run(m, func(t *testing.T) {
			res := run(t, tiny, tinyConfig(m, 3), 500)
			if len(res.Epochs) != 3 {
				t.Fatalf("%d epochs of metrics, want 3", len(res.Epochs))
			}
			// 400 training examples in batches of 64: 6 full steps and one of 16.
			if res.Steps != 21 {
				t.Errorf("%d steps, want 21", res.Steps)
			}
			for _, e := range res.Epochs {
				for _, v := range []float64{e.TrainLoss, e.TestLoss, e.TrainAcc, e.TestAcc} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("epoch %d: non-finite metric in %+v", e.Epoch, e)
					}
				}
				if e.TrainAcc < 0 || e.TrainAcc > 1 || e.TestAcc < 0 || e.TestAcc > 1 {
					t.Errorf("epoch %d: accuracies %v, %v outside [0, 1]", e.Epoch, e.TrainAcc, e.TestAcc)
				}
			}
			t.Logf("%s: %+v", m, res.Final())
		})
	}
}

func TestBackpropLearns(t *testing.T) {
	cfg := tinyConfig(fwdgrad.Backprop, 5)
	cfg.Batch = 32
	res := run(t, MLP(40, 10, []int{64, 64}, false, ir.F32), cfg, 1000)
	first, last := res.Epochs[0], res.Final()
	t.Logf("first %+v\nlast %+v", first, last)
	// The loss starts near ln 10 ≈ 2.30.
	if last.TestLoss > 0.85*math.Log(10) || last.TrainLoss > 0.85*first.TrainLoss {
		t.Errorf("loss went from %.3f (test %.3f) to %.3f (test %.3f); want a drop of 15%% or more", first.TrainLoss, first.TestLoss, last.TrainLoss, last.TestLoss)
	}
	if last.TrainAcc < 0.3 {
		t.Errorf("train accuracy %.3f after 5 epochs, want ≥ 0.3", last.TrainAcc)
	}
}

// sameMetrics compares everything but the wall times.
func sameMetrics(t *testing.T, a, b []EpochMetrics) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d and %d epochs", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Elapsed, y.Elapsed = 0, 0
		cx, cy := x.Collapse, y.Collapse
		x.Collapse, y.Collapse = nil, nil
		if x != y || !reflect.DeepEqual(cx, cy) {
			t.Errorf("epoch %d differs:\n%+v %+v\n%+v %+v", i+1, x, cx, y, cy)
		}
	}
}

func sameParams(t *testing.T, a, b *Result) {
	t.Helper()
	for name, x := range a.Params {
		if y := b.Params[name]; y == nil || !x.Equal(y) {
			t.Errorf("parameter %s differs", name)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, m := range []string{fwdgrad.Backprop, "wperp"} {
		t.Run(m, func(t *testing.T) {
			a := run(t, tiny, tinyConfig(m, 2), 500)
			b := run(t, tiny, tinyConfig(m, 2), 500)
			sameMetrics(t, a.Epochs, b.Epochs)
			sameParams(t, a, b)
			cfg := tinyConfig(m, 2)
			cfg.Seed++
			c := run(t, tiny, cfg, 500)
			if c.Final().TrainLoss == a.Final().TrainLoss {
				t.Error("another seed gives the same loss")
			}
		})
	}
}

// A scheduled step (passes.Schedule), and a fused step and evaluation
// (passes.Fuse), train to the same numbers, bit for bit.
func TestScheduleAndFuseSameRun(t *testing.T) {
	for _, v := range []struct {
		name    string
		set     func(*Config)
		methods []string
	}{
		{"schedule", func(c *Config) { c.Schedule = true }, []string{"wt", "ap", "wperp"}},
		{"fuse", func(c *Config) { c.Fuse = true }, []string{"wt", "backprop", "wperp"}},
	} {
		for _, m := range v.methods {
			t.Run(v.name+"/"+m, func(t *testing.T) {
				a := run(t, tiny, tinyConfig(m, 2), 500)
				cfg := tinyConfig(m, 2)
				v.set(&cfg)
				b := run(t, tiny, cfg, 500)
				sameMetrics(t, a.Epochs, b.Epochs)
				sameParams(t, a, b)
			})
		}
	}
}

// stopAfter is a context that reports cancellation from its n+1st call
// of Err on: the loop checks it once before every step and once before
// measuring an epoch, so a run stops at a chosen place.
type stopAfter struct {
	context.Context
	mu sync.Mutex
	n  int
}

func (c *stopAfter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

func TestResumeIsExact(t *testing.T) {
	train, test := smallMNIST1D(t, 500)
	const epochs = 4
	cfg := tinyConfig("wperp", epochs)
	cfg.Out = t.TempDir()
	whole, err := Run(context.Background(), tiny, train, test, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Stop inside epoch 2 (after 7 + 1 + 3 Err checks: epoch 1, its
	// measurement, three steps of epoch 2), then at the end of epoch 3
	// before its measurement, then finish.
	cfg.Out = t.TempDir()
	cfg.Resume = true
	cfg.CheckpointEvery = 1
	for _, n := range []int{11, 12} {
		res, err := Run(&stopAfter{Context: context.Background(), n: n}, tiny, train, test, cfg)
		if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
			t.Fatalf("stopped run: error %v, want a cancellation", err)
		}
		if _, err := LoadCheckpoint(filepath.Join(cfg.Out, CheckpointFile)); err != nil {
			t.Fatal(err)
		}
		t.Logf("stopped after %d steps, %d epochs: %v", res.Steps, len(res.Epochs), err)
	}
	resumed, err := Run(context.Background(), tiny, train, test, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sameMetrics(t, whole.Epochs, resumed.Epochs)
	sameParams(t, whole, resumed)
	if whole.Steps != resumed.Steps {
		t.Errorf("%d and %d steps", whole.Steps, resumed.Steps)
	}
	// The metrics files hold every epoch once.
	lines := readLines(t, filepath.Join(cfg.Out, "metrics.jsonl"))
	if len(lines) != epochs {
		t.Errorf("metrics.jsonl has %d lines, want %d:\n%s", len(lines), epochs, strings.Join(lines, "\n"))
	}
}

func TestResumeChecksConfig(t *testing.T) {
	train, test := smallMNIST1D(t, 500)
	cfg := tinyConfig(fwdgrad.Backprop, 1)
	cfg.Out = t.TempDir()
	if _, err := Run(context.Background(), tiny, train, test, cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Resume = true
	cfg.Batch = 32
	_, err := Run(context.Background(), tiny, train, test, cfg)
	if err == nil || !strings.Contains(err.Error(), "batch 64") || !strings.Contains(err.Error(), "batch 32") {
		t.Errorf("resuming with another batch size: error %v, want one naming both", err)
	}
}

// A cancellation stops the run before its next step, saves a checkpoint
// there and keeps the metrics written so far. The cancellation comes when
// the first epoch's metrics line is written, so where the run stops does
// not depend on the machine's speed.
func TestCancel(t *testing.T) {
	train, test := smallMNIST1D(t, 500)
	cfg := tinyConfig("wt", 1000)
	cfg.Out = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var lines bytes.Buffer
	cfg.JSON = writerFunc(func(p []byte) (int, error) {
		cancel()
		return lines.Write(p)
	})
	res, err := Run(ctx, tiny, train, test, cfg)
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("error %v, want a cancellation", err)
	}
	if !strings.Contains(err.Error(), "checkpoint saved") {
		t.Errorf("error %q does not mention the checkpoint", err)
	}
	stepsPerEpoch := int64(500 / cfg.Batch) // the last partial batch is dropped
	if len(res.Epochs) != 1 || res.Steps != stepsPerEpoch {
		t.Errorf("stopped after %d epochs and %d steps, want 1 and %d (no step after the cancellation)", len(res.Epochs), res.Steps, stepsPerEpoch)
	}
	if n := strings.Count(lines.String(), "\n"); n != 1 {
		t.Errorf("%d metrics lines, want 1", n)
	}
	c, err := LoadCheckpoint(filepath.Join(cfg.Out, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if c.Step != res.Steps {
		t.Errorf("checkpoint at step %d, run stopped at %d", c.Step, res.Steps)
	}
	csv, err := os.ReadFile(filepath.Join(cfg.Out, "metrics.csv"))
	if err != nil || strings.Count(string(csv), "\n") != 2 {
		t.Errorf("metrics.csv after the cancellation: %q, %v; want the header and one epoch", csv, err)
	}
}

// writerFunc is an io.Writer made of a function.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestNaNLossStops(t *testing.T) {
	cfg := tinyConfig(fwdgrad.Backprop, 3)
	cfg.Optimizer = optim.SGD{LR: 1e30}
	train, test := smallMNIST1D(t, 500)
	_, err := Run(context.Background(), tiny, train, test, cfg)
	if err == nil {
		t.Fatal("no error")
	}
	if !regexp.MustCompile(`backprop: the loss is (NaN|[+-]Inf) at epoch \d+, step \d+ of 7`).MatchString(err.Error()) {
		t.Errorf("error %q does not name the method, epoch and step", err)
	}
}

func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	cfg := tinyConfig("ap", 2)
	cfg.JSON = &buf
	run(t, tiny, cfg, 500)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
	}
	num := `-?[0-9.]+(e[-+]?[0-9]+)?`
	re := regexp.MustCompile(`^\{"epoch":(1|2),"method":"ap","width":16,"train_loss":` + num + `,"train_acc":` + num + `,"test_acc":` + num + `,"elapsed_s":` + num + `\}$`)
	for _, l := range lines {
		if !re.MatchString(l) {
			t.Errorf("line %s does not match %s", l, re)
		}
	}
}

func TestMetricsFiles(t *testing.T) {
	cfg := tinyConfig(fwdgrad.Backprop, 3)
	cfg.Out = t.TempDir()
	res := run(t, tiny, cfg, 500)
	csv := readLines(t, filepath.Join(cfg.Out, "metrics.csv"))
	if len(csv) != 4 || csv[0] != "epoch,method,width,train_loss,train_acc,test_acc,elapsed_s" {
		t.Fatalf("metrics.csv:\n%s", strings.Join(csv, "\n"))
	}
	if !strings.HasPrefix(csv[3], "3,backprop,16,") {
		t.Errorf("last line %q", csv[3])
	}
	jsonl := readLines(t, filepath.Join(cfg.Out, "metrics.jsonl"))
	if line, _ := res.Final().JSON(); len(jsonl) != 3 || jsonl[2]+"\n" != string(line) {
		t.Errorf("metrics.jsonl:\n%s", strings.Join(jsonl, "\n"))
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestPlotCurves(t *testing.T) {
	runs := []Curve{
		{Label: "backprop", Epochs: []EpochMetrics{{Epoch: 1, TrainAcc: 0.3, TestAcc: 0.25, TrainLoss: 2, TestLoss: 2.1}, {Epoch: 2, TrainAcc: 0.5, TestAcc: 0.4, TrainLoss: 1.5, TestLoss: 1.7}}},
		{Label: "wperp", Epochs: []EpochMetrics{{Epoch: 1, TrainAcc: 0.15, TestAcc: 0.14, TrainLoss: 2.3, TestLoss: 2.3}, {Epoch: 2, TrainAcc: 0.2, TestAcc: 0.18, TrainLoss: 2.2, TestLoss: 2.25}}},
		{Label: "empty"},
	}
	dir := t.TempDir()
	for _, metric := range []string{"accuracy", "loss", "test_acc"} {
		path := filepath.Join(dir, metric+".png")
		if err := PlotCurves(path, runs, metric); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
			t.Errorf("%s is %v", path, b)
		}
	}
	if err := PlotCurves(filepath.Join(dir, "x.png"), runs, "speed"); err == nil {
		t.Error("unknown metric: no error")
	}
}

func TestProgressQuietOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	cfg := tinyConfig(fwdgrad.Backprop, 1)
	cfg.Progress = &buf
	run(t, tiny, cfg, 500)
	if buf.Len() != 0 {
		t.Errorf("progress wrote %q to a buffer", buf.String())
	}
}

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	start := time.Now().Add(-10 * time.Second)
	p := &progress{w: &buf, label: "wperp", total: 100, start: start, acc: math.NaN(), testAcc: math.NaN(),
		width: func() int { return 200 }}
	p.step(1, 10, 5, 10, 5, 2.25)
	got := buf.String()
	for _, want := range []string{"\r", "wperp", "epoch 1/10", "step 5/10", "loss 2.2500", "ETA 3m10s"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress %q lacks %q", got, want)
		}
	}
	p.epoch(EpochMetrics{TrainAcc: 0.5, TestAcc: 0.25})
	buf.Reset()
	p.step(2, 10, 10, 10, 20, 2)
	if !strings.Contains(buf.String(), "0.500/0.250") {
		t.Errorf("progress %q lacks the accuracies", buf.String())
	}
}

func TestBadConfig(t *testing.T) {
	train, test := smallMNIST1D(t, 500)
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Method: fwdgrad.Config{Method: "nope"}, Epochs: 1, Batch: 8}, `unknown method "nope"`},
		{Config{Method: fwdgrad.Config{Method: "ap"}, Epochs: 1}, "batch size 0"},
		{Config{Method: fwdgrad.Config{Method: "ap"}, Epochs: 1, Batch: 8, Resume: true}, "resume needs an output directory"},
	} {
		_, err := Run(context.Background(), tiny, train, test, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.cfg, err, tt.want)
		}
	}
	_, err := Run(context.Background(), MLP(41, 10, []int{8}, false, ir.F32), train, test, tinyConfig("ap", 1))
	if err == nil || !strings.Contains(err.Error(), "40 features") {
		t.Errorf("wrong input width: error %v", err)
	}
}

// wperp-ns runs through the same loop, with its coefficient inputs
// computed every fwdgrad.NSEvery steps. The method is new; a run that
// ends in a non-finite loss is reported as a skip, not a failure of the
// loop.
func TestWPerpNS(t *testing.T) {
	cfg := tinyConfig("wperp-ns", 2)
	train, test := smallMNIST1D(t, 500)
	res, err := Run(context.Background(), MLP(40, 10, []int{32, 32}, false, ir.F32), train, test, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 14 {
		t.Errorf("%d steps, want 14", res.Steps)
	}
}

// The bar fits the terminal's width, shortening its fields, at 80 columns
// and below as above, and is redrawn when the width changes.
func TestProgressFitsTheWidth(t *testing.T) {
	var buf bytes.Buffer
	cols := 80
	p := &progress{w: &buf, label: "wperp-bottom", total: 2400, start: time.Now().Add(-time.Hour), startStep: 0,
		acc: 0.3125, testAcc: 0.28125, width: func() int { return cols }}
	p.step(123, 300, 7, 8, 983, 2.2851)
	line := func() string {
		s := strings.TrimPrefix(buf.String(), "\r")
		return strings.TrimSuffix(s, "\x1b[K")
	}
	for _, want := range []string{"wperp-bottom", "123/300", "7/8", "loss 2.2851", "acc 0.312/0.281", "ETA"} {
		if !strings.Contains(line(), want) {
			t.Errorf("at 80 columns %q lacks %q", line(), want)
		}
	}
	if n := utf8.RuneCountInString(line()); n > 79 {
		t.Errorf("at 80 columns the line has %d characters: %q", n, line())
	}
	s := status{epoch: 123, epochs: 300, batch: 7, batches: 8, done: 983, loss: 2.2851, now: time.Now()}
	for width := 1; width <= 160; width++ {
		l := p.line(s, width)
		if n := utf8.RuneCountInString(l); n > width {
			t.Fatalf("width %d: %d characters: %q", width, n, l)
		}
		if width >= 120 && !strings.Contains(l, "epoch 123/300 step 7/8") {
			t.Errorf("width %d: %q is shortened", width, l)
		}
	}
	// A resize redraws the line at the new width.
	cols = 40
	buf.Reset()
	p.redraw()
	if n := utf8.RuneCountInString(line()); n == 0 || n > 39 {
		t.Errorf("after a resize to 40 columns: %q", line())
	}
}
