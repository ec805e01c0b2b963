package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// JVP rules of the elementwise and broadcasting ops. Each rule receives the
// instruction as copied into the function being built (so in.Args and
// in.Results are primal values there) and the operand tangents (nil for a
// symbolic zero). It returns one tangent per result, nil for zero. Every
// rule emits code linear in the tangents, so linearize can transpose it.

// zeroJVP is the rule of ops whose results are piecewise constant or do not
// depend on their operands continuously.
func zeroJVP(*ir.Writer, *ir.Instr, []*ir.Value) ([]*ir.Value, error) { return nil, nil }

// tangentJVP makes the rule of a one-operand op from a function of the
// operand's (non-zero) tangent.
func tangentJVP(rule func(e *ir.Writer, in *ir.Instr, t *ir.Value) *ir.Value) jvpRule {
	return func(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
		if ts[0] == nil {
			return nil, nil
		}
		return vals(rule(e, in, ts[0])), nil
	}
}

// unaryJVP makes the rule t_y = f'(x) t_x of an elementwise op from its
// derivative f', computed from the operand x and the result y.
func unaryJVP(deriv func(e *ir.Writer, x, y *ir.Value) *ir.Value) jvpRule {
	return tangentJVP(func(e *ir.Writer, in *ir.Instr, t *ir.Value) *ir.Value {
		return mul(e, t, deriv(e, in.Args[0], in.Results[0]))
	})
}

func powJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	t := ts[0]
	if t == nil {
		return nil, nil
	}
	p, err := in.FloatAttr("exponent")
	if err != nil {
		return nil, err
	}
	x := in.Args[0]
	switch p {
	case 0:
		return nil, nil
	case 1:
		return vals(t), nil
	case 2:
		return vals(mul(e, t, scale(e, x, 2))), nil
	}
	pm1 := e.Emit(ir.OpPow, vals(x), ir.Attrs{"exponent": ir.Float(p - 1)})[0]
	return vals(mul(e, t, scale(e, pm1, p))), nil
}

// castJVP converts the tangent between float dtypes; a cast to or from an
// integer dtype is piecewise constant.
func castJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	t, out := ts[0], in.Results[0].Type
	if t == nil || !out.DType.IsFloat() || !in.Args[0].Type.DType.IsFloat() {
		return nil, nil
	}
	return vals(e.Emit(ir.OpCast, vals(t), nil, t.Type.WithDType(out.DType))[0]), nil
}

// binaryTangents aligns the operand tangents of a broadcasting op and
// returns them with the tangent axis size and the result's tangent type.
func binaryTangents(e *ir.Writer, in *ir.Instr, ts []*ir.Value) (ta, tb *ir.Value, want ir.Type) {
	T := tangentT(in, ts)
	R := in.Results[0].Type.Rank()
	ta = align(e, ts[0], in.Args[0].Type.Rank(), R, T)
	tb = align(e, ts[1], in.Args[1].Type.Rank(), R, T)
	return ta, tb, lift(in.Results[0].Type, T)
}

func addJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	ta, tb, want := binaryTangents(e, in, ts)
	switch {
	case ta == nil:
		return vals(fit(e, tb, want)), nil
	case tb == nil:
		return vals(fit(e, ta, want)), nil
	}
	return vals(fit(e, add(e, ta, tb), want)), nil
}

func subJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	ta, tb, want := binaryTangents(e, in, ts)
	switch {
	case ta == nil:
		return vals(fit(e, neg(e, tb), want)), nil
	case tb == nil:
		return vals(fit(e, ta, want)), nil
	}
	return vals(fit(e, sub(e, ta, tb), want)), nil
}

func mulJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	ta, tb, want := binaryTangents(e, in, ts)
	a, b := in.Args[0], in.Args[1]
	var terms []*ir.Value
	if ta != nil {
		terms = append(terms, mul(e, ta, b))
	}
	if tb != nil {
		terms = append(terms, mul(e, a, tb))
	}
	return vals(fit(e, sum(e, terms), want)), nil
}

// divJVP uses d(a/b) = (da - y db) / b with y = a/b.
func divJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	ta, tb, want := binaryTangents(e, in, ts)
	b, y := in.Args[1], in.Results[0]
	var num *ir.Value
	switch {
	case tb == nil:
		num = ta
	case ta == nil:
		num = neg(e, mul(e, y, tb))
	default:
		num = sub(e, ta, mul(e, y, tb))
	}
	return vals(fit(e, div(e, num, b), want)), nil
}

// pickJVP is the rule of maximum (cmp = ge) and minimum (cmp = le): the
// tangent of the operand that is picked, the first one on ties.
func pickJVP(cmp ir.Op) jvpRule {
	return func(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
		ta, tb, want := binaryTangents(e, in, ts)
		mask := emit1(e, cmp, nil, in.Args[0], in.Args[1])
		return vals(selectTangents(e, mask, ta, tb, want)), nil
	}
}

func selectJVP(e *ir.Writer, in *ir.Instr, ts []*ir.Value) ([]*ir.Value, error) {
	if ts[1] == nil && ts[2] == nil {
		return nil, nil
	}
	T := tangentT(in, ts)
	R := in.Results[0].Type.Rank()
	ta := align(e, ts[1], in.Args[1].Type.Rank(), R, T)
	tb := align(e, ts[2], in.Args[2].Type.Rank(), R, T)
	return vals(selectTangents(e, in.Args[0], ta, tb, lift(in.Results[0].Type, T))), nil
}

// selectTangents emits select(cond, ta, tb) broadcast to want, with zeros
// standing in for a missing tangent.
func selectTangents(e *ir.Writer, cond, ta, tb *ir.Value, want ir.Type) *ir.Value {
	if ta == nil {
		ta = scalar(e, want.DType, 0)
	}
	if tb == nil {
		tb = scalar(e, want.DType, 0)
	}
	return fit(e, sel(e, cond, ta, tb), want)
}

// sum adds the terms; it returns nil for none.
func sum(e *ir.Writer, terms []*ir.Value) *ir.Value {
	var s *ir.Value
	for _, t := range terms {
		if s == nil {
			s = t
		} else {
			s = add(e, s, t)
		}
	}
	return s
}
