package passes

import (
	"slices"

	"github.com/pushforward/pushforward/ir"
)

// widenProducts computes each pair of matrix products a1·b and a2·b that
// share their right operand b as one product over the stacked rows:
//
//	c = concat a1, a2 {axis=0};  p = matmul c, b;  p1, p2 = the halves of p
//
// placed where the earlier product was. A wider product packs b once and
// gives the kernel more rows; the stacking and the halves cost a copy of
// each. A pair qualifies when b is the same value with the same
// transpose, a1 and a2 are distinct untransposed matrices of one shape,
// both exist where the earlier product is (so that nothing waits, and a
// product is never paired with its recomputation after the schedule's
// barrier), and the products have more than smallProductCols columns. f
// is modified and returned.
func widenProducts(f *ir.Func) *ir.Func {
	g := newFuseGraph(f)
	paired := map[int]bool{}
	type pair struct{ a, b int }
	var pairs []pair
	for i, in := range f.Body {
		if paired[i] || !stackable(in) {
			continue
		}
		for j := i + 1; j < len(f.Body); j++ {
			o := f.Body[j]
			if paired[j] || !stackable(o) || o.Args[1] != in.Args[1] || o.Args[0] == in.Args[0] ||
				!o.Args[0].Type.Equal(in.Args[0].Type) || !sameTransposeB(in, o) || g.def(o.Args[0]) > i {
				continue
			}
			paired[i], paired[j] = true, true
			pairs = append(pairs, pair{i, j})
			break
		}
	}
	if len(pairs) == 0 {
		return f
	}
	// New instructions go where the earlier product was.
	place := map[*ir.Instr]int{}
	for i, in := range f.Body {
		place[in] = 2 * i
	}
	w := ir.NewWriter(f, nil)
	repl := map[*ir.Value]*ir.Value{}
	for _, p := range pairs {
		m1, m2 := f.Body[p.a], f.Body[p.b]
		a1, a2, b := m1.Args[0], m2.Args[0], m1.Args[1]
		rows, cols := a1.Type.Shape[0], m1.Results[0].Type.Shape[1]
		w.At(m1.Pos)
		start := len(f.Body)
		c := emit1(w, ir.OpConcat, ir.Attrs{"axis": ir.Int(0)}, a1, a2)
		wide := w.Emit(ir.OpMatmul, vals(c, b), m1.Attrs.Clone())[0]
		h1 := emit1(w, ir.OpSlice, ir.Attrs{"start": ir.Ints(0, 0), "stop": ir.Ints(rows, cols)}, wide)
		h2 := emit1(w, ir.OpSlice, ir.Attrs{"start": ir.Ints(rows, 0), "stop": ir.Ints(2*rows, cols)}, wide)
		for _, in := range f.Body[start:] {
			place[in] = 2*p.a + 1
		}
		repl[m1.Results[0]], repl[m2.Results[0]] = h1, h2
	}
	if w.Err() != nil {
		return f // cannot happen for the shapes stackable admits; keep f as it was
	}
	body := slices.DeleteFunc(f.Body, func(in *ir.Instr) bool {
		_, gone := repl[in.Results[0]]
		return gone
	})
	for _, in := range body {
		for i, a := range in.Args {
			if r, ok := repl[a]; ok {
				in.Args[i] = r
			}
		}
	}
	replaceResults(f, repl)
	f.Body = topoByPlace(body, place)
	return f
}

// smallProductCols is the most columns of a product that runtime/kernels
// may compute by dot products (small outputs) rather than by its packed
// kernel, depending on the rows: a product of more columns takes the
// packed kernel whatever its rows, whose elements do not depend on the
// row count, so its halves have the bits of the separate products.
const smallProductCols = 32

// stackable reports whether in is a product whose left operand is an
// untransposed matrix, wide enough (smallProductCols).
func stackable(in *ir.Instr) bool {
	if in.Op != ir.OpMatmul || in.Args[0].Type.Rank() != 2 || in.Args[1].Type.Rank() != 2 ||
		in.Results[0].Type.Shape[1] <= smallProductCols {
		return false
	}
	ta, err := in.BoolAttr("transpose_a")
	return err == nil && !ta
}

func sameTransposeB(a, b *ir.Instr) bool {
	ta, err1 := a.BoolAttr("transpose_b")
	tb, err2 := b.BoolAttr("transpose_b")
	return err1 == nil && err2 == nil && ta == tb
}

// topoByPlace orders body topologically, each instruction as early as
// its place and its operands allow.
func topoByPlace(body []*ir.Instr, place map[*ir.Instr]int) []*ir.Instr {
	deps := map[*ir.Instr]int{}
	users := map[*ir.Instr][]*ir.Instr{}
	for _, in := range body {
		seen := map[*ir.Instr]bool{}
		for _, a := range in.Args {
			if d := a.Def; d != nil && !seen[d] {
				seen[d] = true
				deps[in]++
				users[d] = append(users[d], in)
			}
		}
	}
	var ready, out []*ir.Instr
	for _, in := range body {
		if deps[in] == 0 {
			ready = append(ready, in)
		}
	}
	for len(ready) > 0 {
		k := 0
		for i, in := range ready {
			if place[in] < place[ready[k]] {
				k = i
			}
		}
		in := ready[k]
		ready = slices.Delete(ready, k, k+1)
		out = append(out, in)
		for _, u := range users[in] {
			if deps[u]--; deps[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	return out
}
