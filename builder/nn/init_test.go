package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
)

// draw runs init on a parameter of type t named "p".
func draw(t *testing.T, init builder.Initializer, typ ir.Type, seed uint64) []float64 {
	t.Helper()
	b := builder.New("f")
	p := b.ParamInit("p", typ.DType, init, typ.Shape...)
	b.Return(p)
	vals, err := nn.InitParams(build(t, b), b.Inits(), seed)
	if err != nil {
		t.Fatal(err)
	}
	return vals["p"]
}

func moments(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs))
}

func TestFanInUniform(t *testing.T) {
	const in, out = 400, 500
	tests := []struct {
		name  string
		init  builder.Initializer
		typ   ir.Type
		bound float64
	}{
		{"weight", nn.FanInUniform(0), ir.TensorOf(ir.F64, in, out), 1.0 / 20},
		{"weight rank 3", nn.FanInUniform(0), ir.TensorOf(ir.F64, 4, 100, out), 1.0 / 20},
		{"bias", nn.FanInUniform(in), ir.TensorOf(ir.F64, 200000), 1.0 / 20},
		{"uniform", nn.Uniform(-0.05, 0.05), ir.TensorOf(ir.F64, in, out), 1.0 / 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals := draw(t, tt.init, tt.typ, 1)
			n := float64(len(vals))
			lo, hi := slices.Min(vals), slices.Max(vals)
			if lo < -tt.bound || hi > tt.bound {
				t.Errorf("values in [%v, %v], outside ±%v", lo, hi, tt.bound)
			}
			// The draw fills the interval: the extremes are within a few
			// expected gaps of the bounds.
			if gap := 20 * 2 * tt.bound / n; lo > -tt.bound+gap || hi < tt.bound-gap {
				t.Errorf("values in [%v, %v], do not reach ±%v", lo, hi, tt.bound)
			}
			mean, variance := moments(vals)
			wantVar := tt.bound * tt.bound / 3
			if se := math.Sqrt(wantVar / n); math.Abs(mean) > 5*se {
				t.Errorf("mean %v, want 0 ± %v", mean, 5*se)
			}
			if rel := variance/wantVar - 1; math.Abs(rel) > 0.02 {
				t.Errorf("variance %v, want %v (relative error %.3f)", variance, wantVar, rel)
			}
		})
	}
}

func TestKaimingNormal(t *testing.T) {
	const in, out = 1000, 200
	for _, gain := range []float64{nn.ReLU.Gain(), 1} {
		t.Run(fmt.Sprint(gain), func(t *testing.T) {
			vals := draw(t, nn.KaimingNormal(gain), ir.TensorOf(ir.F64, in, out), 7)
			mean, variance := moments(vals)
			want := gain / math.Sqrt(in)
			n := float64(len(vals))
			if math.Abs(mean) > 5*want/math.Sqrt(n) {
				t.Errorf("mean %v, want 0", mean)
			}
			// The standard error of the sample std is std/√(2n) ≈ 0.16%.
			if rel := math.Sqrt(variance)/want - 1; math.Abs(rel) > 0.01 {
				t.Errorf("std %v, want %v (relative error %.4f)", math.Sqrt(variance), want, rel)
			}
			// Normal, not uniform: about 4.55% of the draws lie beyond 2 std.
			tail := 0
			for _, v := range vals {
				if math.Abs(v-mean) > 2*want {
					tail++
				}
			}
			if frac := float64(tail) / n; math.Abs(frac-0.0455) > 0.003 {
				t.Errorf("%.4f of the draws beyond 2 std, want 0.0455", frac)
			}
		})
	}
	t.Run("normal", func(t *testing.T) {
		vals := draw(t, nn.Normal(3, 0.5), ir.TensorOf(ir.F64, 100000), 3)
		mean, variance := moments(vals)
		if math.Abs(mean-3) > 0.01 || math.Abs(math.Sqrt(variance)-0.5) > 0.01 {
			t.Errorf("mean %v std %v, want 3 and 0.5", mean, math.Sqrt(variance))
		}
	})
}

func TestOrthogonal(t *testing.T) {
	tests := []struct {
		rows, cols int
		gain       float64
	}{
		{64, 32, 1}, {32, 64, 1}, {50, 50, 1}, {40, 7, 2}, {1, 5, 1}, {128, 1, 0.5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.rows, tt.cols), func(t *testing.T) {
			w := draw(t, nn.Orthogonal(tt.gain), ir.TensorOf(ir.F64, tt.rows, tt.cols), 11)
			// The Gram matrix of the shorter side: WᵀW if rows ≥ cols, else W Wᵀ.
			k := min(tt.rows, tt.cols)
			at := func(i, j int) float64 { return w[i*tt.cols+j] }
			if tt.rows < tt.cols {
				at = func(i, j int) float64 { return w[j*tt.cols+i] }
			}
			long := max(tt.rows, tt.cols)
			worst := 0.0
			for i := range k {
				for j := range k {
					g := 0.0
					for r := range long {
						g += at(r, i) * at(r, j)
					}
					want := 0.0
					if i == j {
						want = tt.gain * tt.gain
					}
					worst = max(worst, math.Abs(g-want))
				}
			}
			if worst > 1e-12 {
				t.Errorf("Gram matrix differs from %g·I by %g", tt.gain*tt.gain, worst)
			}
		})
	}
	t.Run("rank 3", func(t *testing.T) {
		// [4,8,16] is viewed as a 32×16 matrix.
		w := draw(t, nn.Orthogonal(1), ir.TensorOf(ir.F64, 4, 8, 16), 5)
		for i := range 16 {
			g := 0.0
			for r := range 32 {
				g += w[r*16+i] * w[r*16+i]
			}
			if math.Abs(g-1) > 1e-12 {
				t.Fatalf("column %d has squared norm %v", i, g)
			}
		}
	})
	t.Run("sign fixed", func(t *testing.T) {
		// With the signs of diag(R) fixed the draw is Haar distributed: the
		// first column's first entry is positive or negative equally often.
		pos := 0
		const n = 400
		for seed := range uint64(n) {
			if draw(t, nn.Orthogonal(1), ir.TensorOf(ir.F64, 6, 3), seed)[0] > 0 {
				pos++
			}
		}
		if pos < n/2-60 || pos > n/2+60 {
			t.Errorf("%d of %d positive", pos, n)
		}
	})
}

