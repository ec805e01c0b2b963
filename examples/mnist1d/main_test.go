package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The setups: quick by default, paper on request, each flag overriding
// one setting.
func TestSetups(t *testing.T) {
	o, _, err := program.Parse([]string{"-width", "64"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Setup != "quick" || o.Width != 64 || o.Epochs != quick.Epochs || o.Batch != quick.Batch || len(o.Methods) != 4 {
		t.Errorf("-width 64: %+v, want the quick setup at width 64", o)
	}
	o, _, err = program.Parse([]string{"-setup", "paper"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Epochs != 300 || o.Batch != 512 || o.LR != 1e-4 || o.Seed != 100 || o.Data != "canonical" {
		t.Errorf("-setup paper: %+v", o)
	}
}

func TestRun(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-method", "backprop,wt", "-epochs", "1", "-width", "16", "-depth", "2", "-batch", "256", "-k", "4", "-out", out}
	if code := program.Run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	for _, s := range []string{"MNIST-1D (canonical split), 4000/1000 examples, MLP 40→16→16→10", "plots: "} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "train acc") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	for _, f := range []string{"accuracy.png", "loss.png", "wt/metrics.csv", "backprop/checkpoint.gob"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestData(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"generate", "MNIST-1D (generated, seed 42), 4000/1000 examples"},
		{"../../data/mnist1d", "MNIST-1D (../../data/mnist1d), 4000/1000 examples"},
	} {
		o := quick
		o.Data = c.data
		_, _, about, err := load(&o, nil)
		if err != nil || about != c.want {
			t.Errorf("-data %s: %q, %v; want %q", c.data, about, err, c.want)
		}
	}
	o := quick
	o.Data = filepath.Join(t.TempDir(), "none")
	if _, _, _, err := load(&o, nil); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("missing directory: %v", err)
	}
}

// -h exits 0 and its usage says what each setup costs.
func TestUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := program.Run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("exit %d", code)
	}
	for _, s := range []string{"quick (default): wperp,wt,ap,backprop; width 128, depth 3, 6 epochs of batch 64", "paper: wperp; width 128, depth 3, 300 epochs of batch 512, AdamW lr 0.0001",
		"W̃⊥-NS (in -method all) 1.5 h", "-data directory"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("usage lacks %q:\n%s", s, stderr.String())
		}
	}
}
