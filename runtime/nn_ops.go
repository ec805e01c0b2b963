package runtime

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// softmax runs softmax and log_softmax along axis (default -1). Each
// vector is shifted by its maximum before exponentiating, so large logits
// do not overflow, and accumulated in float64.
func softmax[T float](c *call) (*Tensor, error) {
	x, out := c.args[0], Zeros(c.out(0))
	axisAttr, err := c.in.Attrs.Int("axis", -1)
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	axis := normAxis(axisAttr, len(shape))
	outer, n, inner := shape[:axis].Size(), shape[axis], shape[axis+1:].Size()
	xs, os := elems[T](x), elems[T](out)
	logits := make([]float64, n)
	for o := range outer {
		for j := range inner {
			base := o*n*inner + j
			for k := range logits {
				logits[k] = float64(xs[base+k*inner])
			}
			shift, sum := shiftedExpSum(logits)
			logSum := math.Log(sum)
			for k, v := range logits {
				if c.in.Op == ir.OpLogSoftmax {
					os[base+k*inner] = T(v - shift - logSum)
				} else {
					os[base+k*inner] = T(math.Exp(v-shift) / sum)
				}
			}
		}
	}
	return out, nil
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

// softmaxXent is the mean over the batch of -log_softmax(z)[b, t_b] for
// logits z [B, C] and i64 labels t [B].
func softmaxXent[T float](c *call) (*Tensor, error) {
	z, labels := c.args[0], c.args[1]
	batch, classes := z.Shape()[0], z.Shape()[1]
	zs := elems[T](z)
	row := make([]float64, classes)
	var total float64
	for b, t := range labels.I64 {
		if t < 0 || t >= int64(classes) {
			return nil, fmt.Errorf("label %d at batch index %d is out of range [0, %d)", t, b, classes)
		}
		for k := range row {
			row[k] = float64(zs[b*classes+k])
		}
		m, sum := shiftedExpSum(row)
		total += m + math.Log(sum) - row[t]
	}
	out := Zeros(c.out(0))
	elems[T](out)[0] = T(total / float64(batch))
	return out, nil
}

// oneHot turns i64 labels of shape S into vectors of shape S+[depth]: 1 at
// the label, 0 elsewhere, in the result dtype.
func oneHot[T number](c *call) (*Tensor, error) {
	labels, out := c.args[0], Zeros(c.out(0))
	depth, err := c.in.Attrs.Int("depth", 0)
	if err != nil {
		return nil, err
	}
	os := elems[T](out)
	for i, t := range labels.I64 {
		if t < 0 || t >= int64(depth) {
			return nil, fmt.Errorf("label %d at index %v is out of range [0, %d)", t, unravel(i, labels.Shape()), depth)
		}
		os[i*depth+int(t)] = 1
	}
	return out, nil
}
