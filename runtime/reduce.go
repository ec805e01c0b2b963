package runtime

import (
	"math"

	"github.com/pushforward/pushforward/ir"
)

// reduce runs reduce_sum, reduce_mean and reduce_max. Each input element
// is folded into the output element it reduces to, in row-major input
// order, so the result is deterministic.
func reduce[T number](c *call) (*Tensor, error) {
	x, out := c.args[0], Zeros(c.out(0))
	axes, err := ir.NormAxes(c.in.Attrs, x.Type.Rank())
	if err != nil {
		return nil, err
	}
	offs := reductionOffsets(x.Shape(), axes)
	xs, os := elems[T](x), elems[T](out)
	switch c.in.Op {
	case ir.OpReduceMax:
		lowest := lowestValue[T]()
		for i := range os {
			os[i] = lowest
		}
		for i, v := range xs {
			os[offs[i]] = max(os[offs[i]], v)
		}
	case ir.OpReduceSum:
		sumInto(os, xs, offs, 1)
	case ir.OpReduceMean:
		count := 1
		for _, a := range axes {
			count *= x.Shape()[a]
		}
		sumInto(os, xs, offs, float64(count))
	}
	return out, nil
}

// sumInto adds each xs[i] into dst[offs[i]] and divides the sums by div.
// Floats accumulate in float64 and round once at the end, which keeps f32
// sums of many terms accurate; integers wrap (and div must be 1).
func sumInto[T number](dst, xs []T, offs []int, div float64) {
	if !isFloat[T]() {
		for i, v := range xs {
			dst[offs[i]] += v
		}
		return
	}
	acc := make([]float64, len(dst))
	for i, v := range xs {
		acc[offs[i]] += float64(v)
	}
	for i, v := range acc {
		dst[i] = T(v / div)
	}
}

// reductionOffsets returns for each element of shape s the row-major
// offset of the element it reduces to when the given axes are reduced.
func reductionOffsets(s ir.Shape, axes []int) []int {
	kept := s.Clone()
	for _, a := range axes {
		kept[a] = 1
	}
	strides := kept.Strides()
	for _, a := range axes {
		strides[a] = 0
	}
	return walkOffsets(s, strides, 0)
}

// lowestValue is the identity of max: -Inf or the smallest integer.
func lowestValue[T number]() T {
	var v any
	var zero T
	switch any(zero).(type) {
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
