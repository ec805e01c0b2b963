package etf_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/methods/etf"
)

// collapsed returns features at an exact simplex ETF: n examples per
// class, h_i = offset + τ·s·U·Bᵀ·e_{y_i} (B = M, or the Helmert basis
// when d = K − 1; s = √(K/(K−1))), the classifier W = s·B·Uᵀ and the
// bias −W·offset.
func collapsed(rng *rand.Rand, d, k, n int, tau float64) (h []float64, labels []int, w, b []float64) {
	basis, r, err := nn.ETFBasis(k, d)
	if err != nil {
		panic(err)
	}
	u := etf.RandomStiefel(rng, d, r)
	var sb mat.Dense
	sb.Scale(nn.ETFScale(k), mat.NewDense(k, r, basis))
	var means, wm mat.Dense
	means.Mul(u, sb.T()) // [d, K]
	means.Scale(tau, &means)
	wm.Mul(&sb, u.T()) // [K, d]
	offset := normals(rng, d)
	for i := range n * k {
		y := i % k
		labels = append(labels, y)
		for j := range d {
			h = append(h, offset[j]+means.At(j, y))
		}
	}
	var bv mat.VecDense
	bv.MulVec(&wm, mat.NewVecDense(d, offset))
	bv.ScaleVec(-1, &bv)
	return h, labels, wm.RawMatrix().Data, bv.RawVector().Data
}

// predict returns the class of the largest logit h·Wᵀ + b.
func predict(h []float64, w, b []float64, k int) []int {
	d := len(w) / k
	var out []int
	for i := 0; i < len(h); i += d {
		best, arg := math.Inf(-1), 0
		for c := range k {
			z := b[c]
			for j := range d {
				z += h[i+j] * w[c*d+j]
			}
			if z > best {
				best, arg = z, c
			}
		}
		out = append(out, arg)
	}
	return out
}

// On an exact simplex ETF every collapse metric is at its collapsed
// value: NC1, VCI, NC2, NC3, NC4, the NCC mismatch, the equinorms and the
// ETF distances 0, the numerical rank 1, every cosine margin K/(K−1).
func TestCollapseAtAnExactETF(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dims := range [][2]int{{12, 4}, {9, 10}, {64, 10}} {
		d, k := dims[0], dims[1]
		h, labels, w, b := collapsed(rng, d, k, 6, 5)
		c, err := etf.Measure(h, labels, predict(h, w, b, k), w, b, k)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string][2]float64{
			"NC1": {c.NC1, 0}, "VCI": {c.VCI, 0}, "NC1Rank": {c.NC1Rank, 1}, "NC2": {c.NC2, 0}, "NC3": {c.NC3, 0},
			"NC4": {c.NC4, 0}, "NCCMismatch": {c.NCCMismatch, 0}, "Equinorm": {c.Equinorm, 0}, "EquinormW": {c.EquinormW, 0},
			"EquinormH": {c.EquinormH, 0}, "Margin": {c.Margin, float64(k) / float64(k-1)},
			"MarginMin": {c.MarginMin, float64(k) / float64(k-1)}, "ETFDistance": {c.ETFDistance, 0}, "ETFToW": {c.ETFToW, 0},
		} {
			if math.Abs(v[0]-v[1]) > 1e-10 {
				t.Errorf("d=%d K=%d: %s = %.3g, want %g", d, k, name, v[0], v[1])
			}
		}
	}
}

// noisy returns random features with unequal classes and a random
// classifier.
func noisy(rng *rand.Rand, n, d, k int) (h []float64, labels []int, w, b []float64) {
	h = normals(rng, n*d)
	for i := range n {
		y := i % k
		if i%7 == 0 {
			y = 0 // unequal classes
		}
		labels = append(labels, y)
		for j := range d {
			h[i*d+j] += 3 * math.Sin(float64(y*d+j))
		}
	}
	return h, labels, normals(rng, k*d), normals(rng, k)
}

