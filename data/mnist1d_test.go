package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestMNIST1DTemplates(t *testing.T) {
	const tol = 1e-12
	tm := MNIST1DTemplates()
	if len(tm) != 10 {
		t.Fatalf("%d templates, want 10", len(tm))
	}
	for d, x := range tm {
		if len(x) != 12 {
			t.Fatalf("template %d has %d points, want 12", d, len(x))
		}
		// Every raw template starts and ends at 5, so after the
		// normalisation both ends are exactly 0.
		if x[0] != 0 || x[11] != 0 {
			t.Errorf("template %d: ends %v, %v, want exactly 0", d, x[0], x[11])
		}
		// 6*x + x0' is a standardised vector: its population std is 1.
		scaled := make([]float64, len(x))
		for i, v := range x {
			scaled[i] = 6 * v
		}
		if _, std := meanStd(scaled); math.Abs(std-1) > tol {
			t.Errorf("template %d: std of 6*template = %v, want 1 (tol %g)", d, std, tol)
		}
	}
	// Spot values: digit 0 is a positive bump, digit 6 its mirror image.
	if tm[0][5] <= 0 || tm[6][5] >= 0 {
		t.Errorf("template 0 at 5 = %v (want > 0), template 6 at 5 = %v (want < 0)", tm[0][5], tm[6][5])
	}
	// The table is read-only: mutating the result must not change the next call.
	tm[3][4] = 99
	if MNIST1DTemplates()[3][4] == 99 {
		t.Errorf("MNIST1DTemplates returns shared memory")
	}
}

func TestLinspace(t *testing.T) {
	got := linspace(-0.5, 0.5, 5)
	want := []float64{-0.5, -0.25, 0, 0.25, 0.5}
	if !slices.Equal(got, want) {
		t.Errorf("linspace(-0.5, 0.5, 5) = %v, want %v", got, want)
	}
	if l := linspace(0, 1, 72); l[0] != 0 || l[71] != 1 {
		t.Errorf("linspace(0, 1, 72) ends = %v, %v", l[0], l[71])
	}
}

func TestInterpolate(t *testing.T) {
	const tol = 1e-14
	tests := []struct {
		name string
		src  []float64
		n    int
		want []float64
	}{
		{"upsample two points", []float64{0, 1}, 3, []float64{0, 0.5, 1}},
		{"upsample linear", []float64{0, 2, 4}, 5, []float64{0, 1, 2, 3, 4}},
		{"identity", []float64{3, -1, 4, 1, 5}, 5, []float64{3, -1, 4, 1, 5}},
		{"downsample keeps endpoints", []float64{7, 0, 0, 0, 9}, 3, []float64{7, 0, 9}},
		{"kink", []float64{0, 1, 0}, 5, []float64{0, 0.5, 1, 0.5, 0}},
		{"constant", []float64{2, 2, 2, 2}, 7, []float64{2, 2, 2, 2, 2, 2, 2}},
		{"single point", []float64{5}, 3, []float64{5, 5, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := make([]float64, tc.n)
			interpolate(tc.src, got)
			for i := range got {
				if math.Abs(got[i]-tc.want[i]) > tol {
					t.Fatalf("interpolate(%v, %d) = %v, want %v (tol %g)", tc.src, tc.n, got, tc.want, tol)
				}
			}
		})
	}
	// A zero stretch stays exactly zero (the correlated noise mask relies
	// on it), and points on a knot take the knot's value exactly.
	src := append([]float64{0.3, 0.2, 1e-8}, make([]float64, 45)...) // 48 points
	dst := make([]float64, 72)
	interpolate(src, dst)
	for i, v := range dst {
		pos := float64(i) * 47 / 71 // position in source samples
		if pos >= 3 && v != 0 {
			t.Errorf("dilated[%d] = %v at source position %.2f, want exactly 0", i, v, pos)
		}
		if pos < 2 && v == 0 {
			t.Errorf("dilated[%d] = 0 inside the template", i)
		}
	}
	if dst[0] != 0.3 || dst[71] != 0 {
		t.Errorf("dilated ends %v, %v, want 0.3, 0", dst[0], dst[71])
	}
}

func TestShiftRight(t *testing.T) {
	tests := []struct {
		k    int
		want []float64
	}{
		{0, []float64{1, 2, 3, 4, 5}},
		{1, []float64{5, 1, 2, 3, 4}}, // np.concatenate([x[-1:], x[:-1]])
		{2, []float64{4, 5, 1, 2, 3}},
		{5, []float64{1, 2, 3, 4, 5}},
	}
	for _, tc := range tests {
		x := []float64{1, 2, 3, 4, 5}
		shiftRight(x, make([]float64, 5), tc.k)
		if !slices.Equal(x, tc.want) {
			t.Errorf("shiftRight by %d = %v, want %v", tc.k, x, tc.want)
		}
	}
}

