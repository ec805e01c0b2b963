package passes_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// outsideSpan returns the largest ‖(I − P)y‖/‖y‖ over the guesses y of
// example b, with P the projector p.
func outsideSpan(ys *runtime.Tensor, b int, p *mat.Dense) float64 {
	s := ys.Type.Shape
	T, B, d := s[0], s[1], s[2]
	worst := 0.0
	for k := range T {
		y := mat.NewVecDense(d, append([]float64(nil), ys.F64[(k*B+b)*d:(k*B+b+1)*d]...))
		var py, r mat.VecDense
		py.MulVec(p, y)
		r.SubVec(y, &py)
		worst = math.Max(worst, r.Norm(2)/y.Norm(2))
	}
	return worst
}

// Block Krylov iteration converges to the exact top-k right singular
// subspace. Once the Krylov space spans the row space (few iterations on a
// narrow layer) every W̃⊥ guess lies in span(V_k) of the exact SVD to
// 1e-8; on a wider layer the distance shrinks with every iteration.
func TestSubspaceIterationMatchesSVD(t *testing.T) {
	const k, batch = 10, 4
	distance := func(n *guessNet, opts passes.GuessOptions) float64 {
		t.Helper()
		s1, w2 := n.value(t, "s1"), n.inputs[3]
		_, out := n.step(t, opts, 1)
		ys := out[len(out)-3]
		worst := 0.0
		for b := range batch {
			worst = math.Max(worst, outsideSpan(ys, b, topRight(jacobianS1(n, s1, w2, b, false), k)))
		}
		return worst
	}
	narrow := newGuessNet(t, deepMLP(t, ir.F64, 3, 64, batch, 40, 10), 6) // rank ≈ 32
	if d := distance(narrow, passes.GuessOptions{Method: passes.WPerp, K: k, Guesses: 20, Iters: 3}); d > 1e-8 {
		t.Errorf("width 64, 3 iterations: guesses leave span(V_k) by %.2g", d)
	}
	wide := newGuessNet(t, deepMLP(t, ir.F64, 3, 128, batch, 40, 10), 6) // rank ≈ 64
	var ds []float64
	for it := 1; it <= 4; it++ {
		ds = append(ds, distance(wide, passes.GuessOptions{Method: passes.WPerp, K: k, Guesses: 20, Iters: it, Oversample: 10}))
	}
	t.Logf("width 128, oversample 10, 1..4 iterations: largest distance from span(V_k) %.1e", ds)
	for i := 1; i < len(ds); i++ {
		if ds[i] > ds[i-1]*1.01 {
			t.Errorf("distance grew from %.2g to %.2g at iteration %d", ds[i-1], ds[i], i+1)
		}
	}
	if last := ds[len(ds)-1]; last > 1e-8 {
		t.Errorf("after 4 iterations (Krylov space 100 > rank): %.2g", last)
	}
}

// With a next-layer weight whose transpose has orthonormal rows and all
// units active (here: no nonlinearity between the layers), W̃ᵀW̃ is the
// projector onto the row space, so W̃ᵀ and W̃⊥(k = d2) have the same
// covariance, and the sample covariances of both match it.
func TestWTEqualsWPerpForOrthonormalRows(t *testing.T) {
	const d1, d2, draws = 6, 3, 20000
	b := builder.New("lin")
	x := b.Data("x", ir.F64, 2, 4)
	labels := b.Data("t", ir.I64, 2)
	s1 := b.Named("s1", b.Matmul(x, b.Param("w1", ir.F64, 4, d1)))
	s2 := b.Named("s2", b.Matmul(s1, b.Param("w2", ir.F64, d1, d2)))
	z := b.Matmul(b.Relu(s2), b.Param("w3", ir.F64, d2, 2))
	b.Return(b.Named("loss", b.SoftmaxXent(z, labels)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	n := newGuessNet(t, f, 8)
	// w2 [d1, d2] with orthonormal columns: A = w2ᵀ has orthonormal rows.
	q := fwdgrad.OrthonormalRows(ir.TensorOf(ir.F64, d2, d1), 5) // rows orthonormal, [d2, d1]
	w2 := make([]float64, d1*d2)
	for i := range d1 {
		for j := range d2 {
			w2[i*d2+j] = q.F64[j*d1+i]
		}
	}
	n.inputs[3] = runtime.FromF64([]int{d1, d2}, w2)
	a := mat.NewDense(d2, d1, q.F64)
	var ata mat.Dense
	ata.Mul(a.T(), a)
	proj := topRight(a, d2)
	var diff mat.Dense
	diff.Sub(&ata, proj)
	if nrm := mat.Norm(&diff, 2); nrm > 1e-12 {
		t.Fatalf("W̃ᵀW̃ differs from V_kV_kᵀ by %g", nrm)
	}
	for _, m := range []passes.GuessMethod{passes.WT, passes.WPerp} {
		_, out := n.step(t, passes.GuessOptions{Method: m, K: d2, Guesses: draws, Exact: true}, 3)
		ys := out[len(out)-3]
		for ex := range 2 {
			checkCov(t, m.Name(), sampleCov(ys, ex), proj, draws)
		}
	}
}

// W̃⊥ with k = rank, by the SVD and by the row-space projector: the
// guesses span the whole row space of each example's Jacobian, and the
// gradient lies in it (overlap 1).
func TestWPerpRank(t *testing.T) {
	const batch = 3
	n := newGuessNet(t, deepMLP(t, ir.F64, 3, 12, batch, 5, 4), 2)
	s1, w2 := n.value(t, "s1"), n.inputs[3]
	for _, exact := range []bool{true, false} {
		_, out := n.step(t, passes.GuessOptions{Method: passes.WPerp, K: -1, Exact: exact, Guesses: 400}, 1)
		ys := out[len(out)-3]
		for b := range batch {
			a := jacobianS1(n, s1, w2, b, false)
			rank := 0
			var svd mat.SVD
			svd.Factorize(a, mat.SVDNone)
			for _, v := range svd.Values(nil) {
				if v > 1e-9 {
					rank++
				}
			}
			p := topRight(a, rank)
			if r := outsideSpan(ys, b, p); r > 1e-6 {
				t.Errorf("exact=%v, example %d: guesses leave the row space (rank %d) by %.2g", exact, b, rank, r)
			}
			checkCov(t, fmt.Sprintf("exact=%v, example %d", exact, b), sampleCov(ys, b), p, 400)
		}
	}
	// A layer whose segment has no more outputs than k (s2 → s3: 4 ≤ 10)
	// takes the same projector on the default path.
	s2, w3 := n.value(t, "s2"), n.inputs[4]
	_, out := n.step(t, passes.GuessOptions{Method: passes.WPerp, K: 10, Guesses: 400}, 1)
	ys := out[len(out)-2]
	for b := range batch {
		a := jacobianS1(n, s2, w3, b, false)
		var svd mat.SVD
		svd.Factorize(a, mat.SVDNone)
		rank := 0
		for _, v := range svd.Values(nil) {
			if v > 1e-9 {
				rank++
			}
		}
		p := topRight(a, rank)
		if r := outsideSpan(ys, b, p); r > 1e-6 {
			t.Errorf("k ≥ d2, example %d: guesses leave the row space (rank %d) by %.2g", b, rank, r)
		}
		checkCov(t, fmt.Sprintf("k ≥ d2, example %d", b), sampleCov(ys, b), p, 400)
	}
	if _, err := passes.Guess(n.f, passes.GuessOptions{Method: passes.WT, K: -1}); err == nil {
		t.Error("wt with k = rank: no error")
	}
}
