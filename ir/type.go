package ir

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Shape is a static tensor shape; a scalar has the empty shape.
type Shape []int

// Rank is the number of axes.
func (s Shape) Rank() int { return len(s) }

// NumElements returns the product of the dimensions, or false if a
// dimension is negative or the product overflows int64.
func (s Shape) NumElements() (int64, bool) {
	n := int64(1)
	for _, d := range s {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt64/int64(d) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}

// Size is NumElements for shapes known to be valid; it panics otherwise.
func (s Shape) Size() int {
	n, ok := s.NumElements()
	if !ok || n > math.MaxInt {
		panic(fmt.Sprintf("ir: invalid shape %v", []int(s)))
	}
	return int(n)
}

// Equal reports whether s and t have the same dimensions.
func (s Shape) Equal(t Shape) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy of s that shares no memory with it.
func (s Shape) Clone() Shape {
	if s == nil {
		return Shape{}
	}
	return append(Shape{}, s...)
}

// String formats s as "[d0,d1,...]".
func (s Shape) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(d))
	}
	b.WriteByte(']')
	return b.String()
}

// Strides returns the row-major strides of s, in elements.
func (s Shape) Strides() []int {
	st := make([]int, len(s))
	n := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = n
		n *= s[i]
	}
	return st
}

// Type is a dtype with a static shape, written "f32[128,784]".
type Type struct {
	DType DType
	Shape Shape
}

// TensorOf returns the type with dtype d and the given dimensions.
func TensorOf(d DType, dims ...int) Type { return Type{DType: d, Shape: Shape(dims).Clone()} }

// Scalar returns the rank-0 type of dtype d.
func Scalar(d DType) Type { return Type{DType: d, Shape: Shape{}} }

// String formats t in the text format, e.g. "f32[2,3]" or "f64[]".
func (t Type) String() string { return t.DType.String() + t.Shape.String() }

// Equal reports whether t and u have the same dtype and shape.
func (t Type) Equal(u Type) bool { return t.DType == u.DType && t.Shape.Equal(u.Shape) }

// Rank is the number of axes of t.
func (t Type) Rank() int { return len(t.Shape) }

// Bytes is the storage size of a tensor of type t.
func (t Type) Bytes() int64 {
	n, _ := t.Shape.NumElements()
	return n * int64(t.DType.Size())
}

// WithShape returns t's dtype with shape s.
func (t Type) WithShape(s Shape) Type { return Type{DType: t.DType, Shape: s.Clone()} }

// WithDType returns t's shape with dtype d.
func (t Type) WithDType(d DType) Type { return Type{DType: d, Shape: t.Shape.Clone()} }

// BroadcastShapes returns the NumPy broadcast of the given shapes: shapes
// are aligned at their last axis and each axis must match or be 1.
func BroadcastShapes(shapes ...Shape) (Shape, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make(Shape, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			switch o := out[off+i]; {
			case o == d || d == 1:
			case o == 1:
				out[off+i] = d
			default:
				return nil, fmt.Errorf("shapes %s do not broadcast (axis %d: %d vs %d)", joinShapes(shapes), i-len(s), o, d)
			}
		}
	}
	return out, nil
}

// CanBroadcastTo reports whether s broadcasts to t under NumPy rules.
func CanBroadcastTo(s, t Shape) bool {
	if len(s) > len(t) {
		return false
	}
	off := len(t) - len(s)
	for i, d := range s {
		if d != 1 && d != t[off+i] {
			return false
		}
	}
	return true
}

func joinShapes(shapes []Shape) string {
	parts := make([]string, len(shapes))
	for i, s := range shapes {
		parts[i] = s.String()
	}
	return strings.Join(parts, ", ")
}

// FormatTypes formats types as "f32[2,3], i64[2]".
func FormatTypes(types []Type) string { return joinTypes(types) }

func joinTypes(types []Type) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = t.String()
	}
	return strings.Join(parts, ", ")
}
