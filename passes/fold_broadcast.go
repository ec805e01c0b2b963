package passes

import (
	"github.com/pushforward/pushforward/ir"
)

// hoistBroadcastMatmul takes a product whose left operand repeats rows,
// matmul(reshape(broadcast_to(x)), b) with the broadcast over leading axes
// only, once per distinct row: reshape(broadcast_to(matmul(x, b))). The
// guess pass makes such products when it applies a segment's transpose to
// one basis for every example of a batch; the rewrite divides their cost
// by the batch size. It returns nil when the pattern does not match or
// would not shrink the product.
func (fl *folder) hoistBroadcastMatmul(in *ir.Instr) *ir.Value {
	a, b, out := in.Args[0], in.Args[1], in.Results[0].Type
	if ta, _ := in.BoolAttr("transpose_a"); ta || b.Type.Rank() != 2 {
		return nil
	}
	bc := a
	if d := a.Def; d != nil && d.Op == ir.OpReshape {
		bc = d.Args[0]
	}
	d := bc.Def
	if d == nil || d.Op != ir.OpBroadcastTo {
		return nil
	}
	x, bs := d.Args[0], bc.Type.Shape
	r := len(bs)
	k := bs[r-1]
	// A reshape that keeps the last axis keeps the sequence of rows.
	if a.Type.Shape[a.Type.Rank()-1] != k || x.Type.Rank() == 0 || x.Type.Shape[x.Type.Rank()-1] != k {
		return nil
	}
	xs := append(ones(r-x.Type.Rank()), x.Type.Shape...) // x's shape at bc's rank
	rows := xs[:r-1].Size()
	if rows >= bs[:r-1].Size() {
		return nil
	}
	tb, _ := in.BoolAttr("transpose_b")
	n := out.Shape[out.Rank()-1]
	y := matmul(fl.e, reshape(fl.e, x, ir.Shape{rows, k}), b, false, tb)
	y = reshape(fl.e, y, append(xs[:r-1].Clone(), n))
	y = broadcastTo(fl.e, y, append(bs[:r-1].Clone(), n))
	return reshape(fl.e, y, out.Shape)
}

// ones returns the shape [1, 1, …] of rank n.
func ones(n int) ir.Shape {
	s := make(ir.Shape, n)
	for i := range s {
		s[i] = 1
	}
	return s
}
