// Package codegen emits Go source for a compiled function: Generate
// turns an ir.Func into one Go file holding a struct with the function's
// inputs, results and preallocated buffers, a constructor that plans the
// kernels from the static shapes, and a Step method of straight-line
// calls into runtime/ops, runtime/kernels and runtime/rng and loops with
// constant bounds. Step allocates nothing and computes what the
// interpreter computes, bit for bit.
package codegen
