package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

func normals(r *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	return xs
}

// Ridge's W is the ridge solution (AᵀA + λI)⁻¹AᵀY, by the closed form, in
// f64 and f32, for a tall and a wide batch.
func TestRidgeSolution(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		b, d int
		dt   ir.DType
		tol  float64
	}{{20, 6, ir.F64, 1e-12}, {5, 8, ir.F64, 1e-12}, {20, 6, ir.F32, 1e-4}} {
		bld := builder.New("ridge")
		h := bld.Data("h", c.dt, c.b, c.d)
		y := bld.Data("y", c.dt, c.b, 3)
		pred, w := nn.Ridge(bld, h, y, 0.3)
		bld.Return(w, pred)
		f, err := bld.Build()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := passes.Implicit(f); err != nil {
			t.Fatal(err)
		}
		hv, yv := normals(r, c.b*c.d), normals(r, c.b*3)
		out, err := runtime.Run(f, []*runtime.Tensor{runtime.FromFloat64s(h.Type, hv), runtime.FromFloat64s(y.Type, yv)})
		if err != nil {
			t.Fatal(err)
		}
		a := mat.NewDense(c.b, c.d, hv)
		var g, aty, want mat.Dense
		g.Mul(a.T(), a)
		for i := range c.d {
			g.Set(i, i, g.At(i, i)+0.3)
		}
		aty.Mul(a.T(), mat.NewDense(c.b, 3, yv))
		if err := want.Solve(&g, &aty); err != nil {
			t.Fatal(err)
		}
		for i, x := range out[0].Float64s() {
			if wx := want.RawMatrix().Data[i]; math.Abs(x-wx) > c.tol*(1+math.Abs(wx)) {
				t.Fatalf("B=%d d=%d %s: W[%d] = %g, want %g", c.b, c.d, c.dt, i, x, wx)
			}
		}
	}
}

// ridgeMLP is x → relu(x W1) → relu(· W2) → the batch's ridge classifier,
// with the softmax cross-entropy: the paper's MLP with its last layer
// replaced by nn.RidgeClassifier.
func ridgeMLP(t *testing.T, batch, in, width, classes int) (*ir.Func, map[string]builder.Initializer) {
	t.Helper()
	b := builder.New("ridge_mlp")
	x := b.Data("x", ir.F64, batch, in)
	labels := b.Data("labels", ir.I64, batch)
	h := nn.MLP(b, "mlp", x, []int{width, width}, nn.ReLU, nn.Bias(false))
	logits, _ := nn.RidgeClassifier(b, b.Relu(h), labels, classes, 0.1, 5)
	b.Return(b.Named("loss", nn.CrossEntropy(b, logits, labels)), b.Named("logits", logits))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f, b.Inits()
}

// The gradient of a loss through nn.Ridge (reverse mode, the transpose of
// the implicit JVP) agrees with central differences.
func TestRidgeGradient(t *testing.T) {
	f, inits := ridgeMLP(t, 12, 4, 6, 3)
	params := initTensors(t, f, inits, 3)
	r := rand.New(rand.NewPCG(3, 4))
	x := runtime.FromF64([]int{12, 4}, normals(r, 48))
	lab := make([]int64, 12)
	for i := range lab {
		lab[i] = int64(i % 3)
	}
	labels := runtime.FromI64([]int{12}, lab)
	g, err := passes.VJP(f, []string{"mlp.0.w", "mlp.1.w"})
	if err != nil {
		t.Fatal(err)
	}
	inputs := func(p map[string]*runtime.Tensor) []*runtime.Tensor {
		return []*runtime.Tensor{x, labels, p["mlp.0.w"], p["mlp.1.w"]}
	}
	out, err := runtime.Run(g, inputs(params))
	if err != nil {
		t.Fatal(err)
	}
	loss := func(p map[string]*runtime.Tensor) float64 {
		o, err := runtime.Run(passesImplicit(t, f), inputs(p))
		if err != nil {
			t.Fatal(err)
		}
		return o[0].F64[0]
	}
	for k, name := range []string{"mlp.0.w", "mlp.1.w"} {
		v := normals(r, len(params[name].F64))
		shifted := func(s float64) float64 {
			p := map[string]*runtime.Tensor{}
			for n, t := range params {
				p[n] = t
			}
			w := params[name].Clone()
			for i := range w.F64 {
				w.F64[i] += s * v[i]
			}
			p[name] = w
			return loss(p)
		}
		h := 1e-6
		fd := (shifted(h) - shifted(-h)) / (2 * h)
		got := 0.0
		for i, gi := range out[1+k].F64 {
			got += gi * v[i]
		}
		if math.Abs(got-fd) > 1e-6*(1+math.Abs(fd)) {
			t.Errorf("%s: ⟨∇L, v⟩ = %.10g, finite differences %.10g", name, got, fd)
		}
	}
}

