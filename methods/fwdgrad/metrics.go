package fwdgrad

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// LayerMetrics are the paper's per-layer metrics (eqs. 17–19) for one
// hidden layer and one batch, with the analytic covariance Cov(y_b) of
// the method's guess for each example b and e_b = (Cov(y_b) − I) g_b:
//
//	Bias     = ‖(1/B) Σ_b e_b‖₂
//	Variance = ‖(1/B) Σ_b (g_b − ĝ_b)^∘2 − ((1/B) Σ_b e_b)^∘2‖₂  (one draw)
//	CovNorm  = (1/B) Σ_b ‖Cov(y_b) − I‖_F / d   (the RMS entry, as Table 2)
//	Overlap  = (1/B) Σ_b ‖V_kV_kᵀ g_b‖ / ‖g_b‖  (top-k right singular
//	           vectors of the layer's upstream Jacobian; k of the config)
//
// g_b = ∂L/∂s_b from backprop, ĝ_b = J_b y_b the estimate of one draw.
type LayerMetrics struct {
	Layer    string  // the pre-activation's name
	Width    int     // d, the width of the pre-activation
	Rank     float64 // mean rank of the upstream Jacobian over the batch
	Bias     float64
	Variance float64
	CovNorm  float64
	Overlap  float64
}

// Metrics are the metrics of one method at one point.
type Metrics struct {
	Method string
	Layers []LayerMetrics // hidden layers, in order
	// Cosine is cos(Ĝ, ∇L) over all trained parameters at once.
	Cosine float64
}

// Measure evaluates the metrics of the method cfg for the model f at the
// point given by inputs (f's parameters, in order), with the guess drawn
// from (key, counter). Everything is computed in float64 from the
// interpreter's results; the per-example Jacobians are dense, so keep the
// batch small (the paper's tables use a batch of the training run).
func Measure(f *ir.Func, cfg Config, inputs []*runtime.Tensor, key, counter uint64) (*Metrics, error) {
	if cfg.Method == Backprop {
		return nil, fmt.Errorf("metrics are defined for activation guesses, not %s", cfg.Method)
	}
	method, err := passes.LookupGuessMethod(cfg.Method)
	if err != nil {
		return nil, err
	}
	if cfg.K == 0 {
		cfg.K = 10
	}
	if cfg.Sigma == 0 {
		cfg.Sigma = 1e-5
	}
	// A method without a covariance at the pre-activations (wp) has no
	// metrics: say so before building anything.
	if _, err := method.Covariance(passes.GuessSpectrum{Lambda: []float64{1}, K: cfg.K, Sigma: cfg.Sigma, Inputs: make([]float64, 4)}); err != nil {
		return nil, fmt.Errorf("metrics are defined for activation guesses: %w", err)
	}
	st, err := passes.Guess(f, passes.GuessOptions{Method: method, K: cfg.K, Guesses: 1,
		Iters: cfg.Iters, Oversample: cfg.Oversample, Exact: cfg.Exact, Sigma: cfg.Sigma, Diagnostics: true})
	if err != nil {
		return nil, err
	}
	aux, err := computeInputs(f, inputs, nsInputSpecs(st), cfg.K)
	if err != nil {
		return nil, err
	}
	out, err := runStep(st, append(append([]*runtime.Tensor{}, inputs...), aux...), key, counter)
	if err != nil {
		return nil, err
	}
	nEst := len(st.Estimates)
	diag := out[1+nEst+len(st.State):]
	j := diag[0].Float64s()
	m := &Metrics{Method: cfg.Method}
	for i, l := range st.Layers[:len(st.Layers)-1] {
		var ns []float64
		if i < len(aux) {
			ns = aux[i].Float64s()
		}
		lm, err := layerMetrics(f, method, cfg, inputs, l, st.Layers[i+1], j, diag[1+i].Float64s(), ns)
		if err != nil {
			return nil, err
		}
		m.Layers = append(m.Layers, *lm)
	}
	m.Cosine, err = cosine(f, st, inputs, out[1:1+nEst])
	return m, err
}

// runStep runs a guess step with fresh warm-start bases; inputs are the
// model's parameters followed by the step's Inputs.
func runStep(st *passes.GuessStep, inputs []*runtime.Tensor, key, counter uint64) ([]*runtime.Tensor, error) {
	g, err := passes.Run(st.Func, passes.Cleanup, passes.Options{})
	if err != nil {
		return nil, err
	}
	n := len(inputs) - len(st.Inputs)
	in := append(append([]*runtime.Tensor{}, inputs[:n]...), runtime.ScalarU64(key), runtime.ScalarU64(counter))
	in = append(in, inputs[n:]...)
	for i, name := range st.State {
		in = append(in, OrthonormalRows(st.Func.Param(name).Type, key+uint64(i)))
	}
	return runtime.Run(g, in)
}

