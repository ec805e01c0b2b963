package ops

import (
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
