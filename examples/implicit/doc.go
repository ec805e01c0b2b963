// Command implicit differentiates a large declarative layer, matrix-free,
// in forward and reverse mode, and checks the result against an exact
// solve:
//
//	go run ./examples/implicit [-n 100000] [-tangents 4] [-json]
//
// The layer is x*(θ) = argmin_x ½‖x‖² + ½‖Dx‖² + 0.1 Σx⁴ − θᵀx over n
// variables (D the forward difference, x_{i+1} − x_i), whose Hessian
// H = I + DᵀD + 1.2 diag(x²) is tridiagonal; the model returns
// L = ⟨u, x*⟩. The implicit pass derives the gradient and the
// Hessian-vector product from the objective; the runtime solves the
// problem by Newton–CG; jvp gives ẋ = H⁻¹θ̇ and vjp ∇_θL = H⁻¹u, both as a
// linear_solve by conjugate gradients on Hessian-vector products. Nothing
// of size n² exists: the dense rule would need an n×n Hessian (80 GB at
// n = 10⁵). The program checks both derivatives against a direct
// tridiagonal (Thomas) solve at the solution and prints, per step, the
// wall time and the memory allocated, and the process's peak resident
// memory (VmHWM).
package main
