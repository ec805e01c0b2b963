package fwdgrad

//go:generate go run ./internal/nsfit -o ns_coefficients.go

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// NSEvery is how often, in steps, the coefficients of wperp-ns are chosen
// anew (as the reference code refreshes its σ_k estimate).
const NSEvery = 50

// NSCoefficients returns the Newton–Schulz coefficient set for a
// normalised Jacobian whose k-th and (k+1)-th singular values are sk and
// sk1 (relative to the largest), with the set's σ and the fit's largest
// error outside its band. Sets exist for σ = 0.1, …, 0.9; the one nearest
// the midpoint (sk + sk1)/2 is used, so that the step falls between the
// directions kept and those dropped. (The reference code keys the set by
// int(10·σ_k) alone, which can put the k-th singular value on the step.)
func NSCoefficients(sk, sk1 float64) (coeffs [4]float64, sigma, maxErr float64) {
	i := int(math.Round((sk+sk1)/2*10)) - 1
	i = max(0, min(8, i))
	return nsCoefficients[i], float64(i+1) / 10, nsMaxError[i]
}

// An Input is a data input of a gradient function that the caller
// computes from the model's parameters now and then: the coefficient sets
// of wperp-ns.
type Input struct {
	Name string
	Type ir.Type
	// Every is how often to recompute it, in steps.
	Every int
	// layer and next name the segment it belongs to.
	layer, next string
}

// ComputeInputs computes the gradient function's Inputs for the model f at
// the point given by inputs (f's parameters, in order), from the first
// example of the batch: for wperp-ns, the coefficient set of each hidden
// layer from the singular values of that example's upstream Jacobian.
func (g *Gradient) ComputeInputs(f *ir.Func, inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
	return computeInputs(f, inputs, g.Inputs, g.K)
}

func computeInputs(f *ir.Func, inputs []*runtime.Tensor, specs []Input, K int) ([]*runtime.Tensor, error) {
	out := make([]*runtime.Tensor, len(specs))
	for i, in := range specs {
		jac, err := DenseJacobians(f, inputs, in.layer, in.next)
		if err != nil {
			return nil, err
		}
		s := singularValues(jac[0])
		k := min(K, len(s)-1)
		if s[0] == 0 {
			return nil, fmt.Errorf("%s: the upstream Jacobian of example 0 is zero", in.Name)
		}
		norm := s[0] * passes.NSNormMargin
		c, _, _ := NSCoefficients(s[k-1]/norm, s[k]/norm)
		out[i] = runtime.FromFloat64s(in.Type, c[:])
	}
	return out, nil
}

func singularValues(a *mat.Dense) []float64 {
	var svd mat.SVD
	svd.Factorize(a, mat.SVDNone)
	return svd.Values(nil)
}

// nsInputSpecs lists the coefficient inputs of a wperp-ns step.
func nsInputSpecs(st *passes.GuessStep) []Input {
	var specs []Input
	for i, name := range st.Inputs {
		specs = append(specs, Input{Name: name, Type: st.Func.Param(name).Type, Every: NSEvery,
			layer: st.Layers[i].Pre.Name, next: st.Layers[i+1].Pre.Name})
	}
	return specs
}
