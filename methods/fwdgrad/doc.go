// Package fwdgrad is forward-gradient training with guessed directions
// (arXiv:2511.03110 and its baselines): the choice of method by name, the
// gradient function each method compiles to, and the paper's metrics
// (bias, variance, covariance norm, overlap, cosine) against backprop.
//
// A method compiles to one IR function. For the forward-gradient methods
// it is the guess pass's step (passes.Guess): a single forward-mode pass
// with guessed tangents at every layer's pre-activation, and the estimates
// Ĝ_W = Σ_b J_b y_b x_bᵀ assembled in IR. For backprop it is the vjp.
// The methods are passes.GuessMethods: the metrics take each method's
// guess covariance from the method itself (GuessMethod.Covariance), so a
// new method is measured without a change here.
// A model's own state (parameters of role state with results
// "<state>.next") passes through either kind of step (Gradient.ModelState).
// methods/optim appends the update, so a whole training step is one
// function that can be dumped, interpreted or emitted as Go.
package fwdgrad
