package runtime

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// bindConstant binds constant: a number for a scalar, else a (possibly
// nested) list in row-major order. Integer dtypes read ir.Int values
// directly, so i64 and u64 constants stay exact beyond 2⁵³. The value is
// converted once, here.
func bindConstant[T number](b *binding) (runFunc, error) {
	leaves := flattenAttr(b.in.Attrs["value"], nil)
	n := b.out(0).Shape.Size()
	if len(leaves) != n {
		return nil, fmt.Errorf("value has %d elements, want %d", len(leaves), n)
	}
	value := make([]T, n)
	for i, a := range leaves {
		v, err := attrAs[T](a)
		if err != nil {
			return nil, fmt.Errorf("value element %d: %w", i, err)
		}
		value[i] = v
	}
	return func(_ *execCtx, _, outs []*Tensor) error {
		copy(elems[T](outs[0]), value)
		return nil
	}, nil
}

// bindFull binds full: every element equal to the value attribute.
func bindFull[T number](b *binding) (runFunc, error) {
	v, err := attrAs[T](b.in.Attrs["value"])
	if err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	return func(_ *execCtx, _, outs []*Tensor) error {
		os := elems[T](outs[0])
		for i := range os {
			os[i] = v
		}
		return nil
	}, nil
}

// flattenAttr appends the leaves of a (nested) list attribute to dst.
func flattenAttr(a ir.Attr, dst []ir.Attr) []ir.Attr {
	if l, ok := a.(ir.List); ok {
		for _, e := range l {
			dst = flattenAttr(e, dst)
		}
		return dst
	}
	return append(dst, a)
}

// attrAs converts a numeric attribute to T: floats round to nearest, and
// integer dtypes take an ir.Int exactly or an ir.Float only if it is a
// whole number in range.
func attrAs[T number](a ir.Attr) (T, error) {
	var zero T
	switch any(zero).(type) {
	case float32, float64:
		f, err := ir.AttrFloat(a)
		return T(f), err
	case int64:
		switch a := a.(type) {
		case ir.Int:
			return T(a), nil
		case ir.Float:
			if f := float64(a); f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
				return T(f), nil
			}
		}
		return zero, fmt.Errorf("%s is not an i64", a)
	}
	switch a := a.(type) {
	case ir.Int:
		if a >= 0 {
			return T(a), nil
		}
	case ir.Float:
		if f := float64(a); f == math.Trunc(f) && f >= 0 && f < math.MaxUint64 {
			return T(f), nil
		}
	}
	return zero, fmt.Errorf("%s is not a u64", a)
}
