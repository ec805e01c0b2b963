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
// in the declarative ops, argmin and linear_solve); its results are overwritten by the next run. Training loops
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
//     kernels.GEMM (WithGEMM; kernels.Default, the packed GEMM, unless
//     chosen), in one call per batch if the GEMM is a kernels.BatchGEMM,
//     else once per batch element. A Runner runs two matmuls in a row by
//     the same right operand as one call of a kernels.PairGEMM
//     (ops.PairMatmuls; the bits do not change).
//   - argmin runs on the region functions the implicit pass derives (it
//     is an error to run one without them: passes.Implicit prepares a
//     function; jvp, vjp and guess do it on their own). The solver
//     attribute picks the method of runtime/solve: newton (Newton–CG with
//     Armijo backtracking), sqp (Newton–KKT steps by MINRES with an ℓ1
//     merit function), riemannian (trust regions on the Stiefel manifold,
//     QR retraction), bfgs or lbfgs; a closed form (@f.solution) is run
//     instead when present. All of them see exact derivatives, never
//     finite differences. The start is zero, or the operand the attribute
//     init names for each variable (a warm start: pass the previous
//     solution, held in a state parameter, and return the new one);
//     Stiefel variables start orthonormalised (the identity's first
//     columns from zero). The solver stops at ‖∇ₓL‖∞ ≤ tol·scale and
//     ‖c‖∞ ≤ tol with scale = max(1, ‖∇ₓf‖∞ at the start), tol 1e-12 (f64)
//     or 1e-6 (f32) by default, and accepts a point within check_tol
//     where rounding stalls it. Every solve is then checked, as ddn's
//     _check_optimality_cond but as an error: ‖∇ₓf + Aᵀν‖∞ ≤ check_tol·scale
//     with least-squares multipliers ν (the scale raised to ‖∇²f(x*)·x*‖∞
//     and to λmax·‖x*‖∞, the sizes of the terms that cancel in ∇f(x*) and
//     the normwise measure of a solve's backward error, if larger),
//     ‖c‖∞ ≤ check_tol (default 1e-6,
//     f32 1e-3), and the smallest eigenvalue of the Hessian of the
//     Lagrangian on the constraints' tangent space (plus damping),
//     estimated by 24 Lanczos steps, above 1e-12 (f32 1e-6) of the
//     largest: a singular or indefinite Hessian makes the implicit
//     derivative undefined. Running out of max_iter (1000) is an error.
//     Errors name the instruction and the step, e.g.
//     "model.go:42: %w = argmin %h, %y (f32[512,128], f32[512,10]):
//     after the sqp solve: second-order check: ... singular".
//   - linear_solve runs conjugate gradients (symmetric and posdef set),
//     MINRES (symmetric) or restarted GMRES on its region's matvec, one
//     right-hand side at a time, in float64 with the matvec in the
//     region's dtype, to tol (relative residual; 1e-10, f32 1e-5) within
//     max_iter (3n + 100) iterations; non-convergence, pᵀAp ≤ 0 under
//     conjugate gradients and a singular system under MINRES are errors.
//   - fused (made by passes.Fuse) evaluates its body in one loop over its
//     domain, a block of 1024 elements at a time, each op of the body a
//     loop over the block with runtime/ops' row kernels in registers that
//     stay in L1 (fused*.go): operands are read once and results written
//     once, and every element gets the bits the unfused ops give it
//     (CheckIdentical compares them). Kind matmul runs the matmul's
//     kernel first, into the first result's buffer, then the body over
//     the product; kind reduce folds the body's values as the reductions
//     fold theirs. Each goroutine of a Runner binds a fused op's program
//     to its own registers once.
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
