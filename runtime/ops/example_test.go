package ops_test

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/ops"
)

// step is a compiled function as generated Go uses this package: plans
// built once from the shapes in its constructor, buffers owned by the
// struct, and a Step of straight-line kernel calls and a fused loop of
// scalar functions, for
//
//	%h = add %x, %b : f32[2,3]
//	%t = tanh %h : f32[2,3]
//	%r = relu %t : f32[2,3]
//	%s = reduce_sum %r {axes=[1]} : f32[2]
type step struct {
	add     *ops.BinaryKernel[float32]
	sum     *ops.ReducePlan
	h       []float32
	s       []float32
	scratch []float64
}

func newStep() (*step, error) {
	add, err := ops.NewBinary[float32](ir.OpAdd, ir.Shape{2, 3}, ir.Shape{3}, ir.Shape{2, 3})
	if err != nil {
		return nil, err
	}
	sum, err := ops.NewReduce(ir.OpReduceSum, ir.Shape{2, 3}, []int{1})
	if err != nil {
		return nil, err
	}
	return &step{add: add, sum: sum, h: make([]float32, 6), s: make([]float32, 2), scratch: make([]float64, sum.ScratchLen())}, nil
}

func (st *step) Step(x, b []float32) []float32 {
	st.add.RunPart(st.h, x, b, 0, 1)
	for i, v := range st.h { // tanh and relu fused
		st.h[i] = ops.Relu(ops.Tanh(v))
	}
	ops.Reduce(st.sum, st.s, st.h, st.scratch)
	return st.s
}

func Example() {
	st, err := newStep()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Step([]float32{-1, 0, 1, 2, 3, 4}, []float32{0.5, 0.5, -4}))
	// Output: [0.46211717 1.9847922]
}
