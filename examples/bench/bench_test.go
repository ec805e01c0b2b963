package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pushforward/pushforward/runtime/kernels"
)

// Every case runs (on a small MLP, with one short round) and prints JSON
// lines with the fields the issue asks for, then a table.
func TestRunAllCases(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark once")
	}
	var out bytes.Buffer
	o := &options{rounds: 1, minTime: time.Millisecond, quick: true}
	if err := run(&out, "all", o, false); err != nil {
		t.Fatal(err)
	}
	text, table, ok := strings.Cut(out.String(), "\n\n")
	if !ok || !strings.Contains(table, "mlp-fwdgrad-wt") {
		t.Errorf("no table after the JSON lines:\n%s", out.String())
	}
	seen := map[string]int{}
	var temps []float64 // bytes_temp of the scheduled W̃ᵀ step at depth 8 and 32
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		name := fields["case"].(string)
		seen[name]++
		switch {
		case name == "gemm" || strings.HasPrefix(name, "mlp-") && name != "mlp-fwdgrad-depth":
			for _, key := range []string{"dtype", "shape", "ns_per_op", "gflops", "bytes_peak"} {
				if _, ok := fields[key]; !ok {
					t.Errorf("%s line without %s: %s", name, key, line)
				}
			}
		case name == "mlp-fwdgrad-depth":
			if _, ok := fields["bytes_peak"]; !ok {
				t.Errorf("depth line without bytes_peak: %s", line)
			}
			if fields["method"] == "wt+schedule" && fields["depth"].(float64) > 2 {
				temps = append(temps, fields["bytes_temp"].(float64))
			}
		}
	}
	want := map[string]int{
		"gemm": 2 * len(gemmShapes), "mlp-fwd": 1, "mlp-jvp": 1, "mlp-jvp-params": 1, "mlp-backprop": 1,
		"mlp-fwdgrad-wt": 1, "mlp-fwdgrad-wt-schedule": 1, "mlp-fwdgrad-wperp": 1, "mlp-fwdgrad-depth": 15, "ratio": 12,
		"paper-step": len(paperMethods),
	}
	for name, n := range want {
		if seen[name] != n {
			t.Errorf("%d %s lines, want %d", seen[name], name, n)
		}
	}
	if len(temps) != 2 || temps[0] != temps[1] {
		t.Errorf("bytes_temp of the scheduled W̃ᵀ step at depth 8 and 32: %v, want equal", temps)
	}
}

// -case selects single MLP steps and rejects unknown names.
func TestCaseSelection(t *testing.T) {
	var out bytes.Buffer
	o := &options{rounds: 1, minTime: time.Millisecond, quick: true}
	if err := run(&out, "mlp-fwd,mlp-jvp", o, true); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, `"case":"mlp-fwd"`) || !strings.Contains(got, `"name":"mlp-jvp/mlp-fwd"`) || strings.Contains(got, "backprop") {
		t.Errorf("selection mlp-fwd,mlp-jvp printed:\n%s", got)
	}
	if err := run(&out, "nope", o, true); err == nil || !strings.Contains(err.Error(), "unknown case") {
		t.Errorf("unknown case: err = %v", err)
	}
}

// The steps of the issue, at full size as the benchmark runs them, do not
// allocate in steady state: forward, JVP and the W̃ᵀ forward-gradient
// step (built by methods/fwdgrad), each run by a runtime.Runner.
func TestMLPStepsDoNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full-size MLP steps")
	}
	if !kernels.Assembly() {
		t.Skip("without the assembly kernels a full-size step takes seconds; runtime's tests check a smaller MLP")
	}
	only := map[string]bool{"mlp-fwd": true, "mlp-jvp": true, "mlp-fwdgrad-wt": true, "mlp-fwdgrad-wperp": true}
	steps, err := mlpSteps(3, mlpWidth, mlpBatch, only)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if _, err := s.runner.Run(s.inputs); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(3, func() {
			if _, err := s.runner.Run(s.inputs); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per step, want 0", s.name, allocs)
		}
	}
}
