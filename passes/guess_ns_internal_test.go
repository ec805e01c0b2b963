package passes

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

// The σ_k = 0.6 set of methods/fwdgrad's fitted coefficients (copied: this
// package cannot import fwdgrad) and its largest error outside the band.
var (
	ns06       = []float64{0.09509380337585413, 3.791818836642473, -4.275088854833627, 1.3874103566872862}
	ns06MaxErr = 0.0098
)

func scalarPoly(a []float64, x float64) float64 {
	x2 := x * x
	return x * (a[0] + x2*(a[1]+x2*(a[2]+x2*a[3])))
}

// withSingularValues returns U diag(s) Vᵀ for random orthogonal U (r×r)
// and V (c×c), r ≤ c, and the factors.
func withSingularValues(r, c int, s []float64) (a, u, v *mat.Dense) {
	orth := func(n int, seed float64) *mat.Dense {
		m := mat.NewDense(n, n, nil)
		for i := range n {
			for j := range n {
				m.Set(i, j, math.Sin(seed*float64(i*n+j+1)))
			}
		}
		var qr mat.QR
		qr.Factorize(m)
		var q mat.Dense
		qr.QTo(&q)
		return &q
	}
	u, v = orth(r, 1.3), orth(c, 2.7)
	sd := mat.NewDense(r, c, nil)
	for i, x := range s {
		sd.Set(i, i, x)
	}
	var us, usv mat.Dense
	us.Mul(u, sd)
	usv.Mul(&us, v.T())
	return &usv, u, v
}

// Oracle 11: p⁵(A) keeps A's singular vectors, its singular values are the
// scalar p⁵(s_j), and with no singular value in the band it is within the
// fit error of U_kV_kᵀ — for both orientations of the Gram product.
func TestNSPolynomial(t *testing.T) {
	s := []float64{1, 0.95, 0.8, 0.3, 0.2, 0.05}
	const k = 3
	for _, shape := range [][2]int{{6, 9}, {9, 6}} {
		r, c := shape[0], shape[1]
		var a, u, v *mat.Dense
		if r <= c {
			a, u, v = withSingularValues(r, c, s)
		} else {
			var at *mat.Dense
			at, v, u = withSingularValues(c, r, s)
			a = mat.DenseCopyOf(at.T())
		}
		f := ir.NewFunc("ns")
		x := f.AddParam("x", ir.TensorOf(ir.F64, 1, r, c), ir.Data)
		coef := f.AddParam("c", ir.TensorOf(ir.F64, 4), ir.Data)
		e := ir.NewWriter(f, nil)
		cs := make([]*ir.Value, 4)
		for i := range cs {
			cs[i] = reshape(e, emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(i), "stop": ir.Ints(i + 1)}, coef), ir.Shape{})
		}
		y := x
		for range nsSteps {
			y = nsPoly(e, y, cs)
		}
		f.Results = []*ir.Value{y}
		if err := ir.Verify(f); err != nil {
			t.Fatal(err)
		}
		out, err := runtime.Run(f, []*runtime.Tensor{runtime.FromF64([]int{1, r, c}, mat.DenseCopyOf(a).RawMatrix().Data), runtime.FromF64([]int{4}, ns06)})
		if err != nil {
			t.Fatal(err)
		}
		got := mat.NewDense(r, c, out[0].F64)
		// U diag(p⁵(s)) Vᵀ, and U_kV_kᵀ.
		ps := mat.NewDense(r, c, nil)
		pk := mat.NewDense(r, c, nil)
		for i, sv := range s {
			p := sv
			for range nsSteps {
				p = scalarPoly(ns06, p)
			}
			ps.Set(i, i, p)
			if i < k {
				pk.Set(i, i, 1)
			}
		}
		for _, tc := range []struct {
			what string
			diag *mat.Dense
			tol  float64
		}{{"U p⁵(S) Vᵀ", ps, 1e-10}, {"U_k V_kᵀ", pk, ns06MaxErr}} {
			var us, want, diff mat.Dense
			us.Mul(u, tc.diag)
			want.Mul(&us, v.T())
			diff.Sub(got, &want)
			if n := mat.Norm(&diff, 2); n > tc.tol {
				t.Errorf("%dx%d: ‖p⁵(A) − %s‖₂ = %.3g, want ≤ %g", r, c, tc.what, n, tc.tol)
			}
		}
	}
}