func TestInitDeterminism(t *testing.T) {
	model := func(extra bool) (*ir.Func, map[string]builder.Initializer) {
		b := builder.New("m")
		x := b.Data("x", ir.F32, 8, 10)
		h := x
		if extra {
			h = nn.Linear(b, "pre", h, 10, nn.WeightInit(nn.KaimingNormal(1)))
		}
		h = nn.Linear(b, "l1", h, 6)
		h = nn.Linear(b, "l2", h, 6, nn.WeightInit(nn.Orthogonal(1)))
		b.Return(nn.Linear(b, "l3", h, 4, nn.WeightInit(nn.KaimingNormal(nn.ReLU.Gain())), nn.BiasInit(nn.Zeros())))
		f, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		return f, b.Inits()
	}
	f, inits := model(false)
	a, err := nn.InitParams(f, inits, 42)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := nn.InitParams(f, inits, 42)
	other, _ := nn.InitParams(f, inits, 43)
	fx, initsX := model(true)
	withExtra, err := nn.InitParams(fx, initsX, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 6 {
		t.Errorf("values for %d params, want 6", len(a))
	}
	for name, vals := range a {
		if !slices.Equal(vals, again[name]) {
			t.Errorf("%s: same seed, different values", name)
		}
		if !slices.Equal(vals, withExtra[name]) {
			t.Errorf("%s: adding a layer changed the values", name)
		}
		if name != "l3.b" && slices.Equal(vals, other[name]) {
			t.Errorf("%s: different seeds, same values", name)
		}
		for _, v := range vals {
			if v != float64(float32(v)) {
				t.Fatalf("%s: value %v is not an f32", name, v)
			}
		}
	}
	if !slices.Equal(a["l3.b"], make([]float64, 4)) {
		t.Errorf("l3.b = %v, want zeros", a["l3.b"])
	}
	// Same shape and initializer, different names: different streams.
	if slices.Equal(a["l1.b"][:6], a["l2.b"][:6]) {
		t.Error("l1.b and l2.b have the same values")
	}
	r1, r2 := nn.Rand(1, "a"), nn.Rand(1, "b")
	if r1.Uint64() == r2.Uint64() {
		t.Error("Rand streams of different names coincide")
	}
	if nn.Rand(9, "w").Uint64() != nn.Rand(9, "w").Uint64() {
		t.Error("Rand is not deterministic")
	}
}

type failing struct{}

func (failing) Init([]float64, ir.Type, *rand.Rand) error { return fmt.Errorf("boom") }

func TestInitParamsErrors(t *testing.T) {
	b := builder.New("f")
	x := b.Data("x", ir.F32, 2, 3)
	w := b.Param("w", ir.F32, 3, 2)
	v := b.ParamInit("v", ir.F32, nn.KaimingNormal(1), 2)
	u := b.ParamInit("u", ir.F32, failing{}, 2)
	st := b.State("step", ir.I64)
	half := b.State("half", ir.I64)
	b.SetInit(half, nn.Constant(0.5))
	b.Return(b.Matmul(x, w), v, u, st, half)
	f := build(t, b)
	inits := b.Inits()
	inits["x"] = nn.Zeros()
	inits["ghost"] = nn.Zeros()
	_, err := nn.InitParams(f, inits, 1)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"nn: initializer for data parameter %x",
		"nn: no initializer for param %w",
		"nn: initializing %v: fan-in of f32[2] is undefined",
		"nn: initializing %u: boom",
		"nn: initializing %half: value 0.5 is not a valid i64",
		`nn: initializer for "ghost", which is not a parameter of @f`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%s\ndoes not contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "step") {
		t.Errorf("state without initializer reported: %v", err)
	}

	// State without an initializer starts at zero.
	b = builder.New("g")
	st = b.State("step", ir.I64)
	k := b.State("key", ir.U64)
	b.SetInit(k, nn.Constant(7))
	b.Return(st, k)
	vals, err := nn.InitParams(build(t, b), b.Inits(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(vals["step"], []float64{0}) || !slices.Equal(vals["key"], []float64{7}) {
		t.Errorf("values %v", vals)
	}
}

func TestInitializerStrings(t *testing.T) {
	for init, want := range map[builder.Initializer]string{
		nn.Uniform(-1, 1):   "uniform(-1, 1)",
		nn.Normal(0, 2):     "normal(0, 2)",
		nn.Zeros():          "constant(0)",
		nn.Constant(1.5):    "constant(1.5)",
		nn.FanInUniform(3):  "fan_in_uniform(3)",
		nn.KaimingNormal(1): "kaiming_normal(1)",
		nn.Orthogonal(2):    "orthogonal(2)",
	} {
		if got := fmt.Sprint(init); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}