// layerMetrics computes the metrics of one hidden layer from the guesses
// y [B, d] and the scaled tangents J [B].
func layerMetrics(f *ir.Func, method passes.GuessMethod, cfg Config, inputs []*runtime.Tensor, l, next passes.Layer, j, y, ns []float64) (*LayerMetrics, error) {
	g, err := preActivationGrad(f, inputs, l.Pre.Name)
	if err != nil {
		return nil, err
	}
	jac, err := DenseJacobians(f, inputs, l.Pre.Name, next.Pre.Name)
	if err != nil {
		return nil, err
	}
	B, d := l.Pre.Type.Shape[0], l.Pre.Type.Shape[1]
	lm := &LayerMetrics{Layer: l.Pre.Name, Width: d}
	meanE := make([]float64, d)
	sqErr := make([]float64, d)
	for b := range B {
		gb := g[b*d : (b+1)*d]
		cov, vk, rank, err := analyticCov(jac[b], method, cfg, ns)
		if err != nil {
			return nil, err
		}
		lm.Rank += float64(rank) / float64(B)
		e := make([]float64, d)
		ev := mat.NewVecDense(d, e)
		ev.MulVec(cov, mat.NewVecDense(d, gb))
		floats.Sub(e, gb)
		floats.AddScaled(meanE, 1/float64(B), e)
		for k := range d {
			diff := gb[k] - j[b]*y[b*d+k]
			sqErr[k] += diff * diff / float64(B)
		}
		lm.CovNorm += covDistance(cov) / float64(d) / float64(B)
		lm.Overlap += overlap(vk, gb) / float64(B)
	}
	lm.Bias = floats.Norm(meanE, 2)
	for k := range d {
		sqErr[k] -= meanE[k] * meanE[k]
	}
	lm.Variance = floats.Norm(sqErr, 2)
	return lm, nil
}

// analyticCov returns Cov(y) of the method's guess for an example whose
// upstream Jacobian is a (d2×d), from the method's Covariance on the
// spectrum of aᵀa, with the top-k right singular vectors of a (for the
// overlap) and the rank of a. ns holds wperp-ns's coefficients.
func analyticCov(a *mat.Dense, method passes.GuessMethod, cfg Config, ns []float64) (cov *mat.SymDense, vk *mat.Dense, rank int, err error) {
	_, d := a.Dims()
	var ata mat.SymDense
	ata.SymOuterK(1, a.T())
	var eig mat.EigenSym
	eig.Factorize(&ata, true)
	var q mat.Dense
	eig.VectorsTo(&q)
	lambda := eig.Values(nil) // ascending
	top := lambda[len(lambda)-1]
	for _, v := range lambda {
		if v > 1e-10*top {
			rank++
		}
	}
	k := min(cfg.K, d)
	if k < 0 {
		k = rank
	}
	vk = mat.DenseCopyOf(q.Slice(0, d, d-k, d))
	c, err := method.Covariance(passes.GuessSpectrum{Lambda: lambda, K: cfg.K, Sigma: cfg.Sigma, Inputs: ns})
	if err != nil {
		return nil, nil, 0, err
	}
	if len(c) != d {
		return nil, nil, 0, fmt.Errorf("%s: covariance with %d eigenvalues for width %d", method.Name(), len(c), d)
	}
	// Cov = Q diag(c) Qᵀ = (Q diag(√c)) (Q diag(√c))ᵀ.
	cov = mat.NewSymDense(d, nil)
	cov.SymOuterK(1, scaleColumns(&q, c, func(v float64) float64 { return math.Sqrt(math.Max(v, 0)) }))
	return cov, vk, rank, nil
}

// scaleColumns returns q with column c multiplied by scale(lambda[c]).
func scaleColumns(q *mat.Dense, lambda []float64, scale func(float64) float64) *mat.Dense {
	out := mat.DenseCopyOf(q)
	r, _ := q.Dims()
	for c, v := range lambda {
		s := scale(v)
		for i := range r {
			out.Set(i, c, out.At(i, c)*s)
		}
	}
	return out
}

// covDistance is ‖C − I‖_F.
func covDistance(c *mat.SymDense) float64 {
	d := c.SymmetricDim()
	s := 0.0
	for i := range d {
		for j := range d {
			v := c.At(i, j)
			if i == j {
				v--
			}
			s += v * v
		}
	}
	return math.Sqrt(s)
}

// overlap is ‖V_kV_kᵀ g‖ / ‖g‖ (1 for g = 0).
func overlap(vk *mat.Dense, g []float64) float64 {
	n := floats.Norm(g, 2)
	if n == 0 {
		return 1
	}
	_, k := vk.Dims()
	c := mat.NewVecDense(k, nil)
	c.MulVec(vk.T(), mat.NewVecDense(len(g), g))
	return mat.Norm(c, 2) / n
}

