package runtime

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/rng"
)

// mlp builds the two-layer network of DESIGN.md at a small size:
// loss = softmax_xent(relu(x·w1)·w2, t).
func mlp(d ir.DType, batch, in, hidden, classes int) *ir.Func {
	f := ir.NewFunc("mlp")
	x := f.AddParam("x", ir.TensorOf(d, batch, in), ir.Data)
	t := f.AddParam("t", ir.TensorOf(ir.I64, batch), ir.Data)
	w1 := f.AddParam("w1", ir.TensorOf(d, in, hidden), ir.Param)
	w2 := f.AddParam("w2", ir.TensorOf(d, hidden, classes), ir.Param)
	b := funcBuilder{f}
	s1 := b.emit("s1", ir.OpMatmul, ir.TensorOf(d, batch, hidden), nil, x, w1)
	h1 := b.emit("h1", ir.OpRelu, ir.TensorOf(d, batch, hidden), nil, s1)
	z := b.emit("z", ir.OpMatmul, ir.TensorOf(d, batch, classes), nil, h1, w2)
	f.Results = []*ir.Value{b.emit("loss", ir.OpSoftmaxXent, ir.Scalar(d), nil, z, t), z}
	return f
}

// mlpReference computes the same loss with plain loops in float64.
func mlpReference(x, w1, w2 []float64, t []int64, batch, in, hidden, classes int) float64 {
	var total float64
	for b := range batch {
		h := make([]float64, hidden)
		for j := range hidden {
			for i := range in {
				h[j] += x[b*in+i] * w1[i*hidden+j]
			}
			h[j] = math.Max(h[j], 0)
		}
		z := make([]float64, classes)
		var norm float64
		for c := range classes {
			for j := range hidden {
				z[c] += h[j] * w2[j*classes+c]
			}
			norm += math.Exp(z[c])
		}
		total += math.Log(norm) - z[t[b]]
	}
	return total / float64(batch)
}

func TestMLPAgainstReference(t *testing.T) {
	const batch, in, hidden, classes = 5, 4, 6, 3
	r := rand.New(rand.NewPCG(21, 22))
	// f32 tolerance: the network is a few dozen f32 operations on O(1)
	// values, each within an ulp (6e-8); 1e-5 leaves a wide margin.
	for _, c := range []struct {
		d   ir.DType
		tol float64
	}{{ir.F32, 1e-5}, {ir.F64, 1e-12}} {
		d, tol := c.d, c.tol
		x, w1, w2 := randomTensor(r, d, batch, in), randomTensor(r, d, in, hidden), randomTensor(r, d, hidden, classes)
		labels := FromI64([]int{batch}, []int64{0, 2, 1, 1, 0})
		it := mustNew(t, mlp(d, batch, in, hidden, classes))
		got, err := it.RunNamed(map[string]*Tensor{"x": x, "t": labels, "w1": w1, "w2": w2})
		if err != nil {
			t.Fatal(err)
		}
		want := mlpReference(x.Float64s(), w1.Float64s(), w2.Float64s(), labels.I64, batch, in, hidden, classes)
		if loss := got[0].Float64s()[0]; math.Abs(loss-want) > tol*(1+math.Abs(want)) {
			t.Errorf("%s: loss %v, want %v", d, loss, want)
		}
		if !got[1].Type.Equal(ir.TensorOf(d, batch, classes)) {
			t.Errorf("%s: logits have type %s", d, got[1].Type)
		}
	}
}

// Run is safe for concurrent use and deterministic (run with -race).
func TestConcurrentRunsAgree(t *testing.T) {
	const batch, in, hidden, classes = 8, 16, 32, 4
	r := rand.New(rand.NewPCG(23, 24))
	it := mustNew(t, mlp(ir.F32, batch, in, hidden, classes))
	inputs := []*Tensor{
		randomTensor(r, ir.F32, batch, in),
		FromI64([]int{batch}, []int64{0, 1, 2, 3, 3, 2, 1, 0}),
		randomTensor(r, ir.F32, in, hidden),
		randomTensor(r, ir.F32, hidden, classes),
	}
	first, err := it.Run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([][]*Tensor, 8)
	errs := make([]error, len(results))
	for i := range results {
		wg.Go(func() { results[i], errs[i] = it.Run(inputs) })
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for j := range first {
			if !results[i][j].Equal(first[j]) {
				t.Errorf("run %d result %d = %v, first run gave %v", i, j, results[i][j], first[j])
			}
		}
	}
}

