package trainprog

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/methods/train"
)

var quick = Options{Methods: []string{"wt", "backprop"}, Width: 16, Depth: 2, Epochs: 2, Batch: 64, LR: 1e-3, K: 4, Seed: 1, Out: "out", CheckpointEvery: 1}
var big = Options{Methods: []string{"wperp"}, Width: 128, Depth: 3, Epochs: 300, Batch: 512, LR: 1e-4, K: 10, Seed: 100, Out: "out", CheckpointEvery: 10}

// testProgram trains on 500 generated MNIST-1D examples.
func testProgram() *Program {
	return &Program{
		Name: "prog", Command: "go run ./prog", About: "Trains a test MLP.",
		Examples: []string{"go run ./prog -width 8"},
		Setups:   []Setup{{Name: "quick", Doc: "Quick.", Options: quick}, {Name: "paper", Doc: "Long.", Options: big}},
		Flags: func(fs *flag.FlagSet, o *Options) {
			fs.IntVar(&o.MaxTrain, "train", o.MaxTrain, "use the first N training examples")
		},
		Check: func(o *Options) error {
			if o.MaxTrain < 0 {
				return cli.Usagef("-train %d: want 0 or more", o.MaxTrain)
			}
			return nil
		},
		Load: func(o *Options, _ io.Writer) (*data.Dataset, *data.Dataset, string, error) {
			cfg := data.DefaultMNIST1D()
			cfg.NumSamples = 500
			tr, te, err := data.GenerateMNIST1D(cfg)
			return tr, te, "MNIST-1D (generated)", err
		},
		Features: 40, Classes: 10,
	}
}

// A flag alone changes its setting of the default setup, not the setup:
// -width 64 alone is the quick comparison at width 64.
func TestSetupsAndOverrides(t *testing.T) {
	p := testProgram()
	for _, c := range []struct {
		args []string
		want func(o *Options)
	}{
		{nil, func(o *Options) { *o = quick; o.Setup = "quick" }},
		{[]string{"-width", "64", "-k", "10"}, func(o *Options) { *o = quick; o.Setup = "quick"; o.Width, o.K = 64, 10 }},
		{[]string{"-setup", "paper"}, func(o *Options) { *o = big; o.Setup = "paper" }},
		{[]string{"-epochs", "5", "-setup=paper", "-method", "all"}, func(o *Options) {
			*o = big
			o.Setup, o.Epochs = "paper", 5
			o.Methods, _ = train.ParseMethods("all")
		}},
	} {
		o, _, err := p.Parse(c.args)
		if err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		var want Options
		c.want(&want)
		if !reflect.DeepEqual(*o, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.args, *o, want)
		}
	}
}

// Every flag that cannot work is a usage error that names it and says
// what it accepts.
func TestUsageErrors(t *testing.T) {
	p := testProgram()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-width", "-5"}, "-width -5: want a hidden width of at least 1"},
		{[]string{"-width", "0"}, "-width 0: want a hidden width of at least 1"},
		{[]string{"-depth", "0"}, "-depth 0: want at least 1 hidden layer"},
		{[]string{"-epochs", "-3"}, "-epochs -3: want at least 1 epoch"},
		{[]string{"-epochs", "0"}, "-epochs 0: want at least 1 epoch"},
		{[]string{"-batch", "0"}, "-batch 0: want a batch of at least 1 example"},
		{[]string{"-lr", "0"}, "-lr 0: want a positive learning rate"},
		{[]string{"-lr", "NaN"}, "-lr NaN: want a positive learning rate"},
		{[]string{"-k", "0"}, "-k 0: want a subspace dimension from 1 to the width (16), or -1 for k = rank"},
		{[]string{"-k", "17"}, "-k 17: want at most the width (16)"},
		{[]string{"-k", "-1", "-method", "wperp-bottom"}, "-k -1 (k = rank) is for wperp only"},
		{[]string{"-checkpoint-every", "-1"}, "-checkpoint-every -1: want 0 or more epochs"},
		{[]string{"-method", "wperp,sgd"}, `unknown method "sgd"`},
		{[]string{"-epochs", "abc"}, `invalid value "abc" for flag -epochs: parse error (-epochs takes an integer: epochs, at least 1)`},
		{[]string{"-setup", "long"}, `-setup "long": want quick or paper`},
		{[]string{"-train", "-1"}, "-train -1: want 0 or more"},
		{[]string{"extra"}, `unexpected arguments ["extra"]`},
	} {
		_, _, err := p.Parse(c.args)
		if !cli.IsUsage(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want a usage error containing %q", c.args, err, c.want)
		}
	}
}

// Usage errors exit 2 with the error first and write nothing; -h exits 0
// with the whole usage.
func TestRunStatus(t *testing.T) {
	p := testProgram()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := p.Run(context.Background(), []string{"-width", "-5", "-out", out}, &stdout, &stderr); code != 2 {
		t.Errorf("-width -5: exit %d, want 2", code)
	}
	if want := "prog: -width -5: want a hidden width of at least 1\nRun 'go run ./prog -h' for usage.\n"; stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("stderr %q, stdout %q; want %q", stderr.String(), stdout.String(), want)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a usage error wrote %v", entries)
	}
	stderr.Reset()
	if code := p.Run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	for _, s := range []string{"Usage: go run ./prog [flags]", "Setups", "quick (default): wt,backprop; width 16", "paper: wperp; width 128, depth 3, 300 epochs",
		"Examples:", "go run ./prog -width 8", "-width int", "(default 16)", "-method methods", "(default wt,backprop)", "-train int", "Exit status"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("usage lacks %q:\n%s", s, stderr.String())
		}
	}
}

// A run trains every method, prints the table and writes the plots and
// metrics; the JSON lines go to stdout with -json.
func TestRun(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := testProgram().Run(context.Background(), []string{"-json", "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], `{"epoch":1,"method":"wt","width":16,`) {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	for _, s := range []string{"MNIST-1D (generated), MLP 40→16→16→10, 2 epochs of batch 64", "train acc", "accuracy.png"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
		}
	}
	for _, f := range []string{"accuracy.png", "loss.png", "wt/metrics.csv", "backprop/checkpoint.gob"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// Resuming with another width fails before any work: exit 1, the
	// error on stderr, the plots as they were.
	before, _ := os.ReadFile(filepath.Join(out, "accuracy.png"))
	stdout.Reset()
	stderr.Reset()
	code = testProgram().Run(context.Background(), []string{"-resume", "-width", "8", "-k", "4", "-out", out}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "prog: wt: train: checkpoint") || stdout.Len() != 0 {
		t.Errorf("resume with another width: exit %d, stdout %q, stderr\n%s", code, stdout.String(), stderr.String())
	}
	if after, _ := os.ReadFile(filepath.Join(out, "accuracy.png")); !bytes.Equal(before, after) {
		t.Error("the failed run replaced accuracy.png")
	}
}

// A cancelled run exits 1 and shows the interrupted run only.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := testProgram().Run(ctx, []string{"-out", t.TempDir()}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "context canceled") {
		t.Fatalf("exit %d, stderr\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "wt") || strings.Contains(stdout.String(), "backprop") || !strings.Contains(stdout.String(), "stopped") {
		t.Errorf("the table should show the interrupted run only:\n%s", stdout.String())
	}
}

func TestNSWarning(t *testing.T) {
	o := big
	w := nsWarning(&o, 4000)
	if !strings.Contains(w, "2400 wperp-ns steps at width 128, roughly 54m0s") {
		t.Errorf("warning %q", w)
	}
}
