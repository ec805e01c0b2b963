package nn

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// An Activation is an elementwise nonlinearity between layers.
type Activation uint8

// The activations.
const (
	Identity Activation = iota
	ReLU
	Tanh
	Sigmoid
)

var activationNames = [...]string{Identity: "identity", ReLU: "relu", Tanh: "tanh", Sigmoid: "sigmoid"}

// String returns the activation's name: identity, relu, tanh or sigmoid.
func (a Activation) String() string {
	if int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", uint8(a))
}

// ParseActivation returns the activation named s.
func ParseActivation(s string) (Activation, error) {
	for a, name := range activationNames {
		if name == s {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (want identity, relu, tanh or sigmoid)", s)
}

// Apply applies the activation to x.
func (a Activation) Apply(b *builder.Builder, x *ir.Value) *ir.Value {
	switch a {
	case Identity:
		return x
	case ReLU:
		return b.Relu(x)
	case Tanh:
		return b.Tanh(x)
	case Sigmoid:
		return b.Sigmoid(x)
	}
	b.Errorf("nn: unknown activation %s", a)
	return nil
}

// Gain is the recommended gain of an initialiser for layers followed by
// the activation, as PyTorch's calculate_gain: √2 for ReLU, 5/3 for tanh,
// 1 otherwise.
func (a Activation) Gain() float64 {
	switch a {
	case ReLU:
		return math.Sqrt2
	case Tanh:
		return 5.0 / 3
	}
	return 1
}

// An Option configures Linear and MLP.
type Option func(*config)

type config struct {
	bias             bool
	weight, biasInit builder.Initializer
}

// Bias turns the bias of the layers on (the default) or off.
func Bias(on bool) Option { return func(c *config) { c.bias = on } }

// WeightInit sets the initializer of the weights. The default is
// FanInUniform(0), PyTorch's default for nn.Linear.
func WeightInit(init builder.Initializer) Option { return func(c *config) { c.weight = init } }

// BiasInit sets the initializer of the biases. The default is
// FanInUniform(in), with in the fan-in of the layer's weight, PyTorch's
// default for nn.Linear.
func BiasInit(init builder.Initializer) Option { return func(c *config) { c.biasInit = init } }

// Linear is a fully connected layer: x·W + b for x of shape [..., in],
// giving [..., out]. It adds the parameters name.w [in,out] and, unless
// turned off with Bias(false), name.b [out], broadcast over the leading
// axes of x. The parameters have x's dtype.
func Linear(b *builder.Builder, name string, x *ir.Value, out int, opts ...Option) *ir.Value {
	if b.Err() != nil {
		return nil
	}
	if x == nil {
		b.Errorf("nn.Linear %s: input is nil", name)
		return nil
	}
	if x.Type.Rank() < 2 {
		b.Errorf("nn.Linear %s: input has type %s, want rank 2 or more ([batch..., in])", name, x.Type)
		return nil
	}
	if out <= 0 {
		b.Errorf("nn.Linear %s: output width %d, want a positive width", name, out)
		return nil
	}
	c := config{bias: true}
	for _, o := range opts {
		o(&c)
	}
	in := x.Type.Shape[x.Type.Rank()-1]
	if c.weight == nil {
		c.weight = FanInUniform(0)
	}
	w := b.ParamInit(name+".w", x.Type.DType, c.weight, in, out)
	y := b.Matmul(x, w)
	if !c.bias {
		return y
	}
	if c.biasInit == nil {
		c.biasInit = FanInUniform(in)
	}
	return b.Add(y, b.ParamInit(name+".b", x.Type.DType, c.biasInit, out))
}

// MLP is a stack of Linear layers with the given output widths and the
// activation between them (not after the last): it returns the logits.
// Layer i is named name.i, so its parameters are name.i.w and name.i.b.
// The options apply to every layer.
func MLP(b *builder.Builder, name string, x *ir.Value, widths []int, act Activation, opts ...Option) *ir.Value {
	if b.Err() != nil {
		return nil
	}
	if len(widths) == 0 {
		b.Errorf("nn.MLP %s: no layers", name)
		return nil
	}
	if int(act) >= len(activationNames) {
		b.Errorf("nn.MLP %s: unknown activation %s", name, act)
		return nil
	}
	h := x
	for i, w := range widths {
		if i > 0 {
			h = act.Apply(b, h)
		}
		h = Linear(b, fmt.Sprintf("%s.%d", name, i), h, w, opts...)
	}
	return h
}
