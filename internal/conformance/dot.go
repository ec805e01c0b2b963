package conformance

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// pairedLoss returns a copy of f whose only result is the scalar
// Σ_k sum(result_k ⊙ u_k), with the weights u_k as extra data parameters
// "u0", "u1", ...: its gradient is Jᵀu.
func pairedLoss(f *ir.Func) (*ir.Func, error) {
	g := f.Clone()
	g.Name = f.Name + "_paired"
	var total *ir.Value
	for k, r := range g.Results {
		u := g.AddParam(fmt.Sprintf("u%d", k), r.Type, ir.Data)
		p, err := appendOp(g, ir.OpMul, []*ir.Value{r, u}, nil, nil)
		if err != nil {
			return nil, err
		}
		s, err := appendOp(g, ir.OpReduceSum, p, nil, nil)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = s[0]
			continue
		}
		sum, err := appendOp(g, ir.OpAdd, []*ir.Value{total, s[0]}, nil, nil)
		if err != nil {
			return nil, err
		}
		total = sum[0]
	}
	g.Results = []*ir.Value{total}
	return g, ir.Verify(g)
}

// checkDot verifies ⟨J v, u⟩ = ⟨v, Jᵀ u⟩ with Jᵀu from vjp.
func checkDot(t *testing.T, run Runner, f *ir.Func, x [][]float64, wrt []string, v [][]float64, jv []*runtime.Tensor, r *rand.Rand) {
	t.Helper()
	if len(wrt) == 0 {
		return
	}
	g, err := pairedLoss(f)
	if err != nil {
		t.Fatal(err)
	}
	lhs := 0.0
	var us []*runtime.Tensor
	for k, res := range f.Results {
		u := make([]float64, res.Type.Shape.Size())
		for e := range u {
			u[e] = r.NormFloat64()
		}
		us = append(us, runtime.FromFloat64s(res.Type, u))
		for e, val := range jv[k].Float64s() {
			lhs += val * u[e]
		}
	}
	grad, err := passes.VJP(g, wrt)
	if err != nil {
		t.Fatalf("vjp: %v", err)
	}
	if err := ir.Verify(grad); err != nil {
		t.Fatalf("vjp output does not verify: %v\n%s", err, grad)
	}
	out, err := run(grad, tensors(f, x, us...))
	if err != nil {
		t.Fatalf("running vjp: %v\n%s", err, grad)
	}
	rhs := 0.0
	for i := range wrt {
		for e, gv := range out[1+i].Float64s() {
			rhs += v[i][e] * gv
		}
	}
	if tol := dotTol[lowestPrecision(f)]; !tol.close(rhs, lhs) {
		t.Errorf("dot-product test: ⟨Jv, u⟩ = %.12g, ⟨v, Jᵀu⟩ = %.12g", lhs, rhs)
	}
}

// checkManyTangents compares a T-tangent JVP with T single JVPs.
func checkManyTangents(t *testing.T, run Runner, f *ir.Func, x [][]float64, wrt []string, r *rand.Rand) {
	t.Helper()
	if len(wrt) == 0 {
		return
	}
	vs := make([][][]float64, manyTangents)
	stacked := make([][]float64, len(wrt))
	for k := range vs {
		vs[k] = directions(r, f, wrt)
		for i := range wrt {
			stacked[i] = append(stacked[i], vs[k][i]...)
		}
	}
	many, err := runJVP(run, f, x, wrt, stacked, manyTangents)
	if err != nil {
		t.Fatalf("jvp with %d tangents: %v", manyTangents, err)
	}
	tol := manyT[lowestPrecision(f)]
	for k := range vs {
		single, err := runJVP(run, f, x, wrt, vs[k], 1)
		if err != nil {
			t.Fatal(err)
		}
		for res := range single {
			want := single[res].Float64s()
			got := many[res].Float64s()[k*len(want) : (k+1)*len(want)]
			for e := range want {
				if !tol.close(got[e], want[e]) {
					t.Errorf("tangent %d, result %d element %d: batched %.10g, single %.10g", k, res, e, got[e], want[e])
					return
				}
			}
		}
	}
}
