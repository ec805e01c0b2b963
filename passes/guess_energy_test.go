package passes_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// capturedEnergy returns ‖A V‖²_F / Σ_{j≤k} σ_j² for the span V of the
// guesses ys [T, B, d] of example b (T > k guesses span V_k): 1 when V is
// the top-k right singular subspace of a, less otherwise.
func capturedEnergy(ys *runtime.Tensor, b, k int, a *mat.Dense) float64 {
	s := ys.Type.Shape
	T, B, d := s[0], s[1], s[2]
	y := mat.NewDense(T, d, nil)
	for i := range T {
		y.SetRow(i, ys.F64[(i*B+b)*d:(i*B+b+1)*d])
	}
	var sy, sa mat.SVD
	sy.Factorize(y, mat.SVDThinV)
	sa.Factorize(a, mat.SVDNone)
	var v mat.Dense
	sy.VTo(&v)
	var av mat.Dense
	av.Mul(a, v.Slice(0, d, 0, k))
	best := 0.0
	for _, sv := range sa.Values(nil)[:k] {
		best += sv * sv
	}
	f := mat.Norm(&av, 2) // Frobenius
	return f * f / best
}

// warmSteps runs the wperp step of n steps times, feeding each step's
// new warm start to the next as training does, and returns the results
// of the last.
func warmSteps(t *testing.T, n *guessNet, opts passes.GuessOptions, steps int) []*runtime.Tensor {
	t.Helper()
	st, g := n.build(t, opts)
	var state []*runtime.Tensor
	for i, name := range st.State {
		state = append(state, fwdgrad.OrthonormalRows(st.Func.Param(name).Type, uint64(i+1)))
	}
	var out []*runtime.Tensor
	for c := range steps {
		in := append(n.inputs[:len(n.inputs):len(n.inputs)], runtime.ScalarU64(7), runtime.ScalarU64(uint64(c+1)))
		var err error
		if out, err = runtime.Run(g, append(in, state...)); err != nil {
			t.Fatal(err)
		}
		first := 1 + len(st.Estimates)
		state = out[first : first+len(st.State)]
	}
	return out
}

// The Krylov V_k captures nearly all of the energy of the exact top-k
// subspace, ‖A_bV_k‖²_F / Σ_{j≤k} σ_j², on a random (flat-spectrum) MLP of
// the paper's shape, and more with more Krylov steps or warm steps.
func TestSubspaceEnergy(t *testing.T) {
	const k, batch, width = 10, 8, 128
	n := newGuessNet(t, deepMLP(t, ir.F64, 4, width, batch, 40, 10), 3)
	s1, w2 := n.value(t, "s1"), n.inputs[3]
	energy := func(iters, steps int) (mean, worst float64) {
		out := warmSteps(t, n, passes.GuessOptions{Method: passes.WPerp, K: k, Guesses: 2 * k, Iters: iters}, steps)
		ys := out[len(out)-4] // the guesses of s1
		worst = 1
		for b := range batch {
			e := capturedEnergy(ys, b, k, jacobianS1(n, s1, w2, b, false))
			mean += e / batch
			worst = min(worst, e)
		}
		return mean, worst
	}
	for _, c := range []struct {
		iters, steps int
		least        float64
	}{{1, 1, 0.85}, {1, 8, 0.9}, {2, 1, 0.95}, {3, 1, 0.98}} {
		mean, worst := energy(c.iters, c.steps)
		t.Logf("%d Krylov steps, %d warm steps: captured energy mean %.4f, worst %.4f", c.iters, c.steps, mean, worst)
		if worst < c.least {
			t.Errorf("%d Krylov steps, %d warm steps: worst captured energy %.4f < %.2f", c.iters, c.steps, worst, c.least)
		}
	}
}
