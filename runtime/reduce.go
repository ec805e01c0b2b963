package runtime

import (
	"math"

	"github.com/pushforward/pushforward/ir"
)

// bindReduce binds reduce_sum, reduce_mean and reduce_max. Each input
// element is folded into the output element it reduces to, in row-major
// input order, so the result is deterministic. Floats accumulate in
// float64 and round once at the end, which keeps f32 sums of many terms
// accurate; integers wrap.
//
// When the reduced axes are one block once size-1 axes are dropped, the
// input is viewed as [outer, n, inner] and reduced with plain loops
// (inner = 1: each output sums a contiguous run); other axis sets use
// offsets computed here.
func bindReduce[T number](b *binding) (runFunc, error) {
	shape := b.in.Args[0].Type.Shape
	axes, err := ir.NormAxes(b.in.Attrs, len(shape))
	if err != nil {
		return nil, err
	}
	count := 1
	for _, a := range axes {
		count *= shape[a]
	}
	div := float64(count)
	if b.in.Op != ir.OpReduceMean {
		div = 1
	}
	isMax := b.in.Op == ir.OpReduceMax
	outer, n, inner, ok := reductionBlock(shape, axes)
	var offs []int
	if !ok {
		offs = reductionOffsets(shape, axes)
	}
	return func(x *execCtx, args, outs []*Tensor) error {
		xs, os := elems[T](args[0]), elems[T](outs[0])
		switch {
		case isMax && ok:
			maxBlock(os, xs, outer, n, inner)
		case isMax:
			lowest := lowestValue[T]()
			for i := range os {
				os[i] = lowest
			}
			for i, v := range xs {
				os[offs[i]] = max(os[offs[i]], v)
			}
		case !isFloat[T]():
			clear(os)
			if ok {
				sumIntBlock(os, xs, outer, n, inner)
				break
			}
			for i, v := range xs {
				os[offs[i]] += v
			}
		case ok:
			sumBlock(x, os, xs, outer, n, inner, div)
		default:
			acc := x.float64s(len(os))
			clear(acc)
			for i, v := range xs {
				acc[offs[i]] += float64(v)
			}
			for i, v := range acc {
				os[i] = T(v / div)
			}
		}
		return nil
	}, nil
}

// reductionBlock views shape as [outer, n, inner] with the reduced axes
// (sorted) in the middle, if they form one block once axes of size 1 are
// ignored.
func reductionBlock(shape ir.Shape, axes []int) (outer, n, inner int, ok bool) {
	reduced := make([]bool, len(shape))
	for _, a := range axes {
		reduced[a] = true
	}
	outer, n, inner = 1, 1, 1
	phase := 0 // 0 before the block, 1 in it, 2 after it
	for d, size := range shape {
		if size == 1 {
			continue
		}
		switch {
		case reduced[d] && phase == 2:
			return 0, 0, 0, false
		case reduced[d]:
			phase = 1
			n *= size
		case phase == 0:
			outer *= size
		default:
			phase = 2
			inner *= size
		}
	}
	return outer, n, inner, true
}

// sumBlock reduces x viewed as [outer, n, inner] over its middle axis,
// accumulating each output in float64 in input order.
func sumBlock[T number](x *execCtx, os, xs []T, outer, n, inner int, div float64) {
	if inner == 1 {
		for o := range outer {
			var acc float64
			for _, v := range xs[o*n : (o+1)*n] {
				acc += float64(v)
			}
			os[o] = T(acc / div)
		}
		return
	}
	acc := x.float64s(inner)
	for o := range outer {
		clear(acc)
		for r := range n {
			row := xs[(o*n+r)*inner:][:inner]
			for i, v := range row {
				acc[i] += float64(v)
			}
		}
		dst := os[o*inner:][:inner]
		for i, v := range acc {
			dst[i] = T(v / div)
		}
	}
}

// sumIntBlock is sumBlock for integers, which wrap; os starts at zero.
func sumIntBlock[T number](os, xs []T, outer, n, inner int) {
	for o := range outer {
		dst := os[o*inner:][:inner]
		for r := range n {
			for i, v := range xs[(o*n+r)*inner:][:inner] {
				dst[i] += v
			}
		}
	}
}

// maxBlock is the reduce_max of x viewed as [outer, n, inner].
func maxBlock[T number](os, xs []T, outer, n, inner int) {
	lowest := lowestValue[T]()
	for o := range outer {
		dst := os[o*inner:][:inner]
		for i := range dst {
			dst[i] = lowest
		}
		for r := range n {
			for i, v := range xs[(o*n+r)*inner:][:inner] {
				dst[i] = max(dst[i], v)
			}
		}
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
