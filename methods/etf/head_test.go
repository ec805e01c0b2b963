package etf_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// headStep is one training step of the implicit head in f64 on features
// φ [B, d] (a parameter) with labels: the loss, ∂loss/∂φ, the classifier
// W [K, d] and the next state, by name.
type headStep struct {
	loss float64
	grad []float64
	w    *mat.Dense
	next map[string]*runtime.Tensor
}

func runHead(t *testing.T, phi []float64, labels []int64, d, k int, state map[string]*runtime.Tensor, cfg nn.ETFConfig) headStep {
	t.Helper()
	n := len(labels)
	b := builder.New("head")
	p := b.Param("phi", ir.F64, n, d)
	l := b.Data("labels", ir.I64, n)
	cfg.Head, cfg.Classes, cfg.Tau = nn.ImplicitHead, k, 5
	out := nn.ETFClassifier(b, p, l, cfg)
	b.Return(append([]*ir.Value{b.SoftmaxXent(out.Logits, l), out.W}, out.Next...)...)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	keep := make([]int, len(f.Results)-1)
	for i := range keep {
		keep[i] = i + 1
	}
	g, err := passes.VJPKeep(f, []string{"phi"}, keep)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]*runtime.Tensor{"phi": runtime.FromF64([]int{n, d}, phi), "labels": runtime.FromI64([]int{n}, labels)}
	for _, prm := range f.Params {
		if prm.Role == ir.State {
			in[prm.Name] = state[prm.Name]
			if in[prm.Name] == nil {
				in[prm.Name] = runtime.Zeros(prm.Type)
			}
		}
	}
	res := run(t, g, in)
	s := headStep{loss: res[0].F64[0], grad: res[1].F64, w: mat.NewDense(k, d, res[2].F64), next: map[string]*runtime.Tensor{}}
	for i, r := range f.Results[2:] {
		s.next[r.Name[:len(r.Name)-len(".next")]] = res[3+i]
	}
	return s
}

func headBatch(rng *rand.Rand, n, d, k int) ([]float64, []int64) {
	phi := normals(rng, n*d)
	labels := make([]int64, n)
	for i := range labels {
		labels[i] = int64(i % k)
		for j := range d {
			phi[i*d+j] += 2 * math.Cos(float64(int(labels[i])*d+j))
		}
	}
	return phi, labels
}

// The implicit head's classifier is a simplex ETF: unit rows and NC2 = 0
// to rounding, at the first step and after.
func TestImplicitClassifierIsAnETF(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, dims := range [][2]int{{12, 5}, {4, 5}} { // d ≥ K, and d = K − 1
		d, k := dims[0], dims[1]
		phi, labels := headBatch(rng, 20, d, k)
		state := map[string]*runtime.Tensor{}
		for step := range 3 {
			s := runHead(t, phi, labels, d, k, state, nn.ETFConfig{})
			for i := range k {
				if n := mat.Norm(s.w.RowView(i), 2); math.Abs(n-1) > 1e-12 {
					t.Errorf("d=%d K=%d step %d: ‖w_%d‖ = %.17g", d, k, step, i, n)
				}
			}
			h := mat.NewDense(20, d, phi)
			var pred []int
			ints := make([]int, len(labels))
			for i, l := range labels {
				ints[i] = int(l)
				pred = append(pred, int(l))
			}
			c, err := etf.Measure(h.RawMatrix().Data, ints, pred, s.w.RawMatrix().Data, nil, k)
			if err != nil {
				t.Fatal(err)
			}
			if c.NC2 > 1e-12 {
				t.Errorf("d=%d K=%d step %d: NC2 = %.3g", d, k, step, c.NC2)
			}
			state = s.next
			for i := range phi {
				phi[i] += 0.1 * rng.NormFloat64()
			}
		}
	}
}

// The first step's solution is the fit's, with ties broken towards
// eye(d, K) (etf.Problem with First); the moving average's weight starts
// at 1 and falls as 2/(t + 2).
func TestImplicitHeadFirstStepAndAverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	d, k, n := 9, 4, 16
	phi, labels := headBatch(rng, n, d, k)
	s := runHead(t, phi, labels, d, k, nil, nn.ETFConfig{})
	c := classMeans(phi, labels, n, d, k, 5)
	if e := relErr(s.next["head.ema"].F64, c.RawMatrix().Data); e > 1e-14 {
		t.Errorf("the first average is %.2g (relative) from the batch's centred class means", e)
	}
	var hbar mat.Dense
	hbar.Scale(1/mat.Norm(c, 2), c)
	want := etf.Problem{HBar: &hbar, First: true, Delta: nn.DefaultETFDelta}.Solve()
	if e := relErr(s.next["head.prox"].F64, want.RawMatrix().Data); e > 1e-10 {
		t.Errorf("the first solution is %.2g (relative) from the fit's", e)
	}
	// Step t = 4 with a new batch: F = α·C + (1 − α)·F_prev, α = 1/3.
	state := s.next
	state["head.step"] = runtime.ScalarI64(4)
	phi2, _ := headBatch(rng, n, d, k)
	s2 := runHead(t, phi2, labels, d, k, state, nn.ETFConfig{})
	c2 := classMeans(phi2, labels, n, d, k, 5)
	var want2 mat.Dense
	want2.Scale(1.0/3, c2)
	var prev mat.Dense
	prev.Scale(2.0/3, c)
	want2.Add(&want2, &prev)
	if e := relErr(s2.next["head.ema"].F64, want2.RawMatrix().Data); e > 1e-14 {
		t.Errorf("the average at t = 4 is %.2g (relative) from α·C + (1 − α)·F_prev with α = 1/3", e)
	}
}

