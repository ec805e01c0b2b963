package passes_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// backprop is an independent, hand-written reverse pass of an MLP with
// biases, ReLU hidden layers and mean softmax cross-entropy, in gonum. It
// returns the loss and the gradients of each layer's weight and bias.
func backprop(x *mat.Dense, labels []int64, ws []*mat.Dense, bs [][]float64) (float64, []*mat.Dense, [][]float64) {
	batch, _ := x.Dims()
	hs := []*mat.Dense{x} // layer inputs
	var pre []*mat.Dense  // pre-activations
	h := x
	for i, w := range ws {
		var s mat.Dense
		s.Mul(h, w)
		s.Apply(func(_, j int, v float64) float64 { return v + bs[i][j] }, &s)
		pre = append(pre, &s)
		if i == len(ws)-1 {
			break
		}
		var a mat.Dense
		a.Apply(func(_, _ int, v float64) float64 { return math.Max(v, 0) }, &s)
		hs = append(hs, &a)
		h = &a
	}
	z := pre[len(pre)-1]
	_, classes := z.Dims()
	loss := 0.0
	dz := mat.NewDense(batch, classes, nil)
	for r := range batch {
		row := z.RawRowView(r)
		lse := floats.LogSumExp(row)
		loss += lse - row[labels[r]]
		for c := range classes {
			p := math.Exp(row[c] - lse)
			if int64(c) == labels[r] {
				p--
			}
			dz.Set(r, c, p/float64(batch))
		}
	}
	gw := make([]*mat.Dense, len(ws))
	gb := make([][]float64, len(ws))
	delta := dz
	for i := len(ws) - 1; i >= 0; i-- {
		gw[i] = new(mat.Dense)
		gw[i].Mul(hs[i].T(), delta)
		_, n := delta.Dims()
		gb[i] = make([]float64, n)
		for r := range batch {
			floats.Add(gb[i], delta.RawRowView(r))
		}
		if i == 0 {
			break
		}
		var dh mat.Dense
		dh.Mul(delta, ws[i].T())
		dh.Apply(func(r, c int, v float64) float64 {
			if pre[i-1].At(r, c) > 0 {
				return v
			}
			return 0
		}, &dh)
		delta = &dh
	}
	return loss / float64(batch), gw, gb
}

// The gradients vjp derives agree with hand-written backprop to 1e-12.
func TestVJPMatchesHandWrittenBackprop(t *testing.T) {
	const batch, in, classes = 32, 20, 7
	widths := []int{16, 12, classes}
	b := builder.New("mlp")
	x := b.Data("x", ir.F64, batch, in)
	labels := b.Data("t", ir.I64, batch)
	logits := nn.MLP(b, "net", x, widths, nn.ReLU)
	b.Return(b.Named("loss", nn.CrossEntropy(b, logits, labels)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	init, err := nn.InitParams(f, b.Inits(), 3)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	xs := make([]float64, batch*in)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	ts := make([]int64, batch)
	for i := range ts {
		ts[i] = int64(r.IntN(classes))
	}
	inputs := []*runtime.Tensor{runtime.FromF64([]int{batch, in}, xs), runtime.FromI64([]int{batch}, ts)}
	var ws []*mat.Dense
	var bs [][]float64
	for _, p := range f.Params[2:] {
		inputs = append(inputs, runtime.FromFloat64s(p.Type, init[p.Name]))
		if p.Type.Rank() == 2 {
			ws = append(ws, mat.NewDense(p.Type.Shape[0], p.Type.Shape[1], init[p.Name]))
		} else {
			bs = append(bs, init[p.Name])
		}
	}
	wrt := passes.ParamsWithRole(f, ir.Param)
	g, err := passes.Run(f, []string{"vjp", "fold", "cse", "dce"}, passes.Options{Wrt: wrt, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := runtime.Run(g, inputs)
	if err != nil {
		t.Fatal(err)
	}
	wantLoss, gw, gb := backprop(mat.NewDense(batch, in, xs), ts, ws, bs)
	check := func(what string, got, want []float64) {
		t.Helper()
		scale := floats.Norm(want, math.Inf(1))
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12*scale {
				t.Errorf("%s[%d]: vjp %.17g, backprop %.17g", what, i, got[i], want[i])
				return
			}
		}
	}
	check("loss", out[0].F64, []float64{wantLoss})
	for i, p := range wrt {
		layer := i / 2
		if i%2 == 0 {
			check(p, out[1+i].F64, gw[layer].RawMatrix().Data)
		} else {
			check(p, out[1+i].F64, gb[layer])
		}
	}
}
