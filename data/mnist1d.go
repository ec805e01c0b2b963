package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// mnist1dTemplates are the ten 12-point digit templates of MNIST-1D
// (Greydanus and Kobak, 2024), digit 0..9, before normalisation.
var mnist1dTemplates = [10][12]float64{
	{5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5},
	{5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5},
	{5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5},
	{5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5},
	{5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5},
	{5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5},
	{5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5},
	{5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5},
	{5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5},
	{5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5},
}

// MNIST1DStream is the second PCG seed word (the stream) of the generator:
// GenerateMNIST1D draws from rand.New(rand.NewPCG(cfg.Seed, MNIST1DStream)).
const MNIST1DStream uint64 = 0x6d6e69737431640a // "mnist1d\n"

// MNIST1DConfig holds the parameters of the MNIST-1D procedure. The field
// names follow the reference implementation's arguments.
type MNIST1DConfig struct {
	NumSamples     int     // total samples, NumSamples/10 per class (num_samples)
	TrainSplit     float64 // fraction of samples in the train split (train_split)
	TemplateLen    int     // points per template; must be 12 (template_len)
	Padding        [2]int  // zeros appended: uniform integer in [Padding[0], Padding[1]] (padding)
	ScaleCoeff     float64 // amplitude scale 1 + ScaleCoeff*(u-0.5) (scale_coeff)
	MaxTranslation int     // circular shift uniform in [0, MaxTranslation) (max_translation)
	CorrNoiseScale float64 // std of the smoothed noise filling the background (corr_noise_scale)
	IIDNoiseScale  float64 // std of the white noise added everywhere (iid_noise_scale)
	ShearScale     float64 // linear trend coefficient ShearScale*(u-0.5) (shear_scale)
	FinalSeqLength int     // length of each output signal (final_seq_length)
	Seed           uint64  // PCG seed (seed)
}

// DefaultMNIST1D returns the defaults of the reference implementation: 5000
// samples, 4000/1000 split, signals of length 40, seed 42.
func DefaultMNIST1D() MNIST1DConfig {
	return MNIST1DConfig{
		NumSamples:     5000,
		TrainSplit:     0.8,
		TemplateLen:    12,
		Padding:        [2]int{36, 60},
		ScaleCoeff:     0.4,
		MaxTranslation: 48,
		CorrNoiseScale: 0.25,
		IIDNoiseScale:  0.02,
		ShearScale:     0.75,
		FinalSeqLength: 40,
		Seed:           42,
	}
}

func (c MNIST1DConfig) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.NumSamples < len(mnist1dTemplates) {
		bad("NumSamples = %d, need at least %d (one per class)", c.NumSamples, len(mnist1dTemplates))
	}
	if !(c.TrainSplit >= 0 && c.TrainSplit <= 1) {
		bad("TrainSplit = %v, need 0 <= TrainSplit <= 1", c.TrainSplit)
	}
	if c.TemplateLen != len(mnist1dTemplates[0]) {
		bad("TemplateLen = %d, the templates have %d points", c.TemplateLen, len(mnist1dTemplates[0]))
	}
	if c.Padding[0] < 0 || c.Padding[1] < c.Padding[0] {
		bad("Padding = %v, need 0 <= Padding[0] <= Padding[1]", c.Padding)
	}
	if c.MaxTranslation < 1 {
		bad("MaxTranslation = %d, need at least 1", c.MaxTranslation)
	}
	if c.FinalSeqLength < 2 {
		bad("FinalSeqLength = %d, need at least 2", c.FinalSeqLength)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"ScaleCoeff", c.ScaleCoeff}, {"CorrNoiseScale", c.CorrNoiseScale}, {"IIDNoiseScale", c.IIDNoiseScale}, {"ShearScale", c.ShearScale}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			bad("%s = %v, need a finite number", f.name, f.v)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("data: invalid MNIST1DConfig: %w", err)
	}
	return nil
}

// MNIST1DTemplates returns the ten normalised templates (digit 0..9): each
// raw template minus its mean, divided by its population standard
// deviation, minus its first value (so it starts at 0), divided by 6.
func MNIST1DTemplates() [][]float64 {
	out := make([][]float64, len(mnist1dTemplates))
	for d, raw := range mnist1dTemplates {
		x := append([]float64(nil), raw[:]...)
		mean, std := meanStd(x)
		for i := range x {
			x[i] = (x[i] - mean) / std
		}
		x0 := x[0]
		for i := range x {
			x[i] = (x[i] - x0) / 6
		}
		out[d] = x
	}
	return out
}

