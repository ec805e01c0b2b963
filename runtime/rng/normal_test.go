package rng

import (
	"math"
	"math/rand/v2"
	"testing"
)

// wordsFor returns the Philox words of four blocks laid out for
// boxMullerQuad, and the blocks themselves.
func wordsFor(blocks [4][4]uint32) *[4][4]uint64 {
	var w [4][4]uint64
	for lane, b := range blocks {
		for k, x := range b {
			w[k][lane] = uint64(x)
		}
	}
	return &w
}

// sameBits reports whether a and b are the same float64, bit for bit.
func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// checkBoxMuller compares boxMullerQuad with normal64Pair on four blocks.
func checkBoxMuller(t *testing.T, blocks [4][4]uint32) {
	t.Helper()
	var got [8]float64
	boxMullerQuad(&got, wordsFor(blocks))
	checkNormalPairs(t, "four-block", got[:], blocks[:])
}

// checkBoxMullerOct compares boxMullerOct with normal64Pair on eight
// blocks.
func checkBoxMullerOct(t *testing.T, blocks [8][4]uint32) {
	t.Helper()
	var words [4][8]uint64
	for lane, b := range blocks {
		for k, x := range b {
			words[k][lane] = uint64(x)
		}
	}
	var got [16]float64
	boxMullerOct(&got, &words)
	checkNormalPairs(t, "eight-block", got[:], blocks[:])
}

// checkNormalPairs checks that got holds normal64Pair of each block in
// turn, bit for bit.
func checkNormalPairs(t *testing.T, kind string, got []float64, blocks [][4]uint32) {
	t.Helper()
	for lane, b := range blocks {
		a, c := normal64Pair(b)
		if !sameBits(got[2*lane], a) || !sameBits(got[2*lane+1], c) {
			u1, u2 := uniform64Pair(b)
			t.Fatalf("words %#x (u1 %v, u2 %v): %s normals (%v, %v), want (%v, %v)", b, u1, u2, kind, got[2*lane], got[2*lane+1], a, c)
		}
	}
}

// checkVectorTransforms checks the four-block transform on both halves of
// eight blocks, and the eight-block one where the CPU has it.
func checkVectorTransforms(t *testing.T, blocks [8][4]uint32) {
	t.Helper()
	checkBoxMuller(t, [4][4]uint32(blocks[:4]))
	checkBoxMuller(t, [4][4]uint32(blocks[4:]))
	if haveOcts {
		checkBoxMullerOct(t, blocks)
	}
}

// wordsOfUniforms returns the words whose f64 uniforms are a·2⁻⁵³ and
// b·2⁻⁵³ (a, b < 2⁵³), with the 11 discarded bits of each set from low.
func wordsOfUniforms(a, b uint64, low uint32) [4]uint32 {
	x := a<<11 | uint64(low&0x7FF)
	y := b<<11 | uint64(low>>11&0x7FF)
	return [4]uint32{uint32(x >> 32), uint32(x), uint32(y >> 32), uint32(y)}
}

// TestBoxMullerQuadEdges checks the vector transform on the words at the
// ends of every branch of math.Log and math.Sincos a stream can reach:
// u1 = 0 (log 1 = 0, r = -0) and its largest value, 1-u1 at and around
// √2/2 times powers of two, θ at the octant boundaries and just below 2π
// (where θ·4/π rounds to 8).
func TestBoxMullerQuadEdges(t *testing.T) {
	if !haveQuads {
		t.Skip("no AVX2")
	}
	const top = 1<<53 - 1
	var u1s, u2s []uint64
	u1s = append(u1s, 0, 1, 2, top, top-1, 1<<52, 1<<52-1, 1<<52+1)
	// 1-u1 = m·2^-53 with m near √2/2·2^e: the reduction's comparison.
	for e := 1; e <= 53; e++ {
		m := uint64(math.Ldexp(math.Sqrt2/2, e))
		for d := uint64(0); d < 3 && m >= d; d++ {
			if v := m - d; v >= 1 && v <= 1<<53 {
				u1s = append(u1s, 1<<53-v)
			}
			if v := m + d; v >= 1 && v <= 1<<53 {
				u1s = append(u1s, 1<<53-v)
			}
		}
	}
	// θ = 2π·u2 at the octant boundaries k·π/4 and around them.
	for k := 0; k <= 8; k++ {
		c := uint64(float64(k) / 8 * (1 << 53))
		for d := uint64(0); d < 4; d++ {
			if c >= d {
				u2s = append(u2s, c-d)
			}
			if c+d <= top {
				u2s = append(u2s, c+d)
			}
		}
	}
	u2s = append(u2s, 0, top)
	var oct [8][4]uint32
	n := 0
	for _, a := range u1s {
		for _, b := range u2s {
			oct[n%8] = wordsOfUniforms(a, b, uint32(n)*0x9E3779B9)
			n++
			if n%8 == 0 {
				checkVectorTransforms(t, oct)
			}
		}
	}
	t.Logf("%d blocks", n)
}

