package passes_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// guessNet is a small model with its inputs at a random point.
type guessNet struct {
	f      *ir.Func
	inputs []*runtime.Tensor
}

func newGuessNet(t *testing.T, f *ir.Func, seed uint64) *guessNet {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 9))
	var in []*runtime.Tensor
	for _, p := range f.Params {
		if p.Type.DType == ir.I64 {
			labels := make([]int64, p.Type.Shape.Size())
			for i := range labels {
				labels[i] = int64(r.IntN(2))
			}
			in = append(in, runtime.FromI64(p.Type.Shape, labels))
			continue
		}
		in = append(in, randomTensor(r, p.Type))
	}
	return &guessNet{f: f, inputs: in}
}

// run evaluates f's value named name.
func (n *guessNet) value(t *testing.T, name string) *runtime.Tensor {
	t.Helper()
	out, err := runtime.Run(mustSlice(t, n.f, name), n.inputs)
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// gradAt returns the backprop gradient ∂L/∂s of the loss with respect to
// the pre-activation s, by the transpose of the segment s → loss.
func (n *guessNet) gradAt(t *testing.T, s string) *runtime.Tensor {
	t.Helper()
	seg, err := passes.LinearizeSegment(n.f, s, n.f.Results[0].Name, 1)
	if err != nil {
		t.Fatal(err)
	}
	out, err := runtime.Run(seg.Transpose, append(n.inputs[:len(n.inputs):len(n.inputs)], runtime.FromF64(nil, []float64{1})))
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// build compiles the guess step of n with diagnostics and cleans it up.
func (n *guessNet) build(t *testing.T, opts passes.GuessOptions) (*passes.GuessStep, *ir.Func) {
	t.Helper()
	opts.Diagnostics = true
	st, err := passes.Guess(n.f, opts)
	if err != nil {
		t.Fatal(err)
	}
	g, err := passes.Run(st.Func, passes.Cleanup, passes.Options{Verify: true})
	if err != nil {
		t.Fatalf("%v\n%s", err, st.Func)
	}
	return st, g
}

// step runs the guess step with diagnostics and returns its results.
func (n *guessNet) step(t *testing.T, opts passes.GuessOptions, counter uint64) (*passes.GuessStep, []*runtime.Tensor) {
	t.Helper()
	st, g := n.build(t, opts)
	in := append(n.inputs[:len(n.inputs):len(n.inputs)], runtime.ScalarU64(7), runtime.ScalarU64(counter))
	for range st.Inputs {
		in = append(in, runtime.FromF64([]int{4}, nsCoeffs06))
	}
	for _, name := range st.State {
		p := st.Func.Param(name)
		in = append(in, fwdgrad.OrthonormalRows(p.Type, counter))
	}
	out, err := runtime.Run(g, in)
	if err != nil {
		t.Fatal(err)
	}
	return st, out
}

// nsCoeffs06 is the σ_k = 0.6 coefficient set of methods/fwdgrad (which
// this package's tests cannot import).
var nsCoeffs06 = []float64{0.09509380337585413, 3.791818836642473, -4.275088854833627, 1.3874103566872862}

func mlpWithWidth(t *testing.T, width, batch int) *ir.Func {
	return deepMLP(t, ir.F64, 4, width, batch, 5, 2)
}

// Oracle 1: the per-example tangent of the loss is J_b = Σ_j g_j^b·y_j^b,
// with g_j from backprop; and the estimates are assembled as
// Ĝ_{W_j} = Σ_b J_b y_j^b x_j^bᵀ.
func TestGuessTangentIdentityAndAssembly(t *testing.T) {
	n := newGuessNet(t, mlpWithWidth(t, 8, 6), 1)
	for _, m := range passes.GuessMethods() {
		if m == passes.WP {
			continue
		}
		for _, exact := range []bool{false, true} {
			if exact && m != passes.WPerp {
				continue
			}
			t.Run(fmt.Sprintf("%s/exact=%t", m, exact), func(t *testing.T) {
				st, out := n.step(t, passes.GuessOptions{Method: m, K: 3, Exact: exact}, 11)
				layers := len(st.Layers)
				diag := out[1+len(st.Estimates)+len(st.State):]
				j, ys := diag[0].F64, diag[1:1+layers]
				want := make([]float64, len(j))
				for l, layer := range st.Layers {
					g := n.gradAt(t, layer.Pre.Name).F64
					d := layer.Pre.Type.Shape[1]
					for b := range want {
						for k := range d {
							want[b] += g[b*d+k] * ys[l].F64[b*d+k]
						}
					}
				}
				for b := range j {
					if math.Abs(j[b]-want[b]) > 1e-10*math.Max(1e-3, math.Abs(want[b])) {
						t.Errorf("J[%d] = %.15g, Σ_j g_j·y_j = %.15g", b, j[b], want[b])
					}
				}
				for l, layer := range st.Layers {
					x := n.value(t, layer.Input.Name).F64
					din, d := layer.Weight.Type.Shape[0], layer.Weight.Type.Shape[1]
					est := out[1+l].F64
					for a := range din {
						for c := range d {
							w := 0.0
							for b := range j {
								w += j[b] * ys[l].F64[b*d+c] * x[b*din+a]
							}
							if math.Abs(est[a*d+c]-w) > 1e-12*math.Max(1, math.Abs(w)) {
								t.Fatalf("estimate of %s[%d,%d] = %g, want %g", layer.Weight.Name, a, c, est[a*d+c], w)
							}
						}
					}
				}
			})
		}
	}
}
