package passes_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// decompFunc is @f(%a) = op(%a), returning every result.
func decompFunc(t *testing.T, op ir.Op, shape ...int) *ir.Func {
	t.Helper()
	f := ir.NewFunc("f")
	a := f.AddParam("a", ir.TensorOf(ir.F64, shape...), ir.Param)
	types, err := ir.InferTypes(op, []ir.Type{a.Type}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(types))
	for i := range names {
		names[i] = fmt.Sprintf("r%d", i)
	}
	f.Results = f.Append(op, []*ir.Value{a}, nil, types, names).Results
	if err := ir.Verify(f); err != nil {
		t.Fatal(err)
	}
	return f
}

// runDecompJVP evaluates the T-tangent JVP of f at a along da (T stacked
// directions) and returns the primal results and their tangents.
func runDecompJVP(t *testing.T, f *ir.Func, a, da []float64, T int) (primal, tangent [][]float64) {
	t.Helper()
	j, err := passes.JVP(f, []string{"a"}, T)
	if err != nil {
		t.Fatal(err)
	}
	if err := ir.Verify(j); err != nil {
		t.Fatalf("%v\n%s", err, j)
	}
	out, err := runtime.Run(j, []*runtime.Tensor{
		runtime.FromFloat64s(j.Params[0].Type, a),
		runtime.FromFloat64s(j.Params[1].Type, da),
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, j)
	}
	n := len(f.Results)
	for i, o := range out {
		if i < n {
			primal = append(primal, o.Float64s())
		} else {
			tangent = append(tangent, o.Float64s())
		}
	}
	return primal, tangent
}

func decompNormals(r *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	return xs
}

// decompMatrices splits row-major data into the r×c matrices of a batch;
// decompDiag makes diagonal matrices of a batch of k-vectors.
func decompMatrices(data []float64, r, c int) []*mat.Dense {
	var ms []*mat.Dense
	for off := 0; off < len(data); off += r * c {
		ms = append(ms, mat.NewDense(r, c, append([]float64(nil), data[off:off+r*c]...)))
	}
	return ms
}

func decompDiag(data []float64, k int) []*mat.Dense {
	var ms []*mat.Dense
	for off := 0; off < len(data); off += k {
		d := mat.NewDense(k, k, nil)
		for i := range k {
			d.Set(i, i, data[off+i])
		}
		ms = append(ms, d)
	}
	return ms
}

func decompMul3(a, b, c mat.Matrix) *mat.Dense {
	var ab, abc mat.Dense
	ab.Mul(a, b)
	abc.Mul(&ab, c)
	return &abc
}

func decompSum(ms ...*mat.Dense) *mat.Dense {
	var s mat.Dense
	s.CloneFrom(ms[0])
	for _, m := range ms[1:] {
		s.Add(&s, m)
	}
	return &s
}

// decompExpectSkew checks that xᵀ dx is skew-symmetric: the columns of x
// stay orthonormal.
func decompExpectSkew(t *testing.T, what string, x, dx *mat.Dense) {
	t.Helper()
	var p mat.Dense
	p.Mul(x.T(), dx)
	var s mat.Dense
	s.Add(&p, p.T())
	if n := mat.Norm(&s, math.Inf(1)); n > 1e-10 {
		t.Errorf("%s: xᵀdx + dxᵀx has norm %g, want 0", what, n)
	}
}

func decompExpectEqual(t *testing.T, what string, got, want *mat.Dense) {
	t.Helper()
	var d mat.Dense
	d.Sub(got, want)
	if n := mat.Norm(&d, math.Inf(1)); n > 1e-10*(1+mat.Norm(want, math.Inf(1))) {
		t.Errorf("%s: differs by %g\ngot  %v\nwant %v", what, n, mat.Formatted(got), mat.Formatted(want))
	}
}

