package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -short runs the smallest grid end to end: every run's metrics, the
// plots, the summary with its claims.
func TestShort(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-short", "-out", out, "-json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3*2*3 { // heads × seeds × epochs
		t.Errorf("%d JSON lines, want 18", len(lines))
	}
	var first struct {
		NC map[string]any `json:"nc"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.NC["nc3"] == nil {
		t.Errorf("first line %s: %v, want the collapse metrics", lines[0], err)
	}
	for _, f := range []string{"K4-d5/ce.png", "K4-d5/train_acc.png", "K4-d5/nc1.png", "K4-d5/nc3.png", "K4-d5/margin.png", "K4-d5/margins.png",
		"K4-d5/implicit/seed2/metrics.csv", "K4-d5/standard/seed1/margins.csv", "summary.md", "summary.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	for _, s := range []string{"### K = 4, d = 5", "| implicit |", "implicit has the lowest NC3 from epoch 1:"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("the table lacks %q:\n%s", s, stderr.String())
		}
	}
}

// -no-ddn trains the implicit head without the gradient through the
// node: the same run otherwise, so the first epoch's loss (of the one
// step, before its update) is the same and the later ones differ, but
// only a little (the direct path carries most of the gradient).
func TestNoDDN(t *testing.T) {
	losses := func(extra ...string) []float64 {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args := append([]string{"-short", "-head", "implicit", "-seeds", "1", "-out", t.TempDir(), "-json"}, extra...)
		if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d\n%s", extra, code, stderr.String())
		}
		var out []float64
		for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			var m struct {
				Loss float64 `json:"train_loss"`
			}
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m.Loss)
		}
		return out
	}
	with, without := losses(), losses("-no-ddn")
	if len(with) != 3 || len(without) != 3 {
		t.Fatalf("%d and %d epochs, want 3", len(with), len(without))
	}
	if with[0] != without[0] {
		t.Errorf("epoch 1: loss %v with the DDN path, %v without: want the same start", with[0], without[0])
	}
	for i := 1; i < len(with); i++ {
		if with[i] == without[i] || math.Abs(with[i]-without[i]) > 0.1*with[i] {
			t.Errorf("epoch %d: loss %v with the DDN path, %v without: want close but not equal", i+1, with[i], without[i])
		}
	}
}

// -h prints the usage and exits 0; a setting that cannot work is a usage
// error, named first, exit 2, before any run; a run that fails exits 1.
func TestConventions(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "Usage: go run ./examples/ufm") ||
		!strings.Contains(stderr.String(), "-batch-per-class") {
		t.Errorf("-h: exit %d, stderr %q", code, stderr.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-k", "100", "-d", "64"}, "every pair has d < K − 1"},
		{[]string{"-k", "1"}, `"1": want integers of at least 2`},
		{[]string{"-d", "K+2"}, `dimension "K+2": want a number or K+1`},
		{[]string{"-seeds", "0"}, "-seeds 0: want at least 1"},
		{[]string{"-batch-per-class", "200"}, "-batch-per-class 200: want 1 to -n (100)"},
		{[]string{"-head", "learned"}, `unknown head "learned"`},
		{[]string{"-lr", "-1"}, "-lr -1: want a positive learning rate"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		stderr.Reset()
		code := run(context.Background(), c.args, &stdout, &stderr)
		if code != 2 || !strings.HasPrefix(stderr.String(), "ufm: ") || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
	// An output path under a file cannot be made: the runs fail, exit 1.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"-short", "-epochs", "1", "-seeds", "1", "-out", filepath.Join(file, "out")}, &stdout, &stderr); code != 1 {
		t.Errorf("unwritable -out: exit %d, stderr %q, want 1", code, stderr.String())
	}
}

// A grid run again with -resume after every run finished loads the runs
// instead of training them, and still draws every plot, the sorted margins
// (read back from margins.csv) too.
func TestResumeFinishedGrid(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-short", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	plot := filepath.Join(out, "K4-d5", "margins.png")
	if err := os.Remove(plot); err != nil {
		t.Fatal(err)
	}
	margins, err := os.ReadFile(filepath.Join(out, "K4-d5", "implicit", "seed1", "margins.csv"))
	if err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"-short", "-out", out, "-resume"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-resume: exit %d\n%s", code, stderr.String())
	}
	if _, err := os.Stat(plot); err != nil {
		t.Errorf("-resume of a finished grid did not draw the margins: %v", err)
	}
	again, err := os.ReadFile(filepath.Join(out, "K4-d5", "implicit", "seed1", "margins.csv"))
	if err != nil || !bytes.Equal(again, margins) {
		t.Errorf("-resume changed a finished run's margins.csv (%v)", err)
	}
}
