package etf

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
)

// A ModelFunc builds a classifier for a static batch size: a
// train.Model (the training loop's type, which this package does not
// import). Its results are the loss, the logits, the next value of each
// state parameter ("<state>.next") and the results "features",
// "classifier.w" and "classifier.b" that the training loop's collapse
// metrics read.
type ModelFunc = func(batch int) (*ir.Func, map[string]builder.Initializer, error)

// Names of the results the training loop's collapse metrics read
// (train.FeaturesResult, ...).
const (
	featuresName   = "features"
	classifierName = "classifier.w"
	biasName       = "classifier.b"
)

// finish returns the loss, the logits, the head's next state and the
// probed values, and builds the function.
func finish(b *builder.Builder, out *nn.ETFOutput, labels *ir.Value) (*ir.Func, map[string]builder.Initializer, error) {
	if out == nil {
		_, err := b.Build()
		return nil, nil, err
	}
	results := []*ir.Value{b.Named("loss", nn.CrossEntropy(b, out.Logits, labels)), b.Named("logits", out.Logits)}
	results = append(results, out.Next...)
	results = append(results, b.Named(featuresName, out.Features), b.Named(classifierName, out.W))
	if bias := out.Bias; bias != nil {
		if bias.IsParam() { // a parameter keeps its name: return a copy
			bias = b.Reshape(bias, bias.Type.Shape...)
		}
		results = append(results, b.Named(biasName, bias))
	}
	b.Return(results...)
	f, err := b.Build()
	if err != nil {
		return nil, nil, err
	}
	return f, b.Inits(), nil
}

// MLP returns an MLP features → widths… → d (ReLU between the layers,
// none after the last; biases if bias; PyTorch's default init) whose
// output φ feeds the ETF head cfg: the model to train and the model to
// evaluate (cfg.Eval set). Layer i's parameters are mlp.i.w (and
// mlp.i.b). The input is "x", the labels "labels".
func MLP(features int, widths []int, d int, bias bool, cfg nn.ETFConfig, dtype ir.DType) (train, eval ModelFunc) {
	build := func(cfg nn.ETFConfig) ModelFunc {
		return func(batch int) (*ir.Func, map[string]builder.Initializer, error) {
			b := builder.New("mlp_" + cfg.Head.String())
			x := b.Data("x", dtype, batch, features)
			labels := b.Data("labels", ir.I64, batch)
			phi := nn.MLP(b, "mlp", x, append(append([]int{}, widths...), d), nn.ReLU, nn.Bias(bias))
			f, inits, err := finish(b, nn.ETFClassifier(b, phi, labels, cfg), labels)
			if err != nil {
				return nil, nil, fmt.Errorf("etf: the MLP with the %s head: %w", cfg.Head, err)
			}
			return f, inits, nil
		}
	}
	ev := cfg
	ev.Eval = true
	return build(cfg), build(ev)
}

// UFM returns the unconstrained-features model: the features of the n
// examples are free parameters ufm.h [n, d] (initialised N(0, 1/d), of
// norm about 1 in every dimension, so that one learning rate suits every
// d), the
// input x [batch, 1] holds each example's index (UFMData), and the ETF
// head cfg classifies the features it gathers: the model to train and
// the model to evaluate.
func UFM(n, d int, cfg nn.ETFConfig, dtype ir.DType) (train, eval ModelFunc) {
	build := func(cfg nn.ETFConfig) ModelFunc {
		return func(batch int) (*ir.Func, map[string]builder.Initializer, error) {
			b := builder.New("ufm_" + cfg.Head.String())
			x := b.Data("x", dtype, batch, 1)
			labels := b.Data("labels", ir.I64, batch)
			h := b.ParamInit("ufm.h", dtype, nn.Normal(0, 1/math.Sqrt(float64(d))), n, d)
			phi := b.Gather(h, b.Cast(b.Reshape(x, batch), ir.I64), 0)
			f, inits, err := finish(b, nn.ETFClassifier(b, phi, labels, cfg), labels)
			if err != nil {
				return nil, nil, fmt.Errorf("etf: the UFM with the %s head: %w", cfg.Head, err)
			}
			return f, inits, nil
		}
	}
	ev := cfg
	ev.Eval = true
	return build(cfg), build(ev)
}

// UFMData returns the data set of the unconstrained-features model with
// k classes of perClass examples each: example i has the single feature
// i (its index into the free features) and label i mod k.
func UFMData(k, perClass int) *data.Dataset {
	n := k * perClass
	d := &data.Dataset{X: make([]float64, n), Labels: make([]int64, n), N: n, Features: 1, Classes: k}
	for i := range n {
		d.X[i] = float64(i)
		d.Labels[i] = int64(i % k)
	}
	return d
}
