package nn_test

import (
	"fmt"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
)

// An MLP classifier with Kaiming-initialised weights, and its initial
// parameter values.
func Example() {
	b := builder.New("classifier")
	x := b.Data("x", ir.F32, 64, 20)
	t := b.Data("t", ir.I64, 64)
	logits := nn.MLP(b, "mlp", x, []int{32, 5}, nn.ReLU, nn.WeightInit(nn.KaimingNormal(nn.ReLU.Gain())))
	b.Return(b.Named("loss", nn.CrossEntropy(b, logits, t)), b.Named("acc", nn.Accuracy(b, logits, t)))
	f, err := b.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(f)

	values, err := nn.InitParams(f, b.Inits(), 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range f.Params {
		if p.Role == ir.Param {
			fmt.Printf("%s: %d values\n", p.Name, len(values[p.Name]))
		}
	}
	// Output:
	// func @classifier(%x: f32[64,20] data, %t: i64[64] data, %mlp.0.w: f32[20,32] param, %mlp.0.b: f32[32] param, %mlp.1.w: f32[32,5] param, %mlp.1.b: f32[5] param) -> (f32[], f32[]) {
	//   %1 = matmul %x, %mlp.0.w : f32[64,32]
	//   %2 = add %1, %mlp.0.b : f32[64,32]
	//   %3 = relu %2 : f32[64,32]
	//   %4 = matmul %3, %mlp.1.w : f32[64,5]
	//   %5 = add %4, %mlp.1.b : f32[64,5]
	//   %loss = softmax_xent %5, %t : f32[]
	//   %6 = one_hot %t {depth=5} : f32[64,5]
	//   %7 = mul %5, %6 : f32[64,5]
	//   %8 = reduce_sum %7 {axes=[1]} : f32[64]
	//   %9 = reduce_max %5 {axes=[1]} : f32[64]
	//   %10 = ge %8, %9 : f32[64]
	//   %acc = reduce_mean %10 : f32[]
	//   return %loss, %acc
	// }
	// mlp.0.w: 640 values
	// mlp.0.b: 32 values
	// mlp.1.w: 160 values
	// mlp.1.b: 5 values
}
