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
// passes' memory measures and the buffer plan, which PlanArenas
// (arena.go) makes for the interpreter's Runner and generated code alike.
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
// Package ir imports only the standard library.
package ir
