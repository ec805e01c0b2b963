package ops

import "github.com/pushforward/pushforward/ir"

// The ops whose plans NewReduce and NewSoftmax take, under names of this
// package, for generated code, which imports runtime/ops but not ir:
//
//	sum, err := ops.NewReduce(ops.OpReduceSum, []int{512, 10}, []int{1})
const (
	OpReduceSum  = ir.OpReduceSum
	OpReduceMean = ir.OpReduceMean
	OpReduceMax  = ir.OpReduceMax
	OpSoftmax    = ir.OpSoftmax
	OpLogSoftmax = ir.OpLogSoftmax
)
