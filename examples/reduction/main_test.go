package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/methods/reduction"
)

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("-h exits %d, want 0", code)
	}
	for _, s := range []string{"Usage: go run ./examples/reduction", "Armijo", "-seeds", "-json", "-short", "-g3-full-cap", "g3  G ="} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("usage lacks %q:\n%s", s, stderr.String())
		}
	}
	if stdout.Len() > 0 {
		t.Errorf("-h wrote to stdout: %s", stdout.String())
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-exp", "g4"}, `reduction: -exp: unknown experiment "g4"`},
		{[]string{"-seeds", "0"}, "reduction: -seeds 0: want at least 1"},
		{[]string{"-n", "1"}, "reduction: -n 1"},
		{[]string{"-bogus"}, "reduction: flag provided but not defined: -bogus"},
		{[]string{"-short", "extra"}, `reduction: unexpected arguments ["extra"]`},
		{[]string{"-out", ""}, "reduction: -out is empty"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), c.args, &stdout, &stderr)
		if code != 2 || !strings.HasPrefix(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and an error starting %q", c.args, code, stderr.String(), c.want)
		}
	}
}

// The short mode runs every experiment; its JSON lines carry the paper's
// A.1 and G.1 numbers and the qualitative G.2 and G.3 outcomes, and the
// plots are written.
func TestShortRun(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-short", "-json", "-g2-fixed", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	runs := map[string]runRecord{}
	values := map[string]float64{}
	for line := range strings.SplitSeq(strings.TrimSpace(stdout.String()), "\n") {
		var rec struct {
			runRecord
			Case  string  `json:"case"`
			Value float64 `json:"value"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if rec.Kind == "run" {
			step := "fixed"
			if rec.Step == "Armijo" {
				step = "Armijo"
			}
			runs[rec.Experiment+" "+rec.Method+" "+step] = rec.runRecord
		} else {
			values[rec.Experiment+" "+rec.Case] = rec.Value
		}
	}
	for key, want := range map[string]int{"g1 full GD fixed": 802, "g1 reduced GD fixed": 1, "g1 GeoPrecGD fixed": 1,
		"g2 GeoPrecGD Armijo": 1, "g2 GeoPrecGD fixed": 1} {
		if r := runs[key]; r.Iterations != want || r.Stop != "converged" {
			t.Errorf("%s: %d iterations (%s), want %d", key, r.Iterations, r.Stop, want)
		}
	}
	if r := runs["g3 full GD Armijo"]; r.Stop != "iteration limit" || r.F < 1e-3 {
		t.Errorf("g3 full GD: %s with f = %g, want the cap with f > 1e-3", r.Stop, r.F)
	}
	for _, key := range []string{"g2 full GD Armijo", "g2 reduced GD Armijo", "g2 full GD fixed", "g2 reduced GD fixed", "g3 reduced GD Armijo", "g3 GeoPrecGD Armijo"} {
		if r := runs[key]; r.Stop != "converged" || r.GradNorm >= reduction.DefaultTol {
			t.Errorf("%s: %s at ‖∇‖ = %g", key, r.Stop, r.GradNorm)
		}
	}
	if full, red := runs["g2 full GD Armijo"].Iterations, runs["g2 reduced GD Armijo"].Iterations; full < 5*red {
		t.Errorf("G.2: full GD %d iterations, reduced %d: want the reduction to pay", full, red)
	}
	for key, want := range map[string]float64{
		"a1 max curvature on [-0.5, 0.5], Ψ = 0": 22, "a1 max curvature on [-0.5, 0.5], Ψ = argmin (x₁)": 2,
		"a1 max curvature on [-0.5, 0.5], Ψ = x₁ − 2 sin x₁": 82, "a2 λ_max(∇²f at (0, sin 0))": 4,
		"g2 κ of ∇²F(0) in the metric R": 1,
	} {
		if got, ok := values[key]; !ok || got < want-1e-6 || got > want+1e-6 {
			t.Errorf("%s = %v (recorded %v), want %g", key, got, ok, want)
		}
	}
	for _, name := range []string{"g1", "g2-seed1", "g3-seed1"} {
		for _, q := range []string{"objective", "gradnorm"} {
			if _, err := os.Stat(filepath.Join(out, name+"-"+q+".png")); err != nil {
				t.Error(err)
			}
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, ".*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	for _, s := range []string{"experiment  seed  method", "GeoPrecGD", "λ_max(∇²f)"} {
		if !strings.Contains(stderr.String(), s) {
			t.Errorf("the table on stderr lacks %q", s)
		}
	}
}

// A failure exits 1 with the error on stderr, after the table of what
// finished; nothing is plotted from a run that failed.
func TestFailure(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-short", "-exp", "a1,g1", "-out", filepath.Join(file, "plots")}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "reduction: mkdir") {
		t.Errorf("exit %d, stderr %q; want 1 and the mkdir error", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "λ_max(∇²f)") {
		t.Errorf("the table of A.1, which finished, is missing:\n%s", stdout.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	stdout.Reset()
	stderr.Reset()
	code = run(ctx, []string{"-short", "-exp", "g2", "-out", out}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "reduction: interrupted") {
		t.Errorf("interrupted: exit %d, stderr %q", code, stderr.String())
	}
	if files, _ := os.ReadDir(out); len(files) > 0 {
		t.Errorf("an interrupted run wrote %v", files)
	}
}

func TestThin(t *testing.T) {
	trace := make([]reduction.Point, 100_000)
	for i := range trace {
		trace[i] = reduction.Point{Iter: i, F: float64((i + 1) % 3)}
	}
	pts := thin(trace, func(p reduction.Point) float64 { return p.F })
	if len(pts) > maxPlotPoints || len(pts) < maxPlotPoints/4 {
		t.Errorf("%d points, want at most %d and not far fewer", len(pts), maxPlotPoints)
	}
	for _, p := range pts {
		if p.Y <= 0 {
			t.Fatalf("a non-positive value %v on the log scale", p)
		}
	}
	if last := pts[len(pts)-1]; last.X != 100_000 {
		t.Errorf("last point %v, want the last iterate (iteration + 1 = 100000)", last)
	}
}
