package passes_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

func randomTensor(r *rand.Rand, t ir.Type) *runtime.Tensor {
	data := make([]float64, t.Shape.Size())
	for i := range data {
		data[i] = r.NormFloat64()
	}
	return runtime.FromFloat64s(t, data)
}

func dot(a, b *runtime.Tensor) float64 {
	s := 0.0
	av, bv := a.Float64s(), b.Float64s()
	for i := range av {
		s += av[i] * bv[i]
	}
	return s
}

// The segment s1 -> s2 of an MLP is V ↦ (V ⊙ step(s1)) W2; its transpose
// is C ↦ (C W2ᵀ) ⊙ step(s1). Both are checked against that closed form and
// against each other, for one and for several vectors at once.
func TestLinearizeSegment(t *testing.T) {
	const batch, in, width = 5, 4, 6
	f := deepMLP(t, ir.F64, 3, width, batch, in, 3)
	r := rand.New(rand.NewPCG(1, 1))
	var inputs []*runtime.Tensor
	for _, p := range f.Params {
		if p.Type.DType == ir.I64 {
			inputs = append(inputs, runtime.FromI64([]int{batch}, []int64{0, 1, 2, 0, 1}))
			continue
		}
		inputs = append(inputs, randomTensor(r, p.Type))
	}
	primal, err := runtime.Run(mustSlice(t, f, "s1"), inputs)
	if err != nil {
		t.Fatal(err)
	}
	s1 := primal[0].F64
	w2 := inputs[3].F64 // [width, width]
	for _, T := range []int{1, 3} {
		seg, err := passes.LinearizeSegment(f, "s1", "s2", T)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []*ir.Func{seg.Map, seg.Transpose} {
			if err := ir.Verify(g); err != nil {
				t.Fatalf("%v\n%s", err, g)
			}
		}
		v := randomTensor(r, seg.Map.Params[len(seg.Map.Params)-1].Type)
		c := randomTensor(r, seg.Transpose.Params[len(seg.Transpose.Params)-1].Type)
		mv, err := runtime.Run(seg.Map, append(inputs[:len(inputs):len(inputs)], v))
		if err != nil {
			t.Fatal(err)
		}
		tc, err := runtime.Run(seg.Transpose, append(inputs[:len(inputs):len(inputs)], c))
		if err != nil {
			t.Fatal(err)
		}
		n := batch * width
		for k := range max(T, 1) {
			for b := range batch {
				for j := range width {
					want, wantT := 0.0, 0.0
					for i := range width {
						if s1[b*width+i] > 0 {
							want += v.F64[k*n+b*width+i] * w2[i*width+j]
						}
						if s1[b*width+j] > 0 {
							wantT += c.F64[k*n+b*width+i] * w2[j*width+i]
						}
					}
					if got := mv[0].F64[k*n+b*width+j]; math.Abs(got-want) > 1e-12 {
						t.Fatalf("T=%d map[%d,%d,%d] = %g, want %g", T, k, b, j, got, want)
					}
					if got := tc[0].F64[k*n+b*width+j]; math.Abs(got-wantT) > 1e-12 {
						t.Fatalf("T=%d transpose[%d,%d,%d] = %g, want %g", T, k, b, j, got, wantT)
					}
				}
			}
		}
		if lhs, rhs := dot(mv[0], c), dot(v, tc[0]); math.Abs(lhs-rhs) > 1e-10*math.Abs(lhs) {
			t.Errorf("T=%d: <Av, c> = %g, <v, Aᵀc> = %g", T, lhs, rhs)
		}
	}
}

// mustSlice returns a copy of f that returns the named value.
func mustSlice(t *testing.T, f *ir.Func, name string) *ir.Func {
	t.Helper()
	g := f.Clone()
	for v := range g.Values {
		if v.Name == name {
			g.Results = []*ir.Value{v}
			return passes.DCE(g)
		}
	}
	t.Fatalf("no value %s", name)
	return nil
}
