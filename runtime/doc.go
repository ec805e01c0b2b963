// Package runtime executes pushforward IR: tensors, and an interpreter that
// runs an ir.Func on them.
//
// A Tensor is an ir.Type and one row-major slice of the matching Go type.
// An Interpreter is built once per function (New checks the function and
// binds every instruction to its kernel, planning what does not depend on
// the data: strides, offsets, attributes) and run many times, concurrently
// if wanted; Run is the one-shot form. Interpreter.Run allocates every
// result and temporary afresh. A Runner (Interpreter.NewRunner) runs the
// function again and again over buffers it owns, planned by liveness like
// a memory planner, and allocates nothing per run in steady state (except
// in the linear-algebra ops and argmin); its results are overwritten by
// the next run. Training loops and benchmarks use a Runner per goroutine;
// a training step's Runner feeds the new parameters and state back into
// the tensors it read them from (NewRunnerWith, Feedback).
//
// Kernels that have enough work split it across goroutines with
// kernels.Parallel: matrix products, large elementwise ops and random
// fills. Every element is computed by one goroutine in an order fixed by
// the shapes, so results do not depend on the number of threads.
//
// Every op of the IR is executed here with the semantics of the op table
// (ir/op.go and ir/typerules.go). Conventions the table leaves open:
//
//   - f32 transcendental functions (exp, log, tanh, sigmoid, sqrt, pow) are
//     computed in float64 and rounded once; sums, means, softmax and
//     cross-entropy accumulate in float64 for both float dtypes.
//   - Integer ops wrap around as in Go; integer division truncates and
//     division by zero is an error. Casting a float to an integer truncates
//     toward zero, saturates out-of-range values and maps NaN to 0.
//   - Comparisons yield 1 or 0 in the operand dtype; select picks a where
//     cond != 0 (NaN counts as non-zero). maximum, minimum, relu and
//     reduce_max propagate NaN; reduce_max over an empty axis gives the
//     dtype's lowest value (-Inf for floats).
//   - gather, one_hot and softmax_xent reject indices and labels out of
//     range with an error naming the offending value.
//   - The linear-algebra ops follow runtime/kernels, including its sign
//     conventions, and accept leading batch axes; matmul goes through a
//     kernels.GEMM (WithGEMM; kernels.Default, the packed AVX2 GEMM, unless
//     chosen), in one call per batch if the GEMM is a kernels.BatchGEMM,
//     else once per batch element.
//   - argmin minimises its region's objective with gonum's BFGS (or
//     L-BFGS, solver="lbfgs") from zeros, with central-difference gradients,
//     until the gradient's largest entry is below tol (default 1e-8, or
//     1e-4 when f32 is involved). An explicit max_iter is a budget whose
//     last iterate is returned; exhausting the default budget (1000) is an
//     error. Regions with constraint functions are rejected.
//   - rng_uniform and rng_normal follow the stream layout of runtime/rng.
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
