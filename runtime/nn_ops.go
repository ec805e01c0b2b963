package runtime

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// bindSoftmax binds softmax and log_softmax along axis (default -1).
// Each vector is shifted by its maximum before exponentiating, so large
// logits do not overflow, and accumulated in float64.
func bindSoftmax[T float](b *binding) (runFunc, error) {
	axisAttr, err := b.in.Attrs.Int("axis", -1)
	if err != nil {
		return nil, err
	}
	shape := b.in.Args[0].Type.Shape
	axis := normAxis(axisAttr, len(shape))
	outer, n, inner := shape[:axis].Size(), shape[axis], shape[axis+1:].Size()
	logSoftmax := b.in.Op == ir.OpLogSoftmax
	return func(x *execCtx, args, outs []*Tensor) error {
		xs, os := elems[T](args[0]), elems[T](outs[0])
		logits := x.float64s(n)
		for o := range outer {
			for j := range inner {
				base := o*n*inner + j
				for k := range logits {
					logits[k] = float64(xs[base+k*inner])
				}
				shift, sum := shiftedExpSum(logits)
				logSum := math.Log(sum)
				for k, v := range logits {
					if logSoftmax {
						os[base+k*inner] = T(v - shift - logSum)
					} else {
						os[base+k*inner] = T(math.Exp(v-shift) / sum)
					}
				}
			}
		}
		return nil
	}, nil
}

// shiftedExpSum returns the maximum m of z and Σ exp(z - m): the terms are
// at most 1, so nothing overflows, and log Σ exp(z) = m + log(sum).
func shiftedExpSum(z []float64) (m, sum float64) {
	m = math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	for _, v := range z {
		sum += math.Exp(v - m)
	}
	return m, sum
}

// bindSoftmaxXent binds softmax_xent: the mean over the batch of
// -log_softmax(z)[b, t_b] for logits z [B, C] and i64 labels t [B].
func bindSoftmaxXent[T float](b *binding) (runFunc, error) {
	shape := b.in.Args[0].Type.Shape
	batch, classes := shape[0], shape[1]
	return func(x *execCtx, args, outs []*Tensor) error {
		zs, labels := elems[T](args[0]), args[1]
		row := x.float64s(classes)
		var total float64
		for b, t := range labels.I64 {
			if t < 0 || t >= int64(classes) {
				return fmt.Errorf("label %d at batch index %d is out of range [0, %d)", t, b, classes)
			}
			for k := range row {
				row[k] = float64(zs[b*classes+k])
			}
			m, sum := shiftedExpSum(row)
			total += m + math.Log(sum) - row[t]
		}
		elems[T](outs[0])[0] = T(total / float64(batch))
		return nil
	}, nil
}

// bindOneHot binds one_hot: i64 labels of shape S become vectors of shape
// S+[depth], 1 at the label and 0 elsewhere, in the result dtype.
func bindOneHot[T number](b *binding) (runFunc, error) {
	depth, err := b.in.Attrs.Int("depth", 0)
	if err != nil {
		return nil, err
	}
	return func(_ *execCtx, args, outs []*Tensor) error {
		labels, os := args[0], elems[T](outs[0])
		clear(os)
		for i, t := range labels.I64 {
			if t < 0 || t >= int64(depth) {
				return fmt.Errorf("label %d at index %v is out of range [0, %d)", t, unravel(i, labels.Shape()), depth)
			}
			os[i*depth+int(t)] = 1
		}
		return nil
	}, nil
}
