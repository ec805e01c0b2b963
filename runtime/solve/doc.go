// Package solve holds the numerical solvers of the declarative ops, on
// flat float64 vectors and callbacks: the runtime's argmin and
// linear_solve evaluate their region functions behind the callbacks, so
// the solvers see exact derivatives (gradients, Hessian-vector products,
// constraint Jacobian products), never finite differences.
//
// Linear systems (matrix-free, an Operator applying A to a vector):
//
//   - CG: conjugate gradients for symmetric positive definite A; a
//     direction of non-positive curvature is an error (ErrIndefinite);
//   - MINRES: symmetric A, possibly indefinite (KKT systems); a singular
//     system is an error (ErrSingular);
//   - GMRES: restarted GMRES for general A;
//   - ExtremeEigs: Lanczos estimates of the extreme eigenvalues, for the
//     solvers' second-order checks.
//
// Minimisation:
//
//   - NewtonCG: truncated Newton (CG on Hessian-vector products, stopped
//     at negative curvature) with Armijo backtracking;
//   - SQP: Newton steps on the KKT system of equality-constrained
//     problems (MINRES), an ℓ1 merit function with Armijo backtracking,
//     and a growing shift of the Hessian when the reduced Hessian is not
//     positive definite;
//   - RiemannianTR: Riemannian trust regions with truncated CG on a
//     product of Stiefel manifolds St(n,k) = {X : XᵀX = I} and Euclidean
//     blocks (projection V − X sym(XᵀV), QR retraction with a positive
//     diagonal, Riemannian Hessian P(∇²f[V] − V sym(Xᵀ∇f)));
//   - BFGS and LBFGS (gonum/optimize) on exact gradients.
//
// Every failure is a *Error naming the method, the step and the
// iteration, and wrapping one of ErrNotConverged, ErrIndefinite,
// ErrSingular, ErrLineSearch or the callback's own error; nothing fails
// silently. Stopping tests are absolute: the caller scales Tol.
package solve