// GenerateMNIST1D generates MNIST-1D with the procedure of the reference
// implementation (see the package documentation): NumSamples/10 samples per
// class, generated class by class, then one random permutation of the
// samples, then standardisation of the whole array with one mean and one
// standard deviation, then the split: the first int(n*TrainSplit) samples
// are train, the rest test.
//
// The random numbers come from rand.New(rand.NewPCG(cfg.Seed,
// MNIST1DStream)) of math/rand/v2, drawn in the reference's order; the
// result has the reference's distribution but not its numbers (those come
// from NumPy's Mersenne Twister).
func GenerateMNIST1D(cfg MNIST1DConfig) (train, test *Dataset, err error) {
	if err := cfg.validate(); err != nil {
		return nil, nil, err
	}
	templates := MNIST1DTemplates()
	classes := len(templates)
	perClass := cfg.NumSamples / classes
	n := perClass * classes
	f := cfg.FinalSeqLength

	r := rand.New(rand.NewPCG(cfg.Seed, MNIST1DStream))
	g := newMNIST1DGen(cfg)
	xs := make([]float64, n*f)
	ys := make([]int64, n)
	for c := range classes {
		for k := range perClass {
			i := c*perClass + k
			g.sample(r, templates[c], xs[i*f:(i+1)*f])
			ys[i] = int64(c)
		}
	}

	// One permutation of the batch dimension.
	perm := r.Perm(n)
	all := &Dataset{X: make([]float64, n*f), Labels: make([]int64, n), N: n, Features: f, Classes: classes}
	for i, p := range perm {
		copy(all.X[i*f:(i+1)*f], xs[p*f:(p+1)*f])
		all.Labels[i] = ys[p]
	}

	// Centre and scale the whole array.
	mean, std := meanStd(all.X)
	if !(std > 0) || math.IsInf(std, 0) {
		return nil, nil, fmt.Errorf("data: GenerateMNIST1D: standard deviation of the generated values is %v", std)
	}
	for i, v := range all.X {
		all.X[i] = (v - mean) / std
	}

	split := int(float64(n) * cfg.TrainSplit)
	return all.Range(0, split), all.Range(split, n), nil
}

// mnist1dGen holds the scratch space of one sample's transformation.
type mnist1dGen struct {
	cfg     MNIST1DConfig
	padded  []float64 // template + padding, up to TemplateLen+Padding[1]
	sig     []float64 // the dilated signal, length TemplateLen+Padding[1]
	tmp     []float64
	noise   []float64
	smooth  []float64
	kernel  []float64
	shearLn []float64 // linspace(-0.5, 0.5, len(sig))
}

// The reference smooths with scipy.ndimage.gaussian_filter(noise, 2):
// truncate 4 gives a kernel of radius int(4*2 + 0.5) = 8.
const (
	mnist1dNoiseSigma  = 2.0
	mnist1dNoiseRadius = 8
)

func newMNIST1DGen(cfg MNIST1DConfig) *mnist1dGen {
	l := cfg.TemplateLen + cfg.Padding[1]
	return &mnist1dGen{
		cfg:     cfg,
		padded:  make([]float64, 0, l),
		sig:     make([]float64, l),
		tmp:     make([]float64, l),
		noise:   make([]float64, l),
		smooth:  make([]float64, l),
		kernel:  gaussianKernel(mnist1dNoiseSigma, mnist1dNoiseRadius),
		shearLn: linspace(-0.5, 0.5, l),
	}
}

// sample transforms one template into out (length FinalSeqLength), drawing
// from r in the reference's order: pad (1 uniform), scale (1 uniform),
// translate (1 integer), correlated noise (len normals), iid noise (len
// normals), shear (1 uniform).
func (g *mnist1dGen) sample(r *rand.Rand, template []float64, out []float64) {
	cfg := g.cfg
	const eps = 1e-8

	// 1. pad: p = low + int(u*(high-low+1)) zeros after template+eps.
	lo, hi := cfg.Padding[0], cfg.Padding[1]
	p := lo + int(r.Float64()*float64(hi-lo+1))
	g.padded = g.padded[:0]
	for _, v := range template {
		g.padded = append(g.padded, v+eps)
	}
	for range p {
		g.padded = append(g.padded, 0)
	}

	// 2. dilate: interpolate onto TemplateLen+Padding[1] points.
	x := g.sig
	interpolate(g.padded, x)

	// 3. scale.
	s := 1 + cfg.ScaleCoeff*(r.Float64()-0.5)
	for i := range x {
		x[i] *= s
	}

	// 4. translate: circular shift right by k in [0, MaxTranslation).
	k := r.IntN(cfg.MaxTranslation)
	shiftRight(x, g.tmp, k)

	// 5. correlated noise where the signal is exactly 0.
	for i := range g.noise {
		g.noise[i] = cfg.CorrNoiseScale * r.NormFloat64()
	}
	gaussianFilterReflect(g.noise, g.kernel, g.smooth)
	for i, v := range x {
		if v == 0 {
			x[i] = g.smooth[i]
		}
	}

	// 6. iid noise.
	for i := range x {
		x[i] += cfg.IIDNoiseScale * r.NormFloat64()
	}

	// 7. shear.
	c := cfg.ShearScale * (r.Float64() - 0.5)
	for i := range x {
		x[i] -= c * g.shearLn[i]
	}

	// 8. subsample.
	interpolate(x, out)
}

