package runtime

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// A Tensor is a dense row-major array of one dtype with a static shape.
// Exactly one of the data slices is used, the one of Type.DType, and it
// holds Type.Shape.Size() elements.
type Tensor struct {
	Type ir.Type
	F32  []float32
	F64  []float64
	I64  []int64
	U64  []uint64
}

// number is the set of element types, one per dtype.
type number = ops.Number

// Zeros returns a tensor of type t with every element zero. It panics if t
// is not a valid type.
func Zeros(t ir.Type) *Tensor {
	n, ok := t.Shape.NumElements()
	if !ok || n > math.MaxInt || !t.DType.Valid() {
		panic(fmt.Sprintf("runtime: invalid tensor type %s", t))
	}
	x := &Tensor{Type: ir.Type{DType: t.DType, Shape: t.Shape.Clone()}}
	switch t.DType {
	case ir.F32:
		x.F32 = make([]float32, n)
	case ir.F64:
		x.F64 = make([]float64, n)
	case ir.I64:
		x.I64 = make([]int64, n)
	case ir.U64:
		x.U64 = make([]uint64, n)
	}
	return x
}

func fromSlice[T number](d ir.DType, shape []int, data []T) *Tensor {
	t := ir.Type{DType: d, Shape: ir.Shape(shape).Clone()}
	if n, ok := t.Shape.NumElements(); !ok || n != int64(len(data)) {
		panic(fmt.Sprintf("runtime: %d elements for a tensor of type %s", len(data), t))
	}
	x := &Tensor{Type: t}
	*elemsPtr[T](x) = data
	return x
}

// FromF32 returns an f32 tensor of the given shape that uses data (not a
// copy) as its elements. It panics if the lengths disagree.
func FromF32(shape []int, data []float32) *Tensor { return fromSlice(ir.F32, shape, data) }

// FromF64 returns an f64 tensor of the given shape that uses data.
func FromF64(shape []int, data []float64) *Tensor { return fromSlice(ir.F64, shape, data) }

// FromI64 returns an i64 tensor of the given shape that uses data.
func FromI64(shape []int, data []int64) *Tensor { return fromSlice(ir.I64, shape, data) }

// FromU64 returns a u64 tensor of the given shape that uses data.
func FromU64(shape []int, data []uint64) *Tensor { return fromSlice(ir.U64, shape, data) }

// ScalarF32 returns the f32 scalar v.
func ScalarF32(v float32) *Tensor { return FromF32(nil, []float32{v}) }

// ScalarF64 returns the f64 scalar v.
func ScalarF64(v float64) *Tensor { return FromF64(nil, []float64{v}) }

// ScalarI64 returns the i64 scalar v.
func ScalarI64(v int64) *Tensor { return FromI64(nil, []int64{v}) }

// ScalarU64 returns the u64 scalar v.
func ScalarU64(v uint64) *Tensor { return FromU64(nil, []uint64{v}) }

// FromFloat64s returns a tensor of type t holding a copy of data converted
// to t's dtype (floats are rounded, integers truncated as by a cast). It
// panics if t is invalid or the lengths disagree.
func FromFloat64s(t ir.Type, data []float64) *Tensor {
	x := Zeros(t)
	if len(data) != x.Len() {
		panic(fmt.Sprintf("runtime: %d elements for a tensor of type %s", len(data), t))
	}
	switch t.DType {
	case ir.F32:
		ops.CastSlice(x.F32, data)
	case ir.F64:
		copy(x.F64, data)
	case ir.I64:
		ops.CastSlice(x.I64, data)
	case ir.U64:
		ops.CastSlice(x.U64, data)
	}
	return x
}

// DType returns the tensor's dtype.
func (t *Tensor) DType() ir.DType { return t.Type.DType }

// Shape returns the tensor's shape (not a copy).
func (t *Tensor) Shape() ir.Shape { return t.Type.Shape }

// Len returns the number of elements in the slice of t's dtype.
func (t *Tensor) Len() int {
	switch t.Type.DType {
	case ir.F32:
		return len(t.F32)
	case ir.F64:
		return len(t.F64)
	case ir.I64:
		return len(t.I64)
	case ir.U64:
		return len(t.U64)
	}
	return 0
}

// Float64s returns a copy of the elements converted to float64 (integers
// beyond 2⁵³ lose precision).
func (t *Tensor) Float64s() []float64 {
	out := make([]float64, t.Len())
	switch t.Type.DType {
	case ir.F32:
		convertSlice(out, t.F32)
	case ir.F64:
		copy(out, t.F64)
	case ir.I64:
		convertSlice(out, t.I64)
	case ir.U64:
		convertSlice(out, t.U64)
	}
	return out
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{
		Type: ir.Type{DType: t.Type.DType, Shape: t.Type.Shape.Clone()},
		F32:  cloneNonNil(t.F32),
		F64:  cloneNonNil(t.F64),
		I64:  cloneNonNil(t.I64),
		U64:  cloneNonNil(t.U64),
	}
}

