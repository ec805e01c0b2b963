// Package ir defines pushforward's typed dataflow IR: dtypes and static
// shapes, functions in SSA form, the op table with its shape and type rules,
// the canonical text format (printer and parser) and the verifier.
//
// A Func has parameters (each marked data, param or state), a body of
// instructions in topological order and a list of results. Each Instr
// applies one Op to argument Values and defines one or more result Values.
// Every op is described once, in the table of op.go; the verifier, the
// builder, the interpreter and the compiler passes all read that table,
// attribute defaults included (AttrSpec.Default, read by Instr.IntAttr,
// BoolAttr, AxisAttr, ...). Integer attributes are exact over the range
// of i64 and u64: an Int, or a Uint for u64 values from 2⁶³.
//
// Code that builds functions writes through one emitter, Writer
// (emit.go): it infers result types, names values and keeps the first
// error. Liveness (liveness.go) gives each value's last use, for the
// passes' memory measures and the memory plan: PlanMemory (memplan.go)
// places every instruction result in one arena per dtype, reusing dead
// values' memory and computing elementwise results in place of operands
// that die (CanShareBuffer); the memplan pass records the plan as the
// attribute buf=[offsets] of every instruction, which the verifier checks
// (CheckPlan) and the interpreter and generated code both follow.
//
// The text format is normative (see DESIGN.md, "IR text format"):
//
//	func @mlp(%x: f32[512,40] data, %w: f32[40,10] param) -> (f32[512,10]) {
//	  %z = matmul %x, %w : f32[512,10]
//	  return %z
//	}
//
// Print and Parse round-trip exactly: Print(Parse(Print(f))) == Print(f).
// Parse keeps the `//` comments, attached to the function, statement or
// return they precede (see Comments), and the printer writes them back, so
// that formatting a file (`pf fmt`) loses none.
//
// Declarative ops (argmin) and fused ops carry a Region of nested
// functions, printed after the attributes:
//
//	%r = fused %a, %b {kind="elementwise"} region {
//	  func @body(%a: f32[] data, %b: f32[] data) -> (f32[]) {
//	    %s = add %a, %b : f32[]
//	    %r = relu %s : f32[]
//	    return %r
//	  }
//	} : f32[512,128]
//
// A fused op (fused.go; made by the fuse pass) is one loop over its
// result: its body is a function over scalars, one parameter per operand
// and one result per result, made of elementwise and broadcast ops and
// scalar constants. kind="elementwise" evaluates it at every index of the
// result, the operands broadcast (NumPy rules) to the result shape;
// kind="matmul" (attributes transpose_a, transpose_b) multiplies its first
// two operands and evaluates the body on each element of the product (the
// body's first parameter) and the further operands; kind="reduce"
// (attributes reduce="sum", "mean" or "max", axes, keepdims) reduces the
// body's one result over the operands' broadcast shape. AnalyzeFused
// describes one; Fusable says which instructions a body may hold.
//
// Package ir imports only the standard library.
package ir
