// Package etf is the nearest simplex ETF classifier (Markou, Ajanthan and
// Gould, "Guiding neural collapse", arXiv:2411.01248) and the
// neural-collapse metrics.
//
// The classifier's weights are the simplex equiangular tight frame
// nearest to the features' class means: at every step the head
// (nn.ETFClassifier, package builder/nn) takes the exponential moving
// average of the batch's centred class means, normalises it to H̄, and
// solves
//
//	U* = argmin_{UᵀU = I} ‖H̄ − U·M/√(K−1)‖² + (δ/2)·‖U − U_prox‖²
//
// as an argmin node over the Stiefel manifold (nn.NearestETF). This
// package registers with the passes what makes that node cheap:
//
//   - the closed form "etf": on the manifold the objective is a constant
//     minus ⟨U, A⟩, A = (2/√(K−1))·H̄·M + δ·U_prox, so U* is the orthogonal
//     Procrustes solution, the polar factor of A, from one eigendecomposition
//     of the K×K Gram matrix (the reference code runs 30 trust-region
//     iterations);
//   - the rule "etf", the polar factor's derivative, O(dK² + K³): reverse
//     mode is its transpose, with no KKT system (the reference's DDN
//     backward forms two K(K+1)/2 × dK matrices);
//   - the rule "etf_ddn", the reference's dense DDN backward written as a
//     JVP, for small K, as an oracle and for the cost comparison;
//   - the rule "etf_detached", no derivative: the paper's ablation without
//     the DDN path.
//
// The generic paths of the implicit pass (trust regions on the manifold,
// the matrix-free or dense implicit function theorem) run the same node;
// the tests check all four derivatives against each other and against
// finite differences of the closed form, in float64.
//
// Problem is the same problem on the host in float64 (the tests' oracle).
// Measure computes the collapse metrics of a trained network as the
// reference code does (NC1, VCI, numerical-rank NC1, NC2, NC3, NC4, the
// NCC mismatch, the equinorms, the cosine margins and the ETF distances);
// the training loop records them every epoch with train.Config.Collapse.
// MLP and UFM build the models of the paper's experiments with each head
// (the unconstrained-features model's data come from UFMData);
// UnitClassifier renormalises the standard head's class vectors after
// each step and PerParam gives parameter groups their own optimizers.
package etf
