// Package codegen emits Go source for a compiled function, for programs
// that run a training step without the interpreter (go generate, pf gen).
//
// Generate turns an ir.Func into one Go file: a struct holding the
// function's inputs (In), its results (Out) and its preallocated buffers,
// a constructor that allocates them and plans the kernels from the static
// shapes, and a Step method of straight-line code (see API):
//
//   - elementwise ops, broadcasts, transposes and slices are loops with
//     constant bounds over the result, their axes merged as the
//     interpreter's walk plans merge them, with the vectorised row kernels
//     of runtime/kernels where the interpreter uses them (add, sub, mul,
//     relu, step, copies) and the scalar functions of runtime/ops
//     elsewhere; fused ops (ir/fused.go) are the same loops over their
//     bodies, after the product for kind matmul, folded into the outputs
//     for kind reduce;
//   - matrix products call kernels.Packed, the interpreter's default GEMM,
//     on the concrete type; reductions, softmax, cross-entropy, gather and
//     one_hot call the kernels of runtime/ops with plans built in the
//     constructor; random numbers come from runtime/rng through
//     ops.FillRandom; the decompositions run per matrix of their batch as
//     the interpreter runs them (runtime/linalg.go);
//   - large loops, random fills and batches of decompositions are split
//     across goroutines with kernels.Parallel, as the interpreter splits
//     them: every element is computed by one goroutine in an order fixed by
//     the shapes, so the split changes no bit.
//
// Step allocates nothing, makes no interface call and uses neither
// reflection nor maps; the file imports only the standard library and
// runtime/ops, runtime/kernels and runtime/rng, never the interpreter or
// the compiler. It computes what the interpreter computes, bit for bit:
// every op runs the code the interpreter's kernel runs, or the scalar
// function it is defined by, and every float result of a scalar op in a
// loop is converted explicitly to its type, because the Go spec lets a
// compiler fuse x*y + z into one FMA (Go does at GOAMD64=v3, across
// inlined calls) but not across an explicit conversion. The tests run
// every golden IR function and the op conformance suite as generated code
// built at GOAMD64=v1 and v3, against the interpreter in the same program
// (internal/genmod).
//
// Buffers follow the function's memory plan: the one the memplan pass
// recorded (ir.RecordedPlan), or the one it would record (ir.PlanMemory),
// which the interpreter's Runner follows too.
//
// Every Go identifier derived from an IR name is made here (names.go):
// reduced to letters and digits, joined in camel case (w1.tangent becomes
// W1Tangent in In, w1Tangent for a buffer), given a prefix or a fallback
// when nothing usable is left, and disambiguated by a numeric suffix in
// the order names are claimed. IR text reaches the file only in //
// comments, with control characters escaped and */ broken, and in string
// literals quoted by strconv.
//
// An op Generate cannot emit is an error naming the instruction, its op
// and position: argmin, whose solvers run inside the interpreter on
// nested interpreters of its region, is the one today.
//
// Adapter emits, for a package of its own, a type that runs a generated
// step on runtime tensors as a runtime.Runner runs the function, which is
// how methods/train runs generated steps (examples/generate) and how the
// tests compare them with the interpreter. Fingerprint identifies the
// function a file was generated from, so that a program can tell a stale
// file.
package codegen
