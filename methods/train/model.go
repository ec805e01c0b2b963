package train

import (
	"fmt"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
)

// A Model builds a classifier for a static batch size.
//
// f's parameters are the float input [batch, features] (the first data
// parameter), the i64 labels [batch] (a data parameter), the trainable
// parameters (role param) and the model's own state (role state: running
// statistics carried from step to step, such as the nearest-ETF head's
// moving average), whose names and types must not depend on the batch
// size. Its results are the loss, a float scalar, the logits [batch,
// classes], and for each state parameter its next value, a result named
// "<state>.next" (fwdgrad.ModelStateResults). The step feeds those back
// and checkpoints carry them. inits holds an initializer for each
// trainable parameter, as builder.Builder.Inits returns them, and may
// hold one for a state parameter (zeros without).
//
// Results named "features" ([batch, d], what the classifier reads),
// "classifier.w" ([classes, d]) and "classifier.b" ([classes]) of the
// evaluated model are what Config.Collapse measures.
type Model func(batch int) (f *ir.Func, inits map[string]builder.Initializer, err error)

// MLP is a multilayer perceptron with ReLU between its layers: features
// inputs, hidden layers of the given widths and classes outputs, with or
// without biases, in dtype, trained with the softmax cross-entropy. The
// input is "x", the labels "labels"; layer i has the parameters mlp.i.w
// (and mlp.i.b). Weights (and biases) start from PyTorch's nn.Linear
// default, U(±1/√fan_in).
//
// The forward-gradient paper's network is MLP(40, 10, []int{w, w, w},
// false, ir.F32) for MNIST-1D.
func MLP(features, classes int, widths []int, bias bool, dtype ir.DType) Model {
	layers := append(append([]int{}, widths...), classes)
	return func(batch int) (*ir.Func, map[string]builder.Initializer, error) {
		b := builder.New("mlp")
		x := b.Data("x", dtype, batch, features)
		labels := b.Data("labels", ir.I64, batch)
		logits := nn.MLP(b, "mlp", x, layers, nn.ReLU, nn.Bias(bias))
		b.Return(b.Named("loss", nn.CrossEntropy(b, logits, labels)), b.Named("logits", logits))
		f, err := b.Build()
		if err != nil {
			return nil, nil, fmt.Errorf("train: building the MLP: %w", err)
		}
		return f, b.Inits(), nil
	}
}

// signature is what the loop needs to know about a model's function.
type signature struct {
	x, labels string   // the data parameters
	params    []string // the trainable parameters, in order
	states    []string // the model's state parameters, in order
	features  int
	classes   int
}

// inspect checks that f has the shape a Model promises for batch and
// returns its signature.
func inspect(f *ir.Func, batch int) (signature, error) {
	var s signature
	for _, p := range f.Params {
		switch {
		case p.Role == ir.Data && s.x == "" && p.Type.DType.IsFloat():
			if p.Type.Rank() != 2 || p.Type.Shape[0] != batch {
				return s, fmt.Errorf("@%s: input %s has type %s, want [%d, features]", f.Name, p, p.Type, batch)
			}
			s.x, s.features = p.Name, p.Type.Shape[1]
		case p.Role == ir.Data && s.labels == "" && p.Type.DType == ir.I64:
			if !p.Type.Shape.Equal(ir.Shape{batch}) {
				return s, fmt.Errorf("@%s: labels %s have type %s, want i64[%d]", f.Name, p, p.Type, batch)
			}
			s.labels = p.Name
		case p.Role == ir.Param:
			s.params = append(s.params, p.Name)
		case p.Role == ir.State:
			s.states = append(s.states, p.Name)
		default:
			return s, fmt.Errorf("@%s: unexpected parameter %s: %s %s (want an input, labels, trainable parameters and state)", f.Name, p, p.Type, p.Role)
		}
	}
	switch {
	case s.x == "":
		return s, fmt.Errorf("@%s: no float data parameter (the input)", f.Name)
	case s.labels == "":
		return s, fmt.Errorf("@%s: no i64 data parameter (the labels)", f.Name)
	case len(s.params) == 0:
		return s, fmt.Errorf("@%s: no trainable parameters", f.Name)
	case len(f.Results) < 2:
		return s, fmt.Errorf("@%s: returns %d results, want the loss and the logits (and the next state)", f.Name, len(f.Results))
	}
	if loss := f.Results[0]; loss.Type.Rank() != 0 || !loss.Type.DType.IsFloat() {
		return s, fmt.Errorf("@%s: loss %s has type %s, want a float scalar", f.Name, loss, loss.Type)
	}
	logits := f.Results[1]
	if logits.Type.Rank() != 2 || logits.Type.Shape[0] != batch || !logits.Type.DType.IsFloat() {
		return s, fmt.Errorf("@%s: logits %s have type %s, want [%d, classes]", f.Name, logits, logits.Type, batch)
	}
	s.classes = logits.Type.Shape[1]
	return s, nil
}

// build runs the model for batch and inspects the result.
func (m Model) build(batch int) (*ir.Func, map[string]builder.Initializer, signature, error) {
	f, inits, err := m(batch)
	if err != nil {
		return nil, nil, signature{}, err
	}
	if f == nil {
		return nil, nil, signature{}, fmt.Errorf("train: the model returned no function for batch %d", batch)
	}
	sig, err := inspect(f, batch)
	if err != nil {
		return nil, nil, signature{}, fmt.Errorf("train: model at batch %d: %w", batch, err)
	}
	return f, inits, sig, nil
}
