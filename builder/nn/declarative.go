package nn

import (
	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// Declarative layers: layers defined by an optimisation problem, solved
// in the forward pass and differentiated implicitly (forward mode,
// reverse mode and forward-gradient steps alike).

// Ridge is a least-squares readout fitted on the batch: with features h
// [B,d] and targets y [B,c],
//
//	W = argmin_W ½‖hW − y‖² + ½λ‖W‖²   [d,c],
//
// solved by the registered closed form "ridge" (a Cholesky factor of
// hᵀh + λI, or of hhᵀ + λI when B < d) and differentiated implicitly in h
// and y. It returns the predictions hW [B,c] and W. For a classifier, y
// is the one-hot encoding of the labels (RidgeClassifier).
func Ridge(b *builder.Builder, h, y *ir.Value, lambda float64) (pred, w *ir.Value) {
	if b.Err() != nil {
		return nil, nil
	}
	switch {
	case h == nil || y == nil:
		b.Errorf("nn.Ridge: nil features or targets")
		return nil, nil
	case h.Type.Rank() != 2 || y.Type.Rank() != 2 || h.Type.Shape[0] != y.Type.Shape[0] || h.Type.DType != y.Type.DType || !h.Type.DType.IsFloat():
		b.Errorf("nn.Ridge: features %s and targets %s, want float [B,d] and [B,c] of one dtype", h.Type, y.Type)
		return nil, nil
	case !(lambda > 0):
		b.Errorf("nn.Ridge: λ = %g, want a positive regulariser (it keeps the solution unique)", lambda)
		return nil, nil
	}
	d, c := h.Type.Shape[1], y.Type.Shape[1]
	l := b.Scalar(h.Type.DType, lambda)
	wt := ir.TensorOf(h.Type.DType, d, c)
	obj := b.Func("ridge", []ir.Type{wt}, []*ir.Value{h, y, l}, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
		half := r.Scalar(h.Type.DType, 0.5)
		fit := r.Sum(r.Square(r.Sub(r.Matmul(p[0], x[0]), p[1])))
		reg := r.Mul(p[2], r.Sum(r.Square(x[0])))
		return []*ir.Value{r.Mul(half, r.Add(fit, reg))}
	}, "w")
	ws := b.Argmin(obj, []*ir.Value{h, y, l}, builder.Solver("ridge"))
	if ws == nil {
		return nil, nil
	}
	return b.Matmul(h, ws[0]), ws[0]
}

// RidgeClassifier is Ridge on scale times the one-hot encoding of labels
// [B] (i64) over the given number of classes: the logits h·W of the
// batch's own least-squares classifier. The scale sets the logits'
// magnitude, which the least-squares fit otherwise pins near the 0/1
// targets; softmax cross-entropy on logits near one-hot vectors cannot go
// below about −log(e/(e + C − 1)).
func RidgeClassifier(b *builder.Builder, h, labels *ir.Value, classes int, lambda, scale float64) (logits, w *ir.Value) {
	if b.Err() != nil || h == nil {
		return Ridge(b, h, nil, lambda)
	}
	y := b.OneHot(labels, classes, h.Type.DType)
	if scale != 1 {
		y = b.Mul(y, b.Scalar(h.Type.DType, scale))
	}
	return Ridge(b, h, y, lambda)
}

// A Mapping is the Ψ of a reduction mapping: the part x₂ of the
// variables that is known, at optimality, to lie on a structure given by
// the rest, x₂ = Ψ(x₁).
type Mapping func(b *builder.Builder, x1 []*ir.Value) []*ir.Value

// Explicit is a Mapping given in closed form.
func Explicit(psi func(b *builder.Builder, x1 []*ir.Value) []*ir.Value) Mapping { return psi }

// ArgminMapping is the implicit Mapping x₂ = argmin_u G(u, x₁, extra):
// objective takes the variables u, then x₁, then the extra operands.
func ArgminMapping(objective *ir.Func, extra []*ir.Value, opts ...builder.ArgminOption) Mapping {
	return func(b *builder.Builder, x1 []*ir.Value) []*ir.Value {
		return b.Argmin(objective, append(append([]*ir.Value{}, x1...), extra...), opts...)
	}
}

// Reduce returns the reduced objective F(x₁) = f(x₁, Ψ(x₁)): f built on
// x₁ and x₂ = psi(x₁). Differentiating F (by the passes) applies the
// chain rule through Ψ, implicitly when Ψ is an argmin.
func Reduce(b *builder.Builder, f func(b *builder.Builder, x1, x2 []*ir.Value) *ir.Value, psi Mapping, x1 ...*ir.Value) *ir.Value {
	if b.Err() != nil {
		return nil
	}
	if f == nil || psi == nil {
		b.Errorf("nn.Reduce: nil objective or mapping")
		return nil
	}
	x2 := psi(b, x1)
	if b.Err() != nil {
		return nil
	}
	return f(b, x1, x2)
}
