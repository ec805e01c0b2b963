package passes_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// guessStep builds the cleaned-up guess step of f for method, scheduled or
// not.
func guessStep(t *testing.T, f *ir.Func, method passes.GuessMethod, schedule bool) *ir.Func {
	t.Helper()
	st, err := passes.Guess(f, passes.GuessOptions{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	names := passes.Cleanup
	if schedule {
		names = append(names[:len(names):len(names)], "schedule")
	}
	g, err := passes.Run(st.Func, names, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// A scheduled step computes the same numbers, bit for bit: the
// recomputed activations and guesses (counter-based noise) are the ones
// the forward pass made.
func TestScheduleKeepsResults(t *testing.T) {
	f := deepMLP(t, ir.F32, 4, 16, 8, 5, 3)
	for _, m := range []passes.GuessMethod{passes.WP, passes.AP, passes.WT, passes.WPerp} {
		plain, sched := guessStep(t, f, m, false), guessStep(t, f, m, true)
		in := stepInputs(plain, 3)
		want, err := runtime.Run(plain, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := runtime.Run(sched, in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			w, g := want[i].Float64s(), got[i].Float64s()
			for k := range w {
				if w[k] != g[k] {
					t.Fatalf("%s: result %d element %d: %g scheduled, %g not", m, i, k, g[k], w[k])
				}
			}
		}
	}
}

// Scheduled, a forward-gradient step holds the same temporaries at depth
// 8 and 32 (at depth 2 the forward pass itself is the peak); unscheduled,
// and for backprop, they grow with depth.
func TestScheduleFlatInDepth(t *testing.T) {
	peaks := map[string][]int64{}
	for _, depth := range []int{2, 8, 32} {
		f := deepMLP(t, ir.F32, depth, 256, 128, 256, 10)
		for _, m := range []passes.GuessMethod{passes.WT, passes.AP} {
			peaks[m.Name()] = append(peaks[m.Name()], passes.PeakTemporaryBytes(guessStep(t, f, m, false)))
			peaks[m.Name()+"+schedule"] = append(peaks[m.Name()+"+schedule"], passes.PeakTemporaryBytes(guessStep(t, f, m, true)))
		}
		v, err := passes.Run(f, []string{"vjp", "fold", "cse", "dce"}, passes.Options{Wrt: passes.ParamsWithRole(f, ir.Param)})
		if err != nil {
			t.Fatal(err)
		}
		peaks["backprop"] = append(peaks["backprop"], passes.PeakTemporaryBytes(v))
	}
	t.Logf("peak temporary bytes at depth 2, 8, 32: %v", peaks)
	for name, p := range peaks {
		flat := p[0] <= p[1] && p[1] == p[2]
		grows := p[0] < p[1] && p[1] < p[2]
		switch want := len(name) > 9 && name[len(name)-9:] == "+schedule"; {
		case want && !flat:
			t.Errorf("%s: temporaries grow with depth: %v", name, p)
		case !want && !grows:
			t.Errorf("%s: temporaries do not grow with depth: %v", name, p)
		}
	}
}

// Schedule finds the point to recompute after by the mark the guess pass
// sets, not by a value's name: renaming the marked value changes nothing,
// and a function with a value named like it but no mark is left alone.
func TestScheduleFollowsTheMark(t *testing.T) {
	f := deepMLP(t, ir.F32, 4, 16, 8, 5, 3)
	st, err := passes.Guess(f, passes.GuessOptions{Method: passes.WT})
	if err != nil {
		t.Fatal(err)
	}
	j := st.Func.Marks[passes.RecomputeMark]
	if j == nil {
		t.Fatal("the guess step has no mark")
	}
	j.Name = "renamed"
	plain, err := passes.Run(st.Func, passes.Cleanup, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := passes.Run(plain, []string{"schedule"}, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if before, after := passes.PeakTemporaryBytes(plain), passes.PeakTemporaryBytes(sched); after >= before {
		t.Errorf("schedule did not lower the peak: %d bytes before, %d after", before, after)
	}

	plain.Marks[passes.RecomputeMark].Name = passes.JName
	text, err := ir.ParseFunc(plain.String()) // the text format has no marks
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "%"+passes.JName+" = ") || text.Marks != nil {
		t.Fatalf("want a value named %s and no marks:\n%s", passes.JName, text)
	}
	if diff := cmp.Diff(text.String(), passes.Schedule(text.Clone()).String()); diff != "" {
		t.Errorf("schedule changed a function without the mark (-before +after):\n%s", diff)
	}
}
