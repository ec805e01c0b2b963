package ops

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// Number is the set of element types, one per dtype: float32 (f32),
// float64 (f64), int64 (i64) and uint64 (u64).
type Number interface {
	float32 | float64 | int64 | uint64
}

// Float is the set of floating-point element types.
type Float interface{ float32 | float64 }

// DTypeOf returns the dtype whose elements have type T.
func DTypeOf[T Number]() ir.DType {
	switch any(*new(T)).(type) {
	case float32:
		return ir.F32
	case float64:
		return ir.F64
	case int64:
		return ir.I64
	}
	return ir.U64
}

// IsFloat reports whether T is a floating-point type.
func IsFloat[T Number]() bool {
	switch any(*new(T)).(type) {
	case float32, float64:
		return true
	}
	return false
}

// Lowest returns the identity of maximum: -Inf for floats, the smallest
// value of an integer type.
func Lowest[T Number]() T {
	var v any
	switch any(*new(T)).(type) {
	case float32:
		v = float32(math.Inf(-1))
	case float64:
		v = math.Inf(-1)
	case int64:
		v = int64(math.MinInt64)
	case uint64:
		v = uint64(0)
	}
	return v.(T)
}

// Cast converts x to D as the cast op does: between floats it rounds to
// nearest, from integers it converts with Go's rules (integers wrap), and
// from a float to an integer it truncates toward zero, saturates and maps
// NaN to 0 (see FloatToInt64), the same on every platform.
func Cast[D, S Number](x S) D {
	if IsFloat[S]() {
		switch any(*new(D)).(type) {
		case int64:
			return D(FloatToInt64(float64(x)))
		case uint64:
			return D(FloatToUint64(float64(x)))
		}
	}
	return D(x)
}

// CastSlice sets dst[i] = Cast[D](src[i]) for i < len(src).
func CastSlice[D, S Number](dst []D, src []S) {
	dst = dst[:len(src)]
	if IsFloat[S]() {
		switch dst := any(dst).(type) {
		case []int64:
			for i, v := range src {
				dst[i] = FloatToInt64(float64(v))
			}
			return
		case []uint64:
			for i, v := range src {
				dst[i] = FloatToUint64(float64(v))
			}
			return
		}
	}
	for i, v := range src {
		dst[i] = D(v)
	}
}

// FloatToInt64 truncates x toward zero, saturates out-of-range values and
// maps NaN to 0. (Go leaves out-of-range conversions to the platform.)
func FloatToInt64(x float64) int64 {
	switch {
	case math.IsNaN(x):
		return 0
	case x >= math.MaxInt64: // 2⁶³ after rounding
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	}
	return int64(x)
}

// FloatToUint64 truncates x toward zero, saturates out-of-range values and
// maps NaN to 0.
func FloatToUint64(x float64) uint64 {
	switch {
	case math.IsNaN(x) || x <= 0:
		return 0
	case x >= math.MaxUint64: // 2⁶⁴ after rounding
		return math.MaxUint64
	}
	return uint64(x)
}

// AttrValue converts a number attribute to T as constant and full do:
// float dtypes round to nearest once (integers beyond 2⁵³ included);
// integer dtypes take an ir.Int or ir.Uint exactly and an ir.Float only
// when it is a whole number in range (ir.IntRepresentable).
func AttrValue[T Number](a ir.Attr) (T, error) {
	var zero T
	d := DTypeOf[T]()
	if d.IsInt() && !ir.IntRepresentable(d, a) {
		return zero, fmt.Errorf("%s is not representable in %s", a, d)
	}
	switch a := a.(type) {
	case ir.Int:
		return T(a), nil
	case ir.Uint:
		return T(a), nil
	case ir.Float:
		return Cast[T](float64(a)), nil
	}
	return zero, fmt.Errorf("%s is not a number", a)
}

// ToAttr returns the attribute AttrValue converts back to v exactly: an
// ir.Float for floats, an ir.Int or ir.Uint (ir.Unsigned) for integers.
func ToAttr[T Number](v T) ir.Attr {
	switch v := any(v).(type) {
	case float32:
		return ir.Float(v)
	case float64:
		return ir.Float(v)
	case int64:
		return ir.Int(v)
	case uint64:
		return ir.Unsigned(v)
	}
	return nil
}
