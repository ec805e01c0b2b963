package optim

import (
	"math"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// firstSteps runs opt on a given-gradient function for len(grads) steps
// from p0 (f64) and returns the trainer.
func firstSteps(t *testing.T, opt Optimizer, p0 []float64, grads ...[]float64) *trainer {
	t.Helper()
	st, err := Apply(givenGrads(t, ir.F64, len(p0)), []string{"w"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTrainer(t, st, map[string]*runtime.Tensor{"w": runtime.FromF64([]int{len(p0)}, append([]float64(nil), p0...))})
	for _, g := range grads {
		tr.step(map[string]*runtime.Tensor{"w_grad": runtime.FromF64([]int{len(g)}, append([]float64(nil), g...))})
	}
	return tr
}

// TestFirstStepClosedForms checks step 1 against its closed form: SGD
// moves by −lr·(g + wd·p); AdamW (m = (1−β1)g, v = (1−β2)g², both bias
// corrections cancel) moves by −lr·g/(|g| + eps), i.e. by lr against the
// sign of g whatever g's magnitude, after the decoupled decay p·(1−lr·wd).
func TestFirstStepClosedForms(t *testing.T) {
	p0 := []float64{0.5, -1.25, 2.0, -0.75, 3.0}
	g := []float64{1e-2, -0.3, 7.0, 1e3, -5e-2}
	const lr, wd = 0.01, 0.1
	cases := []struct {
		name string
		opt  Optimizer
		want func(p, g float64) float64
		tol  float64
	}{
		{"sgd", SGD{LR: lr}, func(p, g float64) float64 { return p - lr*g }, 1e-15},
		{"sgd/wd", SGD{LR: lr, WeightDecay: wd}, func(p, g float64) float64 { return p - lr*(g+wd*p) }, 1e-15},
		{"adamw/wd0", AdamW{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
			func(p, g float64) float64 { return p - lr*g/(math.Abs(g)+1e-8) }, 1e-13},
		{"adamw/wd", AdamW{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd},
			func(p, g float64) float64 { return p*(1-lr*wd) - lr*g/(math.Abs(g)+1e-8) }, 1e-13},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := firstSteps(t, c.opt, p0, g).get("w")
			want := make([]float64, len(p0))
			for i := range p0 {
				want[i] = c.want(p0[i], g[i])
			}
			if err := checkClose(got, want, c.tol); err != nil {
				t.Error(err)
			}
		})
	}

	t.Run("adamw/sign", func(t *testing.T) {
		got := firstSteps(t, AdamW{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, p0, g).get("w")
		for i := range p0 {
			// |g| ≥ 1e-2, so eps/|g| ≤ 1e-6.
			if move, want := got[i]-p0[i], -lr*math.Copysign(1, g[i]); math.Abs(move-want) > 1e-6*lr {
				t.Errorf("coordinate %d (g = %g): moved by %.12g, want ≈ %g", i, g[i], move, want)
			}
		}
	})
}

// TestMomentumBuffer checks that the first step copies the gradient into
// the buffer whatever the slot holds (PyTorch creates the buffer then),
// that later steps blend μ·buf + (1 − dampening)·g, and the Nesterov
// look-ahead g + μ·buf.
func TestMomentumBuffer(t *testing.T) {
	const lr, mu, damp = 0.1, 0.9, 0.25
	p0 := []float64{1, -2, 3}
	g1 := []float64{0.5, -0.25, 2}
	g2 := []float64{-1, 0.75, 0.125}

	t.Run("first step", func(t *testing.T) {
		tr := firstSteps(t, Momentum{LR: lr, Mu: mu, Dampening: damp}, p0)
		tr.state["w.buf"] = runtime.FromF64([]int{3}, []float64{1e6, -1e6, math.NaN()}) // ignored at step 1
		tr.step(map[string]*runtime.Tensor{"w_grad": runtime.FromF64([]int{3}, g1)})
		buf, p := tr.get("w.buf"), tr.get("w")
		for i := range p0 {
			if buf[i] != g1[i] {
				t.Errorf("buf[%d] = %v, want g = %v", i, buf[i], g1[i])
			}
			if want := p0[i] - lr*g1[i]; p[i] != want {
				t.Errorf("w[%d] = %v, want p − lr·g = %v", i, p[i], want)
			}
		}
	})

	t.Run("second step", func(t *testing.T) {
		tr := firstSteps(t, Momentum{LR: lr, Mu: mu, Dampening: damp}, p0, g1, g2)
		buf, p := tr.get("w.buf"), tr.get("w")
		for i := range p0 {
			wantBuf := mu*g1[i] + (1-damp)*g2[i]
			wantP := p0[i] - lr*g1[i] - lr*wantBuf
			if math.Abs(buf[i]-wantBuf) > 1e-15*math.Abs(wantBuf) {
				t.Errorf("buf[%d] = %v, want μ·g1 + (1−d)·g2 = %v", i, buf[i], wantBuf)
			}
			if math.Abs(p[i]-wantP) > 1e-15*math.Abs(wantP) {
				t.Errorf("w[%d] = %v, want %v", i, p[i], wantP)
			}
		}
	})

	t.Run("nesterov", func(t *testing.T) {
		tr := firstSteps(t, Momentum{LR: lr, Mu: mu, Nesterov: true}, p0, g1)
		p1 := tr.get("w")
		for i := range p0 {
			// buf = g, so the step is g + μ·g.
			if want := p0[i] - lr*(g1[i]+mu*g1[i]); math.Abs(p1[i]-want) > 1e-15*math.Abs(want) {
				t.Errorf("step 1: w[%d] = %v, want p − lr·(1+μ)·g = %v", i, p1[i], want)
			}
		}
		tr.step(map[string]*runtime.Tensor{"w_grad": runtime.FromF64([]int{3}, g2)})
		p2 := tr.get("w")
		for i := range p0 {
			buf := mu*g1[i] + g2[i]
			if want := p1[i] - lr*(g2[i]+mu*buf); math.Abs(p2[i]-want) > 1e-15*math.Abs(want) {
				t.Errorf("step 2: w[%d] = %v, want p − lr·(g + μ·buf) = %v", i, p2[i], want)
			}
		}
	})
}
