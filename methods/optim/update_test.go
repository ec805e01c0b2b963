package optim

import (
	"fmt"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// The parameter and the gradients of the oracle tests: a [2,3] tensor
// whose coordinates move away from zero (each gradient has the opposite
// sign of its coordinate), with magnitudes that vary per step and per
// coordinate, so no value the tests compare comes near zero.
var (
	oracleP0    = []float64{0.5, -1.25, 2.0, -0.75, 1.5, -2.5}
	oracleSteps = 5
)

func oracleGrad(k int) []float64 {
	g := make([]float64, len(oracleP0))
	for i, p := range oracleP0 {
		mag := 0.3 + 0.17*float64(k) + 0.05*float64(i*i) + 0.01*float64((k*7+i*3)%5)
		if p > 0 {
			mag = -mag
		}
		g[i] = mag
	}
	return g
}

// optimizerCases pairs each optimizer configuration with its oracle.
func optimizerCases() []struct {
	name   string
	opt    Optimizer
	oracle func() oracle
} {
	return []struct {
		name   string
		opt    Optimizer
		oracle func() oracle
	}{
		{"sgd", SGD{LR: 0.1}, func() oracle { return &sgdOracle{lr: 0.1} }},
		{"sgd/wd", SGD{LR: 0.05, WeightDecay: 0.01}, func() oracle { return &sgdOracle{lr: 0.05, wd: 0.01} }},
		{"momentum", Momentum{LR: 0.1, Mu: 0.9},
			func() oracle { return &momentumOracle{lr: 0.1, mu: 0.9} }},
		{"momentum/dampening+wd", Momentum{LR: 0.05, Mu: 0.8, Dampening: 0.3, WeightDecay: 0.02},
			func() oracle { return &momentumOracle{lr: 0.05, mu: 0.8, damp: 0.3, wd: 0.02} }},
		{"momentum/nesterov", Momentum{LR: 0.1, Mu: 0.9, Nesterov: true, WeightDecay: 0.01},
			func() oracle { return &momentumOracle{lr: 0.1, mu: 0.9, nesterov: true, wd: 0.01} }},
		{"momentum/mu0", Momentum{LR: 0.1, Dampening: 0.5},
			func() oracle { return &momentumOracle{lr: 0.1, damp: 0.5} }},
		{"adamw/default", DefaultAdamW(),
			func() oracle { return &adamwOracle{lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.01} }},
		{"adamw/lr1e-2,wd0.1", AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1},
			func() oracle { return &adamwOracle{lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.1} }},
		{"adamw/wd0,betas(0.8,0.99)", AdamW{LR: 0.05, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6},
			func() oracle { return &adamwOracle{lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6} }},
		{"adamw/beta1=0.3 (lerp's other branch)", AdamW{LR: 0.02, Beta1: 0.3, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.05},
			func() oracle { return &adamwOracle{lr: 0.02, beta1: 0.3, beta2: 0.95, eps: 1e-8, wd: 0.05} }},
	}
}

// TestMatchesOracle runs every optimizer for five steps in the
// interpreter, feeding the results back, and compares the parameter and
// the slots after every step with the float64 oracle.
func TestMatchesOracle(t *testing.T) {
	for _, dc := range []struct {
		d   ir.DType
		tol float64
	}{{ir.F64, 1e-14}, {ir.F32, 1e-6}} {
		for _, c := range optimizerCases() {
			t.Run(fmt.Sprintf("%s/%s", dc.d, c.name), func(t *testing.T) {
				st, err := Apply(givenGrads(t, dc.d, 2, 3), []string{"w"}, c.opt)
				if err != nil {
					t.Fatal(err)
				}
				typ := ir.TensorOf(dc.d, 2, 3)
				p := roundTo(dc.d, oracleP0)
				tr := newTrainer(t, st, map[string]*runtime.Tensor{"w": runtime.FromFloat64s(typ, p)})
				o := c.oracle()
				for k := 1; k <= oracleSteps; k++ {
					g := roundTo(dc.d, oracleGrad(k))
					tr.step(map[string]*runtime.Tensor{"w_grad": runtime.FromFloat64s(typ, g)})
					o.step(p, g, k)
					if err := checkClose(tr.get("w"), p, dc.tol); err != nil {
						t.Errorf("step %d: w: %v", k, err)
					}
					for j, s := range o.slots(len(p)) {
						name := "w." + c.opt.Slots()[j]
						if err := checkClose(tr.get(name), s, dc.tol); err != nil {
							t.Errorf("step %d: %s: %v", k, name, err)
						}
					}
					if got := tr.get(StepName)[0]; got != float64(k) {
						t.Errorf("step %d: %s = %v", k, StepName, got)
					}
				}
			})
		}
	}
}