func TestReflectIndex(t *testing.T) {
	// scipy.ndimage mode "reflect": d c b a | a b c d | d c b a
	const n = 4
	tests := []struct{ in, want int }{
		{-4, 3}, {-3, 2}, {-2, 1}, {-1, 0}, {0, 0}, {3, 3}, {4, 3}, {5, 2}, {7, 0}, {8, 0}, {11, 3},
	}
	for _, tc := range tests {
		if got := reflectIndex(tc.in, n); got != tc.want {
			t.Errorf("reflectIndex(%d, %d) = %d, want %d", tc.in, n, got, tc.want)
		}
	}
}

func TestGaussianFilter(t *testing.T) {
	const tol = 1e-15
	k := gaussianKernel(mnist1dNoiseSigma, mnist1dNoiseRadius)
	if len(k) != 17 {
		t.Fatalf("kernel has %d taps, want 17 (radius 8)", len(k))
	}
	var sum float64
	for i, w := range k {
		sum += w
		if w != k[len(k)-1-i] {
			t.Errorf("kernel not symmetric at %d", i)
		}
	}
	if math.Abs(sum-1) > tol {
		t.Errorf("kernel sums to %v, want 1", sum)
	}
	// Ratio of neighbouring taps: exp(-(x+1)^2/8)/exp(-x^2/8).
	if got, want := k[9]/k[8], math.Exp(-1.0/8); math.Abs(got-want) > 1e-15 {
		t.Errorf("k[9]/k[8] = %v, want %v", got, want)
	}

	// A constant signal is unchanged (the reflecting boundary keeps it so).
	src := make([]float64, 20)
	for i := range src {
		src[i] = 2.5
	}
	dst := make([]float64, 20)
	gaussianFilterReflect(src, k, dst)
	for i, v := range dst {
		if math.Abs(v-2.5) > 1e-14 {
			t.Fatalf("filtered constant at %d = %v", i, v)
		}
	}

	// An impulse at the edge sample: its mirror image sits at index -1, so
	// out[i] = k(i) + k(i+1) (taps indexed by offset from the centre).
	clear(src)
	src[0] = 1
	gaussianFilterReflect(src, k, dst)
	r := mnist1dNoiseRadius
	for i := range 8 {
		want := k[r+i]
		if i+1 <= r {
			want += k[r+i+1]
		}
		if math.Abs(dst[i]-want) > tol {
			t.Errorf("edge impulse response at %d = %v, want %v", i, dst[i], want)
		}
	}
	if dst[9] != 0 {
		t.Errorf("impulse response beyond the radius: out[9] = %v", dst[9])
	}
}

// With every random transformation switched off (no noise, no scale, no
// shear, shift 0, padding fixed at 60 so the dilation is the identity), a
// sample is the template followed by zeros, subsampled to 40 points.
func TestMNIST1DSampleDeterministicCore(t *testing.T) {
	cfg := DefaultMNIST1D()
	cfg.Padding = [2]int{60, 60}
	cfg.ScaleCoeff = 0
	cfg.MaxTranslation = 1
	cfg.CorrNoiseScale = 0
	cfg.IIDNoiseScale = 0
	cfg.ShearScale = 0
	g := newMNIST1DGen(cfg)
	r := rand.New(rand.NewPCG(1, 2))
	tm := MNIST1DTemplates()
	for d := range tm {
		out := make([]float64, 40)
		g.sample(r, tm[d], out)
		padded := append(append([]float64(nil), tm[d]...), make([]float64, 60)...)
		for i := range 12 {
			padded[i] += 1e-8
		}
		want := make([]float64, 40)
		interpolate(padded, want)
		if !slices.Equal(out, want) {
			t.Fatalf("digit %d: sample %v, want %v", d, out, want)
		}
		if out[0] != 1e-8 {
			t.Errorf("digit %d: first point %v, want 1e-8 (template starts at 0)", d, out[0])
		}
		// Output point j sits at source position j*71/39; from 12 on the
		// padded signal is 0.
		for j := 7; j < 40; j++ {
			if out[j] != 0 {
				t.Errorf("digit %d: out[%d] = %v, want exactly 0 (padding)", d, j, out[j])
			}
		}
	}
}

