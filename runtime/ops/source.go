package ops

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/rng"
)

// ConstantValues converts the value attribute of constant, a number for a
// scalar or a (nested) list in row-major order, to n elements of T with
// AttrValue: integer dtypes take integers exactly, beyond 2⁵³ too.
func ConstantValues[T Number](value ir.Attr, n int) ([]T, error) {
	leaves, err := ir.NumberLeaves(value)
	if err != nil {
		return nil, err
	}
	if len(leaves) != n {
		return nil, fmt.Errorf("value has %d elements, want %d", len(leaves), n)
	}
	out := make([]T, n)
	for i, a := range leaves {
		if out[i], err = AttrValue[T](a); err != nil {
			return nil, fmt.Errorf("value element %d: %w", i, err)
		}
	}
	return out, nil
}

// Fill sets every element of dst to v (full).
func Fill[T Number](dst []T, v T) {
	for i := range dst {
		dst[i] = v
	}
}

// FillRandom writes elements [lo, hi) of rng_normal (normal) or
// rng_uniform into dst, the whole result: element i is element i of the
// stream (key, counter) of runtime/rng. The stream is counter-based, so
// filling a result in ranges, on several goroutines, changes nothing.
func FillRandom[T Float](normal bool, dst []T, key, counter uint64, lo, hi int) {
	switch dst := any(dst).(type) {
	case []float32:
		if normal {
			rng.FillNormal32Range(dst, key, counter, lo, hi)
		} else {
			rng.FillUniform32Range(dst, key, counter, lo, hi)
		}
	case []float64:
		if normal {
			rng.FillNormal64Range(dst, key, counter, lo, hi)
		} else {
			rng.FillUniform64Range(dst, key, counter, lo, hi)
		}
	}
}
