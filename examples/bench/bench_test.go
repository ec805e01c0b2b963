package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pushforward/pushforward/runtime/kernels"
)

// Every case runs (on a small MLP, with one short round) and prints, with
// -json, JSON lines with the fields the issue asks for.
func TestRunAllCases(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark once")
	}
	var out bytes.Buffer
	o := &options{rounds: 1, minTime: time.Millisecond, quick: true}
	if err := run(&out, "all", o, true); err != nil {
		t.Fatal(err)
	}
	text := out.String()
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
		"mlp-fwdgrad-wt": 1, "mlp-fwdgrad-wt-schedule": 1, "mlp-fwdgrad-wperp": 1, "mlp-fwdgrad-depth": 15,
		"ratio": 12 + 2*len(fuseChains) + 4*len(genMethods), "fuse-chain": 2 * len(fuseChains),
		"paper-step": len(paperMethods), "gen": len(genVariants) * len(genMethods),
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

// Without -json the figures come as a table, one row each, and no JSON.
func TestTableByDefault(t *testing.T) {
	var out bytes.Buffer
	o := &options{rounds: 1, minTime: time.Millisecond, quick: true}
	if err := run(&out, "mlp-fwd,mlp-jvp", o, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "case ") || strings.Contains(out.String(), "{") {
		t.Fatalf("output is not a table:\n%s", out.String())
	}
	for _, s := range []string{"mlp-fwd ", "mlp-jvp ", "mlp-jvp/mlp-fwd"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, out.String())
		}
	}
}

// The command line's conventions: -h exits 0 with the usage, usage errors
// exit 2 before any case runs.
func TestCommandLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := benchMain([]string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "Usage: go run ./examples/bench") ||
		!strings.Contains(stderr.String(), "paper-step") || !strings.Contains(stderr.String(), "-rounds int") {
		t.Errorf("-h: exit %d, usage\n%s", code, stderr.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-case", "nope"}, `bench: -case: unknown case "nope"`},
		{[]string{"-rounds", "0"}, "bench: -rounds 0: want at least 1 round"},
		{[]string{"-time", "0s"}, "bench: -time 0s: want a positive duration"},
		{[]string{"-threads", "0"}, "bench: -threads 0: want at least 1 thread"},
		{[]string{"-rounds", "x"}, `bench: invalid value "x" for flag -rounds`},
	} {
		stdout.Reset()
		stderr.Reset()
		if code := benchMain(c.args, &stdout, &stderr); code != 2 || !strings.HasPrefix(stderr.String(), c.want) || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, stdout.String(), stderr.String(), c.want)
		}
	}
}

// -fuse times the fused steps next to the unfused ones, with the bytes
// they move and the ratios, and rejects unknown variants before running.
func TestFuseVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the MLP and paper steps")
	}
	var out bytes.Buffer
	variants, err := parseFuseVariants("fuse,wide")
	if err != nil {
		t.Fatal(err)
	}
	o := &options{rounds: 1, minTime: time.Millisecond, quick: true, fuse: variants}
	if err := run(&out, "mlp-jvp,mlp-backprop,paper-step", o, true); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{`"case":"mlp-jvp+fuse"`, `"case":"mlp-backprop+wide"`, `"method":"wt/w32+fuse"`, `"method":"wperp/w32+wide"`,
		`"name":"mlp-jvp+fuse/mlp-jvp"`, `"name":"bytes mlp-backprop+fuse/mlp-backprop"`, `"name":"backprop/w32+fuse/backprop/w32"`, `"bytes_moved":`} {
		if !strings.Contains(text, want) {
			t.Errorf("no %s in\n%s", want, text)
		}
	}
	if strings.Contains(text, "wperp-ns/w32+fuse") {
		t.Error("wperp-ns fused, want it left out")
	}
	var stderr bytes.Buffer
	if code := benchMain([]string{"-fuse", "fuse,nope"}, &out, &stderr); code != 2 || !strings.Contains(stderr.String(), `unknown variant "nope"`) {
		t.Errorf("-fuse nope: exit %d, %s", code, stderr.String())
	}
}

// The gen case times each step four ways (unfused and fused, interpreted
// and generated) after checking that all four give the interpreter's
// bits, and reports the ratios to the unfused interpreted step.
func TestGenCase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	var out bytes.Buffer
	o := &options{rounds: 1, minTime: time.Millisecond, quick: true}
	if err := run(&out, "gen", o, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"case":"gen","impl":"gen-fused"`, `"method":"wperp/w16"`, `"name":"backprop/w16 gen-fused/interp"`, `"name":"wt/w16 gen-fused/interp-fused"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %s in\n%s", want, out.String())
		}
	}
}