func TestGenerateMNIST1D(t *testing.T) {
	small := DefaultMNIST1D()
	small.NumSamples = 1000
	small.TrainSplit = 0.7
	small.FinalSeqLength = 24
	small.Seed = 3
	tests := []struct {
		name                          string
		cfg                           MNIST1DConfig
		wantTrain, wantTest, features int
		perClass                      int
		splitTol                      int // max deviation of a class's test count from its expectation
	}{
		// Test counts per class are hypergeometric, mean 100, sd about 8.5.
		{"default", DefaultMNIST1D(), 4000, 1000, 40, 500, 40},
		{"small", small, 700, 300, 24, 100, 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const tol = 1e-12
			train, test, err := GenerateMNIST1D(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if train.N != tc.wantTrain || test.N != tc.wantTest {
				t.Fatalf("split %d/%d, want %d/%d", train.N, test.N, tc.wantTrain, tc.wantTest)
			}
			for _, d := range []*Dataset{train, test} {
				if d.Features != tc.features || d.Classes != 10 {
					t.Fatalf("Features %d Classes %d, want %d, 10", d.Features, d.Classes, tc.features)
				}
				if err := d.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			all, err := Concat(train, test)
			if err != nil {
				t.Fatal(err)
			}
			s := all.Stats()
			for c, n := range s.ClassCounts {
				if n != tc.perClass {
					t.Errorf("class %d: %d samples overall, want %d", c, n, tc.perClass)
				}
			}
			testFrac := float64(tc.wantTest) / float64(tc.wantTrain+tc.wantTest)
			for c, n := range test.Stats().ClassCounts {
				want := testFrac * float64(tc.perClass)
				if math.Abs(float64(n)-want) > float64(tc.splitTol) {
					t.Errorf("class %d: %d test samples, want %.0f ± %d", c, n, want, tc.splitTol)
				}
			}
			if math.Abs(s.Mean) > tol || math.Abs(s.Std-1) > tol {
				t.Errorf("whole set mean %v std %v, want 0 and 1 (tol %g)", s.Mean, s.Std, tol)
			}
			// Labels are shuffled: the first 50 samples are not all one class.
			if slices.Min(train.Labels[:50]) == slices.Max(train.Labels[:50]) {
				t.Errorf("train labels are not shuffled")
			}
			for i, v := range all.X {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("value %d is %v", i, v)
				}
			}
		})
	}
}

func TestGenerateMNIST1DDeterministic(t *testing.T) {
	cfg := DefaultMNIST1D()
	cfg.NumSamples = 500
	a1, b1, err := GenerateMNIST1D(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a2, b2, _ := GenerateMNIST1D(cfg)
	if !slices.Equal(a1.X, a2.X) || !slices.Equal(b1.X, b2.X) || !slices.Equal(a1.Labels, a2.Labels) || !slices.Equal(b1.Labels, b2.Labels) {
		t.Errorf("two runs with seed %d differ", cfg.Seed)
	}
	cfg.Seed++
	a3, _, _ := GenerateMNIST1D(cfg)
	if slices.Equal(a1.X, a3.X) {
		t.Errorf("seeds %d and %d give the same data", cfg.Seed-1, cfg.Seed)
	}
}

func TestGenerateMNIST1DConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *MNIST1DConfig)
		want   string
	}{
		{"too few samples", func(c *MNIST1DConfig) { c.NumSamples = 9 }, "NumSamples"},
		{"split above 1", func(c *MNIST1DConfig) { c.TrainSplit = 1.5 }, "TrainSplit"},
		{"split NaN", func(c *MNIST1DConfig) { c.TrainSplit = math.NaN() }, "TrainSplit"},
		{"template length", func(c *MNIST1DConfig) { c.TemplateLen = 10 }, "TemplateLen"},
		{"padding reversed", func(c *MNIST1DConfig) { c.Padding = [2]int{60, 36} }, "Padding"},
		{"no translation", func(c *MNIST1DConfig) { c.MaxTranslation = 0 }, "MaxTranslation"},
		{"length 1", func(c *MNIST1DConfig) { c.FinalSeqLength = 1 }, "FinalSeqLength"},
		{"infinite noise", func(c *MNIST1DConfig) { c.IIDNoiseScale = math.Inf(1) }, "IIDNoiseScale"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultMNIST1D()
			tc.mutate(&cfg)
			_, _, err := GenerateMNIST1D(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("GenerateMNIST1D: error %v, want one naming %s", err, tc.want)
			}
		})
	}
}