// classMeans returns the centred class means [d, K] of τ-normalised φ.
func classMeans(phi []float64, labels []int64, n, d, k int, tau float64) *mat.Dense {
	h := mat.NewDense(n, d, nil)
	for i := range n {
		row := mat.NewVecDense(d, append([]float64{}, phi[i*d:(i+1)*d]...))
		row.ScaleVec(tau/mat.Norm(row, 2), row)
		h.SetRow(i, row.RawVector().Data)
	}
	out := mat.NewDense(d, k, nil)
	counts := make([]float64, k)
	global := make([]float64, d)
	for i, y := range labels {
		counts[y]++
		for j := range d {
			out.Set(j, int(y), out.At(j, int(y))+h.At(i, j))
			global[j] += h.At(i, j) / float64(n)
		}
	}
	for j := range d {
		for y := range k {
			out.Set(j, y, out.At(j, y)/counts[y]-global[j])
		}
	}
	return out
}

// A class absent from the batch keeps its average, or takes μ_G if no
// batch has held it; a class's first appearance marks it seen.
func TestImplicitHeadAbsentClass(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	d, k, n := 9, 4, 12
	phi, labels := headBatch(rng, n, d, k)
	for i := range labels {
		if labels[i] == 3 {
			labels[i] = 2 // no class 3 in the batch
		}
	}
	s := runHead(t, phi, labels, d, k, nil, nn.ETFConfig{})
	if seen := s.next["head.seen"].F64; seen[3] != 0 || seen[0] != 1 {
		t.Fatalf("seen = %v after a batch without class 3", seen)
	}
	ema := mat.NewDense(d, k, s.next["head.ema"].F64)
	mu := s.next["head.mu"].F64
	for j := range d {
		if ema.At(j, 3) != mu[j] {
			t.Fatalf("the unseen class's average %v, want μ_G %v", mat.Col(nil, 3, ema), mu)
		}
	}
	// Now class 3 seen, then absent again: its column stays.
	seenAll := s.next
	seenAll["head.seen"] = runtime.FromF64([]int{k}, []float64{1, 1, 1, 1})
	s2 := runHead(t, phi, labels, d, k, seenAll, nn.ETFConfig{})
	if got, want := mat.Col(nil, 3, mat.NewDense(d, k, s2.next["head.ema"].F64)), mat.Col(nil, 3, ema); relErr(got, want) != 0 {
		t.Errorf("a seen class absent from the batch changed its average: %v, was %v", got, want)
	}
}

// The normalisation H̄ = F/‖F‖ makes the gradient in F orthogonal to F,
// and the DDN path (the gradient through the node) scales with the
// average's weight α_t: with F_prev equal to the batch's centred class
// means, F_t = C whatever α_t, and the DDN part of ∂L/∂φ (with the node's
// derivative minus without) is proportional to α_t.
func TestDDNPathScalesWithAlpha(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	d, k, n := 9, 4, 16
	phi, labels := headBatch(rng, n, d, k)
	c := classMeans(phi, labels, n, d, k, 5)
	first := runHead(t, phi, labels, d, k, nil, nn.ETFConfig{})
	ddn := func(step int64) []float64 {
		state := map[string]*runtime.Tensor{
			"head.ema": runtime.FromF64([]int{d, k}, c.RawMatrix().Data), "head.prox": first.next["head.prox"],
			"head.step": runtime.ScalarI64(step), "head.seen": runtime.FromF64([]int{k}, []float64{1, 1, 1, 1}),
		}
		with := runHead(t, phi, labels, d, k, state, nn.ETFConfig{})
		without := runHead(t, phi, labels, d, k, state, nn.ETFConfig{NoDDN: true})
		return axpy(with.grad, -1, without.grad)
	}
	a, b := ddn(1), ddn(6) // α = 2/3 and 1/4
	if dot(a, a) == 0 {
		t.Fatal("no DDN path")
	}
	if e := relErr(b, axpy(make([]float64, len(a)), (1.0/4)/(2.0/3), a)); e > 1e-10 {
		t.Errorf("the DDN path at α = 1/4 is not (3/8) of that at α = 2/3 (relative error %.2g)", e)
	}
	// ⟨∂L/∂F, F⟩ = 0 for L a function of F/‖F‖ through the node.
	bld := builder.New("norm")
	f := bld.Param("f", ir.F64, d, k)
	g := bld.Data("g", ir.F64, d, k)
	hbar := bld.Div(f, bld.Sqrt(bld.Sum(bld.Square(f))))
	u := nn.NearestETF(bld, "etf", hbar, bld.Data("prox", ir.F64, d, k), bld.Scalar(ir.F64, 0), 1e-3)
	bld.Return(bld.Sum(bld.Mul(u, g)))
	fn, err := bld.Build()
	if err != nil {
		t.Fatal(err)
	}
	v, err := passes.VJP(fn, []string{"f"})
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, v, map[string]*runtime.Tensor{"f": runtime.FromF64([]int{d, k}, c.RawMatrix().Data),
		"g": runtime.FromF64([]int{d, k}, normals(rng, d*k)), "prox": first.next["head.prox"]})
	gf := res[1].F64
	if x := math.Abs(dot(gf, c.RawMatrix().Data)) / math.Sqrt(dot(gf, gf)*dot(c.RawMatrix().Data, c.RawMatrix().Data)); x > 1e-12 {
		t.Errorf("⟨∂L/∂F, F⟩/(‖∂L/∂F‖‖F‖) = %.2g, want 0", x)
	}
}
