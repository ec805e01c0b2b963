package kernels

import "math"

// The register tiles of the micro-kernels: an MR×NR block of C is computed
// from an MR-row panel of A and an NR-column panel of B. Six rows of two
// 256-bit vectors use 12 of the 16 YMM registers as accumulators, enough
// independent FMA chains to cover the FMA latency on both ports.
const (
	mrS, nrS = 6, 16 // f32
	mrD, nrD = 6, 8  // f64
)

// sgemmKernelGo is the pure-Go twin of sgemmKernel6x16: a is a packed
// k×6 panel (a[p·6+r]), b a packed k×16 panel (b[p·16+j]), and the 6×16
// tile at c (row stride ldc) becomes alpha·acc + beta·c, where acc is the
// panels' product summed by one fused multiply-add per term in increasing
// p. Each product of the epilogue is rounded before the sum, and c is not
// read when beta is zero, exactly as in the assembly, so both give the same
// bits.
func sgemmKernelGo(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	var acc [mrS][nrS]float32
	a, b = a[:k*mrS], b[:k*nrS]
	for p := range k {
		ap, bp := a[p*mrS:p*mrS+mrS], b[p*nrS:p*nrS+nrS]
		for r, ar := range ap {
			row := &acc[r]
			for j, bj := range bp {
				// fma32, its fast path inlined by hand (the compiler
				// will not: the function is over its budget).
				s := float64(ar)*float64(bj) + float64(row[j])
				if b := math.Float64bits(s); b&(1<<29-1) != 1<<28 && b>>52&0x7ff-(1023-125) < 253 {
					row[j] = float32(s)
				} else {
					row[j] = fma32RoundToOdd(ar, bj, row[j])
				}
			}
		}
	}
	for r := range mrS {
		cr := c[r*ldc : r*ldc+nrS]
		for j := range cr {
			// The conversions forbid the compiler to fuse the products
			// into the sum: the assembly rounds each.
			if beta == 0 {
				cr[j] = float32(alpha * acc[r][j])
			} else {
				cr[j] = float32(alpha*acc[r][j]) + float32(beta*cr[j])
			}
		}
	}
}

// dgemmKernelGo is the pure-Go twin of dgemmKernel6x8; see sgemmKernelGo.
func dgemmKernelGo(k int, a, b, c []float64, ldc int, alpha, beta float64) {
	var acc [mrD][nrD]float64
	a, b = a[:k*mrD], b[:k*nrD]
	for p := range k {
		ap, bp := a[p*mrD:p*mrD+mrD], b[p*nrD:p*nrD+nrD]
		for r, ar := range ap {
			row := &acc[r]
			for j, bj := range bp {
				row[j] = math.FMA(ar, bj, row[j])
			}
		}
	}
	for r := range mrD {
		cr := c[r*ldc : r*ldc+nrD]
		for j := range cr {
			if beta == 0 {
				cr[j] = float64(alpha * acc[r][j])
			} else {
				cr[j] = float64(alpha*acc[r][j]) + float64(beta*cr[j])
			}
		}
	}
}

// fma32 returns x·y + z rounded once to float32, as the hardware's fused
// multiply-add does; Go has no float32 FMA. The product is exact in
// float64 (24+24 significant bits), so s below is the float64 rounding of
// the exact sum, and rounding s to float32 gives the right answer unless
// s is a tie between two float32 values (its 29 dropped bits are 1 then
// zeros): the exact sum, within half a float64 ulp of s, cannot lie across
// a tie that s is not on. Ties, and results outside float32's normal
// range, take the careful path.
func fma32(x, y, z float32) float32 {
	s := float64(x)*float64(y) + float64(z)
	// The exponent test is one unsigned compare: biased exponents
	// 1023-125 … 1023+127 pass.
	if b := math.Float64bits(s); b&(1<<29-1) != 1<<28 && b>>52&0x7ff-(1023-125) < 253 {
		return float32(s)
	}
	return fma32RoundToOdd(x, y, z)
}

// fma32RoundToOdd is fma32 for every input: the float64 sum is made
// round-to-odd, which has enough spare bits (53 ≥ 24+2) for the final
// rounding to float32 to be the correctly rounded result.
func fma32RoundToOdd(x, y, z float32) float32 {
	p := float64(x) * float64(y)
	zz := float64(z)
	s := p + zz
	// e is the rounding error of s (Knuth's TwoSum): s + e = p + z exactly.
	bb := s - p
	e := (p - (s - bb)) + (zz - bb)
	if e != 0 && e == e { // inexact, and not an infinity or NaN
		bits := math.Float64bits(s)
		if bits&1 == 0 {
			// Step one ulp toward the exact sum: the neighbour with an
			// odd last bit.
			if (e > 0) == (s > 0) {
				bits++
			} else {
				bits--
			}
			s = math.Float64frombits(bits)
		}
	}
	return float32(s)
}