// initTensors draws f's initial parameters as tensors.
func initTensors(t *testing.T, f *ir.Func, inits map[string]builder.Initializer, seed uint64) map[string]*runtime.Tensor {
	t.Helper()
	vals, err := nn.InitParams(f, inits, seed)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*runtime.Tensor{}
	for name, v := range vals {
		out[name] = runtime.FromFloat64s(f.Param(name).Type, v)
	}
	return out
}

func passesImplicit(t *testing.T, f *ir.Func) *ir.Func {
	t.Helper()
	g := f.Clone()
	if _, err := passes.Implicit(g); err != nil {
		t.Fatal(err)
	}
	return g
}

// synthetic draws a separable three-class problem: the class shifts the
// mean of the inputs.
func synthetic(r *rand.Rand, n, in, classes int) ([]float64, []int64) {
	means := make([][]float64, classes)
	for c := range means {
		means[c] = normals(r, in)
	}
	x := make([]float64, 0, n*in)
	lab := make([]int64, n)
	for i := range n {
		c := i % classes
		lab[i] = int64(c)
		for j := range in {
			x = append(x, means[c][j]+0.8*r.NormFloat64())
		}
	}
	return x, lab
}

// An argmin inside a larger graph trains end to end: the MLP with a ridge
// classifier as its last layer, by backprop (the VJP, the transpose of
// the implicit JVP) and by W̃⊥ forward gradients (passes.Guess, whose JVP
// goes through the same implicit rule with the guesses as tangents).
// Plain SGD from the same start; both lower the loss well below its
// start.
func TestRidgeTrainsEndToEnd(t *testing.T) {
	const batch, in, width, classes = 32, 8, 16, 3
	f, inits := ridgeMLP(t, batch, in, width, classes)
	r := rand.New(rand.NewPCG(5, 6))
	xs, labs := synthetic(r, batch, in, classes)
	x, labels := runtime.FromF64([]int{batch, in}, xs), runtime.FromI64([]int{batch}, labs)
	names := []string{"mlp.0.w", "mlp.1.w"}

	backprop, err := passes.VJP(f, names)
	if err != nil {
		t.Fatal(err)
	}
	guess, err := passes.Guess(f, passes.GuessOptions{Method: passes.WPerp, K: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		lr    float64
		steps int
	}{{"backprop", 0.05, 150}, {"wperp", 0.02, 400}} {
		params := initTensors(t, f, inits, 7)
		state := map[string]*runtime.Tensor{}
		for _, s := range guess.State {
			p := guess.Func.Param(s)
			state[s] = runtime.FromFloat64s(p.Type, normals(r, p.Type.Shape.Size()))
		}
		var first, last float64
		for step := range c.steps {
			var loss float64
			var grads []*runtime.Tensor
			if c.name == "backprop" {
				out, err := runtime.Run(backprop, []*runtime.Tensor{x, labels, params[names[0]], params[names[1]]})
				if err != nil {
					t.Fatal(err)
				}
				loss, grads = out[0].F64[0], out[1:]
			} else {
				inputs := []*runtime.Tensor{}
				for _, p := range guess.Func.Params {
					switch {
					case p.Name == "x":
						inputs = append(inputs, x)
					case p.Name == "labels":
						inputs = append(inputs, labels)
					case p.Name == "guess.key":
						inputs = append(inputs, runtime.ScalarU64(11))
					case p.Name == "guess.counter":
						inputs = append(inputs, runtime.ScalarU64(uint64(step)))
					case params[p.Name] != nil:
						inputs = append(inputs, params[p.Name])
					default:
						inputs = append(inputs, state[p.Name])
					}
				}
				out, err := runtime.Run(guess.Func, inputs)
				if err != nil {
					t.Fatal(err)
				}
				loss = out[0].F64[0]
				grads = make([]*runtime.Tensor, len(names))
				for i, est := range guess.Estimates {
					for k, n := range names {
						if n == est {
							grads[k] = out[1+i]
						}
					}
				}
				for i, s := range guess.State {
					state[s] = out[1+len(guess.Estimates)+i]
				}
			}
			if step == 0 {
				first = loss
			}
			last = loss
			for k, n := range names {
				w := params[n].Clone()
				for i := range w.F64 {
					w.F64[i] -= c.lr * grads[k].F64[i]
				}
				params[n] = w
			}
		}
		t.Logf("%s: loss %.4f → %.4f in %d steps", c.name, first, last, c.steps)
		if !(last < 0.5*first) {
			t.Errorf("%s: loss %.4f → %.4f, want a clear decrease", c.name, first, last)
		}
	}
}

// Reduce with an argmin mapping: F(x₁) = f(x₁, Ψ(x₁)), Ψ(x₁) = argmin_u
// ½‖u − A x₁‖² + ½‖u‖². Ψ(x₁) = A x₁/2, so F has a closed form, and its
// gradient (the chain rule through the implicit derivative) is checked
// against it.
func TestReduceArgmin(t *testing.T) {
	a := []float64{1, 2, -1, 0.5, 3, 1}
	b := builder.New("reduced")
	x1 := b.Param("x1", ir.F64, 3)
	am := b.Constant(ir.TensorOf(ir.F64, 2, 3), a...)
	g := b.Func("inner", []ir.Type{ir.TensorOf(ir.F64, 2)}, []*ir.Value{x1, am}, func(r *builder.Builder, u, p []*ir.Value) []*ir.Value {
		ax := r.Reshape(r.Matmul(p[1], r.Reshape(p[0], 3, 1)), 2)
		half := r.Scalar(ir.F64, 0.5)
		return []*ir.Value{r.Mul(half, r.Add(r.Sum(r.Square(r.Sub(u[0], ax))), r.Sum(r.Square(u[0]))))}
	})
	obj := func(r *builder.Builder, x1, x2 []*ir.Value) *ir.Value {
		// f = ½‖x₁‖² + Σ exp(x₂)
		return r.Add(r.Mul(r.Scalar(ir.F64, 0.5), r.Sum(r.Square(x1[0]))), r.Sum(r.Exp(x2[0])))
	}
	F := nn.Reduce(b, obj, nn.ArgminMapping(g, []*ir.Value{am}), x1)
	b.Return(b.Named("F", F))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	vjp, err := passes.VJP(f, []string{"x1"})
	if err != nil {
		t.Fatal(err)
	}
	xv := []float64{0.3, -0.2, 0.5}
	out, err := runtime.Run(vjp, []*runtime.Tensor{runtime.FromF64([]int{3}, xv)})
	if err != nil {
		t.Fatal(err)
	}
	// ∇F = x₁ + (A/2)ᵀ exp(A x₁/2).
	want := append([]float64(nil), xv...)
	for i := range 2 {
		ax := 0.0
		for j := range 3 {
			ax += a[i*3+j] * xv[j]
		}
		e := math.Exp(ax / 2)
		for j := range 3 {
			want[j] += a[i*3+j] / 2 * e
		}
	}
	for j, gj := range out[1].F64 {
		if math.Abs(gj-want[j]) > 1e-9 {
			t.Errorf("∇F[%d] = %.12g, want %.12g", j, gj, want[j])
		}
	}
}
