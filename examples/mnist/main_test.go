package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/data"
)

func TestSetups(t *testing.T) {
	o, _, err := program.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Setup != "quick" || o.MaxTrain != 10000 || o.Epochs != 3 || o.Batch != 64 {
		t.Errorf("no flags: %+v, want the quick setup", o)
	}
	o, _, err = program.Parse([]string{"-setup", "reference", "-epochs", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxTrain != 0 || o.Batch != 512 || o.LR != 1e-4 || o.Epochs != 1 {
		t.Errorf("-setup reference -epochs 1: %+v", o)
	}
	if _, _, err := program.Parse([]string{"-train", "-5"}); err == nil || !strings.Contains(err.Error(), "-train -5: want 0 (all) or more images") {
		t.Errorf("-train -5: %v", err)
	}
}

func TestMissingData(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := program.Run(context.Background(), []string{"-data", filepath.Join(t.TempDir(), "none")}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "not found") {
		t.Errorf("exit %d, stderr %q, want 1 and the files not found", code, stderr.String())
	}
}

func TestRun(t *testing.T) {
	if _, err := data.FindMNIST(); err != nil {
		t.Skip(err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-method", "backprop,ap", "-epochs", "1", "-width", "16", "-k", "4", "-batch", "128", "-train", "512", "-test", "256", "-out", out}
	if code := program.Run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	for _, s := range []string{"train acc", "backprop", "ap"} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "MNIST, 512/256 images, MLP 784→16→16→16→10") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "accuracy.png")); err != nil {
		t.Error(err)
	}
}

// -head runs the nearest-ETF heads: every head trains, the table shows
// their collapse metrics; a head on too few features, or an unknown head,
// is a usage error that says why.
func TestHeads(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-setup", "etf", "-d", "8"}, "-d 8: want at least classes − 1 = 9: feature dimension d = 8 < K − 1 = 9: a simplex ETF of K = 10 classes spans K − 1 dimensions"},
		{[]string{"-head", "nearest"}, `unknown head "nearest" (want standard, fixed or implicit)`},
		{[]string{"-setup", "etf", "-tau", "0"}, "-tau 0: want a positive feature norm"},
		{[]string{"-optimizer", "lbfgs"}, `-optimizer "lbfgs": want adamw, momentum or sgd`},
	} {
		var stdout, stderr bytes.Buffer
		if code := program.Run(context.Background(), c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
	if _, err := data.FindMNIST(); err != nil {
		t.Skip(err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-setup", "etf", "-epochs", "1", "-width", "32", "-d", "11", "-train", "500", "-test", "200", "-out", out}
	if code := program.Run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	for _, s := range []string{"NC3", "standard backprop", "fixed backprop", "implicit backprop"} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, stdout.String())
		}
	}
	for _, f := range []string{"standard/backprop/metrics.jsonl", "fixed/backprop/metrics.jsonl", "implicit/backprop/metrics.jsonl",
		"all-accuracy.png", "all-loss.png", "all-nc3.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
