package etf

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/runtime/kernels"
)

// Collapse holds the neural-collapse metrics of a classifier on a data
// set, as the nearest-ETF paper's reference code (nc/validate_NC.py and
// ETF_distance.py) defines them. With μ_k the class means of the features
// h_i, μ_G their global mean, H̃ = [μ_k − μ_G] [d, K] and the classifier
// W [K, d], b [K]:
type Collapse struct {
	// NC1 = (1/K)·tr(Σ_W·Σ_B⁺), Σ_W = (1/N)Σ(h_i − μ_{y_i})(·)ᵀ,
	// Σ_B = (1/K)Σ(μ_k − μ_G)(·)ᵀ: within-class variability against
	// between-class (0 at collapse).
	NC1 float64 `json:"nc1"`
	// VCI = 1 − tr(Σ_T⁺·Σ_B)/min(d, K − 1), Σ_T = Σ_B + Σ_W, the
	// variability collapse index (0 at collapse).
	VCI float64 `json:"vci"`
	// NC1Rank is the mean over classes of (‖F_k‖_*/‖F_k‖_F)², F_k the
	// class's features: their numerical rank (1 at collapse).
	NC1Rank float64 `json:"nc1_rank"`
	// NC2 = ‖WWᵀ/‖WWᵀ‖_F − M/√(K−1)‖_F: how far the classifier is from a
	// simplex ETF (0 for one; in [0, 2]).
	NC2 float64 `json:"nc2"`
	// NC3 = ‖W·H̃/‖W·H̃‖_F − M/√(K−1)‖_F: self-duality of classifier and
	// class means (0 at collapse; in [0, 2]).
	NC3 float64 `json:"nc3"`
	// NC4 = ‖W·μ_G + b‖₂, the collapse of the bias (the reference code's
	// NC4).
	NC4 float64 `json:"nc4"`
	// NCCMismatch is 100 minus the percentage of examples whose predicted
	// class (the largest logit) is their nearest class mean (the paper's
	// NC4).
	NCCMismatch float64 `json:"ncc_mismatch"`
	// EquinormW and EquinormH are the coefficients of variation
	// (unbiased std/mean) of ‖w_k‖ and ‖μ_k − μ_G‖; Equinorm is
	// |EquinormW − EquinormH|.
	EquinormW float64 `json:"equinorm_w"`
	EquinormH float64 `json:"equinorm_h"`
	Equinorm  float64 `json:"equinorm"`
	// Margin is the mean over examples of the cosine margin
	// cos_y − max_{k≠y} cos_k, cos_k the cosine of h − μ_G with the
	// centred w_k − mean_k w_k (in [−2, 2]; positive when every example
	// is classified correctly by angle); MarginMin the smallest.
	Margin    float64 `json:"margin"`
	MarginMin float64 `json:"margin_min"`
	// ETFDistance = ‖E_W − E_H‖² and ETFToW = ‖E_W − Wᵀ/‖W‖‖², with E_X the
	// scaled simplex ETF U·M/√(K−1) nearest to X [d, K] (the δ = 0 problem,
	// solved in closed form): how far apart the ETFs nearest to the
	// classifier and to the class means are, and how far the classifier
	// is from its own. NaN (null in JSON) for d < K − 1, where no simplex
	// ETF exists.
	ETFDistance float64 `json:"etf_distance"`
	ETFToW      float64 `json:"etf_to_w"`
	// Margins are the per-example cosine margins, sorted (the paper's
	// "Pcm at EoT" curve); not written in the per-epoch metrics.
	Margins []float64 `json:"-"`
}

