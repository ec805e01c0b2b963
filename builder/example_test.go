package builder_test

import (
	"fmt"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// A two-layer MLP with softmax cross-entropy, printed in the IR text format.
func Example() {
	b := builder.New("mlp")
	x := b.Data("x", ir.F32, 32, 40)
	t := b.Data("t", ir.I64, 32)
	w1 := b.Param("w1", ir.F32, 40, 128)
	b1 := b.Param("b1", ir.F32, 128)
	w2 := b.Param("w2", ir.F32, 128, 10)

	h := b.Relu(b.Add(b.Matmul(x, w1), b1))
	logits := b.Named("logits", b.Matmul(h, w2))
	loss := b.Named("loss", b.SoftmaxXent(logits, t))
	b.Return(loss, logits)

	f, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(f)
	// Output:
	// func @mlp(%x: f32[32,40] data, %t: i64[32] data, %w1: f32[40,128] param, %b1: f32[128] param, %w2: f32[128,10] param) -> (f32[], f32[32,10]) {
	//   %1 = matmul %x, %w1 : f32[32,128]
	//   %2 = add %1, %b1 : f32[32,128]
	//   %3 = relu %2 : f32[32,128]
	//   %logits = matmul %3, %w2 : f32[32,10]
	//   %loss = softmax_xent %logits, %t : f32[]
	//   return %loss, %logits
	// }
}

// Shape errors are sticky and name the op, the operand types and the line
// of the call.
func ExampleBuilder_Err() {
	b := builder.New("bad")
	x := b.Data("x", ir.F32, 8, 3)
	w := b.Param("w", ir.F32, 4, 2)
	y := b.Matmul(x, w) // contracted dimensions 3 and 4 differ
	b.Return(b.Relu(y)) // does nothing: y is nil after the error
	_, err := b.Build()
	fmt.Println(err)
	// Output:
	// example_test.go:47: matmul: contracted dimensions differ: [8,3] and [4,2] (transpose_a=false, transpose_b=false) give 3 and 4 (operands f32[8,3], f32[4,2])
}
