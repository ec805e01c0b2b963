package etf_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// gradient runs the gradient function of method (with T guesses averaged)
// of model at batch n, its parameters drawn by seed and its state zero,
// but for the head's step counter (and, after step 0, its moving
// average and last solution), and returns the gradient (or the
// estimate) of every parameter, concatenated in f's order.
func gradient(t *testing.T, model etf.ModelFunc, x []float64, labels []int64, method string, guesses int, step int64) []float64 {
	t.Helper()
	n := len(labels)
	f, inits, err := model(n)
	if err != nil {
		t.Fatal(err)
	}
	g, err := fwdgrad.Build(f, fwdgrad.Config{Method: method, Guesses: guesses})
	if err != nil {
		t.Fatal(err)
	}
	fn, err := passes.Run(g.Func, passes.Cleanup, passes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	values, err := nn.InitParams(f, inits, 5)
	if err != nil {
		t.Fatal(err)
	}
	var in []*runtime.Tensor
	for _, p := range fn.Params {
		switch {
		case p.Name == "x":
			in = append(in, runtime.FromFloat64s(p.Type, x))
		case p.Name == "labels":
			in = append(in, runtime.FromI64([]int{n}, labels))
		case p.Name == g.Key || p.Name == g.Counter:
			in = append(in, runtime.ScalarU64(3))
		case p.Name == "head.step":
			in = append(in, runtime.ScalarI64(step))
		case p.Name == "head.prox" && step > 0:
			in = append(in, runtime.FromFloat64s(p.Type, etf.RandomStiefel(rand.New(rand.NewPCG(4, 5)), p.Type.Shape[0], p.Type.Shape[1]).RawMatrix().Data))
		case p.Name == "head.ema" && step > 0:
			// A moving average that has settled elsewhere, as after many
			// steps: the batch moves it by α_t only.
			in = append(in, runtime.FromFloat64s(p.Type, normals(rand.New(rand.NewPCG(4, 4)), p.Type.Shape.Size())))
		case values[p.Name] != nil:
			in = append(in, runtime.FromFloat64s(p.Type, values[p.Name]))
		case p.Role == ir.State && p.Type.Rank() == 2 && p.Type.Shape[0] < p.Type.Shape[1]:
			in = append(in, fwdgrad.OrthonormalRows(p.Type, 9)) // a guess's warm start
		default:
			in = append(in, runtime.Zeros(p.Type))
		}
	}
	out, err := runtime.Run(fn, in)
	if err != nil {
		t.Fatal(err)
	}
	var flat []float64
	for i := range g.Params {
		flat = append(flat, out[1+i].Float64s()...)
	}
	return flat
}

func cosine(a, b []float64) float64 { return dot(a, b) / math.Sqrt(dot(a, a)*dot(b, b)) }

// Activation-perturbation estimates assume the loss is a sum of
// per-example terms, each depending on its own example only: the
// estimate Σ_b J_b·y_b·x_bᵀ uses the tangent J_b of example b's loss, and
// its mean over the guesses is the gradient of the "own" terms ∂ℓ_b/∂s_b.
// A head that couples the examples of a batch (the fixed and implicit
// heads, through the batch mean μ_G in their bias and, for the implicit
// head, the class means in the nearest ETF) adds terms ∂ℓ_b/∂s_b' that
// the estimate drops: a bias. With T guesses averaged, 1/cos² − 1 of the
// estimate and the gradient is a + b/T, the variance's part b/T; a, the
// bias's, is 0 for AP (unbiased) under the standard head, whose loss is
// separable, and not under the coupled heads. The test extrapolates a from
// T = 1024 and 4096 and reports cos_∞ = 1/√(1 + a). Under the implicit
// head the coupling through the node is strong at the first step (α = 1)
// and weak once the moving average has settled (α = 2/(t + 2)).
func TestGuessesMissTheBatchCoupling(t *testing.T) {
	cfg := data.DefaultMNIST1D()
	cfg.NumSamples = 300
	ds, _, err := data.GenerateMNIST1D(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x, labels := make([]float64, n*40), make([]int64, n)
	ds.Batch(idx, x, labels)
	limit := map[string]float64{}
	for _, c := range []struct {
		head nn.ETFHead
		step int64
	}{{nn.StandardHead, 0}, {nn.FixedHead, 0}, {nn.ImplicitHead, 0}, {nn.ImplicitHead, 100}} {
		model, _ := etf.MLP(40, []int{32, 32}, 11, false, nn.ETFConfig{Head: c.head, Classes: 10, Tau: 5}, ir.F64)
		truth := gradient(t, model, x, labels, fwdgrad.Backprop, 1, c.step)
		excess := func(T int) float64 {
			c := cosine(gradient(t, model, x, labels, "ap", T, c.step), truth)
			return 1/(c*c) - 1
		}
		x1, x4 := excess(1024), excess(4096)
		name := c.head.String()
		if c.head == nn.ImplicitHead {
			name += fmt.Sprintf(" (t = %d, α = %.3f)", c.step, 2/float64(c.step+2))
		}
		limit[name] = 1 / math.Sqrt(1+max(0, (4*x4-x1)/3))
		t.Logf("%-28s cos(AP estimate, gradient) %.3f with 1024 guesses averaged, %.3f with 4096; extrapolated to infinitely many: %.3f",
			name+":", 1/math.Sqrt(1+x1), 1/math.Sqrt(1+x4), limit[name])
	}
	if c := limit["standard"]; !(c > 0.95) {
		t.Errorf("standard head: the averaged estimate tends to cos %.3f, want about 1 (AP is unbiased there)", c)
	}
	early, late := limit["implicit (t = 0, α = 1.000)"], limit["implicit (t = 100, α = 0.020)"]
	for name, c := range map[string]float64{"fixed": limit["fixed"], "implicit at t = 0": early} {
		if !(c < limit["standard"]-0.05) {
			t.Errorf("%s: the averaged estimate tends to cos %.3f, want clearly below the standard head's %.3f", name, c, limit["standard"])
		}
	}
	// The DDN path is scaled by α_t: late in a run the implicit head's
	// coupling is mostly μ_G's, as the fixed head's.
	if !(late > early+0.1 && late < limit["standard"]-0.01) {
		t.Errorf("implicit at t = 100: cos %.3f, want between t = 0's %.3f and the standard head's %.3f", late, early, limit["standard"])
	}
}
