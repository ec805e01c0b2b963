package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// What the guesses of the W̃ families for hidden layer i are made of (the
// methods themselves are in guess_<method>.go). Each starts from the
// linearization of the next segment, s_i → s_{i+1}, as IR (LinearizeSegment),
// inlined into the step: A_b denotes its per-example Jacobian, d = d_{i+1}
// the width of s_i and d2 that of s_{i+1}. Everything here is primal code
// (a function of the weights, the activations and the noise): the tangent
// machinery only adds the finished guess to the tangent of s_i.

// k is the subspace dimension, at most the number of columns of v.
func (gb *guessBuilder) k(v *ir.Value) int {
	return min(gb.opts.K, v.Type.Shape[v.Type.Rank()-1])
}

// segment returns the linearization s_i → s_{i+1} for T vectors.
func (gb *guessBuilder) segment(l, next Layer, T int) (*Segment, error) {
	return LinearizeSegment(gb.src, l.Pre.Name, next.Pre.Name, T)
}

// applySegment emits A_b v (or A_bᵀ v if transposed) for v with the
// tangent axis of the step (or any leading axis of the same size).
func (gb *guessBuilder) applySegment(l, next Layer, v *ir.Value, forward bool) (*ir.Value, error) {
	T := 1
	if v.Type.Rank() == l.Pre.Type.Rank()+1 {
		T = v.Type.Shape[0]
	}
	seg, err := gb.segment(l, next, T)
	if err != nil {
		return nil, err
	}
	fn := seg.Transpose
	if forward {
		fn = seg.Map
	}
	args := make([]*ir.Value, 0, len(gb.src.Params)+1)
	for _, p := range gb.src.Params {
		args = append(args, gb.r.primal[p])
	}
	out, err := inline(gb.r.e, fn, append(args, v), "")
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// combine emits y_b = V_b z_b for per-example bases V [B, d, k] and
// z ~ N(0, I_k), one per guess on the tangent axis.
func (gb *guessBuilder) combine(l Layer, v *ir.Value) *ir.Value {
	e, T := gb.r.e, gb.r.T
	s := v.Type.Shape
	z := gb.normal(ir.TensorOf(v.Type.DType, s[0], s[2], max(T, 1)), gb.streamOf(l.Pre))
	y := matmul(e, v, z, false, false) // [B, d, T]
	if T == 0 {
		return reshape(e, y, l.Pre.Type.Shape)
	}
	return transpose(e, y, []int{2, 0, 1})
}

// denseJacobian emits the per-example Jacobians A [B, d2, d] by applying
// the segment to the d columns of the identity at once.
func (gb *guessBuilder) denseJacobian(l, next Layer) (*ir.Value, error) {
	e := gb.r.e
	B, d := l.Pre.Type.Shape[0], l.Pre.Type.Shape[1]
	eye := reshape(e, identity(e, l.Pre.Type.DType, d), ir.Shape{d, 1, d})
	cols, err := gb.applySegment(l, next, broadcastTo(e, eye, ir.Shape{d, B, d}), true) // [d, B, d2]
	if err != nil {
		return nil, err
	}
	return transpose(e, cols, []int{1, 2, 0}), nil
}

// identity emits the n×n identity matrix as eq(i, j) of two views of the
// constant 0, 1, …, n−1, so that a dump shows n numbers, not n².
func identity(e *ir.Writer, d ir.DType, n int) *ir.Value {
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = float64(i)
	}
	idx := e.Emit(ir.OpConstant, nil, ir.Attrs{"value": ir.Floats(vs...)}, ir.TensorOf(d, n))[0]
	return emit1(e, ir.OpEq, nil, reshape(e, idx, ir.Shape{n, 1}), reshape(e, idx, ir.Shape{1, n}))
}

func svd3(e *ir.Writer, a *ir.Value) (u, s, v *ir.Value) {
	r := e.Emit(ir.OpSVD, vals(a), nil)
	return r[0], r[1], r[2]
}

func eigh2(e *ir.Writer, a *ir.Value) (w, v *ir.Value) {
	r := e.Emit(ir.OpEigh, vals(a), nil)
	return r[0], r[1]
}

// sliceCols keeps columns [lo, hi) of a batch of matrices [..., n, m].
func sliceCols(e *ir.Writer, v *ir.Value, lo, hi int) *ir.Value {
	s := v.Type.Shape
	start := make([]int, len(s))
	stop := s.Clone()
	start[len(s)-1], stop[len(s)-1] = lo, hi
	if lo == 0 && hi == s[len(s)-1] {
		return v
	}
	return emit1(e, ir.OpSlice, ir.Attrs{"start": ir.Ints(start...), "stop": ir.Ints(stop...)}, v)
}

// toColumns turns vectors with the tangent axis, [T, B, d] (or [B, d]), into
// per-example column blocks [B, d, T].
func toColumns(e *ir.Writer, v *ir.Value, T int) *ir.Value {
	if T == 0 {
		return reshape(e, v, append(v.Type.Shape.Clone(), 1))
	}
	return transpose(e, v, []int{1, 2, 0})
}

// fromColumns is the inverse of toColumns, giving the tangent type of t.
func fromColumns(e *ir.Writer, v *ir.Value, t ir.Type, T int) *ir.Value {
	if T == 0 {
		return reshape(e, v, t.Shape)
	}
	return transpose(e, v, []int{2, 0, 1})
}
