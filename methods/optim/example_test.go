package optim_test

import (
	"fmt"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/optim"
)

// A gradient function for loss = ½Σ(w − c)² returns the loss and ∂w;
// Apply appends a momentum step.
func ExampleApply() {
	b := builder.New("quad")
	w := b.Param("w", ir.F32, 4)
	c := b.Data("c", ir.F32, 4)
	d := b.Named("dw", b.Sub(w, c))
	loss := b.Named("loss", b.Mul(b.Scalar(ir.F32, 0.5), b.Sum(b.Square(d))))
	b.Return(loss, d)
	g, err := b.Build()
	if err != nil {
		panic(err)
	}
	st, err := optim.Apply(g, []string{"w"}, optim.Momentum{LR: 0.1, Mu: 0.9})
	if err != nil {
		panic(err)
	}
	fmt.Print(st.Func)
	fmt.Println("slots:", st.Slots, "feed back results", st.ResultOf("w"), st.ResultOf("w.buf"), st.ResultOf(optim.StepName))
	// Output:
	// func @quad_step(%w: f32[4] param, %c: f32[4] data, %w.buf: f32[4] state, %optim.step: i64[] state) -> (f32[], f32[4], f32[4], i64[]) {
	//   %dw = sub %w, %c : f32[4]
	//   %1 = full {value=0.5} : f32[]
	//   %2 = square %dw : f32[4]
	//   %3 = reduce_sum %2 : f32[]
	//   %loss = mul %1, %3 : f32[]
	//   %optim.1 = full {value=1} : i64[]
	//   %optim.step.next = add %optim.step, %optim.1 : i64[]
	//   %w.1 = full {value=1} : i64[]
	//   %w.first = eq %optim.step.next, %w.1 : i64[]
	//   %w.3 = full {value=0.9} : f32[]
	//   %w.4 = mul %w.buf, %w.3 : f32[4]
	//   %w.blend = add %w.4, %dw : f32[4]
	//   %w.buf.next = select %w.first, %dw, %w.blend : f32[4]
	//   %w.7 = full {value=-0.1} : f32[]
	//   %w.8 = mul %w.buf.next, %w.7 : f32[4]
	//   %w.next = add %w, %w.8 : f32[4]
	//   return %loss, %w.next, %w.buf.next, %optim.step.next
	// }
	// slots: [w.buf] feed back results 1 2 3
}
