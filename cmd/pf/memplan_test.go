package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// pf opt -stats reports memplan's before and after; the planned function
// verifies and runs over its plan to the same results as without one.
func TestOptStatsAndPlannedRun(t *testing.T) {
	code, planned, stderr := pf(t, "", "opt", "-passes=vjp,fold,cse,dce,memplan", "-stats", "-verify", goldenMLP)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"memplan @mlp_vjp before: 18 values in 18 buffers, peak ", "memplan @mlp_vjp after:  18 values in ", " in place), peak ", "f32 "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(planned, "{buf=[") {
		t.Fatalf("no plan in the output:\n%s", planned)
	}
	code, _, stderr = pf(t, "", "opt", "-passes=vjp,fold,cse,dce", "-stats", goldenMLP)
	if code != 0 || !strings.Contains(stderr, "memory of @mlp_vjp (no memplan in -passes): 18 values in 18 buffers") {
		t.Fatalf("without memplan: exit %d: %s", code, stderr)
	}
	// A smaller step for pf run (its JSON reader is slow on large inputs).
	const mlp3 = "../../testdata/ir/mlp3.pf"
	code, planned, stderr = pf(t, "", "opt", "-passes=vjp,fold,cse,dce,memplan", mlp3)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, plain, stderr := pf(t, "", "opt", "-passes=vjp,fold,cse,dce", mlp3)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	plannedPath, plainPath := filepath.Join(dir, "planned.pf"), filepath.Join(dir, "plain.pf")
	os.WriteFile(plannedPath, []byte(planned), 0o644)
	os.WriteFile(plainPath, []byte(plain), 0o644)
	f, err := ir.ParseFunc(plain)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := randomInputs(t, f, rand.New(rand.NewPCG(3, 4)))
	_, want, _ := pf(t, "", "run", plainPath, "-in", in)
	code, got, stderr := pf(t, "", "run", plannedPath, "-in", in)
	if code != 0 || got != want || want == "" {
		t.Errorf("planned run: exit %d (%s), results differ from the unplanned run's:\n%s\n%s", code, stderr, got, want)
	}
}

// A plan that is not safe is reported by pf verify with its position.
func TestVerifyReportsUnsafePlan(t *testing.T) {
	src := "func @f(%x: f32[4] data) -> (f32[4], f32[4]) {\n  %a = neg %x {buf=[0]} : f32[4]\n  %b = exp %a {buf=[2]} : f32[4]\n  return %a, %b\n}\n"
	code, _, stderr := pf(t, src, "verify", "-")
	if code != 1 || !strings.Contains(stderr, ":3:3: %b = exp: %b [2, 6) overlaps %a [0, 4) in the f32 arena") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
