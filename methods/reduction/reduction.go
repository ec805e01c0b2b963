package reduction

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// A Reduction is a Problem f(x₁, x₂) with a Map Ψ: the reduced objective
// F(x₁) = f(x₁, Ψ(x₁)) and the quantities of the theory around it, each
// computed by a kernel built as IR and run by the runtime. Kernels are
// derived and compiled on first use.
//
// A Reduction is not safe for concurrent use.
type Reduction struct {
	problem Problem
	m       Map
	kernels [numKernels]*kernel
	errs    [numKernels]error

	// Columns of the identity, the tangents of the dense kernels.
	eye1, eye    []float64
	eyeX1, eyeX2 []float64 // eye's columns split into the x1 and x2 parts
	zero1        []float64
	work1, work2 []float64
}

// New returns the reduction of p by m. It builds the reduced objective
// at once, so that errors in the problem or the map are reported here.
func New(p Problem, m Map) (*Reduction, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("reduction: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("reduction: %w", err)
	}
	r := &Reduction{problem: p, m: m}
	n1, n2 := p.N1, p.N2
	n := n1 + n2
	r.eye1 = identity(n1)
	r.eye = identity(n)
	r.eyeX1 = make([]float64, n*n1)
	r.eyeX2 = make([]float64, n*n2)
	for i := range n {
		copy(r.eyeX1[i*n1:(i+1)*n1], r.eye[i*n:i*n+n1])
		copy(r.eyeX2[i*n2:(i+1)*n2], r.eye[i*n+n1:(i+1)*n])
	}
	r.zero1 = make([]float64, n1)
	r.work1 = make([]float64, n1)
	r.work2 = make([]float64, n2)
	if _, err := r.kernel(kReduced); err != nil {
		return nil, err
	}
	return r, nil
}

func identity(n int) []float64 {
	e := make([]float64, n*n)
	for i := range n {
		e[i*n+i] = 1
	}
	return e
}

// Problem returns the reduction's problem.
func (r *Reduction) Problem() Problem { return r.problem }

// Map returns the reduction's map.
func (r *Reduction) Map() Map { return r.m }

// N1 and N2 are the dimensions of x₁ and x₂.
func (r *Reduction) N1() int { return r.problem.N1 }

// N2 is the dimension of x₂.
func (r *Reduction) N2() int { return r.problem.N2 }

// run calls kernel id.
func (r *Reduction) run(id kernelID, args ...[]float64) ([][]float64, error) {
	k, err := r.kernel(id)
	if err != nil {
		return nil, err
	}
	return k.call(args...)
}

// Value returns F(x1) = f(x1, Ψ(x1)).
func (r *Reduction) Value(x1 []float64) (float64, error) {
	out, err := r.run(kReduced, x1)
	if err != nil {
		return 0, err
	}
	return out[0][0], nil
}

// Gradient writes ∇F(x1) into grad and returns F(x1). The gradient is
// the reverse-mode derivative of the whole reduced objective, so the
// chain rule ∇F = ∇_{x₁}f + Jᵀ∇_{x₂}f is applied by the passes, through
// the argmin's implicit-function rule for an argmin map.
func (r *Reduction) Gradient(x1, grad []float64) (float64, error) {
	out, err := r.run(kReducedGrad, x1)
	if err != nil {
		return 0, err
	}
	copy(grad, out[1])
	return out[0][0], nil
}

// PartialGradient writes ∇_{x₁}f(x1, Ψ(x1)) into grad (Ψ held fixed) and
// returns F(x1). When Ψ is the exact inner argmin of f this is ∇F
// (Danskin's theorem), with no derivative of Ψ at all.
func (r *Reduction) PartialGradient(x1, grad []float64) (float64, error) {
	out, err := r.run(kFrozenGrad, x1, x1)
	if err != nil {
		return 0, err
	}
	copy(grad, out[1])
	return out[0][0], nil
}

