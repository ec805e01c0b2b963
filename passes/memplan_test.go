package passes_test

import (
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// memplan records a plan the verifier accepts, close to the live peak,
// and reports it to Options.Stats; the printed plan parses back.
func TestMemPlanPass(t *testing.T) {
	f := deepMLP(t, ir.F32, 3, 64, 16, 32, 10)
	v, err := passes.Run(f, []string{"vjp", "fold", "cse", "dce"}, passes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stats strings.Builder
	g, err := passes.Run(v, []string{"memplan"}, passes.Options{Verify: true, Stats: &stats})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range g.Body {
		if _, ok := in.Attrs[ir.PlanAttr]; !ok {
			t.Fatalf("%s has no %s attribute", in.Results[0], ir.PlanAttr)
		}
	}
	text := ir.Renumbered(g).String()
	back, err := ir.ParseFunc(text)
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != text {
		t.Errorf("the planned function does not round-trip:\n%s\n%s", text, back)
	}
	p, err := ir.RecordedPlan(back)
	if err != nil {
		t.Fatal(err)
	}
	planned := passes.PlannedStats(back, p)
	if planned.InPlace == 0 {
		t.Errorf("no value in place in a backprop step: %s", planned)
	}
	if peak := passes.PeakLiveBytes(v); p.Bytes() > peak+peak/100 {
		t.Errorf("the plan holds %d bytes for a live peak of %d", p.Bytes(), peak)
	}
	lines := strings.Split(strings.TrimSpace(stats.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "memplan @"+v.Name+" before: ") || !strings.HasPrefix(lines[1], "memplan @"+v.Name+" after:  ") {
		t.Fatalf("stats:\n%s", stats.String())
	}
	if want := passes.UnplannedStats(v).String(); !strings.HasSuffix(lines[0], want) {
		t.Errorf("before: %q, want %q", lines[0], want)
	}
	if want := planned.String(); !strings.HasSuffix(lines[1], want) {
		t.Errorf("after: %q, want %q", lines[1], want)
	}
}

// memplan runs last: the pass table rejects passes after it, and Run
// drops a recorded plan before any other pass, which would invalidate it.
func TestMemPlanIsLast(t *testing.T) {
	f := deepMLP(t, ir.F32, 2, 8, 4, 8, 3)
	for _, after := range []string{"fold", "cse", "dce", "schedule", "jvp", "vjp"} {
		_, err := passes.Run(f, []string{"memplan", after}, passes.Options{})
		if err == nil || !strings.Contains(err.Error(), "pass memplan must run after "+after) {
			t.Errorf("memplan then %s: error %v", after, err)
		}
	}
	g, err := passes.Run(f, []string{"memplan"}, passes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !ir.HasPlan(g) {
		t.Fatal("memplan recorded no plan")
	}
	h, err := passes.Run(g, []string{"vjp", "dce"}, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if ir.HasPlan(h) {
		t.Errorf("the plan survived vjp and dce:\n%s", h)
	}
	if !ir.HasPlan(g) {
		t.Error("Run modified its input")
	}
}

// Planned, a scheduled forward-gradient step's temporaries stay flat in
// depth (from depth 8 on; at depth 2 the forward pass is the peak), as
// their live peak does; backprop's grow.
func TestMemPlanFlatInDepth(t *testing.T) {
	planned := map[string][]int64{}
	for _, depth := range []int{2, 8, 32} {
		f := deepMLP(t, ir.F32, depth, 256, 128, 256, 10)
		wt := guessStep(t, f, passes.WT, true)
		v, err := passes.Run(f, []string{"vjp", "fold", "cse", "dce"}, passes.Options{Wrt: passes.ParamsWithRole(f, ir.Param)})
		if err != nil {
			t.Fatal(err)
		}
		for name, g := range map[string]*ir.Func{"wt+schedule": wt, "backprop": v} {
			temp := passes.PlannedTemporaryBytes(g)
			if peak := passes.PeakTemporaryBytes(g); temp > peak+peak/100 {
				t.Errorf("%s at depth %d: planned %d bytes of temporaries for a live peak of %d", name, depth, temp, peak)
			}
			planned[name] = append(planned[name], temp)
		}
	}
	t.Logf("planned temporary bytes at depth 2, 8, 32: %v", planned)
	if p := planned["wt+schedule"]; p[1] != p[2] || p[0] > p[1] {
		t.Errorf("scheduled W̃ᵀ: planned temporaries not flat in depth: %v", p)
	}
	if p := planned["backprop"]; !(p[0] < p[1] && p[1] < p[2]) {
		t.Errorf("backprop: planned temporaries do not grow with depth: %v", p)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.00 KiB", 1536: "1.50 KiB", 3 << 20: "3.00 MiB", 5 << 30: "5.00 GiB"} {
		if got := passes.FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