// The metrics do not change when the classifier is scaled (NC4 aside,
// which scales with it), when features and classifier are rotated
// together, or when the features are scaled; NC2 and NC3 lie in [0, 2].
func TestCollapseInvariances(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, d, k := 90, 8, 4
	h, labels, w, b := noisy(rng, n, d, k)
	pred := predict(h, w, b, k)
	base, err := etf.Measure(h, labels, pred, w, b, k)
	if err != nil {
		t.Fatal(err)
	}
	if base.NC2 < 0 || base.NC2 > 2 || base.NC3 < 0 || base.NC3 > 2 {
		t.Errorf("NC2 = %g, NC3 = %g, want both in [0, 2]", base.NC2, base.NC3)
	}
	scale := func(xs []float64, s float64) []float64 {
		out := slices.Clone(xs)
		for i := range out {
			out[i] *= s
		}
		return out
	}
	rot := etf.RandomStiefel(rng, d, d)
	rotate := func(xs []float64, rows int) []float64 { // rows of xs times Rᵀ
		var y mat.Dense
		y.Mul(mat.NewDense(rows, d, slices.Clone(xs)), rot.T())
		return y.RawMatrix().Data
	}
	cases := map[string]struct {
		h, w, b  []float64
		skipNC4  bool
		skipNCC  bool
		skipRank bool
	}{
		"scaled classifier": {h: h, w: scale(w, 3), b: scale(b, 3), skipNC4: true},
		"rotated":           {h: rotate(h, n), w: rotate(w, k), b: b},
		"scaled features":   {h: scale(h, 0.25), w: w, b: b, skipNC4: true},
	}
	for name, c := range cases {
		got, err := etf.Measure(c.h, labels, pred, c.w, c.b, k)
		if err != nil {
			t.Fatal(err)
		}
		pairs := map[string][2]float64{
			"NC1": {got.NC1, base.NC1}, "VCI": {got.VCI, base.VCI}, "NC1Rank": {got.NC1Rank, base.NC1Rank},
			"NC2": {got.NC2, base.NC2}, "NC3": {got.NC3, base.NC3}, "Equinorm": {got.Equinorm, base.Equinorm},
			"Margin": {got.Margin, base.Margin}, "MarginMin": {got.MarginMin, base.MarginMin},
			"ETFDistance": {got.ETFDistance, base.ETFDistance}, "ETFToW": {got.ETFToW, base.ETFToW},
			"NCCMismatch": {got.NCCMismatch, base.NCCMismatch},
		}
		if !c.skipNC4 {
			pairs["NC4"] = [2]float64{got.NC4, base.NC4}
		}
		for m, v := range pairs {
			if math.Abs(v[0]-v[1]) > 1e-9*max(1, math.Abs(v[1])) {
				t.Errorf("%s: %s = %.12g, was %.12g", name, m, v[0], v[1])
			}
		}
	}
}

// NC1 and VCI by their fast forms equal their definitions: Σ_W and Σ_B
// formed in full, pseudo-inverses with scipy's cutoff.
func TestNC1AndVCIDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dims := range [][3]int{{90, 8, 4}, {60, 20, 5}, {200, 6, 10}} {
		n, d, k := dims[0], dims[1], dims[2]
		h, labels, w, b := noisy(rng, n, d, k)
		c, err := etf.Measure(h, labels, nil, w, b, k)
		if err != nil {
			t.Fatal(err)
		}
		nc1, vci := directNC1VCI(h, labels, n, d, k)
		if math.Abs(c.NC1-nc1) > 1e-10*nc1 || math.Abs(c.VCI-vci) > 1e-10 {
			t.Errorf("n=%d d=%d K=%d: NC1 %.15g (definition %.15g), VCI %.15g (definition %.15g)", n, d, k, c.NC1, nc1, c.VCI, vci)
		}
	}
}

func directNC1VCI(h []float64, labels []int, n, d, k int) (nc1, vci float64) {
	hm := mat.NewDense(n, d, h)
	means := mat.NewDense(k, d, nil)
	counts := make([]float64, k)
	global := make([]float64, d)
	for i, y := range labels {
		counts[y]++
		for j := range d {
			means.Set(y, j, means.At(y, j)+hm.At(i, j))
			global[j] += hm.At(i, j) / float64(n)
		}
	}
	sw, sb := mat.NewDense(d, d, nil), mat.NewDense(d, d, nil)
	for i, y := range labels {
		r := make([]float64, d)
		for j := range d {
			r[j] = hm.At(i, j) - means.At(y, j)/counts[y]
		}
		var o mat.Dense
		o.Outer(1/float64(n), mat.NewVecDense(d, r), mat.NewVecDense(d, r))
		sw.Add(sw, &o)
	}
	for y := range k {
		r := make([]float64, d)
		for j := range d {
			r[j] = means.At(y, j)/counts[y] - global[j]
		}
		var o mat.Dense
		o.Outer(1/float64(k), mat.NewVecDense(d, r), mat.NewVecDense(d, r))
		sb.Add(sb, &o)
	}
	var p, st mat.Dense
	p.Mul(sw, pinv(sb))
	nc1 = mat.Trace(&p) / float64(k)
	st.Add(sb, sw)
	p.Mul(pinv(&st), sb)
	vci = 1 - mat.Trace(&p)/float64(min(d, k-1))
	return nc1, vci
}

// pinv is the pseudo-inverse with scipy's cutoff max(rows, cols)·ε·σ_max.
func pinv(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	var svd mat.SVD
	svd.Factorize(a, mat.SVDFull)
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	out := mat.NewDense(c, r, nil)
	for l, sl := range s {
		if sl <= float64(max(r, c))*0x1p-52*s[0] {
			continue
		}
		var o mat.Dense
		o.Outer(1/sl, v.ColView(l), u.ColView(l))
		out.Add(out, &o)
	}
	return out
}
