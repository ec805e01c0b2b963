package etf

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder/nn"
)

// Problem is the nearest-ETF problem on the host, in float64: the oracle
// of the node's tests and the solver of the ETF distance metric. With
// B = M (r = K) for d ≥ K or the Helmert basis (r = K − 1) for d = K − 1,
//
//	U* = argmin_{UᵀU = I} ‖H̄ − U·Bᵀ/√(K−1)‖² + (δ/2)·(1 − first)·‖U − U_prox‖².
type Problem struct {
	HBar *mat.Dense // [d, K]
	Prox *mat.Dense // [d, r]; nil for zeros
	// First drops the proximal term (the first call).
	First bool
	Delta float64
}

// dims returns d, K, r and B [K, r].
func (p Problem) dims() (d, k, r int, basis *mat.Dense) {
	d, k = p.HBar.Dims()
	b, r, err := nn.ETFBasis(k, d)
	if err != nil {
		panic("etf: " + err.Error())
	}
	return d, k, r, mat.NewDense(k, r, b)
}

// proxWeight is δ·(1 − first).
func (p Problem) proxWeight() float64 {
	if p.First {
		return 0
	}
	return p.Delta
}

// A returns c·H̄·B + δ·(1 − first)·U_prox, c = 2/√(K−1): on the manifold
// the objective is a constant minus ⟨U, A⟩.
func (p Problem) A() *mat.Dense {
	d, k, r, basis := p.dims()
	a := mat.NewDense(d, r, nil)
	a.Mul(p.HBar, basis)
	a.Scale(2/math.Sqrt(float64(k-1)), a)
	if p.Prox != nil && p.proxWeight() != 0 {
		var s mat.Dense
		s.Scale(p.proxWeight(), p.Prox)
		a.Add(a, &s)
	}
	return a
}

// Objective returns the objective at u [d, r].
func (p Problem) Objective(u *mat.Dense) float64 {
	d, k, _, basis := p.dims()
	var e mat.Dense
	e.Mul(u, basis.T())
	e.Scale(1/math.Sqrt(float64(k-1)), &e)
	e.Sub(p.HBar, &e)
	f := sq(mat.Norm(&e, 2))
	if w := p.proxWeight(); w != 0 {
		prox := p.Prox
		if prox == nil {
			prox = mat.NewDense(d, u.RawMatrix().Cols, nil)
		}
		var g mat.Dense
		g.Sub(u, prox)
		f += w / 2 * sq(mat.Norm(&g, 2))
	}
	return f
}

func sq(x float64) float64 { return x * x }

// Gradient returns the Euclidean gradient of the objective at u:
// (2/(K−1))·U·BᵀB + δ·(1 − first)·U − A.
func (p Problem) Gradient(u *mat.Dense) *mat.Dense {
	_, k, _, basis := p.dims()
	var btb, g mat.Dense
	btb.Mul(basis.T(), basis)
	g.Mul(u, &btb)
	g.Scale(2/float64(k-1), &g)
	var prox mat.Dense
	prox.Scale(p.proxWeight(), u)
	g.Add(&g, &prox)
	g.Sub(&g, p.A())
	return &g
}

// Solve returns U* = polar(A); on the first call (r = K), A has rank
// K − 1 and the free column U·q (q = 1/√K) is the direction of eye(d, K)·q
// orthogonal to A's range, as in the node's closed form.
func (p Problem) Solve() *mat.Dense {
	d, k, r, _ := p.dims()
	a := p.A()
	if !p.First || r < k {
		return Polar(a)
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		panic("etf: SVD failed")
	}
	var pu, qv mat.Dense
	svd.UTo(&pu)
	svd.VTo(&qv)
	// Range part: the first K − 1 singular pairs (σ_K = 0).
	u := mat.NewDense(d, k, nil)
	u.Mul(pu.Slice(0, d, 0, k-1), qv.Slice(0, k, 0, k-1).T())
	start := mat.NewVecDense(d, nil)
	for i := range k {
		start.SetVec(i, 1/math.Sqrt(float64(k)))
	}
	var proj mat.VecDense
	proj.MulVec(pu.Slice(0, d, 0, k-1).T(), start)
	var back mat.VecDense
	back.MulVec(pu.Slice(0, d, 0, k-1), &proj)
	start.SubVec(start, &back)
	start.ScaleVec(1/mat.Norm(start, 2), start)
	for i := range d {
		for j := range k {
			u.Set(i, j, u.At(i, j)+start.AtVec(i)/math.Sqrt(float64(k)))
		}
	}
	return u
}

