// Package reduction implements reduction mappings for better-conditioned
// optimisation (Markou, Ajanthan and Gould, arXiv:2506.08428): when part of
// the parameters, x₂, is known to lie on a structure Ψ(x₁) at optimality,
// minimise the reduced objective F(x₁) = f(x₁, Ψ(x₁)) instead of f, and
// precondition its gradient with the pullback metric R = I + JᵀJ,
// J = DΨ (GeoPrecGD).
//
// A Problem writes f(x₁, x₂) as IR with the builder; a Map is Ψ, either
// explicit (any builder code) or the minimiser of an inner objective (the
// IR's argmin op, solved by the runtime). New makes a Reduction, whose
// quantities are IR functions derived by the passes and run by runtime
// Runners ("kernels", compiled on first use):
//
//	F, ∇F            the reduced objective, and its reverse-mode gradient:
//	                 the chain rule ∇F = ∇_{x₁}f + Jᵀ∇_{x₂}f through the
//	                 whole graph, through the argmin's implicit-function
//	                 rule for an argmin map (Gradient)
//	∇_{x₁}f∘Φ        the partial gradient with Ψ frozen: Danskin's ∇F for
//	                 the exact inner argmin of f (PartialGradient)
//	∇²F, ∇²F·v       forward mode over the gradient (Hessian, HessianVec)
//	J·v, Jᵀ·w, J     forward and reverse mode of Ψ (JacobianVec, ...)
//	C                the bending term D²Ψ • ∇_{x₂}f of Lemma 3: forward
//	                 mode over Jᵀw with w held fixed (Bending);
//	                 Lemma3Hessian assembles [I Jᵀ]∇²f[I; J] + C
//	R, R·v           the Hessian at a = 0 of ½‖Φ(x₁+a) − Φ(x₁)‖², which is
//	                 I + JᵀJ exactly (Metric, MetricVec)
//	f, ∇f, ∇²f       the full problem (FullValue, FullGradient, FullHessian)
//
// Dense matrices are one run of a forward-mode kernel with the columns of
// the identity as its tangents.
//
// Minimize is gradient descent written by hand around those kernels, so
// that its semantics are exact: a fixed step, or Armijo backtracking
// restarted from η₀ at every iteration (DefaultArmijo: η₀ = 1, halving,
// c = 1e-4), stopping at ‖∇‖₂ < Tol (DefaultTol = 1e-8). With the
// preconditioner MetricPreconditioner it is GeoPrecGD, x₁ ← x₁ − ηR⁻¹∇F,
// with R solved by conjugate gradients on the metric-vector products.
//
// Eigenvalues, Cond and PencilEigenvalues (gonum's dense symmetric
// eigensolver) give condition numbers in the Euclidean metric and in R;
// ComputeBounds gives the quantities of Theorems 1 and 3 and Corollary 4
// (β_F, μ_F, ε, the spectral gaps and the bounds), and Curvature the
// curvature of a one-dimensional reduced objective (eq. 13).
//
// paper.go holds the paper's examples: A1 and A2 (App. A) with their maps,
// G2 and G3 (App. G) with the coupling matrix SpectralK, and Sin, a sine
// built from IR ops (the IR has none).
//
// Everything is float64.
package reduction