// TestBoxMullerQuadRandom checks the vector transform on random words.
func TestBoxMullerQuadRandom(t *testing.T) {
	if !haveQuads {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(3, 4))
	n := 1 << 20
	if testing.Short() {
		n = 1 << 14
	}
	for range n / 8 {
		var oct [8][4]uint32
		for lane := range oct {
			for k := range oct[lane] {
				oct[lane][k] = r.Uint32()
			}
		}
		checkVectorTransforms(t, oct)
	}
}

// TestNormalQuads checks the four-block fills against the scalar blocks
// element by element, across keys, counters and block indices that carry
// into the high word.
func TestNormalQuads(t *testing.T) {
	if !haveQuads {
		t.Skip("no AVX2")
	}
	checkVectorFills(t, 4, func(d32 []float32, d64 []float64, groups int, key, counter, j uint64) {
		normalQuads32(&d32[0], groups, key, counter, j)
		normalQuads64(&d64[0], groups, key, counter, j)
	})
}

// TestNormalOcts is TestNormalQuads for the eight-block fills.
func TestNormalOcts(t *testing.T) {
	if !haveOcts {
		t.Skip("no AVX-512")
	}
	checkVectorFills(t, 8, func(d32 []float32, d64 []float64, groups int, key, counter, j uint64) {
		normalOcts32(&d32[0], groups, key, counter, j)
		normalOcts64(&d64[0], groups, key, counter, j)
	})
}

// checkVectorFills checks fills of blocks of the given group size (fill
// sets 2·size·groups elements of each slice) against the scalar blocks,
// for one group (no pipelining), two, three and many, and that they write
// nothing past their groups.
func checkVectorFills(t *testing.T, size int, fill func(d32 []float32, d64 []float64, groups int, key, counter, j uint64)) {
	t.Helper()
	cases := []struct{ key, counter, j uint64 }{
		{0, 0, 0}, {1, 2, 0}, {math.MaxUint64, math.MaxUint64, 1<<32 - 6}, {0x123456789ABCDEF, 77, 1<<40 + 3},
	}
	const guard = 32 // elements past the groups that must stay untouched
	for _, groups := range []int{1, 2, 3, 64} {
		for _, c := range cases {
			n := 2 * size * groups
			d32 := make([]float32, n+guard)
			d64 := make([]float64, n+guard)
			for i := n; i < n+guard; i++ {
				d32[i], d64[i] = -1, -1
			}
			fill(d32, d64, groups, c.key, c.counter, c.j)
			for b := range uint64(size * groups) {
				w := Block(c.key, c.counter, c.j+b)
				a, bb := normal64Pair(w)
				x, y := normal32Pair(w)
				if !sameBits(d64[2*b], a) || !sameBits(d64[2*b+1], bb) {
					t.Fatalf("%d groups, %+v block %d: f64 (%v, %v), want (%v, %v)", groups, c, c.j+b, d64[2*b], d64[2*b+1], a, bb)
				}
				if math.Float32bits(d32[2*b]) != math.Float32bits(x) || math.Float32bits(d32[2*b+1]) != math.Float32bits(y) {
					t.Fatalf("%d groups, %+v block %d: f32 (%v, %v), want (%v, %v)", groups, c, c.j+b, d32[2*b], d32[2*b+1], x, y)
				}
			}
			for i := n; i < n+guard; i++ {
				if d32[i] != -1 || d64[i] != -1 {
					t.Fatalf("%d groups, %+v: element %d past the groups written", groups, c, i)
				}
			}
		}
	}
}

// TestNormalRangesMatchElements checks every sub-range fill of both
// dtypes, vector quads and scalar ends together, against the element
// accessors (one scalar block each), bit for bit.
func TestNormalRangesMatchElements(t *testing.T) {
	const n = 29
	key, counter := uint64(0xfeedface), uint64(1<<33+5)
	for lo := 0; lo <= n; lo++ {
		for hi := lo; hi <= n; hi++ {
			g64 := make([]float64, n)
			g32 := make([]float32, n)
			for i := range n {
				g64[i], g32[i] = -100, -100
			}
			FillNormal64Range(g64, key, counter, lo, hi)
			FillNormal32Range(g32, key, counter, lo, hi)
			for i := range n {
				w64, w32 := -100.0, float32(-100)
				if i >= lo && i < hi {
					w64, w32 = Normal64At(key, counter, uint64(i)), Normal32At(key, counter, uint64(i))
				}
				if !sameBits(g64[i], w64) || math.Float32bits(g32[i]) != math.Float32bits(w32) {
					t.Fatalf("range [%d,%d): element %d = %v (f64), %v (f32), want %v, %v", lo, hi, i, g64[i], g32[i], w64, w32)
				}
			}
		}
	}
}
