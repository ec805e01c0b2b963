package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
)

// A run that fails before its first epoch ends writes no metrics file,
// and leaves those of an earlier run in the same directory as they were.
func TestFailedRunKeepsEarlierOutputs(t *testing.T) {
	train, test := smallMNIST1D(t, 500)
	cfg := tinyConfig(fwdgrad.Backprop, 2)
	cfg.Out = t.TempDir()
	if _, err := Run(context.Background(), tiny, train, test, cfg); err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for _, f := range []string{"metrics.jsonl", "metrics.csv", CheckpointFile} {
		b, err := os.ReadFile(filepath.Join(cfg.Out, f))
		if err != nil {
			t.Fatal(err)
		}
		before[f] = b
	}
	bad := cfg
	bad.Optimizer = optim.SGD{LR: 1e30} // the loss becomes NaN in the first epoch
	if _, err := Run(context.Background(), tiny, train, test, bad); err == nil {
		t.Fatal("the run with a NaN loss did not fail")
	}
	for f, b := range before {
		if after, _ := os.ReadFile(filepath.Join(cfg.Out, f)); !bytes.Equal(after, b) {
			t.Errorf("%s changed after a run that produced no epoch", f)
		}
	}
	// Nor does a fresh directory get empty files.
	bad.Out = t.TempDir()
	Run(context.Background(), tiny, train, test, bad)
	if entries, _ := os.ReadDir(bad.Out); len(entries) != 0 {
		t.Errorf("a run that failed at once wrote %v", entries)
	}
}

// Compare checks every run before the first trains: a checkpoint of
// another width for the second method stops it before any work.
func TestCompareChecksFirst(t *testing.T) {
	train, test := smallMNIST1D(t, 500)
	out := t.TempDir()
	cfg := tinyConfig(fwdgrad.Backprop, 1)
	cfg.Out = filepath.Join(out, "ap")
	cfg.Method.Method = "ap"
	if _, err := Run(context.Background(), MLP(40, 10, []int{8, 8}, false, ir.F32), train, test, cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Out, cfg.Resume = out, true
	results, err := Compare(context.Background(), tiny, train, test, cfg, []string{fwdgrad.Backprop, "ap"})
	if err == nil || !strings.Contains(err.Error(), "ap: train: checkpoint") || !strings.Contains(err.Error(), "another configuration") {
		t.Fatalf("error %v, want the checkpoint of ap from another configuration", err)
	}
	if len(results) != 0 {
		t.Errorf("%d runs made", len(results))
	}
	if _, err := os.Stat(filepath.Join(out, fwdgrad.Backprop)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backprop ran before the check of ap: %v", err)
	}
	// A corrupt checkpoint is caught the same way.
	os.WriteFile(filepath.Join(out, "ap", CheckpointFile), []byte("garbage"), 0o644)
	if _, err := Compare(context.Background(), tiny, train, test, cfg, []string{"ap"}); err == nil || !strings.Contains(err.Error(), "is not a checkpoint") {
		t.Errorf("corrupt checkpoint: %v", err)
	}
}

// Report names every failed run in its error, marks it in the table and
// draws plots only from runs with epochs.
func TestReport(t *testing.T) {
	ok := &Result{Label: "wt", Epochs: []EpochMetrics{{Epoch: 1, TrainLoss: 2, TestLoss: 2.1, TrainAcc: 0.2, TestAcc: 0.19}}}
	failed := &Result{Label: "wperp", Err: errors.New("the loss is NaN")}
	stopped := &Result{Label: "ap", Err: context.Canceled}
	dir := t.TempDir()
	var table, stderr bytes.Buffer
	err := Report([]*Result{ok, failed, stopped}, context.Canceled, dir, "MNIST-1D, width 16", &table, &stderr)
	if err == nil || !strings.Contains(err.Error(), "wperp: the loss is NaN") || !strings.Contains(err.Error(), "ap: context canceled") ||
		strings.Count(err.Error(), "context canceled") != 1 {
		t.Errorf("error %v", err)
	}
	for _, s := range []string{"wperp      0  -  -  -  0s  failed", "ap      0  -  -  -  0s  stopped"} {
		if !strings.Contains(strings.Join(strings.Fields(table.String()), "  "), strings.Join(strings.Fields(s), "  ")) {
			t.Errorf("table lacks %q:\n%s", s, table.String())
		}
	}
	if strings.Contains(table.String(), "NaN") {
		t.Errorf("the table holds the error:\n%s", table.String())
	}
	for _, f := range []string{"accuracy.png", "loss.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// Without any epoch, no plot is drawn: earlier plots stay.
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "accuracy.png"), []byte("earlier"), 0o644)
	Report([]*Result{failed}, nil, empty, "", &table, &stderr)
	if b, _ := os.ReadFile(filepath.Join(empty, "accuracy.png")); string(b) != "earlier" {
		t.Error("a run without epochs replaced the plot")
	}
	if _, err := os.Stat(filepath.Join(empty, "loss.png")); err == nil {
		t.Error("a run without epochs drew loss.png")
	}
}