func cloneNonNil[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// check reports whether the data slice of t's dtype holds exactly as many
// elements as t's type says.
func (t *Tensor) check() error {
	if !t.Type.DType.Valid() {
		return fmt.Errorf("tensor has invalid dtype %s", t.Type.DType)
	}
	n, ok := t.Type.Shape.NumElements()
	if !ok {
		return fmt.Errorf("tensor has invalid shape %s", t.Type.Shape)
	}
	if int64(t.Len()) != n {
		return fmt.Errorf("tensor of type %s holds %d elements, want %d", t.Type, t.Len(), n)
	}
	return nil
}

// Equal reports whether t and u have the same type and the same elements,
// NaN being equal to NaN (so a result can be compared with itself to check
// determinism).
func (t *Tensor) Equal(u *Tensor) bool {
	if !t.Type.Equal(u.Type) || t.Len() != u.Len() {
		return false
	}
	switch t.Type.DType {
	case ir.F32:
		return equalFloats(t.F32, u.F32)
	case ir.F64:
		return equalFloats(t.F64, u.F64)
	case ir.I64:
		return slices.Equal(t.I64, u.I64)
	case ir.U64:
		return slices.Equal(t.U64, u.U64)
	}
	return true
}

// equalFloats compares element by element, NaN matching NaN.
func equalFloats[T ops.Float](a, b []T) bool {
	for i, v := range a {
		if w := b[i]; v != w && !(v != v && w != w) { // x != x only for NaN
			return false
		}
	}
	return true
}

// CheckClose returns nil if got and want have the same type and every
// element satisfies |got - want| ≤ atol + rtol·|want| (NaN matching NaN,
// infinities matching exactly); otherwise an error describing the first
// mismatch and how many elements differ. It is meant for tests.
func CheckClose(got, want *Tensor, rtol, atol float64) error {
	if !got.Type.Equal(want.Type) {
		return fmt.Errorf("got type %s, want %s", got.Type, want.Type)
	}
	if err := got.check(); err != nil {
		return fmt.Errorf("got: %w", err)
	}
	if err := want.check(); err != nil {
		return fmt.Errorf("want: %w", err)
	}
	g, w := got.Float64s(), want.Float64s()
	first, bad := -1, 0
	for i := range g {
		if !isClose(g[i], w[i], rtol, atol) {
			if first < 0 {
				first = i
			}
			bad++
		}
	}
	if bad == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d elements differ; first at %v: got %v, want %v (rtol %g, atol %g)",
		bad, len(g), unravel(first, got.Type.Shape), g[first], w[first], rtol, atol)
}

func isClose(g, w, rtol, atol float64) bool {
	switch {
	case math.IsNaN(g) || math.IsNaN(w):
		return math.IsNaN(g) && math.IsNaN(w)
	case math.IsInf(g, 0) || math.IsInf(w, 0):
		return g == w
	}
	return math.Abs(g-w) <= atol+rtol*math.Abs(w)
}

// unravel returns the multi-index of row-major offset i in shape s.
func unravel(i int, s ir.Shape) []int { return ops.Unravel(i, s) }

// maxPrinted bounds the elements String prints.
const maxPrinted = 1000

// String formats t as its type followed by nested rows, e.g.
// "f32[2,2] [[1 2] [3 4]]"; tensors of more than 1000 elements are
// abbreviated.
func (t *Tensor) String() string {
	var b strings.Builder
	b.WriteString(t.Type.String())
	b.WriteByte(' ')
	if err := t.check(); err != nil {
		b.WriteString("<" + err.Error() + ">")
		return b.String()
	}
	if t.Len() > maxPrinted {
		fmt.Fprintf(&b, "<%d elements>", t.Len())
		return b.String()
	}
	t.formatAxis(&b, 0, 0)
	return b.String()
}

// formatAxis writes the sub-array at axis d starting at offset off.
func (t *Tensor) formatAxis(b *strings.Builder, d, off int) {
	if d == t.Type.Rank() {
		b.WriteString(t.formatElem(off))
		return
	}
	stride := 1
	for _, n := range t.Type.Shape[d+1:] {
		stride *= n
	}
	b.WriteByte('[')
	for i := range t.Type.Shape[d] {
		if i > 0 {
			b.WriteByte(' ')
		}
		t.formatAxis(b, d+1, off+i*stride)
	}
	b.WriteByte(']')
}

func (t *Tensor) formatElem(i int) string {
	switch t.Type.DType {
	case ir.F32:
		return strconv.FormatFloat(float64(t.F32[i]), 'g', -1, 32)
	case ir.F64:
		return strconv.FormatFloat(t.F64[i], 'g', -1, 64)
	case ir.I64:
		return strconv.FormatInt(t.I64[i], 10)
	case ir.U64:
		return strconv.FormatUint(t.U64[i], 10)
	}
	return "?"
}

// elemsPtr returns a pointer to the data slice of element type T.
func elemsPtr[T number](t *Tensor) *[]T {
	var zero T
	switch any(zero).(type) {
	case float32:
		return any(&t.F32).(*[]T)
	case float64:
		return any(&t.F64).(*[]T)
	case int64:
		return any(&t.I64).(*[]T)
	}
	return any(&t.U64).(*[]T)
}

// elems returns the data slice of element type T; T must match t's dtype.
func elems[T number](t *Tensor) []T { return *elemsPtr[T](t) }

// convertSlice converts src element by element into dst as cast does.
func convertSlice[D, S number](dst []D, src []S) { ops.CastSlice(dst, src) }
