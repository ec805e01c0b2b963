package conformance

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// A Runner runs a function on inputs given in parameter order.
type Runner func(f *ir.Func, inputs []*runtime.Tensor) ([]*runtime.Tensor, error)

// Interpreter is the Runner of the runtime's interpreter.
func Interpreter(f *ir.Func, inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
	return runtime.Run(f, inputs)
}

// manyTangents is the tangent count of the T-tangent test.
const manyTangents = 3

// Check runs the three tests on case c in dtype d.
func Check(t *testing.T, run Runner, c Case, d ir.DType) {
	t.Helper()
	if c.Pending != "" {
		t.Skip(c.Pending)
	}
	f, err := c.Build(d)
	if err != nil {
		t.Fatal(err)
	}
	f64, err := c.Build(ir.F64)
	if err != nil {
		t.Fatal(err)
	}
	// Declarative ops run on the functions the implicit pass derives.
	if _, err := passes.Implicit(f); err != nil {
		t.Fatal(err)
	}
	if _, err := passes.Implicit(f64); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seedOf(c.Name), 7))
	x := c.sample(r, f)
	wrt := passes.ParamsWithRole(f, ir.Param)
	v := directions(r, f, wrt)

	tangents := checkFD(t, run, c, f, f64, x, wrt, v)
	if tangents == nil {
		return
	}
	checkDot(t, run, f, x, wrt, v, tangents, r)
	checkManyTangents(t, run, f, x, wrt, r)
}

func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// directions draws one N(0,1) tangent per differentiated parameter.
func directions(r *rand.Rand, f *ir.Func, wrt []string) [][]float64 {
	v := make([][]float64, len(wrt))
	for i, name := range wrt {
		v[i] = make([]float64, f.Param(name).Type.Shape.Size())
		for k := range v[i] {
			v[i][k] = r.NormFloat64()
		}
	}
	return v
}

// tensors converts row-major float64 data to tensors of f's parameter
// types, followed by extra tensors.
func tensors(f *ir.Func, x [][]float64, extra ...*runtime.Tensor) []*runtime.Tensor {
	ts := make([]*runtime.Tensor, 0, len(x)+len(extra))
	for i, p := range f.Params {
		ts = append(ts, runtime.FromFloat64s(p.Type, x[i]))
	}
	return append(ts, extra...)
}

// runJVP evaluates the JVP of f along v and returns the result tangents.
func runJVP(run Runner, f *ir.Func, x [][]float64, wrt []string, v [][]float64, T int) ([]*runtime.Tensor, error) {
	j, err := passes.JVP(f, wrt, T)
	if err != nil {
		return nil, err
	}
	if err := ir.Verify(j); err != nil {
		return nil, fmt.Errorf("jvp output does not verify: %w\n%s", err, j)
	}
	var extra []*runtime.Tensor
	for i, name := range wrt {
		extra = append(extra, runtime.FromFloat64s(j.Param(name+".tangent").Type, v[i]))
	}
	out, err := run(j, tensors(f, x, extra...))
	if err != nil {
		return nil, err
	}
	return out[len(f.Results):], nil
}

// checkFD compares the JVP of f (dtype d) with central differences of the
// f64 version along the same direction; it returns the JVP tangents.
func checkFD(t *testing.T, run Runner, c Case, f, f64 *ir.Func, x [][]float64, wrt []string, v [][]float64) []*runtime.Tensor {
	t.Helper()
	got, err := runJVP(run, f, x, wrt, v, 1)
	if err != nil {
		t.Fatalf("jvp: %v", err)
	}
	wrtIndex := make([]int, len(wrt))
	for i, name := range wrt {
		wrtIndex[i] = f64.Param(name).Index
	}
	m := 0
	for _, r := range f64.Results {
		m += r.Type.Shape.Size()
	}
	var evalErr error
	along := func(y, s []float64) {
		xs := make([][]float64, len(x))
		copy(xs, x)
		for i, k := range wrtIndex {
			xs[k] = make([]float64, len(x[k]))
			for e := range xs[k] {
				xs[k][e] = x[k][e] + s[0]*v[i][e]
			}
		}
		out, err := run(f64, tensors(f64, xs))
		if err != nil {
			evalErr = err
			return
		}
		var flat []float64
		for _, o := range out {
			flat = append(flat, o.Float64s()...)
		}
		copy(y, flat)
	}
	jac := mat.NewDense(m, 1, nil)
	fd.Jacobian(jac, along, []float64{0}, &fd.JacobianSettings{Formula: fd.Central, Step: fdStep(f64)})
	if evalErr != nil {
		t.Fatalf("evaluating f64 case: %v", evalErr)
	}
	tol := fdTol[lowestPrecision(f)]
	row := 0
	for k, g := range got {
		for e, gv := range g.Float64s() {
			if want := jac.At(row, 0); !tol.close(gv, want) {
				t.Errorf("%s: result %d element %d: JVP %.10g, finite differences %.10g", c.Name, k, e, gv, want)
			}
			row++
		}
	}
	if t.Failed() {
		return nil
	}
	return got
}

// fdStep is the finite-difference step: 1e-5 in f64, but 1e-3 when a
// result is f32 even in the f64 version of a case (a cast), where the
// rounding error ε32/h would otherwise swamp the difference.
func fdStep(f64 *ir.Func) float64 {
	if lowestPrecision(f64) == ir.F32 {
		return 1e-3
	}
	return 1e-5
}

// lowestPrecision is F32 if any float parameter or result of f is f32.
func lowestPrecision(f *ir.Func) ir.DType {
	for _, v := range append(append([]*ir.Value{}, f.Params...), f.Results...) {
		if v.Type.DType == ir.F32 {
			return ir.F32
		}
	}
	return ir.F64
}
