// Package runtime executes pushforward IR: tensors, and an interpreter that
// runs an ir.Func on them.
//
// A Tensor is an ir.Type and one row-major slice of the matching Go type.
// An Interpreter is built once per function (New checks the function and
// binds every instruction to its kernel, planning what does not depend on
// the data: strides, offsets, attributes) and run many times, concurrently
// if wanted; Run is the one-shot form. Interpreter.Run allocates every
// result and temporary afresh. A Runner (Interpreter.NewRunner) runs the
// function again and again over arenas it owns, placed by the function's
// memory plan (the one memplan recorded, or the same computed by
// ir.PlanMemory), and allocates nothing per run in steady state (except
// in argmin); its results are overwritten by the next run. Training loops
// and benchmarks use a Runner per goroutine; a training step's Runner
// feeds the new parameters and state back into the tensors it read them
// from (NewRunnerWith, Feedback).
//
// Kernels that have enough work split it across goroutines with
// kernels.Parallel: matrix products, large elementwise ops and random
// fills. Every element is computed by one goroutine in an order fixed by
// the shapes, so results do not depend on the number of threads.
//
// Every op of the IR is executed with the semantics of the op table
// (ir/op.go and ir/typerules.go). The elementwise, broadcast, reduction,
// data-movement, nn, source and cast ops are those of runtime/ops, which
// states the numerical conventions (f32 math in float64 rounded once,
// integer wraparound, NaN rules, saturating casts, ...): the interpreter
// binds an instruction to an ops kernel or plan when it is built and, at
// run time, passes its operands' slices (and splits large elementwise ops
// and random fills across goroutines, which does not change a bit). The
// executors of the elementwise ops come from ops' tables (Supports says
// whether an op has one). The interpreter itself defines the others:
//
//   - The linear-algebra ops follow runtime/kernels, including its sign
//     conventions, and accept leading batch axes; matmul goes through a
//     kernels.GEMM (WithGEMM; kernels.Default, the packed AVX2 GEMM, unless
//     chosen), in one call per batch if the GEMM is a kernels.BatchGEMM,
//     else once per batch element.
//   - argmin minimises its region's objective with gonum's BFGS (or
//     L-BFGS, solver="lbfgs") from zeros, with central-difference gradients,
//     until the gradient's largest entry is below tol (default 1e-8, or
//     1e-4 when f32 is involved). An explicit max_iter is a budget whose
//     last iterate is returned; exhausting the default budget (1000, the
//     op table's default) is an error. Regions with constraint functions
//     are rejected.
//
// Absent attributes take the op table's defaults (ir.AttrSpec.Default).
//
// Errors at run time name the instruction: its position, results, op and
// operand types, e.g.
//
//	3:5: %l = cholesky %a (f64[3,3]): matrix is not positive definite
//	3:5: %l = cholesky %a (f64[2,3,3]): matrix at batch index [1]: matrix is not positive definite
//
// A panic inside a kernel becomes such an error too; the interpreter must
// not panic on any function that New accepts.
package runtime
