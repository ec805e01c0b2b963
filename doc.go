// Package pushforward is a dataflow-graph compiler for training neural
// networks with forward-mode differentiation. This package holds no code:
// its example (example_test.go, the README's Go snippet) builds a model,
// transforms it and runs it; the work is done by the packages below.
//
//   - ir: the typed SSA IR, its text format (printer, parser) and verifier
//   - builder, builder/nn: the Go API that builds IR; layers, initialisers
//   - passes: jvp, vjp (linearize + transpose), guess, fold, cse, dce, ...
//   - runtime: tensors and the interpreter (runtime/kernels, runtime/rng)
//   - methods/fwdgrad, methods/optim, methods/train: forward-gradient
//     methods, optimisers as IR, the training loop
//   - data: the MNIST-1D generator, the canonical MNIST-1D split, MNIST
//   - cmd/pf: the command line; examples/...: programs
package pushforward
