package runtime

import (
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// feedbackStep is a training step in miniature: it reads a weight, a
// momentum slot, a step counter and a frozen parameter and returns the
// loss and their new values. %frozen comes back unchanged (a parameter
// returned as it is), %m.new is returned twice (fed to %m and to %m2), and
// %sol comes from argmin, whose kernel allocates its result: those three
// are fed back by copying, the rest by exchanging storage.
const feedbackStep = `func @step(%x: f64[4,3] data, %w: f64[3,2] param, %m: f64[3,2] state, %m2: f64[3,2] state, %n: i64[] state, %frozen: f64[2] param, %a: f64[2] state) -> (f64[], f64[3,2], f64[3,2], i64[], f64[2], f64[3,2], f64[2]) {
  %y = matmul %x, %w : f64[4,2]
  %y2 = square %y : f64[4,2]
  %loss = reduce_mean %y2 : f64[]
  %g = matmul %x, %y {transpose_a=true} : f64[3,2]
  %beta = full {value=0.9} : f64[3,2]
  %mb = mul %m, %beta : f64[3,2]
  %m.new = add %mb, %g : f64[3,2]
  %lr = full {value=0.01} : f64[3,2]
  %step = mul %m.new, %lr : f64[3,2]
  %w.new = sub %w, %step : f64[3,2]
  %one = full {value=1} : i64[]
  %n.new = add %n, %one : i64[]
  %half = full {value=0.5} : f64[2]
  %target = mul %a, %half : f64[2]
  %sol = argmin %target region {
    func @objective(%v: f64[2] param, %t: f64[2] data) -> (f64[]) {
      %d = sub %v, %t : f64[2]
      %d2 = square %d : f64[2]
      %o = reduce_sum %d2 : f64[]
      return %o
    }
  } : f64[2]
  return %loss, %w.new, %m.new, %n.new, %frozen, %m.new, %sol
}
`

// feedbackPairs feeds every result but the loss back: result j to the
// parameter it updates.
var feedbackPairs = [][2]int{{1, 1}, {2, 2}, {4, 3}, {5, 4}, {3, 5}, {6, 6}}

func feedbackInputs(f *ir.Func) []*Tensor {
	inputs := make([]*Tensor, len(f.Params))
	for i, p := range f.Params {
		n := p.Type.Shape.Size()
		vals := make([]float64, n)
		for k := range vals {
			vals[k] = float64((i+1)*(k+2)%7)/7 - 0.4
		}
		inputs[i] = FromFloat64s(p.Type, vals)
	}
	return inputs
}

func feedbackRunner(t *testing.T, it *Interpreter) *Runner {
	t.Helper()
	var opts []RunnerOption
	for _, pr := range feedbackPairs {
		opts = append(opts, Feedback(pr[0], pr[1]))
	}
	r, err := it.NewRunnerWith(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFeedbackMatchesRun runs the step five times with a Runner that
// feeds its results back, and with Interpreter.Run whose results the test
// copies into the next run's inputs; every result must agree bit for bit,
// and the Runner's inputs must be the same tensors, updated in place.
func TestFeedbackMatchesRun(t *testing.T) {
	f, err := ir.ParseFunc(feedbackStep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := passes.Implicit(f); err != nil { // the argmin runs on its derived functions
		t.Fatal(err)
	}
	it := mustNew(t, f)
	r := feedbackRunner(t, it)
	want := feedbackInputs(f)
	inputs := feedbackInputs(f)
	kept := append([]*Tensor(nil), inputs...)
	if swaps := countSwaps(r); swaps != 2 {
		t.Errorf("%d results fed back by exchanging storage, want 2 (w and n)", swaps)
	}
	n0 := inputs[4].I64[0]
	for run := range 5 {
		ref, err := it.Run(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Run(inputs)
		if err != nil {
			t.Fatal(err)
		}
		for j := range ref {
			if !got[j].Equal(ref[j]) {
				t.Fatalf("run %d: result %d = %v, Run gives %v", run, j, got[j], ref[j])
			}
		}
		for _, pr := range feedbackPairs {
			p, j := pr[0], pr[1]
			if inputs[p] != kept[p] {
				t.Fatalf("run %d: the input of %s was replaced", run, f.Params[p])
			}
			if got[j] != inputs[p] {
				t.Errorf("run %d: result %d is not the input of %s", run, j, f.Params[p])
			}
			want[p] = ref[j].Clone()
		}
		// Distinct results still share no memory, and none shares memory
		// with the Runner's other inputs.
		for i := range got {
			for k := range i {
				if got[i] != got[k] && sharesMemory(got[i], got[k]) {
					t.Fatalf("run %d: results %d and %d share memory", run, k, i)
				}
			}
		}
	}
	if n := inputs[4].I64[0]; n != n0+5 {
		t.Errorf("step counter %d after five runs from %d", n, n0)
	}
}

func countSwaps(r *Runner) int {
	n := 0
	for _, fb := range r.feedback {
		if fb.swap {
			n++
		}
	}
	return n
}

// TestFeedbackDoesNotAllocate: fed-back steps allocate nothing in steady
// state (argmin aside, whose kernel allocates; this step has none).
func TestFeedbackDoesNotAllocate(t *testing.T) {
	src := feedbackStep[:strings.Index(feedbackStep, "  %sol")] + "  return %loss, %w.new, %m.new, %n.new, %frozen, %m.new, %a\n}\n"
	f, err := ir.ParseFunc(src)
	if err != nil {
		t.Fatal(err)
	}
	r := feedbackRunner(t, mustNew(t, f))
	inputs := feedbackInputs(f)
	for range 3 {
		if _, err := r.Run(inputs); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := r.Run(inputs); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

// TestFeedbackFailedRunKeepsInputs: a run that fails writes nothing back.
func TestFeedbackFailedRunKeepsInputs(t *testing.T) {
	f, err := ir.ParseFunc(`func @f(%w: f64[3] param, %i: i64[] data) -> (f64[3], f64[]) {
  %two = full {value=2} : f64[3]
  %w.new = mul %w, %two : f64[3]
  %g = gather %w.new, %i : f64[]
  return %w.new, %g
}`)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mustNew(t, f).NewRunnerWith(Feedback(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	w := FromF64([]int{3}, []float64{1, 2, 3})
	if _, err := r.Run([]*Tensor{w, ScalarI64(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run([]*Tensor{w, ScalarI64(7)}); err == nil || !strings.Contains(err.Error(), "7") {
		t.Fatalf("error %v, want the index out of range", err)
	}
	if want := FromF64([]int{3}, []float64{2, 4, 6}); !w.Equal(want) {
		t.Errorf("after a failed run w = %v, want %v (the first run's result)", w, want)
	}
}

func TestFeedbackErrors(t *testing.T) {
	f, err := ir.ParseFunc(feedbackStep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := passes.Implicit(f); err != nil { // the argmin runs on its derived functions
		t.Fatal(err)
	}
	it := mustNew(t, f)
	for _, c := range []struct {
		name string
		opts []RunnerOption
		want string
	}{
		{"param out of range", []RunnerOption{Feedback(7, 1)}, "has 7 parameters and 7 results"},
		{"result out of range", []RunnerOption{Feedback(1, -1)}, "feedback of result -1"},
		{"types differ", []RunnerOption{Feedback(1, 0)}, "(%loss: f64[]) to parameter %w: f64[3,2]: the types differ"},
		{"twice", []RunnerOption{Feedback(1, 1), Feedback(1, 2)}, "%w is fed back twice"},
	} {
		if _, err := it.NewRunnerWith(c.opts...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	r := feedbackRunner(t, it)
	inputs := feedbackInputs(f)
	inputs[2] = inputs[1]
	if _, err := r.Run(inputs); err == nil || !strings.Contains(err.Error(), "are given the same tensor") {
		t.Errorf("one tensor for two fed-back parameters: error %v", err)
	}
}