// Measure computes the collapse metrics of features h [N, d] (row-major)
// with labels in [0, K), predictions (the class of the largest logit,
// for NCCMismatch; nil to skip it), and the classifier w [K, d] and b [K]
// (nil for none). Every class must have an example.
func Measure(h []float64, labels []int, predicted []int, w, b []float64, k int) (*Collapse, error) {
	n := len(labels)
	if n == 0 || len(h)%n != 0 {
		return nil, fmt.Errorf("etf: %d features for %d labels", len(h), n)
	}
	d := len(h) / n
	switch {
	case k < 2:
		return nil, fmt.Errorf("etf: %d classes, want at least 2", k)
	case len(w) != k*d:
		return nil, fmt.Errorf("etf: classifier of %d elements, want %d×%d", len(w), k, d)
	case b != nil && len(b) != k:
		return nil, fmt.Errorf("etf: bias of %d elements, want %d", len(b), k)
	case predicted != nil && len(predicted) != n:
		return nil, fmt.Errorf("etf: %d predictions for %d labels", len(predicted), n)
	}
	s, err := newStats(h, labels, n, d, k)
	if err != nil {
		return nil, err
	}
	wm := mat.NewDense(k, d, slices.Clone(w))
	c := &Collapse{}
	c.NC1 = s.nc1()
	c.VCI = s.vci()
	c.NC1Rank = s.numericalRank()
	c.NC2 = nc2(wm)
	c.NC3 = nc3(wm, s.centred)
	c.NC4 = nc4(wm, s.global, b)
	if predicted != nil {
		c.NCCMismatch = s.nccMismatch(predicted)
	}
	c.EquinormW, c.EquinormH = variation(rowNorms(wm)), variation(colNorms(s.centred))
	c.Equinorm = math.Abs(c.EquinormW - c.EquinormH)
	c.Margins = s.margins(wm)
	c.Margin, c.MarginMin = mean(c.Margins), c.Margins[0]
	c.ETFDistance, c.ETFToW = math.NaN(), math.NaN()
	if d >= k-1 {
		c.ETFDistance, c.ETFToW = etfDistances(wm, s.centred)
	}
	return c, nil
}

// stats are the class statistics of a data set's features.
type stats struct {
	h          []float64
	labels     []int
	n, d, k    int
	counts     []int
	means      *mat.Dense    // [K, d]
	global     *mat.VecDense // μ_G
	centred    *mat.Dense    // H̃ [d, K]
	residualsW *mat.Dense    // h_i − μ_{y_i} [N, d]
}

func newStats(h []float64, labels []int, n, d, k int) (*stats, error) {
	s := &stats{h: h, labels: labels, n: n, d: d, k: k, counts: make([]int, k),
		means: mat.NewDense(k, d, nil), global: mat.NewVecDense(d, nil)}
	for i, y := range labels {
		if y < 0 || y >= k {
			return nil, fmt.Errorf("etf: label %d of example %d is not in [0, %d)", y, i, k)
		}
		s.counts[y]++
		row := h[i*d : (i+1)*d]
		for j, v := range row {
			s.means.Set(y, j, s.means.At(y, j)+v)
			s.global.SetVec(j, s.global.AtVec(j)+v)
		}
	}
	for y, c := range s.counts {
		if c == 0 {
			return nil, fmt.Errorf("etf: class %d has no example", y)
		}
		for j := range d {
			s.means.Set(y, j, s.means.At(y, j)/float64(c))
		}
	}
	s.global.ScaleVec(1/float64(n), s.global)
	s.centred = mat.NewDense(d, k, nil)
	for y := range k {
		for j := range d {
			s.centred.Set(j, y, s.means.At(y, j)-s.global.AtVec(j))
		}
	}
	s.residualsW = mat.NewDense(n, d, nil)
	for i, y := range labels {
		for j := range d {
			s.residualsW.Set(i, j, h[i*d+j]-s.means.At(y, j))
		}
	}
	return s, nil
}

// pinvCutoff is scipy.linalg.pinv's default: singular values below
// max(rows, cols)·ε·σ_max count as zero.
func pinvCutoff(rows, cols int, smax float64) float64 {
	return float64(max(rows, cols)) * 0x1p-52 * smax
}

