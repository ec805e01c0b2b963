package nn

import (
	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// CrossEntropy is the mean over the batch of the softmax cross-entropy of
// logits [B,C] against i64 labels [B] (the softmax_xent op).
func CrossEntropy(b *builder.Builder, logits, labels *ir.Value) *ir.Value {
	return b.SoftmaxXent(logits, labels)
}

// Accuracy is the fraction of the batch whose label has the largest logit,
// a scalar of the logits' dtype. There is no argmax op: a row counts as
// correct when the label's logit equals the row maximum, so a tie with
// the label counts as correct.
func Accuracy(b *builder.Builder, logits, labels *ir.Value) *ir.Value {
	if b.Err() != nil {
		return nil
	}
	if logits == nil || logits.Type.Rank() != 2 {
		b.Errorf("nn.Accuracy: logits %v, want [batch, classes]", typeOf(logits))
		return nil
	}
	classes := logits.Type.Shape[1]
	hot := b.OneHot(labels, classes, logits.Type.DType)
	picked := b.ReduceSum(b.Mul(logits, hot), []int{1}, false)
	best := b.ReduceMax(logits, []int{1}, false)
	return b.Mean(b.Ge(picked, best))
}

// MeanSquaredError is the mean over all elements of (pred - target)².
func MeanSquaredError(b *builder.Builder, pred, target *ir.Value) *ir.Value {
	return b.Mean(b.Square(b.Sub(pred, target)))
}

func typeOf(v *ir.Value) any {
	if v == nil {
		return "nil"
	}
	return v.Type
}
