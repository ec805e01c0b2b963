package builder

import (
	"fmt"
	"maps"
	"math/rand/v2"

	"github.com/pushforward/pushforward/ir"
)

// An Initializer draws the initial value of a parameter. Package
// builder/nn provides the usual ones (uniform, normal, Kaiming,
// orthogonal) and nn.InitParams, which runs them.
type Initializer interface {
	// Init fills dst, the len t.Shape.Size() elements of a tensor of type
	// t in row-major order, with values drawn from rng.
	Init(dst []float64, t ir.Type, rng *rand.Rand) error
}

// ParamInit adds a trainable parameter, like Param, and records init as
// the initializer of its initial value.
func (b *Builder) ParamInit(name string, dtype ir.DType, init Initializer, dims ...int) *ir.Value {
	pos := callerPos()
	v := b.input(pos, name, ir.TensorOf(dtype, dims...), ir.Param)
	if v != nil {
		b.setInit(pos, v, init)
	}
	return v
}

// SetInit records init as the initializer of the parameter p (of role param
// or state), replacing any earlier one.
func (b *Builder) SetInit(p *ir.Value, init Initializer) {
	pos := callerPos()
	if !b.usable(pos, "init") {
		return
	}
	if err := b.checkOperands([]*ir.Value{p}); err != nil {
		b.fail(pos, "init", nil, err)
		return
	}
	b.setInit(pos, p, init)
}

func (b *Builder) setInit(pos ir.Pos, p *ir.Value, init Initializer) {
	switch {
	case init == nil:
		b.fail(pos, "init", nil, fmt.Errorf("nil initializer for %s", p))
	case !p.IsParam() || p.Role == ir.Data:
		b.fail(pos, "init", nil, fmt.Errorf("%s is not a parameter of role param or state", p))
	default:
		if b.inits == nil {
			b.inits = map[string]Initializer{}
		}
		b.inits[p.Name] = init
	}
}

// Inits returns the initializers recorded by ParamInit and SetInit, by
// parameter name. The map is a copy.
func (b *Builder) Inits() map[string]Initializer {
	m := maps.Clone(b.inits)
	if m == nil {
		m = map[string]Initializer{}
	}
	return m
}
