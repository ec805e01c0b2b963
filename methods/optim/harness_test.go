package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// givenGrads builds @g(%w: d[dims] param, %w.grad: d[dims] data) ->
// (loss, %w.grad): a gradient function whose gradient is an input, so a
// test can feed any sequence of gradients.
func givenGrads(t *testing.T, d ir.DType, dims ...int) *ir.Func {
	t.Helper()
	b := builder.New("g")
	w := b.Param("w", d, dims...)
	gw := b.Data("w_grad", d, dims...)
	loss := b.Named("loss", b.Mul(b.Scalar(d, 0.5), b.Sum(b.Square(w))))
	b.Return(loss, gw)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// trainer runs a Step, feeding its new values back into its parameters.
type trainer struct {
	t     *testing.T
	st    *Step
	it    *runtime.Interpreter
	state map[string]*runtime.Tensor
}

// newTrainer starts training st from the given parameter values, with
// zero slots and step 0.
func newTrainer(t *testing.T, st *Step, params map[string]*runtime.Tensor) *trainer {
	t.Helper()
	it, err := runtime.New(st.Func)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trainer{t: t, st: st, it: it, state: map[string]*runtime.Tensor{}}
	for name, v := range params {
		tr.state[name] = v
	}
	for _, name := range st.Slots {
		tr.state[name] = runtime.Zeros(st.Func.Param(name).Type)
	}
	tr.state[st.StepName] = runtime.ScalarI64(0)
	return tr
}

// step runs one training step with the given data inputs and returns all
// results.
func (tr *trainer) step(data map[string]*runtime.Tensor) []*runtime.Tensor {
	tr.t.Helper()
	inputs := make([]*runtime.Tensor, len(tr.st.Func.Params))
	for i, p := range tr.st.Func.Params {
		v, ok := data[p.Name]
		if !ok {
			v, ok = tr.state[p.Name]
		}
		if !ok {
			tr.t.Fatalf("no input for %s", p)
		}
		inputs[i] = v
	}
	res, err := tr.it.Run(inputs)
	if err != nil {
		tr.t.Fatal(err)
	}
	for name := range tr.state {
		if i := tr.st.ResultOf(name); i >= 0 {
			tr.state[name] = res[i]
		}
	}
	return res
}

// get returns the current value of a parameter, slot or the step counter.
func (tr *trainer) get(name string) []float64 { return tr.state[name].Float64s() }

// checkClose reports elements of got that differ from want by more than
// tol relative to want (exact equality always passes).
func checkClose(got, want []float64, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d elements, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] == want[i] {
			continue
		}
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Abs(want[i])) {
			return fmt.Errorf("element %d: got %.17g, want %.17g (relative error %.3g > %g)", i, got[i], want[i], d/math.Abs(want[i]), tol)
		}
	}
	return nil
}

// roundTo rounds xs to the precision of dtype d, so an oracle starts from
// exactly the inputs the IR sees.
func roundTo(d ir.DType, xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x
		if d == ir.F32 {
			out[i] = float64(float32(x))
		}
	}
	return out
}
