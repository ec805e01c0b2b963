package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/passes"
)

// mib formats bytes in MiB for the tables.
func mib(n int64) string { return fmt.Sprintf("%.2f", float64(n)/(1<<20)) }

// The memory of the MLP steps before and after the memplan pass, as the
// README's table gives it (go test ./examples/bench -run MemPlanFigures
// -v): the live peak of the values with memory of their own
// (passes.PeakLiveBytes), what the greedy placement holds without
// sharing operands' buffers, the live peak with results in place counted
// once, and the arenas memplan plans. These are counts, not timings.
func TestMemPlanFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the MLP steps")
	}
	steps, err := mlpSteps(3, mlpWidth, mlpBatch, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| step | values | in place | peak, no sharing | planned, no sharing | peak, in place | planned (memplan) |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range steps {
		before := passes.PeakLiveBytes(s.fn)
		plain := ir.PlanMemory(s.fn, ir.PlanOptions{NoInPlace: true}).Bytes()
		g := passes.MemPlan(s.fn)
		p, err := ir.RecordedPlan(g)
		if err != nil {
			t.Fatal(err)
		}
		st := passes.PlannedStats(g, p)
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s |\n", s.name, st.Values, st.InPlace, mib(before), mib(plain), mib(st.PeakBytes), mib(p.Bytes()))
		if p.Bytes() > plain || st.PeakBytes > before {
			t.Errorf("%s: memplan holds %d bytes (peak %d), more than without sharing (%d, peak %d)", s.name, p.Bytes(), st.PeakBytes, plain, before)
		}
		if p.Bytes() > st.PeakBytes+st.PeakBytes/100 {
			t.Errorf("%s: memplan holds %d bytes for a live peak of %d", s.name, p.Bytes(), st.PeakBytes)
		}
	}
	t.Logf("784-1024-1024-10 MLP, batch 128, f32, sizes in MiB:\n%s", b.String())
}

// The depth table: planned temporaries (the arenas without the step's
// results, passes.PlannedTemporaryBytes) and the whole plan, of the
// forward-gradient steps and backprop at depth 2, 8 and 32 (width 1024,
// batch 128): flat in depth for the scheduled W̃ᵀ step, growing for
// backprop.
func TestMemPlanDepthFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 15 steps of up to 32 layers")
	}
	methods := []string{"wt", "wt+schedule", "wperp", "wperp+schedule", "backprop"}
	temp := map[string][]int64{}
	var b strings.Builder
	b.WriteString("| depth | " + strings.Join(methods, " | ") + " |\n|---:|" + strings.Repeat("---:|", len(methods)) + "\n")
	for _, depth := range []int{2, 8, 32} {
		f, _, err := mlpModel(depth, mlpWidth, mlpBatch)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "| %d |", depth)
		for _, method := range methods {
			name, scheduled := strings.CutSuffix(method, "+schedule")
			g, err := fwdgrad.Build(f, fwdgrad.Config{Method: name, K: guessK})
			if err != nil {
				t.Fatal(err)
			}
			pipeline := append(passes.Cleanup[:len(passes.Cleanup):len(passes.Cleanup)], "memplan")
			if scheduled {
				pipeline = append(passes.Cleanup[:len(passes.Cleanup):len(passes.Cleanup)], "schedule", "memplan")
			}
			fn, err := passes.Run(g.Func, pipeline, passes.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := ir.RecordedPlan(fn)
			if err != nil {
				t.Fatal(err)
			}
			tb := passes.PlannedTemporaryBytes(fn)
			temp[method] = append(temp[method], tb)
			fmt.Fprintf(&b, " %s (%s; %s) |", mib(tb), mib(passes.PeakTemporaryBytes(fn)), mib(p.Bytes()))
		}
		b.WriteString("\n")
	}
	t.Logf("planned temporaries (live peak of temporaries; whole plan), MiB:\n%s", b.String())
	if p := temp["wt+schedule"]; p[1] != p[2] {
		t.Errorf("scheduled W̃ᵀ: planned temporaries grow from depth 8 to 32: %v", p)
	}
	if p := temp["backprop"]; !(p[0] < p[1] && p[1] < p[2]) {
		t.Errorf("backprop: planned temporaries do not grow with depth: %v", p)
	}
}