// ChainRuleGradient writes ∇_{x₁}f + Jᵀ∇_{x₂}f at Φ(x1) into grad, the
// chain rule assembled from the separate kernels of f and Ψ, and returns
// F(x1).
func (r *Reduction) ChainRuleGradient(x1, grad []float64) (float64, error) {
	psi, err := r.Psi(x1)
	if err != nil {
		return 0, err
	}
	out, err := r.run(kObjectiveGrad, x1, psi)
	if err != nil {
		return 0, err
	}
	f := out[0][0]
	copy(grad, out[1])
	copy(r.work2, out[2])
	if err := r.JacobianTVec(x1, r.work2, r.work1); err != nil {
		return 0, err
	}
	for i, v := range r.work1 {
		grad[i] += v
	}
	return f, nil
}

// HessianVec writes ∇²F(x1) v into out.
func (r *Reduction) HessianVec(x1, v, out []float64) error {
	res, err := r.run(kReducedHVP, x1, v)
	if err != nil {
		return err
	}
	copy(out, res[3])
	return nil
}

// Hessian returns ∇²F(x1), the forward-mode derivative of the gradient,
// symmetrised.
func (r *Reduction) Hessian(x1 []float64) (*mat.SymDense, error) {
	res, err := r.run(kReducedHess, x1, r.eye1)
	if err != nil {
		return nil, err
	}
	return symmetric(r.problem.N1, res[3]), nil
}

// Psi returns Ψ(x1) (a new slice).
func (r *Reduction) Psi(x1 []float64) ([]float64, error) {
	res, err := r.run(kMap, x1)
	if err != nil {
		return nil, err
	}
	return append([]float64(nil), res[0]...), nil
}

// JacobianVec writes J(x1) v = DΨ(x1) v into out (length N2).
func (r *Reduction) JacobianVec(x1, v, out []float64) error {
	res, err := r.run(kMapJVP, x1, v)
	if err != nil {
		return err
	}
	copy(out, res[1])
	return nil
}

// JacobianTVec writes J(x1)ᵀ w into out (length N1).
func (r *Reduction) JacobianTVec(x1, w, out []float64) error {
	res, err := r.run(kMapVJP, x1, w)
	if err != nil {
		return err
	}
	copy(out, res[1])
	return nil
}

// Jacobian returns J = DΨ(x1), N2×N1.
func (r *Reduction) Jacobian(x1 []float64) (*mat.Dense, error) {
	res, err := r.run(kMapJac, x1, r.eye1)
	if err != nil {
		return nil, err
	}
	// Row t of the tangent is J e_t, column t of J.
	jt := mat.NewDense(r.problem.N1, r.problem.N2, append([]float64(nil), res[1]...))
	return mat.DenseCopyOf(jt.T()), nil
}

// Bending returns C(x1) = D²Ψ(x1) • ∇_{x₂}f(Φ(x1)) = Σ_k (∂f/∂x₂,k) ∇²Ψ_k,
// the second-order term of Lemma 3: the forward-mode derivative in x1 of
// J(x1)ᵀw with w = ∇_{x₂}f(Φ(x1)) held fixed.
func (r *Reduction) Bending(x1 []float64) (*mat.SymDense, error) {
	psi, err := r.Psi(x1)
	if err != nil {
		return nil, err
	}
	g, err := r.run(kObjectiveGrad, x1, psi)
	if err != nil {
		return nil, err
	}
	w := append([]float64(nil), g[2]...)
	return r.bending(x1, w)
}

// bending returns D²Ψ(x1) • w.
func (r *Reduction) bending(x1, w []float64) (*mat.SymDense, error) {
	res, err := r.run(kMapBend, x1, w, r.eye1)
	if err != nil {
		return nil, err
	}
	return symmetric(r.problem.N1, res[3]), nil
}

