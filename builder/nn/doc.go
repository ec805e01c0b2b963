// Package nn builds neural-network layers with a builder.Builder and draws
// their initial parameter values.
//
// Layers add their parameters to the builder under dotted names and
// return the layer's output; errors are the builder's sticky errors and
// point at the line that called the layer:
//
//	b := builder.New("mlp")
//	x := b.Data("x", ir.F32, 512, 40)
//	t := b.Data("t", ir.I64, 512)
//	logits := nn.MLP(b, "mlp", x, []int{128, 10}, nn.ReLU) // params mlp.0.w, mlp.0.b, mlp.1.w, mlp.1.b
//	b.Return(b.Named("loss", nn.CrossEntropy(b, logits, t)))
//	f, err := b.Build()
//	...
//	values, err := nn.InitParams(f, b.Inits(), seed)
//
// Weights are stored [in, out] (the layer computes x·W + b). Each layer
// records an initializer for each of its parameters in the builder
// (builder.ParamInit); InitParams runs them. The default is PyTorch's
// nn.Linear initialisation, U(−1/√fan_in, 1/√fan_in) for weight and bias;
// KaimingNormal and Orthogonal are the other usual choices.
//
// Declarative layers: Ridge (and RidgeClassifier) is a least-squares
// readout fitted on the batch, W = argmin ½‖hW − y‖² + ½λ‖W‖², solved by
// the registered closed form and differentiated implicitly; Reduce builds
// a reduced objective F(x₁) = f(x₁, Ψ(x₁)) for a Mapping Ψ given in closed
// form (Explicit) or as an argmin (ArgminMapping).
//
// The nearest-ETF paper's classifier heads (arXiv:2411.01248):
// ETFClassifier normalises features to norm τ and classifies them with a
// learned classifier (standard), the canonical simplex ETF (fixed) or the
// simplex ETF nearest to the moving average of the class means (implicit,
// an argmin over the Stiefel manifold built by NearestETF, whose closed
// form and derivative rules package methods/etf registers). The simplex
// ETF's matrices (CentringMatrix, Helmert, CanonicalETF) are here too.
//
// Initial values are deterministic: the values of a parameter depend only
// on the seed and the parameter's name (see Rand), never on the other
// parameters, so adding a layer leaves the others' initial values as they
// were.
package nn