// linspace returns n points evenly spaced on [a, b] computed as NumPy does:
// a + i*((b-a)/(n-1)), with the last point exactly b.
func linspace(a, b float64, n int) []float64 {
	out := make([]float64, n)
	if n == 1 {
		out[0] = a
		return out
	}
	step := (b - a) / float64(n-1)
	for i := range out {
		out[i] = float64(i)*step + a
	}
	out[n-1] = b
	return out
}

// interpolate resamples src, its points placed evenly on [0, 1], onto
// len(dst) evenly spaced points of [0, 1] by linear interpolation. The
// reference calls scipy.interpolate.interp1d(kind="linear"), which for
// one-dimensional float data delegates to numpy.interp; this follows
// numpy.interp on NumPy linspace grids: a new point t in [x[j], x[j+1]) gets
// y[j] + (y[j+1]-y[j])/(x[j+1]-x[j]) * (t-x[j]), so a point that falls
// exactly on a knot gets that knot's value, and t = 1 gets the last value.
func interpolate(src, dst []float64) {
	n, m := len(src), len(dst)
	if n == 1 {
		for j := range dst {
			dst[j] = src[0]
		}
		return
	}
	xs := func(i int) float64 { // linspace(0, 1, n)[i]
		if i == n-1 {
			return 1
		}
		return float64(i) * (1 / float64(n-1))
	}
	step := 1 / float64(m-1)
	j := 0
	for k := range dst {
		t := float64(k) * step
		switch {
		case m == 1:
			t = 0
		case k == m-1:
			t = 1
		}
		if t >= 1 {
			dst[k] = src[n-1]
			continue
		}
		// The new points increase, so the interval index only moves forward.
		for j < n-2 && xs(j+1) <= t {
			j++
		}
		x0, x1 := xs(j), xs(j+1)
		slope := (src[j+1] - src[j]) / (x1 - x0)
		dst[k] = slope*(t-x0) + src[j]
	}
}

// shiftRight rotates x right by k places (x[i] moves to x[(i+k) mod n]),
// as np.concatenate([x[-k:], x[:-k]]) with k = 0 leaving x unchanged. tmp
// is scratch of the same length.
func shiftRight(x, tmp []float64, k int) {
	n := len(x)
	if n == 0 {
		return
	}
	k %= n
	if k == 0 {
		return
	}
	copy(tmp, x)
	for i := range x {
		x[(i+k)%n] = tmp[i]
	}
}

// gaussianKernel returns scipy's Gaussian kernel: exp(-x²/(2σ²)) for x in
// [-radius, radius], normalised to sum 1.
func gaussianKernel(sigma float64, radius int) []float64 {
	w := make([]float64, 2*radius+1)
	var sum float64
	for i := range w {
		x := float64(i - radius)
		w[i] = math.Exp(-0.5 / (sigma * sigma) * x * x)
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// reflectIndex maps an index outside [0, n) back inside with the boundary
// of scipy.ndimage mode "reflect" (half-sample symmetric, the mirror
// includes the edge sample): ... x1 x0 | x0 x1 ... xn-1 | xn-1 xn-2 ...
func reflectIndex(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * n
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - 1 - i
	}
	return i
}

// gaussianFilterReflect writes into dst the correlation of src with the
// (symmetric, odd-length) kernel under the reflecting boundary, as
// scipy.ndimage.gaussian_filter1d(src, sigma, mode="reflect").
func gaussianFilterReflect(src, kernel, dst []float64) {
	n := len(src)
	r := len(kernel) / 2
	for i := range dst {
		var s float64
		for j, w := range kernel {
			s += w * src[reflectIndex(i+j-r, n)]
		}
		dst[i] = s
	}
}
