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
// Declarative layers (implicit*.go, jvp_rules_argmin*.go,
// jvp_rules_linear_solve.go). An argmin's region holds its objective and
// constraint functions (ir/region.go). The implicit pass derives from them,
// by VJP and JVP, the functions a solver needs — @f.grad, @f.hvp, and for
// each constraint @c.jvp, @c.vjp, @c.hvp — and attaches them to the
// region; it recognises the Stiefel constraint XᵀX − I (keeping its
// k(k+1)/2 independent equations and recording the variable in the
// attribute stiefel), picks the solver when none is named (newton,
// riemannian or sqp), and builds @f.solution from a registered closed
// form (ridge and lstsq are built in; RegisterClosedForm adds others).
// argmin's JVP rule is the implicit function theorem on the KKT system
//
//	[H Aᵀ; A 0] [ẋ; ν̇] = −[(∂∇ₓL/∂θ)θ̇; (∂c/∂θ)θ̇]
//
// (H ẋ = −(∂∇ₓf/∂θ)θ̇ without constraints): by default matrix-free, a
// linear_solve op whose region is the KKT operator built from the derived
// Hessian-vector products (conjugate gradients for H, MINRES for the
// KKT matrix), in O(n) memory; with implicit="dense" the matrix is formed
// and factored (the oracle of tests); a rule registered with
// RegisterArgminRule overrides both (methods register, passes never
// import methods). linear_solve has a JVP rule (one more solve with the
// same operator) and a transpose rule (a solve with the transposed
// operator: the same region when symmetric, else the VJP of the matvec),
// so reverse mode through any argmin is the transpose of its JVP, with no
// VJP rule of its own. jvp, vjp and guess run the implicit pass on the
// argmins they copy, so their output always runs.
//
// Fuse (fuse*.go), the last of the table, joins chains of elementwise and
// broadcast ops into fused ops (ir/fused.go), each one loop over its
// result: with the matmul whose product they read (epilogues: bias,
// activation, the ReLU mask on a tangent, an optimizer's update) or the
// reduction they feed, and optionally computes products that share their
// right operand as one wider product. Fused ops compute the bits of the
// ops they replace; Unfuse is the inverse and the tests' oracle, and the
// JVP rule of fused differentiates the ops of its body. TrafficBytes
// counts the bytes a function reads and writes, which fusion lowers.
//
// The passes are listed in one table (pipeline.go) with a second table of
// ordering constraints checked at init; Run applies a list of them,
// optionally verifying after each, dumping the IR and timing them.
package passes
