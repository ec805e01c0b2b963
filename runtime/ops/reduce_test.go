package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// ReduceRepeated, which the fold pass uses for reductions of splats, gives
// what Reduce gives on the materialised splat, for every reduction, dtype
// and count (across the chunks it accumulates in).
func TestReduceRepeatedAgreesWithReduce(t *testing.T) {
	eachDType(t, checkRepeated[float32], checkRepeated[float64], checkRepeated[int64], checkRepeated[uint64])
}

func checkRepeated[T Number](t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, op := range []ir.Op{ir.OpReduceSum, ir.OpReduceMean, ir.OpReduceMax} {
		if op == ir.OpReduceMean && !IsFloat[T]() {
			continue
		}
		for _, c := range sample[T](r, 8) {
			for _, count := range []int{0, 1, 7, 256, 257, 1000} {
				// Two outputs of count elements each, reduced over the last axis.
				x := ir.Shape{2, count}
				p, err := NewReduce(op, x, []int{1})
				if err != nil {
					t.Fatal(err)
				}
				got := make([]T, 2)
				Reduce(p, got, slices.Repeat([]T{c}, 2*count), make([]float64, p.ScratchLen()))
				if want := ReduceRepeated(op, c, count); !same(got[0], want) || !same(got[1], want) {
					t.Errorf("%s of %d × %v: Reduce gives %v, ReduceRepeated %v", op, count, c, got, want)
				}
			}
		}
	}
}

// Reductions over any axis set agree with a direct sum over the elements
// that reduce to each output, in input order.
func TestReduceAxisSets(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x := ir.Shape{3, 1, 4, 5}
	xs := sample[float64](r, x.Size())
	for i := range xs {
		xs[i] = float64(int(xs[i]*100) % 1000) // finite, exact sums
	}
	for _, axes := range [][]int{{}, {0}, {2}, {3}, {0, 2}, {0, 3}, {1, 2}, {0, 1, 2, 3}, {0, 2, 3}} {
		p, err := NewReduce(ir.OpReduceSum, x, axes)
		if err != nil {
			t.Fatal(err)
		}
		kept := x.Clone()
		for _, a := range axes {
			kept[a] = 1
		}
		want := make([]float64, kept.Size())
		for i, v := range xs {
			idx := Unravel(i, x)
			for _, a := range axes {
				idx[a] = 0
			}
			off := 0
			for d, n := range kept {
				off = off*n + idx[d]
			}
			want[off] += v
		}
		got := make([]float64, kept.Size())
		Reduce(p, got, xs, make([]float64, p.ScratchLen()))
		if !slices.Equal(got, want) {
			t.Errorf("axes %v: %v, want %v", axes, got, want)
		}
	}
}

// ReducePart, cut into any number of parts (along the outer axis or, with
// fewer outer elements than parts, the inner one), gives Reduce's bits for
// sums and means in f32 and f64.
func TestReducePartsAgreeWithReduce(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, tt := range []struct {
		x    ir.Shape
		axes []int
	}{
		{ir.Shape{15, 64, 33}, []int{1}}, // outer 15, inner 33
		{ir.Shape{64, 37}, []int{0}},     // outer 1: split inner
		{ir.Shape{9, 50}, []int{1}},      // inner 1
		{ir.Shape{2, 7, 3}, []int{1}},    // outer 2 < most parts
	} {
		for _, op := range []ir.Op{ir.OpReduceSum, ir.OpReduceMean} {
			p, err := NewReduce(op, tt.x, tt.axes)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Splits() {
				t.Fatalf("%s of %s over %v does not split", op, tt.x, tt.axes)
			}
			xs := sample[float32](r, tt.x.Size())
			out := ir.ReducedShape(tt.x, tt.axes, false).Size()
			want := make([]float32, out)
			Reduce(p, want, xs, make([]float64, p.ScratchLen()))
			for parts := 2; parts <= 5; parts++ {
				got := make([]float32, out)
				each := p.PartScratchLen(parts)
				for i := range parts {
					ReducePart(p, got, xs, make([]float64, each), i, parts)
				}
				if !slices.EqualFunc(got, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
					t.Errorf("%s of %s over %v in %d parts: %v, want %v", op, tt.x, tt.axes, parts, got, want)
				}
			}
		}
	}
}
