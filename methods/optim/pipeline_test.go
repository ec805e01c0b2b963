package optim

import (
	"math"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// TestVJPThenApply trains a linear regression end to end: the vjp pass
// makes the gradient function, Apply appends the update, and the clean-up
// passes (fold, cse, dce) leave the step's results unchanged.
func TestVJPThenApply(t *testing.T) {
	b := builder.New("linreg")
	x := b.Data("x", ir.F64, 8, 3)
	y := b.Data("y", ir.F64, 8, 1)
	w := b.Param("w", ir.F64, 3, 1)
	bias := b.Param("b", ir.F64, 1)
	z := b.Add(b.Matmul(x, w), bias)
	b.Return(b.Named("loss", b.Mean(b.Square(b.Sub(z, y)))))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	g, err := passes.VJP(f, []string{"w", "b"})
	if err != nil {
		t.Fatal(err)
	}

	xs := make([]float64, 24)
	ys := make([]float64, 8)
	for i := range 8 {
		for j := range 3 {
			xs[i*3+j] = math.Sin(float64(1 + i*3 + j))
		}
		ys[i] = 0.5*xs[i*3] - 1.5*xs[i*3+1] + 2*xs[i*3+2] + 0.25
	}
	data := map[string]*runtime.Tensor{"x": runtime.FromF64([]int{8, 3}, xs), "y": runtime.FromF64([]int{8, 1}, ys)}

	for _, opt := range []Optimizer{SGD{LR: 0.1}, Momentum{LR: 0.05, Mu: 0.9}, AdamW{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}} {
		t.Run(opt.Name(), func(t *testing.T) {
			st, err := Apply(g, []string{"w", "b"}, opt)
			if err != nil {
				t.Fatal(err)
			}
			clean, err := passes.Run(st.Func, passes.Cleanup, passes.Options{Verify: true})
			if err != nil {
				t.Fatal(err)
			}
			cst := *st
			cst.Func = clean
			init := func() map[string]*runtime.Tensor {
				return map[string]*runtime.Tensor{"w": runtime.Zeros(ir.TensorOf(ir.F64, 3, 1)), "b": runtime.Zeros(ir.TensorOf(ir.F64, 1))}
			}
			raw, cleaned := newTrainer(t, st, init()), newTrainer(t, &cst, init())
			var first, last float64
			for k := range 300 {
				r, o := raw.step(data), cleaned.step(data)
				if err := checkClose(o[0].F64, r[0].F64, 1e-14); err != nil {
					t.Fatalf("step %d: loss after clean-up: %v", k+1, err)
				}
				if k == 0 {
					first = r[0].F64[0]
				}
				last = r[0].F64[0]
			}
			for _, name := range append([]string{"w", "b"}, st.Slots...) {
				if err := checkClose(cleaned.get(name), raw.get(name), 1e-13); err != nil {
					t.Errorf("%s after clean-up: %v", name, err)
				}
			}
			if !(last < 1e-4*first) {
				t.Errorf("loss went from %v to %v in 300 steps", first, last)
			}
		})
	}
}
