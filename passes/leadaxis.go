package passes

import "github.com/pushforward/pushforward/ir"

// Many tangents travel on a leading axis of size T: the tangent of a value
// of type f32[B,H] is f32[T,B,H]. A single tangent has no such axis and
// the same type as its primal. The helpers below let the rules be written
// once for both cases: lead is 1 when the axis is present and 0 otherwise.

// tangentT returns the size of the leading tangent axis carried by the
// tangents of in's operands, or 0 if they carry none.
func tangentT(in *ir.Instr, ts []*ir.Value) int {
	for i, t := range ts {
		if t != nil && t.Type.Rank() == in.Args[i].Type.Rank()+1 {
			return t.Type.Shape[0]
		}
	}
	return 0
}

func leadOf(T int) int {
	if T > 0 {
		return 1
	}
	return 0
}

// lift returns the tangent type of a value of type t.
func lift(t ir.Type, T int) ir.Type {
	if T == 0 {
		return t
	}
	return t.WithShape(append(ir.Shape{T}, t.Shape...))
}

// liftShape prepends the tangent axis to s.
func liftShape(s ir.Shape, T int) ir.Shape { return lift(ir.Type{Shape: s}, T).Shape }

// align prepares the tangent t of an operand of rank r for broadcasting
// against tangents of rank R (both without the tangent axis): with a
// tangent axis, NumPy alignment at the trailing axes would pair T with a
// data axis, so unit axes are inserted after it.
func align(e *ir.Writer, t *ir.Value, r, R, T int) *ir.Value {
	if t == nil || T == 0 || r >= R {
		return t
	}
	s := ir.Shape{T}
	for range R - r {
		s = append(s, 1)
	}
	s = append(s, t.Type.Shape[1:]...)
	return reshape(e, t, s)
}

// fit broadcasts v to the shape of type want (v is known to broadcast).
func fit(e *ir.Writer, v *ir.Value, want ir.Type) *ir.Value {
	if v == nil {
		return nil
	}
	return broadcastTo(e, v, want.Shape)
}

// shiftAxes adds lead to every axis.
func shiftAxes(axes []int, lead int) []int {
	out := make([]int, len(axes))
	for i, a := range axes {
		out[i] = a + lead
	}
	return out
}

// zeroTangent returns zeros of the tangent type of v.
func zeroTangent(e *ir.Writer, v *ir.Value, T int) *ir.Value { return full(e, lift(v.Type, T), 0) }