// The tangents satisfy the differentiated factorisation and keep the
// structure of the factors (orthonormal columns, triangular R). Together
// these determine the derivative uniquely, so this checks the rules
// without finite differences.
func TestDecompJVPIdentities(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		op    ir.Op
		shape []int
	}{
		{ir.OpQR, []int{6, 4}}, {ir.OpQR, []int{4, 4}}, {ir.OpQR, []int{3, 5, 2}}, {ir.OpQR, []int{3, 5}}, {ir.OpQR, []int{2, 3, 6}},
		{ir.OpSVD, []int{6, 4}}, {ir.OpSVD, []int{4, 6}}, {ir.OpSVD, []int{4, 4}}, {ir.OpSVD, []int{2, 3, 5}},
		{ir.OpEigh, []int{5, 5}}, {ir.OpEigh, []int{3, 3, 3}},
	} {
		name := fmt.Sprintf("%s%v", tc.op, tc.shape)
		t.Run(name, func(t *testing.T) {
			f := decompFunc(t, tc.op, tc.shape...)
			size := ir.Shape(tc.shape).Size()
			a, da := decompNormals(r, size), decompNormals(r, size)
			p, d := runDecompJVP(t, f, a, da, 1)
			rank := len(tc.shape)
			m, n := tc.shape[rank-2], tc.shape[rank-1]
			k := min(m, n)
			das := decompMatrices(da, m, n)
			switch tc.op {
			case ir.OpQR:
				qs, rs := decompMatrices(p[0], m, k), decompMatrices(p[1], k, n)
				dqs, drs := decompMatrices(d[0], m, k), decompMatrices(d[1], k, n)
				for b := range qs {
					var x, y mat.Dense
					x.Mul(dqs[b], rs[b])
					y.Mul(qs[b], drs[b])
					decompExpectEqual(t, "dQ R + Q dR vs dA", decompSum(&x, &y), das[b])
					decompExpectSkew(t, "Q", qs[b], dqs[b])
					for i := range k {
						for j := range i {
							if v := drs[b].At(i, j); v != 0 {
								t.Errorf("dR[%d,%d] = %g below the diagonal", i, j, v)
							}
						}
					}
				}
			case ir.OpSVD:
				us, ss, vs := decompMatrices(p[0], m, k), decompDiag(p[1], k), decompMatrices(p[2], n, k)
				dus, dss, dvs := decompMatrices(d[0], m, k), decompDiag(d[1], k), decompMatrices(d[2], n, k)
				for b := range us {
					got := decompSum(decompMul3(dus[b], ss[b], vs[b].T()), decompMul3(us[b], dss[b], vs[b].T()), decompMul3(us[b], ss[b], dvs[b].T()))
					decompExpectEqual(t, "dU S Vᵀ + U dS Vᵀ + U S dVᵀ vs dA", got, das[b])
					decompExpectSkew(t, "U", us[b], dus[b])
					decompExpectSkew(t, "V", vs[b], dvs[b])
				}
			case ir.OpEigh:
				ws, vs := decompDiag(p[0], n), decompMatrices(p[1], n, n)
				dws, dvs := decompDiag(d[0], n), decompMatrices(d[1], n, n)
				for b := range vs {
					var sym mat.Dense
					sym.Add(das[b], das[b].T())
					sym.Scale(0.5, &sym)
					got := decompSum(decompMul3(dvs[b], ws[b], vs[b].T()), decompMul3(vs[b], dws[b], vs[b].T()), decompMul3(vs[b], ws[b], dvs[b].T()))
					decompExpectEqual(t, "dV W Vᵀ + V dW Vᵀ + V W dVᵀ vs (dA + dAᵀ)/2", got, &sym)
					decompExpectSkew(t, "V", vs[b], dvs[b])
				}
			}
		})
	}
}

// Several tangents at once agree with central differences of the
// runtime's decompositions, sign conventions included.
func TestDecompJVPFiniteDifferences(t *testing.T) {
	const T, h = 3, 1e-6
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		op    ir.Op
		shape []int
	}{
		{ir.OpQR, []int{5, 3}}, {ir.OpQR, []int{2, 4, 4}}, {ir.OpQR, []int{3, 5}}, {ir.OpQR, []int{2, 2, 4}},
		{ir.OpSVD, []int{5, 3}}, {ir.OpSVD, []int{3, 5}}, {ir.OpSVD, []int{2, 4, 3}},
		{ir.OpEigh, []int{4, 4}}, {ir.OpEigh, []int{2, 3, 3}},
	} {
		name := fmt.Sprintf("%s%v", tc.op, tc.shape)
		t.Run(name, func(t *testing.T) {
			f := decompFunc(t, tc.op, tc.shape...)
			size := ir.Shape(tc.shape).Size()
			a, da := decompNormals(r, size), decompNormals(r, T*size)
			_, got := runDecompJVP(t, f, a, da, T)
			for k := range T {
				dir := da[k*size : (k+1)*size]
				at := func(s float64) [][]float64 {
					x := make([]float64, size)
					for i := range x {
						x[i] = a[i] + s*dir[i]
					}
					out, err := runtime.Run(f, []*runtime.Tensor{runtime.FromFloat64s(f.Params[0].Type, x)})
					if err != nil {
						t.Fatal(err)
					}
					var vs [][]float64
					for _, o := range out {
						vs = append(vs, o.Float64s())
					}
					return vs
				}
				plus, minus := at(h), at(-h)
				for res := range plus {
					n := len(plus[res])
					for e := range n {
						want := (plus[res][e] - minus[res][e]) / (2 * h)
						g := got[res][k*n+e]
						if math.Abs(g-want) > 1e-6*(1+math.Abs(want)) {
							t.Errorf("tangent %d, result %d, element %d: JVP %.10g, finite differences %.10g", k, res, e, g, want)
						}
					}
				}
			}
		})
	}
}