// Polar returns the polar factor P·Qᵀ of a = P·Σ·Qᵀ (thin SVD), the
// matrix with orthonormal columns nearest to a.
func Polar(a *mat.Dense) *mat.Dense {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		panic("etf: SVD failed")
	}
	var pu, qv mat.Dense
	svd.UTo(&pu)
	svd.VTo(&qv)
	var out mat.Dense
	out.Mul(&pu, qv.T())
	return &out
}

// RandomStiefel returns a random n×k matrix with orthonormal columns (the
// Q factor of a Gaussian matrix, Haar distributed with the signs of R's
// diagonal fixed).
func RandomStiefel(rng *rand.Rand, n, k int) *mat.Dense {
	g := mat.NewDense(n, k, nil)
	for i := range n {
		for j := range k {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, rm mat.Dense
	qr.QTo(&q)
	qr.RTo(&rm)
	out := mat.NewDense(n, k, nil)
	for j := range k {
		s := 1.0
		if rm.At(j, j) < 0 {
			s = -1
		}
		for i := range n {
			out.Set(i, j, s*q.At(i, j))
		}
	}
	return out
}

// KKT holds the residuals of the optimality conditions at a point, in
// the Frobenius norm, and the smallest eigenvalue of B_K.
type KKT struct {
	// Feasibility is ‖UᵀU − I‖; Skew ‖skew(UᵀG)‖; Stationarity
	// ‖G − U·sym(UᵀG)‖ (the Riemannian gradient).
	Feasibility, Skew, Stationarity float64
	// HessianVsS is ‖B_K − (AᵀA)^{1/2}‖ with B_K = (2/(K−1))·BᵀB + δI −
	// sym(UᵀG), the Lagrangian's Hessian block, which equals S at the
	// optimum; MinEigB is B_K's smallest eigenvalue (positive at a strict
	// minimum).
	HessianVsS, MinEigB float64
}

// KKT returns the optimality residuals at u.
func (p Problem) KKT(u *mat.Dense) KKT {
	_, k, r, basis := p.dims()
	g := p.Gradient(u)
	var utu, ug mat.Dense
	utu.Mul(u.T(), u)
	for i := range r {
		utu.Set(i, i, utu.At(i, i)-1)
	}
	ug.Mul(u.T(), g)
	sym, skew := symSkew(&ug)
	var us, rg mat.Dense
	us.Mul(u, sym)
	rg.Sub(g, &us)
	var bk mat.Dense
	bk.Mul(basis.T(), basis)
	bk.Scale(2/float64(k-1), &bk)
	for i := range r {
		bk.Set(i, i, bk.At(i, i)+p.proxWeight())
	}
	bk.Sub(&bk, sym)
	s := sqrtGram(p.A())
	var diff mat.Dense
	diff.Sub(&bk, s)
	var eig mat.EigenSym
	eig.Factorize(mat.NewSymDense(r, bk.RawMatrix().Data), false)
	return KKT{Feasibility: mat.Norm(&utu, 2), Skew: mat.Norm(skew, 2), Stationarity: mat.Norm(&rg, 2),
		HessianVsS: mat.Norm(&diff, 2), MinEigB: eig.Values(nil)[0]}
}

// symSkew returns the symmetric and skew-symmetric parts of a square a.
func symSkew(a *mat.Dense) (sym, skew *mat.Dense) {
	n, _ := a.Dims()
	sym, skew = mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			sym.Set(i, j, (a.At(i, j)+a.At(j, i))/2)
			skew.Set(i, j, (a.At(i, j)-a.At(j, i))/2)
		}
	}
	return sym, skew
}

// sqrtGram returns (AᵀA)^{1/2}.
func sqrtGram(a *mat.Dense) *mat.Dense {
	_, r := a.Dims()
	var g mat.SymDense
	g.SymOuterK(1, a.T())
	var eig mat.EigenSym
	eig.Factorize(&g, true)
	var v mat.Dense
	eig.VectorsTo(&v)
	vals := eig.Values(nil)
	out := mat.NewDense(r, r, nil)
	for i := range r {
		for j := range r {
			var s float64
			for l := range r {
				s += v.At(i, l) * math.Sqrt(max(vals[l], 0)) * v.At(j, l)
			}
			out.Set(i, j, s)
		}
	}
	return out
}

// RandomSkew returns a random n×n skew-symmetric matrix of Frobenius norm
// angle: exp of it is a rotation by about that angle.
func RandomSkew(rng *rand.Rand, n int, angle float64) *mat.Dense {
	s := mat.NewDense(n, n, nil)
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := rng.NormFloat64()
			s.Set(i, j, v)
			s.Set(j, i, -v)
		}
	}
	if norm := mat.Norm(s, 2); norm > 0 {
		s.Scale(angle/norm, s)
	}
	return s
}