// Lemma3Hessian returns ∇²F(x1) assembled as in Lemma 3:
// [I Jᵀ] ∇²f(Φ(x1)) [I; J] + C(x1), from the Hessian of f, the Jacobian
// of Ψ and the bending term, each a kernel of its own.
func (r *Reduction) Lemma3Hessian(x1 []float64) (*mat.SymDense, error) {
	psi, err := r.Psi(x1)
	if err != nil {
		return nil, err
	}
	x := append(append([]float64{}, x1...), psi...)
	h, err := r.FullHessian(x)
	if err != nil {
		return nil, err
	}
	j, err := r.Jacobian(x1)
	if err != nil {
		return nil, err
	}
	c, err := r.Bending(x1)
	if err != nil {
		return nil, err
	}
	d := Tangent(j)
	var dhd mat.Dense
	dhd.Product(d.T(), h, d)
	out := symmetric(r.problem.N1, dhd.RawMatrix().Data)
	out.AddSym(out, c)
	return out, nil
}

// Tangent returns DΦ = [I; J], the basis of the tangent space of the graph
// manifold whose columns are the images of the coordinate directions.
func Tangent(j mat.Matrix) *mat.Dense {
	n2, n1 := j.Dims()
	d := mat.NewDense(n1+n2, n1, nil)
	for i := range n1 {
		d.Set(i, i, 1)
	}
	d.Slice(n1, n1+n2, 0, n1).(*mat.Dense).Copy(j)
	return d
}

// Metric returns the pullback metric R(x1) = DΦᵀDΦ = I + JᵀJ, as the
// Hessian at a = 0 of ½‖Φ(x1+a) − Φ(x1)‖².
func (r *Reduction) Metric(x1 []float64) (*mat.SymDense, error) {
	res, err := r.run(kMetric, x1, r.zero1, r.eye1)
	if err != nil {
		return nil, err
	}
	return symmetric(r.problem.N1, res[3]), nil
}

// MetricVec writes R(x1) v into out.
func (r *Reduction) MetricVec(x1, v, out []float64) error {
	res, err := r.run(kMetricVec, x1, r.zero1, v)
	if err != nil {
		return err
	}
	copy(out, res[3])
	return nil
}

// FullValue returns f(x) for x = (x₁, x₂) concatenated.
func (r *Reduction) FullValue(x []float64) (float64, error) {
	n1 := r.problem.N1
	if err := r.checkFull(x); err != nil {
		return 0, err
	}
	out, err := r.run(kObjective, x[:n1], x[n1:])
	if err != nil {
		return 0, err
	}
	return out[0][0], nil
}

// FullGradient writes ∇f(x) into grad (both of length N1+N2) and returns
// f(x).
func (r *Reduction) FullGradient(x, grad []float64) (float64, error) {
	n1 := r.problem.N1
	if err := r.checkFull(x); err != nil {
		return 0, err
	}
	out, err := r.run(kObjectiveGrad, x[:n1], x[n1:])
	if err != nil {
		return 0, err
	}
	copy(grad[:n1], out[1])
	copy(grad[n1:], out[2])
	return out[0][0], nil
}

// FullHessian returns ∇²f(x).
func (r *Reduction) FullHessian(x []float64) (*mat.SymDense, error) {
	n1 := r.problem.N1
	if err := r.checkFull(x); err != nil {
		return nil, err
	}
	res, err := r.run(kObjectiveHess, x[:n1], x[n1:], r.eyeX1, r.eyeX2)
	if err != nil {
		return nil, err
	}
	n := n1 + r.problem.N2
	h := make([]float64, n*n)
	// Rows of the tangent axis are the columns H e_t; the x1 and x2 parts
	// of each come from two results.
	for t := range n {
		copy(h[t*n:t*n+n1], res[4][t*n1:(t+1)*n1])
		copy(h[t*n+n1:(t+1)*n], res[5][t*r.problem.N2:(t+1)*r.problem.N2])
	}
	return symmetric(n, h), nil
}

func (r *Reduction) checkFull(x []float64) error {
	if n := r.problem.N1 + r.problem.N2; len(x) != n {
		return fmt.Errorf("reduction %s: a point of the full problem has %d coordinates, got %d", r.problem.Name, n, len(x))
	}
	return nil
}

// symmetric returns (A + Aᵀ)/2 for the n×n row-major A.
func symmetric(n int, a []float64) *mat.SymDense {
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a[i*n+j]+a[j*n+i])/2)
		}
	}
	return s
}
