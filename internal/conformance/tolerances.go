package conformance

import "github.com/pushforward/pushforward/ir"

// Tol is a mixed tolerance: |got - want| <= Atol + Rtol*|want|.
type Tol struct{ Rtol, Atol float64 }

// tolerances per dtype.
//
// Finite differences are always taken on the f64 version of a case with
// step h = 1e-5 (relative to the direction's scale 1): the central
// difference has truncation error O(h²)·|f”'| ≈ 1e-10 and rounding error
// O(ε/h) ≈ 1e-11, so an f64 JVP must agree to about 1e-7 relative after
// the slack that chains of ops and ill-conditioned solves need. An f32 JVP
// carries the f32 rounding of every op (ε32 ≈ 6e-8 per op, amplified by a
// condition number of at most ~10 in the sampled cases), hence 2e-3.
//
// The dot-product and T-tangent tests compare two computations of the
// same quantity in the same dtype, so they need only the dtype's rounding
// over the sums involved: 1e-10 in f64, 1e-3 in f32.
var (
	fdTol  = map[ir.DType]Tol{ir.F64: {Rtol: 1e-6, Atol: 1e-7}, ir.F32: {Rtol: 2e-3, Atol: 2e-3}}
	dotTol = map[ir.DType]Tol{ir.F64: {Rtol: 1e-10, Atol: 1e-10}, ir.F32: {Rtol: 1e-3, Atol: 1e-4}}
	manyT  = map[ir.DType]Tol{ir.F64: {Rtol: 1e-11, Atol: 1e-12}, ir.F32: {Rtol: 1e-4, Atol: 1e-5}}
)

func (t Tol) close(got, want float64) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	w := want
	if w < 0 {
		w = -w
	}
	return d <= t.Atol+t.Rtol*w
}
