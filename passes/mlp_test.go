package passes_test

import (
	"fmt"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// deepMLP builds an MLP of the given depth (number of weight matrices),
// width and batch, with ReLU and softmax cross-entropy, no biases.
func deepMLP(t testing.TB, d ir.DType, depth, width, batch, in, classes int) *ir.Func {
	t.Helper()
	b := builder.New(fmt.Sprintf("mlp%d", depth))
	x := b.Data("x", d, batch, in)
	labels := b.Data("t", ir.I64, batch)
	h := x
	for i := range depth {
		out := width
		if i == depth-1 {
			out = classes
		}
		w := b.Param(fmt.Sprintf("w%d", i+1), d, h.Type.Shape[1], out)
		s := b.Named(fmt.Sprintf("s%d", i+1), b.Matmul(h, w))
		if i < depth-1 {
			h = b.Named(fmt.Sprintf("h%d", i+1), b.Relu(s))
		} else {
			h = s
		}
	}
	b.Return(b.Named("loss", b.SoftmaxXent(h, labels)))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}
