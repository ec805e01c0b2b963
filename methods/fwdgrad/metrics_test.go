package fwdgrad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// paperNet is the paper's network shape at a small width: in → w → w → w →
// classes, ReLU, no biases, PyTorch's default init, f64.
func paperNet(t *testing.T, batch, in, width, classes int, seed uint64) (*ir.Func, []*runtime.Tensor) {
	t.Helper()
	b := builder.New("net")
	x := b.Data("x", ir.F64, batch, in)
	labels := b.Data("t", ir.I64, batch)
	h := x
	for i, w := range []int{width, width, width, classes} {
		s := b.Named(fmt.Sprintf("s%d", i+1), nn.Linear(b, fmt.Sprintf("l%d", i+1), h, w, nn.Bias(false)))
		h = s
		if i < 3 {
			h = b.Relu(s)
		}
	}
	b.Return(b.Named("loss", nn.CrossEntropy(b, h, labels)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	init, err := nn.InitParams(f, b.Inits(), seed)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	var inputs []*runtime.Tensor
	for _, p := range f.Params {
		switch p.Role {
		case ir.Param:
			inputs = append(inputs, runtime.FromFloat64s(p.Type, init[p.Name]))
		case ir.Data:
			data := make([]float64, p.Type.Shape.Size())
			for i := range data {
				if p.Type.DType == ir.I64 {
					data[i] = float64(r.IntN(classes))
				} else {
					data[i] = r.NormFloat64()
				}
			}
			inputs = append(inputs, runtime.FromFloat64s(p.Type, data))
		}
	}
	return f, inputs
}

// o_top(r) = 1: the gradient lies in the row space of the upstream
// Jacobian, so its top-rank right singular vectors capture all of it.
func TestOverlapAtRankIsOne(t *testing.T) {
	f, in := paperNet(t, 6, 8, 12, 3, 1)
	for _, seg := range [][2]string{{"s1", "s2"}, {"s2", "s3"}, {"s3", "s4"}} {
		jac, err := DenseJacobians(f, in, seg[0], seg[1])
		if err != nil {
			t.Fatal(err)
		}
		g, err := preActivationGrad(f, in, seg[0])
		if err != nil {
			t.Fatal(err)
		}
		for b, a := range jac {
			_, vk, rank, err := analyticCov(a, passes.WPerp, Config{Method: "wperp", K: 1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, vr, _, err := analyticCov(a, passes.WPerp, Config{Method: "wperp", K: rank}, nil)
			if err != nil {
				t.Fatal(err)
			}
			d := vk.RawMatrix().Rows
			if o := overlap(vr, g[b*d:(b+1)*d]); math.Abs(o-1) > 1e-10 {
				t.Errorf("%s example %d: o_top(rank=%d) = %.12f, want 1", seg[0], b, rank, o)
			}
		}
	}
}

func TestMetricsIdentities(t *testing.T) {
	const d = 32
	f, in := paperNet(t, 8, 10, d, 10, 2)
	get := func(m string, k int) *Metrics {
		t.Helper()
		ms, err := Measure(f, Config{Method: m, K: k, Exact: true}, in, 3, 4)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	perp, ap, bottom := get("wperp", 10), get("ap", 10), get("wperp-bottom", 10)
	last := len(perp.Layers) - 1
	// The last hidden layer's Jacobian has rank ≤ 10 (ten classes), so
	// W̃⊥(10) captures the whole gradient there: zero bias.
	if b := perp.Layers[last].Bias; b > 1e-15 {
		t.Errorf("W̃⊥(10) bias on the last hidden layer = %g, want 0", b)
	}
	for i := range ap.Layers {
		// Cov = QIQᵀ for AP: the identity to rounding.
		if ap.Layers[i].Bias > 1e-14 || ap.Layers[i].CovNorm > 1e-14 {
			t.Errorf("AP layer %d: bias %g, cov norm %g, want 0 (to rounding)", i, ap.Layers[i].Bias, ap.Layers[i].CovNorm)
		}
		// With rank ≥ 10, ‖P_10 − I‖_F / d = √(d − 10) / d exactly.
		if perp.Layers[i].Rank >= 10 {
			if want := math.Sqrt(d-10) / d; math.Abs(perp.Layers[i].CovNorm-want) > 1e-12 {
				t.Errorf("W̃⊥ layer %d cov norm %g, want %g", i, perp.Layers[i].CovNorm, want)
			}
		}
	}
	// The bottom guesses live where the gradient has no component:
	// E[ĝ] = 0, so the bias is the norm of the mean gradient.
	checked := 0
	for i, l := range bottom.Layers {
		if l.Rank > d-10 {
			continue // null space smaller than k: the bottom directions reach into the row space
		}
		checked++
		g, err := preActivationGrad(f, in, l.Layer)
		if err != nil {
			t.Fatal(err)
		}
		mean := make([]float64, d)
		for b := range 8 {
			for k := range d {
				mean[k] += g[b*d+k] / 8
			}
		}
		if want := mat.Norm(mat.NewVecDense(d, mean), 2); math.Abs(l.Bias-want) > 1e-12*want {
			t.Errorf("bottom layer %d bias %g, want ‖mean g‖ = %g", i, l.Bias, want)
		}
	}
	if checked == 0 {
		t.Error("no layer had a null space of dimension ≥ 10")
	}
	t.Logf("wperp: %+v cos %.3f; bottom checked on %d layers", perp.Layers, perp.Cosine, checked)
}
