package reduction

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// The kernels of a reduction, each an IR function built with the builder
// (problem.go) or derived from one by the passes: reverse mode (VJP) for
// gradients and Jᵀ·w, forward mode (JVP) for J·v, and forward over reverse
// (the JVP of a gradient) for Hessian-vector products. A dense matrix is
// one run of a JVP with the columns of the identity as its T tangents.
type kernelID int

const (
	kReduced       kernelID = iota // (x1) -> F
	kReducedGrad                   // (x1) -> (F, ∇F)
	kReducedHVP                    // (x1, v) -> (F, ∇F, ∇F·v, ∇²F v)
	kReducedHess                   // (x1, I) -> (..., ∇²F) with n1 tangents
	kFrozenGrad                    // (x1, z) -> (F, ∇_{x₁}f(x1, Ψ(z)))
	kMap                           // (x1) -> Ψ
	kMapJVP                        // (x1, v) -> (Ψ, J v)
	kMapJac                        // (x1, I) -> (Ψ, rows J e_t)
	kMapVJP                        // (x1, w) -> (Ψ, Jᵀ w)
	kMapBend                       // (x1, w, I) -> (..., rows (D²Ψ•w) e_t)
	kObjective                     // (x1, x2) -> f
	kObjectiveGrad                 // (x1, x2) -> (f, ∇₁f, ∇₂f)
	kObjectiveHess                 // (x1, x2, I₁, I₂) -> (..., rows of ∇²f)
	kMetricVec                     // (x1, a, v) -> (..., R v) at a = 0
	kMetric                        // (x1, a, I) -> (..., rows of R) at a = 0
	numKernels
)

// kernelNames name the kernels in errors.
var kernelNames = [numKernels]string{
	kReduced: "F", kReducedGrad: "∇F", kReducedHVP: "∇²F·v", kReducedHess: "∇²F",
	kFrozenGrad: "∇_{x₁}f∘Φ", kMap: "Ψ", kMapJVP: "J·v", kMapJac: "J", kMapVJP: "Jᵀ·w",
	kMapBend: "C", kObjective: "f", kObjectiveGrad: "∇f", kObjectiveHess: "∇²f",
	kMetricVec: "R·v", kMetric: "R",
}

// derive builds the IR function of kernel id.
func (r *Reduction) derive(id kernelID) (*ir.Func, error) {
	p, m := r.problem, r.m
	n1, n := p.N1, p.N1+p.N2
	switch id {
	case kReduced:
		return buildReduced(p, m)
	case kReducedGrad:
		return r.vjpOf(kReduced, "x1")
	case kReducedHVP:
		return r.jvpOf(kReducedGrad, 1, "x1")
	case kReducedHess:
		return r.jvpOf(kReducedGrad, n1, "x1")
	case kFrozenGrad:
		f, err := buildFrozen(p, m)
		if err != nil {
			return nil, err
		}
		return passes.VJP(f, []string{"x1"})
	case kMap:
		return buildMap(p, m)
	case kMapJVP:
		return r.jvpOf(kMap, 1, "x1")
	case kMapJac:
		return r.jvpOf(kMap, n1, "x1")
	case kMapVJP:
		return r.vjpOf(kMap, "x1")
	case kMapBend:
		return r.jvpOf(kMapVJP, n1, "x1")
	case kObjective:
		return p.buildObjective()
	case kObjectiveGrad:
		return r.vjpOf(kObjective, "x1", "x2")
	case kObjectiveHess:
		return r.jvpOf(kObjectiveGrad, n, "x1", "x2")
	case kMetricVec, kMetric:
		d, err := buildDistance(p, m)
		if err != nil {
			return nil, err
		}
		g, err := passes.VJP(d, []string{"a"})
		if err != nil {
			return nil, err
		}
		T := 1
		if id == kMetric {
			T = n1
		}
		return passes.JVP(g, []string{"a"}, T)
	}
	return nil, fmt.Errorf("unknown kernel %d", id)
}

// vjpOf returns the reverse-mode derivative of kernel id's function.
func (r *Reduction) vjpOf(id kernelID, wrt ...string) (*ir.Func, error) {
	k, err := r.kernel(id)
	if err != nil {
		return nil, err
	}
	return passes.VJP(k.fn, wrt)
}

// jvpOf returns the forward-mode derivative of kernel id's function with T
// tangents.
func (r *Reduction) jvpOf(id kernelID, T int, wrt ...string) (*ir.Func, error) {
	k, err := r.kernel(id)
	if err != nil {
		return nil, err
	}
	return passes.JVP(k.fn, wrt, T)
}

// kernel returns kernel id, deriving and compiling it on first use.
func (r *Reduction) kernel(id kernelID) (*kernel, error) {
	if k := r.kernels[id]; k != nil {
		return k, nil
	}
	if err := r.errs[id]; err != nil {
		return nil, err
	}
	f, err := r.derive(id)
	var k *kernel
	if err == nil {
		k, err = compile(f)
	}
	if err != nil {
		err = fmt.Errorf("reduction %s/%s: %s: %w", r.problem.Name, r.m.Name, kernelNames[id], err)
		r.errs[id] = err
		return nil, err
	}
	r.kernels[id] = k
	return k, nil
}

// Func returns the IR function of the named kernel ("F", "∇F", "∇²F·v",
// "∇²F", "Ψ", "J·v", "J", "Jᵀ·w", "C", "f", "∇f", "∇²f", "R·v", "R",
// "∇_{x₁}f∘Φ") as compiled, for dumps and tests.
func (r *Reduction) Func(name string) (*ir.Func, error) {
	for id, n := range kernelNames {
		if n == name {
			k, err := r.kernel(kernelID(id))
			if err != nil {
				return nil, err
			}
			return k.fn, nil
		}
	}
	return nil, fmt.Errorf("reduction: no kernel %q", name)
}