// preActivationGrad returns ∂L/∂s [B, d] for the pre-activation named s, by
// the transpose of the segment s → loss.
func preActivationGrad(f *ir.Func, inputs []*runtime.Tensor, s string) ([]float64, error) {
	seg, err := passes.LinearizeSegment(f, s, f.Results[0].Name, 1)
	if err != nil {
		return nil, err
	}
	one := runtime.FromFloat64s(f.Results[0].Type, []float64{1})
	out, err := runtime.Run(seg.Transpose, append(append([]*runtime.Tensor{}, inputs...), one))
	if err != nil {
		return nil, err
	}
	return out[0].Float64s(), nil
}

// DenseJacobians returns the per-example Jacobians of the segment
// from → to of f at inputs, each a (d_to × d_from) matrix, computed by
// applying the segment's linearization to the columns of the identity.
func DenseJacobians(f *ir.Func, inputs []*runtime.Tensor, from, to string) ([]*mat.Dense, error) {
	src, dst := f.Param(from), (*ir.Value)(nil)
	for v := range f.Values {
		switch v.Name {
		case from:
			src = v
		case to:
			dst = v
		}
	}
	if src == nil || dst == nil {
		return nil, fmt.Errorf("@%s has no values %%%s and %%%s", f.Name, from, to)
	}
	B, d := src.Type.Shape[0], src.Type.Shape[1]
	d2 := dst.Type.Shape[1]
	seg, err := passes.LinearizeSegment(f, from, to, d)
	if err != nil {
		return nil, err
	}
	eye := make([]float64, d*B*d)
	for c := range d {
		for b := range B {
			eye[(c*B+b)*d+c] = 1
		}
	}
	out, err := runtime.Run(seg.Map, append(append([]*runtime.Tensor{}, inputs...), runtime.FromFloat64s(seg.Map.Params[len(seg.Map.Params)-1].Type, eye)))
	if err != nil {
		return nil, err
	}
	cols := out[0].Float64s() // [d, B, d2]
	jac := make([]*mat.Dense, B)
	for b := range B {
		a := mat.NewDense(d2, d, nil)
		for c := range d {
			for r := range d2 {
				a.Set(r, c, cols[(c*B+b)*d2+r])
			}
		}
		jac[b] = a
	}
	return jac, nil
}

// cosine is cos(Ĝ, ∇L) over all estimated parameters.
func cosine(f *ir.Func, st *passes.GuessStep, inputs []*runtime.Tensor, est []*runtime.Tensor) (float64, error) {
	grad, err := passes.VJP(f, st.Estimates)
	if err != nil {
		return 0, err
	}
	out, err := runtime.Run(grad, inputs)
	if err != nil {
		return 0, err
	}
	var dot, ne, ng float64
	for i := range est {
		e, g := est[i].Float64s(), out[1+i].Float64s()
		dot += floats.Dot(e, g)
		ne += floats.Dot(e, e)
		ng += floats.Dot(g, g)
	}
	if ne == 0 || ng == 0 {
		return 0, nil
	}
	return dot / math.Sqrt(ne*ng), nil
}

// Overlaps returns, for each hidden layer of f (the pre-activations of
// layers, in order, but the last) and each k in ks, the mean over the
// batch of o_top(k) = ‖V_kV_kᵀ g_b‖ / ‖g_b‖ (Fig. 1 of the paper), with the
// layers' pre-activation names.
func Overlaps(f *ir.Func, inputs []*runtime.Tensor, ks []int) (layers []string, o [][]float64, err error) {
	ls, err := passes.FindLayers(f)
	if err != nil {
		return nil, nil, err
	}
	for i, l := range ls[:len(ls)-1] {
		g, err := preActivationGrad(f, inputs, l.Pre.Name)
		if err != nil {
			return nil, nil, err
		}
		jac, err := DenseJacobians(f, inputs, l.Pre.Name, ls[i+1].Pre.Name)
		if err != nil {
			return nil, nil, err
		}
		d := l.Pre.Type.Shape[1]
		row := make([]float64, len(ks))
		for b, a := range jac {
			var ata mat.SymDense
			ata.SymOuterK(1, a.T())
			var eig mat.EigenSym
			eig.Factorize(&ata, true)
			var q mat.Dense
			eig.VectorsTo(&q)
			for j, k := range ks {
				k = min(k, d)
				row[j] += overlap(mat.DenseCopyOf(q.Slice(0, d, d-k, d)), g[b*d:(b+1)*d]) / float64(len(jac))
			}
		}
		layers = append(layers, l.Pre.Name)
		o = append(o, row)
	}
	return layers, o, nil
}
