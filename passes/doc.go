// Package passes holds pushforward's compiler passes over *ir.Func and the
// pipeline that runs them.
//
// Forward mode is the primary transform: jvp rewrites a function into one
// that also returns directional derivatives, with symbolic zeros (values
// that do not depend on a perturbed input get no tangent and no code) and
// many tangents carried on a leading axis. Reverse mode is derived from it
// as in JAX: linearize keeps the part of the JVP that is linear in the
// tangents, transpose runs that linear program backwards, and vjp is the
// two composed. The derivative rules are one table keyed by op
// (rules.go; the rules themselves in jvp_rules*.go and
// transpose_rules.go); they write code through ir.Writer.
//
// Guess (guess*.go) builds a forward-gradient training step: it derives
// each layer's next-segment Jacobian from the IR, seeds the layer's tangent
// with a guess direction made from it (W̃ᵀ, W̃⊥ by block Krylov iteration,
// W̃ᴾ, W̃⊥-NS and the baselines), runs jvp, and assembles the gradient
// estimates. In the pass table these are two passes: guess builds the
// model with its guesses and marks them (ir.Func.Marks) as the seeds of
// the tangents; jvp, given such a function, carries them and assembles
// the estimates (guess_forward.go). Each method is a GuessMethod, one type in a file of its own
// (guess_wt.go, guess_wperp.go, ...) that registers it, with the analytic
// covariance of its guesses that the metrics of methods/fwdgrad use.
// Schedule recomputes such a step's activations after its loss
// tangents so that its memory stays flat in depth; fold, cse and dce clean
// up after the transforms. memplan, the last pass, records the function's
// memory plan (ir.PlanMemory) in it, which the interpreter's Runner and
// generated code follow; MemStats and the -stats of pf opt report it.
//
// The passes are listed in one table (pipeline.go) with a second table of
// ordering constraints checked at init; Run applies a list of them,
// optionally verifying after each, dumping the IR and timing them.
package passes
