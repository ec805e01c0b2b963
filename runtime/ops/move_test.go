package ops

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// MovePart and ConcatPart, cut into any number of parts, write every
// element of the result exactly as one Move or Concat does, for moves that
// copy rows, transpose in tiles (with fewer matrices than parts, and
// more), broadcast and slice. Transposes are also checked against index
// arithmetic.
func TestMovePartsCoverTheResult(t *testing.T) {
	tests := []struct {
		op    ir.Op
		x     ir.Shape
		out   ir.Shape
		attrs ir.Attrs
	}{
		{ir.OpReshape, ir.Shape{7, 9}, ir.Shape{63}, nil},
		{ir.OpTranspose, ir.Shape{5, 3, 8}, ir.Shape{3, 5, 8}, ir.Attrs{"perm": ir.Ints(1, 0, 2)}},
		{ir.OpTranspose, ir.Shape{37, 50}, ir.Shape{50, 37}, ir.Attrs{"perm": ir.Ints(1, 0)}},
		{ir.OpTranspose, ir.Shape{3, 20, 33}, ir.Shape{3, 33, 20}, ir.Attrs{"perm": ir.Ints(0, 2, 1)}},
		{ir.OpTranspose, ir.Shape{4, 3, 17}, ir.Shape{17, 4, 3}, ir.Attrs{"perm": ir.Ints(2, 0, 1)}},
		{ir.OpBroadcastTo, ir.Shape{5, 1, 6}, ir.Shape{5, 4, 6}, nil},
		{ir.OpSlice, ir.Shape{9, 10}, ir.Shape{4, 7}, ir.Attrs{"start": ir.Ints(2, 3), "stop": ir.Ints(6, 10)}},
	}
	for _, tt := range tests {
		p, err := NewMove(tt.op, tt.x, tt.out, tt.attrs)
		if err != nil {
			t.Fatalf("%s %s -> %s: %v", tt.op, tt.x, tt.out, err)
		}
		src := make([]float32, tt.x.Size())
		for i := range src {
			src[i] = float32(i + 1)
		}
		want := make([]float32, tt.out.Size())
		Move(p, want, src)
		if tt.op == ir.OpTranspose {
			perm, _, _ := tt.attrs.IntList("perm")
			if naive := naiveTranspose(src, tt.x, perm); !slices.Equal(want, naive) {
				t.Errorf("%s %s by %v: Move disagrees with index arithmetic", tt.op, tt.x, perm)
			}
		}
		for parts := 2; parts <= 5; parts++ {
			got := make([]float32, len(want))
			for i := range parts {
				MovePart(p, got, src, i, parts)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s -> %s in %d parts:\ngot  %v\nwant %v", tt.op, tt.x, tt.out, parts, got, want)
			}
		}
	}
	for _, axis := range []int{0, 1, 2} {
		shapes := []ir.Shape{{3, 4, 5}, {3, 4, 5}}
		shapes[1][axis] = 2
		p, err := NewConcat(shapes, axis)
		if err != nil {
			t.Fatal(err)
		}
		srcs := [][]float32{make([]float32, shapes[0].Size()), make([]float32, shapes[1].Size())}
		for j, s := range srcs {
			for i := range s {
				s[i] = float32(1000*j + i)
			}
		}
		out := shapes[0].Clone()
		out[axis] += shapes[1][axis]
		want := make([]float32, out.Size())
		for j, s := range srcs {
			Concat(p, want, s, j)
		}
		for parts := 2; parts <= 5; parts++ {
			t.Run(fmt.Sprintf("concat/axis%d/parts%d", axis, parts), func(t *testing.T) {
				got := make([]float32, len(want))
				for i := range parts {
					for j, s := range srcs {
						ConcatPart(p, got, s, j, i, parts)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("got  %v\nwant %v", got, want)
				}
			})
		}
	}
}

// naiveTranspose computes the transpose by perm one element at a time.
func naiveTranspose(src []float32, x ir.Shape, perm []int) []float32 {
	out := make(ir.Shape, len(perm))
	for i, q := range perm {
		out[i] = x[q]
	}
	strides := x.Strides()
	dst := make([]float32, out.Size())
	idx := make([]int, len(out))
	for i := range dst {
		r, off := i, 0
		for d := len(out) - 1; d >= 0; d-- {
			idx[d] = r % out[d]
			r /= out[d]
			off += idx[d] * strides[perm[d]]
		}
		dst[i] = src[off]
	}
	return dst
}
