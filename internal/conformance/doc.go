// Package conformance is the shared derivative test suite of every op. It
// is written against Runner, "something that runs a Func", so the same
// cases check the interpreter today and generated code later.
//
// For every op, dtype and a set of shapes (broadcasting and batch axes
// included), Check verifies:
//
//  1. the JVP against central finite differences (gonum's diff/fd) at a
//     random point away from kinks;
//  2. the VJP against the JVP by the dot-product test ⟨J v, u⟩ = ⟨v, Jᵀ u⟩;
//  3. a T-tangent JVP against T single-tangent JVPs.
//
// Tolerances are per dtype; see tolerances.go for why they are what they
// are.
package conformance