// Results are owned by the caller: returning a parameter or one value twice
// gives separate tensors.
func TestResultsDoNotAlias(t *testing.T) {
	f := ir.NewFunc("f")
	x := f.AddParam("x", f64(2), ir.Data)
	y := funcBuilder{f}.emit("y", ir.OpNeg, f64(2), nil, x)
	f.Results = []*ir.Value{x, y, y}
	in := FromF64([]int{2}, []float64{1, 2})
	got, err := Run(f, []*Tensor{in})
	if err != nil {
		t.Fatal(err)
	}
	got[0].F64[0] = 100
	got[1].F64[0] = 200
	if in.F64[0] != 1 || got[2].F64[0] != -1 {
		t.Errorf("results alias: input %v, third result %v", in, got[2])
	}
}

// A random tensor large enough to be filled by several goroutines equals
// the sequential fill of runtime/rng.
func TestLargeRandomFillMatchesStream(t *testing.T) {
	n := 3*parallelRandomThreshold + 1
	for _, op := range []ir.Op{ir.OpRngNormal, ir.OpRngUniform} {
		got, err := runSingle(op, nil, []*Tensor{ScalarU64(5), ScalarU64(6)}, f64(n))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, n)
		if op == ir.OpRngNormal {
			rng.FillNormal64(want, 5, 6)
		} else {
			rng.FillUniform64(want, 5, 6)
		}
		if !got[0].Equal(FromF64([]int{n}, want)) {
			t.Errorf("%s: parallel fill differs from the stream", op)
		}
	}
}

// i64 and u64 constants are exact beyond 2⁵³, where float64 is not.
func TestIntegerConstantsAreExact(t *testing.T) {
	const big = 1<<62 + 1
	got, err := runSingle(ir.OpConstant, ir.Attrs{"value": ir.Ints(big, -big)}, nil, ir.TensorOf(ir.I64, 2))
	if err != nil {
		t.Fatal(err)
	}
	if got[0].I64[0] != big || got[0].I64[1] != -big {
		t.Errorf("i64 constant = %v, want [%d %d]", got[0], int64(big), int64(-big))
	}
	got, err = runSingle(ir.OpFull, ir.Attrs{"value": ir.Int(big)}, nil, ir.Scalar(ir.U64))
	if err != nil {
		t.Fatal(err)
	}
	if got[0].U64[0] != big {
		t.Errorf("u64 full = %v, want %d", got[0], uint64(big))
	}
	// The type rule rejects values an integer dtype cannot hold (New
	// reports it); the kernels check again.
	_, err = runSingle(ir.OpFull, ir.Attrs{"value": ir.Int(-1)}, nil, ir.Scalar(ir.U64))
	wantError(t, err, "%r0 = full: ", "-1", "u64")
	_, err = runSingle(ir.OpConstant, ir.Attrs{"value": ir.Floats(1, 2.5)}, nil, ir.TensorOf(ir.I64, 2))
	wantError(t, err, "%r0 = constant: ", "2.5", "i64")
}

// A function of several instructions that exercises broadcasting and
// reductions together: a numerically stable mean squared error.
func TestMultiInstructionFunction(t *testing.T) {
	f := ir.NewFunc("mse")
	p := f.AddParam("p", f64(2, 3), ir.Data)
	q := f.AddParam("q", f64(3), ir.Data)
	b := funcBuilder{f}
	d := b.emit("d", ir.OpSub, f64(2, 3), nil, p, q)
	sq := b.emit("sq", ir.OpSquare, f64(2, 3), nil, d)
	rows := b.emit("rows", ir.OpReduceMean, f64(2, 1), ir.Attrs{"axes": ir.Ints(-1), "keepdims": ir.Bool(true)}, sq)
	f.Results = []*ir.Value{rows, b.emit("m", ir.OpReduceMax, ir.Scalar(ir.F64), nil, rows)}
	got, err := Run(f, []*Tensor{FromF64([]int{2, 3}, []float64{1, 2, 3, 4, 5, 6}), FromF64([]int{3}, []float64{1, 1, 1})})
	if err != nil {
		t.Fatal(err)
	}
	// Row 0: (0+1+4)/3; row 1: (9+16+25)/3.
	if err := CheckClose(got[0], FromF64([]int{2, 1}, []float64{5.0 / 3, 50.0 / 3}), 1e-15, 0); err != nil {
		t.Error(err)
	}
	if err := CheckClose(got[1], ScalarF64(50.0/3), 1e-15, 0); err != nil {
		t.Error(err)
	}
}
