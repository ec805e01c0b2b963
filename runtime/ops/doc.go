// Package ops holds the semantics of the IR's elementwise, broadcast,
// reduction, data-movement, nn, source and cast ops, once, for every
// backend: the interpreter (package runtime) binds its kernels to
// instructions, the fold pass evaluates constants with them, and the Go
// that pf gen will emit calls them, so that all three compute the same
// bits. It imports only the standard library, ir, runtime/kernels and
// runtime/rng; never runtime.
//
// The API has three layers, from which generated code takes what it
// needs:
//
//   - Scalar functions, generic over the element type, one per
//     elementwise op: Neg, Abs, Relu, Step, Square, Exp, Log, Tanh,
//     Sigmoid, Sqrt, Pow, Add, Sub, Mul, Div, Maximum, Minimum, Eq, Ne,
//     Lt, Le, Gt, Ge, Select and Cast (ScalarFunc names the function of an
//     op). Fused loops call these.
//   - Slice kernels over destination and operand slices: UnaryKernel,
//     BinaryKernel (with NumPy broadcasting), SelectKernel, CastSlice,
//     Move, Concat, Gather, Reduce, Softmax, SoftmaxXent, OneHot, Fill,
//     FillRandom. Their fast paths are the vectorised kernels of
//     runtime/kernels (add, sub and mul with vectors and scalars, relu and
//     step, on floats) and plain loops for the integer ones, which compute
//     exactly what the scalar functions compute; the tests check it
//     element by element.
//   - Plans computed from shapes and attributes only: WalkPlan (strides
//     and offsets of a broadcast, transpose or slice walk), MovePlan,
//     ConcatPlan, GatherPlan, ReducePlan, SoftmaxPlan, and the kernels
//     themselves. They are built once (when the interpreter binds an
//     instruction, or in a generated constructor) and run any number of
//     times, from several goroutines too, without allocating; kernels
//     that need float64 scratch say how much (ScratchLen) and take it from
//     the caller. BinaryKernel.RunPart splits a result into parts that
//     give the bits of one call, so callers may spread them over cores.
//
// The elementwise ops come from two tables keyed by ir.Op (unaryOps and
// binaryOps, listed by UnaryOps and BinaryOps), each row naming an op's
// scalar function and its instantiation per dtype. The interpreter builds
// its executors from these tables. Adding a one-operand elementwise op
// takes its row in ir/op.go's table, its scalar function and row here
// (with a known value in known_test.go), its JVP rule in passes, a case of
// internal/conformance and a line of a golden file.
//
// # Conventions
//
// The op table (ir/op.go, ir/typerules.go) fixes types and shapes; these
// are the numerical conventions it leaves open:
//
//   - f32 transcendental functions (exp, log, tanh, sigmoid, sqrt, pow)
//     are computed in float64 and rounded once; sums, means, softmax and
//     cross-entropy accumulate in float64 for both float dtypes, in
//     row-major input order.
//   - Integer ops wrap around as in Go; integer division truncates, and
//     division by zero is an error (ErrIntDivByZero). Casting a float to
//     an integer truncates toward zero, saturates out-of-range values and
//     maps NaN to 0, the same on every platform (FloatToInt64,
//     FloatToUint64).
//   - Comparisons yield 1 or 0 in the operand dtype; select picks a where
//     cond != 0 (NaN counts as non-zero). maximum, minimum, relu and
//     reduce_max propagate NaN (Go's max and min); reduce_max over an
//     empty axis gives the dtype's lowest value (-Inf for floats).
//   - gather, one_hot and softmax_xent reject indices and labels out of
//     range with an error naming the offending value and its position.
//   - constant and full convert their value attributes with AttrValue:
//     floats round to nearest once, integer dtypes take integers exactly
//     over their whole range (u64 values of 2⁶³ and more are ir.Uint).
//   - rng_uniform and rng_normal follow the stream layout of runtime/rng:
//     element i of the result is element i of the stream (key, counter).
//
// # For the fold pass
//
// EvalScalar and ReduceScalar compute an elementwise op or a reduction of
// splat operands given as attributes, by running the kernels above on
// one-element (or chunked) slices and converting with AttrValue and
// ToAttr, so a folded constant has the interpreter's bits in the value's
// dtype. Portable says which ops give the same bits on every platform;
// those built on the math library may not, and fold leaves them.
package ops
