package runtime_test

import (
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// The training steps (forward, JVP, W̃ᵀ and W̃⊥ forward-gradient steps,
// the scheduled W̃ᵀ step and backprop) give the same bits run over the
// plan memplan records, in place where it can, as with every value in
// memory of its own; and the plan holds about the peak of live memory.
func TestMemPlanStepsBitIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs six MLP steps")
	}
	steps := stepFuncs(t)
	fwd := steps["forward"]
	vjp, err := passes.VJP(fwd, passes.ParamsWithRole(fwd, ir.Param))
	if err != nil {
		t.Fatal(err)
	}
	if steps["backprop"], err = passes.Run(vjp, passes.Cleanup, passes.Options{}); err != nil {
		t.Fatal(err)
	}
	guess, err := passes.Guess(fwd, passes.GuessOptions{Method: passes.WT})
	if err != nil {
		t.Fatal(err)
	}
	if steps["fwdgrad-wt-schedule"], err = passes.Run(guess.Func, append(passes.Cleanup, "schedule"), passes.Options{}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(45, 46))
	for name, f := range steps {
		t.Run(name, func(t *testing.T) {
			planned, err := passes.Run(f, []string{"memplan"}, passes.Options{Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			inputs := randomInputs(f, r)
			want, err := runtime.Run(f, inputs)
			if err != nil {
				t.Fatal(err)
			}
			it, err := runtime.New(planned)
			if err != nil {
				t.Fatal(err)
			}
			runner := it.NewRunner()
			for run := range 2 {
				got, err := runner.Run(inputs)
				if err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if !runtime.SameBits(got[i], want[i]) {
						t.Fatalf("run %d: result %d differs from the unplanned run's bits", run, i)
					}
				}
			}
			plan, err := ir.RecordedPlan(planned)
			if err != nil {
				t.Fatal(err)
			}
			stats := passes.PlannedStats(planned, plan)
			if stats.InPlace == 0 {
				t.Errorf("no value in place: %s", stats)
			}
			// Greedy placement comes within 1% of the peak of live memory
			// (each dtype's arena holds its own peak, which may come at
			// another time than the total's).
			if peak := stats.PeakBytes; plan.Bytes() > peak+peak/100 || peak > passes.PeakLiveBytes(f) {
				t.Errorf("the plan holds %d bytes for a live peak of %d (%d without values in place)", plan.Bytes(), peak, passes.PeakLiveBytes(f))
			}
			t.Logf("%s: %s; planned %d bytes for a peak of %d", name, stats, plan.Bytes(), stats.PeakBytes)
		})
	}
}
