package nn_test

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
)

// The simplex ETF's identities (§7.1 of the paper's notes): M_sᵀM_s =
// (K/(K−1))·M with unit diagonal and −1/(K−1) off it, M_s·1 = 0,
// ‖M_s‖²_F = K, ‖U·M/√(K−1)‖_F = 1 for U on the Stiefel manifold; the
// Helmert basis has ΦᵀΦ = I and ΦΦᵀ = M; the canonical ETF's rows have
// unit norm and pairwise cosine −1/(K−1).
func TestETFIdentities(t *testing.T) {
	const tol = 1e-12
	for _, k := range []int{2, 3, 4, 10, 100} {
		m := mat.NewDense(k, k, nn.CentringMatrix(k))
		var ms mat.Dense
		ms.Scale(nn.ETFScale(k), m)
		var g mat.Dense
		g.Mul(ms.T(), &ms)
		for i := range k {
			for j := range k {
				want := -1 / float64(k-1)
				if i == j {
					want = 1
				}
				if math.Abs(g.At(i, j)-want) > tol {
					t.Fatalf("K=%d: (M_sᵀM_s)[%d,%d] = %.17g, want %.17g", k, i, j, g.At(i, j), want)
				}
			}
		}
		var one mat.VecDense
		one.MulVec(&ms, onesVec(k))
		if n := mat.Norm(&one, 2); n > tol {
			t.Errorf("K=%d: ‖M_s·1‖ = %.3g", k, n)
		}
		if n := mat.Norm(&ms, 2); math.Abs(n*n-float64(k)) > tol*float64(k) {
			t.Errorf("K=%d: ‖M_s‖²_F = %.17g, want %d", k, n*n, k)
		}
		var mm mat.Dense
		mm.Mul(m, m)
		if !mat.EqualApprox(&mm, m, tol) {
			t.Errorf("K=%d: M is not idempotent", k)
		}
		// U = the first K columns of the identity in d = K + 3 dimensions.
		u := mat.NewDense(k+3, k, nil)
		for i := range k {
			u.Set(i, i, 1)
		}
		var e mat.Dense
		e.Mul(u, m)
		e.Scale(1/math.Sqrt(float64(k-1)), &e)
		if n := mat.Norm(&e, 2); math.Abs(n-1) > tol {
			t.Errorf("K=%d: ‖U·M/√(K−1)‖_F = %.17g, want 1", k, n)
		}
		phi := mat.NewDense(k, k-1, nn.Helmert(k))
		var ptp, ppt mat.Dense
		ptp.Mul(phi.T(), phi)
		ppt.Mul(phi, phi.T())
		if !mat.EqualApprox(&ptp, eye(k-1), tol) || !mat.EqualApprox(&ppt, m, tol) {
			t.Errorf("K=%d: the Helmert basis has ΦᵀΦ ≠ I or ΦΦᵀ ≠ M", k)
		}
		for _, d := range []int{k - 1, k, k + 5} {
			w, err := nn.CanonicalETF(k, d)
			if err != nil {
				t.Fatal(err)
			}
			wm := mat.NewDense(k, d, w)
			var ww mat.Dense
			ww.Mul(wm, wm.T())
			if !mat.EqualApprox(&ww, &g, tol) {
				t.Errorf("K=%d d=%d: the canonical ETF's Gram matrix is not (K/(K−1))·M", k, d)
			}
		}
	}
}

func onesVec(n int) *mat.VecDense {
	v := mat.NewVecDense(n, nil)
	for i := range n {
		v.SetVec(i, 1)
	}
	return v
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}

// A feature dimension below K − 1 is an error that says why; d = K − 1
// builds (through the Helmert basis), as do d ≥ K.
func TestETFHeadDimensions(t *testing.T) {
	build := func(head nn.ETFHead, d int) error {
		b := builder.New("head")
		phi := b.Data("phi", ir.F64, 8, d)
		labels := b.Data("labels", ir.I64, 8)
		out := nn.ETFClassifier(b, phi, labels, nn.ETFConfig{Head: head, Classes: 10, Tau: 5})
		if out != nil {
			b.Return(append([]*ir.Value{b.SoftmaxXent(out.Logits, labels)}, out.Next...)...)
		}
		_, err := b.Build()
		return err
	}
	for _, head := range []nn.ETFHead{nn.FixedHead, nn.ImplicitHead} {
		err := build(head, 8)
		if err == nil || !strings.Contains(err.Error(), "feature dimension d = 8 < K − 1 = 9: a simplex ETF of K = 10 classes spans K − 1 dimensions") {
			t.Errorf("%s head, d = 8: got %v", head, err)
		}
		for _, d := range []int{9, 10, 11, 64} {
			if err := build(head, d); err != nil {
				t.Errorf("%s head, d = %d: %v", head, d, err)
			}
		}
	}
	if err := build(nn.StandardHead, 3); err != nil {
		t.Errorf("standard head, d = 3: %v", err)
	}
}
