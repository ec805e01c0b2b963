package ops

import (
	"fmt"
	"math"

	"github.com/pushforward/pushforward/ir"
)

// A SoftmaxPlan is the plan of softmax or log_softmax along one axis of an
// operand viewed as [outer, n, inner]. Each vector is shifted by its
// maximum before exponentiating, so large logits do not overflow, and
// accumulated in float64.
type SoftmaxPlan struct {
	outer, n, inner int
	log             bool
}

// NewSoftmax plans softmax or log_softmax of an operand of shape x along
// axis (in [-rank, rank)).
func NewSoftmax(op ir.Op, x ir.Shape, axis int) (*SoftmaxPlan, error) {
	if op != ir.OpSoftmax && op != ir.OpLogSoftmax {
		return nil, fmt.Errorf("%s is not softmax or log_softmax", op)
	}
	axis, err := ir.NormAxis(axis, len(x))
	if err != nil {
		return nil, err
	}
	return &SoftmaxPlan{outer: x[:axis].Size(), n: x[axis], inner: x[axis+1:].Size(), log: op == ir.OpLogSoftmax}, nil
}

// ScratchLen is the float64 scratch Softmax needs.
func (p *SoftmaxPlan) ScratchLen() int { return p.n }

// Softmax writes softmax (or log_softmax) of src into dst, using scratch
// of at least ScratchLen elements.
func Softmax[T Float](p *SoftmaxPlan, dst, src []T, scratch []float64) {
	n, inner := p.n, p.inner
	logits := scratch[:n]
	for o := range p.outer {
		for j := range inner {
			base := o*n*inner + j
			for k := range logits {
				logits[k] = float64(src[base+k*inner])
			}
			shift, sum := shiftedExpSum(logits)
			logSum := math.Log(sum)
			for k, v := range logits {
				if p.log {
					dst[base+k*inner] = T(v - shift - logSum)
				} else {
					dst[base+k*inner] = T(math.Exp(v-shift) / sum)
				}
			}
		}
	}
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

// SoftmaxXent returns softmax_xent: the mean over the batch of
// -log_softmax(z)[b, labels[b]] for logits z [batch, classes] and labels
// [batch], using scratch of at least classes elements. A label out of
// range is an error naming it.
func SoftmaxXent[T Float](z []T, labels []int64, classes int, scratch []float64) (T, error) {
	row := scratch[:classes]
	var total float64
	for b, t := range labels {
		if t < 0 || t >= int64(classes) {
			return 0, fmt.Errorf("label %d at batch index %d is out of range [0, %d)", t, b, classes)
		}
		for k := range row {
			row[k] = float64(z[b*classes+k])
		}
		m, sum := shiftedExpSum(row)
		total += m + math.Log(sum) - row[t]
	}
	return T(total / float64(len(labels))), nil
}

// OneHot writes one_hot of labels (of the given shape) into dst: vectors
// of length depth, 1 at the label and 0 elsewhere. A label out of range
// is an error naming it and its position.
func OneHot[T Number](dst []T, labels []int64, shape ir.Shape, depth int) error {
	clear(dst)
	for i, t := range labels {
		if t < 0 || t >= int64(depth) {
			return fmt.Errorf("label %d at index %v is out of range [0, %d)", t, Unravel(i, shape), depth)
		}
		dst[i*depth+int(t)] = 1
	}
	return nil
}