// nc1 is (1/K)·tr(Σ_W·Σ_B⁺). With H̃ = U·S·Vᵀ, Σ_B⁺ = K·U·S⁻²·Uᵀ, so
// NC1 = Σ_j s_j⁻²·u_jᵀ·Σ_W·u_j, in O(N·d·K).
func (s *stats) nc1() float64 {
	var svd mat.SVD
	if !svd.Factorize(s.centred, mat.SVDThin) {
		return math.NaN()
	}
	sv := svd.Values(nil)
	var u mat.Dense
	svd.UTo(&u)
	proj := mulRaw(s.residualsW, &u) // the residuals in the basis U: [N, K]
	cut := pinvCutoff(s.d, s.k, sv[0])
	var out float64
	for j, sj := range sv {
		if sj <= cut {
			continue
		}
		var ss float64
		for i := range s.n {
			ss += sq(proj.At(i, j))
		}
		out += ss / float64(s.n) / (sj * sj)
	}
	return out
}

// sigmaB returns Σ_B = (1/K)·H̃·H̃ᵀ [d, d].
func (s *stats) sigmaB() *mat.SymDense {
	var b mat.SymDense
	b.SymOuterK(1/float64(s.k), s.centred)
	return &b
}

// vci is 1 − tr(Σ_T⁺·Σ_B)/min(d, K − 1).
func (s *stats) vci() float64 {
	d := s.d
	sw := make([]float64, d*d) // Σ_W, by the runtime's GEMM (gonum's Dsyrk is single-threaded)
	r := s.residualsW.RawMatrix()
	kernels.Default().Dgemm(true, false, d, d, s.n, 1/float64(s.n), r.Data, r.Stride, r.Data, r.Stride, 0, sw, d)
	sb := s.sigmaB()
	st := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			st.SetSym(i, j, (sw[i*d+j]+sw[j*d+i])/2+sb.At(i, j))
		}
	}
	// Where Σ_T has full numerical rank, Σ_T⁺ = Σ_T⁻¹ and a Cholesky
	// factor gives tr(Σ_T⁻¹·Σ_B) = (1/K)·‖L⁻¹H̃‖²; the eigenvalues alone
	// (no vectors: a fraction of the cost) say whether it has.
	var ev mat.EigenSym
	if !ev.Factorize(st, false) {
		return math.NaN()
	}
	vals := ev.Values(nil)
	cut := pinvCutoff(s.d, s.d, slices.Max(vals))
	if slices.Min(vals) > cut {
		var chol mat.Cholesky
		if chol.Factorize(st) {
			var l mat.TriDense
			chol.LTo(&l)
			var x mat.Dense
			if err := x.Solve(&l, s.centred); err == nil {
				n := mat.Norm(&x, 2)
				return 1 - n*n/float64(s.k)/float64(min(s.d, s.k-1))
			}
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(st, true) {
		return math.NaN()
	}
	vals = eig.Values(nil)
	var v mat.Dense
	eig.VectorsTo(&v)
	cut = pinvCutoff(s.d, s.d, slices.Max(vals))
	// tr(Σ_T⁺·Σ_B) = (1/K)·Σ_j λ_j⁻¹·‖v_jᵀH̃‖².
	var proj mat.Dense
	proj.Mul(v.T(), s.centred)
	var tr float64
	for j, l := range vals {
		if l <= cut {
			continue
		}
		var ss float64
		for c := range s.k {
			ss += sq(proj.At(j, c))
		}
		tr += ss / l
	}
	return 1 - tr/float64(s.k)/float64(min(s.d, s.k-1))
}

// numericalRank is the mean over classes of (‖F_k‖_*/‖F_k‖_F)², from the
// singular values of each class's features (those of a Gram matrix would
// inflate the small ones to √ε).
func (s *stats) numericalRank() float64 {
	var total float64
	for y := range s.k {
		f := mat.NewDense(s.counts[y], s.d, nil)
		r := 0
		for i, l := range s.labels {
			if l == y {
				f.SetRow(r, s.h[i*s.d:(i+1)*s.d])
				r++
			}
		}
		var svd mat.SVD
		if !svd.Factorize(f, mat.SVDNone) {
			return math.NaN()
		}
		var nuc, fro float64
		for _, sv := range svd.Values(nil) {
			nuc += sv
			fro += sv * sv
		}
		total += nuc * nuc / fro
	}
	return total / float64(s.k)
}

// nccMismatch is 100 minus the percentage of predictions that are the
// nearest class mean: ‖h − μ_k‖² = ‖h‖² − 2⟨h, μ_k⟩ + ‖μ_k‖², the inner
// products as one product of matrices.
func (s *stats) nccMismatch(predicted []int) float64 {
	n, d, k := s.n, s.d, s.k
	means := s.means.RawMatrix()
	dots := make([]float64, n*k)
	kernels.Default().Dgemm(false, true, n, k, d, 1, s.h, d, means.Data, means.Stride, 0, dots, k)
	norms := rowNorms(s.means)
	agree := 0
	for i := range n {
		best, bestD := 0, math.Inf(1)
		for y := range k {
			if dist := norms[y]*norms[y] - 2*dots[i*k+y]; dist < bestD {
				best, bestD = y, dist
			}
		}
		if best == predicted[i] {
			agree++
		}
	}
	return 100 - 100*float64(agree)/float64(n)
}

// margins returns the sorted cosine margins of the examples, the cosines
// from one product of the centred features by the centred classifier.
func (s *stats) margins(w *mat.Dense) []float64 {
	k, d := w.Dims()
	wc := mat.DenseCopyOf(w)
	for j := range d {
		var m float64
		for c := range k {
			m += w.At(c, j)
		}
		m /= float64(k)
		for c := range k {
			wc.Set(c, j, w.At(c, j)-m)
		}
	}
	wn := rowNorms(wc)
	x := make([]float64, s.n*d)
	xn := make([]float64, s.n)
	for i := range s.n {
		for j := range d {
			v := s.h[i*d+j] - s.global.AtVec(j)
			x[i*d+j] = v
			xn[i] += v * v
		}
		xn[i] = math.Sqrt(xn[i])
	}
	dots := make([]float64, s.n*k)
	raw := wc.RawMatrix()
	kernels.Default().Dgemm(false, true, s.n, k, d, 1, x, d, raw.Data, raw.Stride, 0, dots, k)
	out := make([]float64, s.n)
	for i, y := range s.labels {
		own, other := 0.0, math.Inf(-1)
		for c := range k {
			cos := dots[i*k+c] / (xn[i] * wn[c])
			if c == y {
				own = cos
			} else {
				other = max(other, cos)
			}
		}
		out[i] = own - other
	}
	slices.Sort(out)
	return out
}

// simplexTarget returns M/√(K−1), which has unit Frobenius norm.
func simplexTarget(k int) *mat.Dense {
	m := mat.NewDense(k, k, nn.CentringMatrix(k))
	m.Scale(1/math.Sqrt(float64(k-1)), m)
	return m
}

// distanceToTarget returns ‖X/‖X‖_F − M/√(K−1)‖_F for X [K, K].
func distanceToTarget(x *mat.Dense) float64 {
	k, _ := x.Dims()
	var y mat.Dense
	y.Scale(1/mat.Norm(x, 2), x)
	y.Sub(&y, simplexTarget(k))
	return mat.Norm(&y, 2)
}

func nc2(w *mat.Dense) float64 {
	var g mat.Dense
	g.Mul(w, w.T())
	return distanceToTarget(&g)
}

func nc3(w, centred *mat.Dense) float64 {
	var g mat.Dense
	g.Mul(w, centred)
	return distanceToTarget(&g)
}

func nc4(w *mat.Dense, global *mat.VecDense, b []float64) float64 {
	var v mat.VecDense
	v.MulVec(w, global)
	if b != nil {
		v.AddVec(&v, mat.NewVecDense(len(b), slices.Clone(b)))
	}
	return mat.Norm(&v, 2)
}

// etfDistances returns ‖E_W − E_H‖² and ‖E_W − Wᵀ/‖W‖‖².
func etfDistances(w, centred *mat.Dense) (between, toW float64) {
	wt := mat.DenseCopyOf(w.T())
	wt.Scale(1/mat.Norm(wt, 2), wt)
	hn := mat.DenseCopyOf(centred)
	hn.Scale(1/mat.Norm(hn, 2), hn)
	ew, eh := NearestScaledETF(wt), NearestScaledETF(hn)
	var diff mat.Dense
	diff.Sub(ew, eh)
	between = sq(mat.Norm(&diff, 2))
	diff.Sub(ew, wt)
	return between, sq(mat.Norm(&diff, 2))
}

// NearestScaledETF returns E = U*·M/√(K−1) [d, K] for X [d, K] (d ≥ K − 1),
// U* = argmin over the Stiefel manifold of ‖X − U·M/√(K−1)‖² (the δ = 0
// problem). E is unique when X·M has rank K − 1: with X·M = P·Σ·Qᵀ and
// its K − 1 nonzero singular pairs, E = P·Qᵀ/√(K−1).
func NearestScaledETF(x *mat.Dense) *mat.Dense {
	d, k := x.Dims()
	var xm mat.Dense
	xm.Mul(x, mat.NewDense(k, k, nn.CentringMatrix(k)))
	var svd mat.SVD
	if !svd.Factorize(&xm, mat.SVDThin) {
		panic("etf: SVD failed")
	}
	var p, q mat.Dense
	svd.UTo(&p)
	svd.VTo(&q)
	r := k - 1
	var e mat.Dense
	e.Mul(p.Slice(0, d, 0, r), q.Slice(0, k, 0, r).T())
	e.Scale(1/math.Sqrt(float64(r)), &e)
	return &e
}

func rowNorms(a *mat.Dense) []float64 {
	r, _ := a.Dims()
	out := make([]float64, r)
	for i := range r {
		out[i] = mat.Norm(a.RowView(i), 2)
	}
	return out
}

func colNorms(a *mat.Dense) []float64 {
	_, c := a.Dims()
	out := make([]float64, c)
	for j := range c {
		out[j] = mat.Norm(a.ColView(j), 2)
	}
	return out
}

// variation is the coefficient of variation std/mean with the unbiased
// standard deviation (torch.std's default).
func variation(xs []float64) float64 {
	m := mean(xs)
	var ss float64
	for _, x := range xs {
		ss += sq(x - m)
	}
	return math.Sqrt(ss/float64(len(xs)-1)) / m
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// MarshalJSON writes the metrics with NaN and infinities as null (JSON has
// no such numbers).
func (c Collapse) MarshalJSON() ([]byte, error) {
	type plain Collapse
	v := reflect.ValueOf(plain(c))
	t := v.Type()
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		if tag == "-" || tag == "" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		x := v.Field(i).Float()
		fmt.Fprintf(&b, "%q:", tag)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
		} else {
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// UnmarshalJSON reads what MarshalJSON writes, null as NaN.
func (c *Collapse) UnmarshalJSON(data []byte) error {
	var m map[string]*float64
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		if x, ok := m[tag]; ok && tag != "-" {
			if x == nil {
				v.Field(i).SetFloat(math.NaN())
			} else {
				v.Field(i).SetFloat(*x)
			}
		}
	}
	return nil
}

// mulRaw returns a·b by the runtime's GEMM.
func mulRaw(a, b *mat.Dense) *mat.Dense {
	m, k := a.Dims()
	_, n := b.Dims()
	ra, rb := a.RawMatrix(), b.RawMatrix()
	out := mat.NewDense(m, n, nil)
	kernels.Default().Dgemm(false, false, m, n, k, 1, ra.Data, ra.Stride, rb.Data, rb.Stride, 0, out.RawMatrix().Data, n)
	return out
}
