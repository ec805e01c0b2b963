package rng

import (
	"fmt"
	"math"
)

// Scales that map the top 53 (24) bits of a word to a multiple of 2⁻⁵³
// (2⁻²⁴) in [0, 1).
const (
	scale53 = 1.0 / (1 << 53)
	scale24 = 1.0 / (1 << 24)
)

// uniform64Pair returns the two f64 uniforms of a block.
func uniform64Pair(w [4]uint32) (float64, float64) {
	a := (uint64(w[0])<<32 | uint64(w[1])) >> 11
	b := (uint64(w[2])<<32 | uint64(w[3])) >> 11
	return float64(float64(a) * scale53), float64(float64(b) * scale53)
}

// uniform32Pair returns the two f32 uniforms of a block. The integer values
// fit in 24 bits, so the conversions and products are exact.
func uniform32Pair(w [4]uint32) (float32, float32) {
	return float32(w[0]>>8) * scale24, float32(w[2]>>8) * scale24
}

// normal64Pair returns the two f64 normals of a block by the Box–Muller
// transform (boxmuller.go). 1-u1 is in (0, 1], which keeps the logarithm
// finite.
func normal64Pair(w [4]uint32) (float64, float64) {
	u1, u2 := uniform64Pair(w)
	r := math.Sqrt(-2 * logUnit(1-u1))
	sin, cos := sincosAngle(float64(2 * math.Pi * u2))
	return r * cos, r * sin
}

// normal32Pair returns the f64 normals of a block rounded to float32.
func normal32Pair(w [4]uint32) (float32, float32) {
	a, b := normal64Pair(w)
	return float32(a), float32(b)
}

// element returns element i of the stream (key, counter) under the given
// block-to-pair map.
func element[T float32 | float64](key, counter, i uint64, pair func([4]uint32) (T, T)) T {
	a, b := pair(Block(key, counter, i/2))
	if i%2 == 0 {
		return a
	}
	return b
}

// Uniform64At returns element i of the f64 uniform stream (key, counter).
func Uniform64At(key, counter, i uint64) float64 { return element(key, counter, i, uniform64Pair) }

// Uniform32At returns element i of the f32 uniform stream (key, counter).
func Uniform32At(key, counter, i uint64) float32 { return element(key, counter, i, uniform32Pair) }

// Normal64At returns element i of the f64 normal stream (key, counter).
func Normal64At(key, counter, i uint64) float64 { return element(key, counter, i, normal64Pair) }

// Normal32At returns element i of the f32 normal stream (key, counter).
func Normal32At(key, counter, i uint64) float32 { return element(key, counter, i, normal32Pair) }

// checkRange panics unless [lo, hi) lies within a slice of length n: the
// vector fills write through a pointer and must never run past the end.
func checkRange(lo, hi, n int) {
	if lo < 0 || hi < lo || hi > n {
		panic(fmt.Sprintf("rng: range [%d, %d) out of bounds for length %d", lo, hi, n))
	}
}

// vectorNormals32 sets dst[i : end] to the f32 normals of the stream with
// the widest vector code the CPU has, eight or four blocks at a time, for
// an even i, and returns end: the last whole group at or below hi. It
// returns i when there is no vector code.
func vectorNormals32(dst []float32, key, counter uint64, i, hi int) int {
	return vectorNormals(dst, key, counter, i, hi, normalOcts32, normalQuads32)
}

// vectorNormals64 is vectorNormals32 for f64 normals.
func vectorNormals64(dst []float64, key, counter uint64, i, hi int) int {
	return vectorNormals(dst, key, counter, i, hi, normalOcts64, normalQuads64)
}

// vectorNormals runs the fills of eight blocks (octs) and then of four
// (quads) from dst[i], as far as whole groups reach before hi.
func vectorNormals[T float32 | float64](dst []T, key, counter uint64, i, hi int, octs, quads func(dst *T, groups int, key, counter, j uint64)) int {
	if n := (hi - i) / 16; haveOcts && n > 0 {
		octs(&dst[i], n, key, counter, uint64(i)/2)
		i += 16 * n
	}
	if n := (hi - i) / 8; haveQuads && n > 0 {
		quads(&dst[i], n, key, counter, uint64(i)/2)
		i += 8 * n
	}
	return i
}

// fillRange sets dst[i] to element i of the stream for i in [lo, hi),
// computing each block once.
func fillRange[T float32 | float64](dst []T, key, counter uint64, lo, hi int, pair func([4]uint32) (T, T)) {
	checkRange(lo, hi, len(dst))
	var two [2]T
	for i := lo; i < hi; i++ {
		if i == lo || i%2 == 0 {
			two[0], two[1] = pair(Block(key, counter, uint64(i)/2))
		}
		dst[i] = two[i%2]
	}
}

// FillUniform64 fills dst with elements 0, 1, ... of the f64 uniform
// stream (key, counter).
func FillUniform64(dst []float64, key, counter uint64) {
	fillRange(dst, key, counter, 0, len(dst), uniform64Pair)
}

// FillUniform64Range sets dst[i] to element i of the f64 uniform stream for
// i in [lo, hi), leaving the rest of dst alone. It panics if [lo, hi) is not
// within dst.
func FillUniform64Range(dst []float64, key, counter uint64, lo, hi int) {
	fillRange(dst, key, counter, lo, hi, uniform64Pair)
}

// FillUniform32 fills dst with elements 0, 1, ... of the f32 uniform
// stream (key, counter).
func FillUniform32(dst []float32, key, counter uint64) {
	fillRange(dst, key, counter, 0, len(dst), uniform32Pair)
}

// FillUniform32Range sets dst[i] to element i of the f32 uniform stream for
// i in [lo, hi), leaving the rest of dst alone.
func FillUniform32Range(dst []float32, key, counter uint64, lo, hi int) {
	fillRange(dst, key, counter, lo, hi, uniform32Pair)
}

// FillNormal64 fills dst with elements 0, 1, ... of the f64 standard normal
// stream (key, counter).
func FillNormal64(dst []float64, key, counter uint64) {
	FillNormal64Range(dst, key, counter, 0, len(dst))
}

// FillNormal64Range sets dst[i] to element i of the f64 normal stream for i
// in [lo, hi), leaving the rest of dst alone.
func FillNormal64Range(dst []float64, key, counter uint64, lo, hi int) {
	checkRange(lo, hi, len(dst))
	mid := min(lo+lo%2, hi) // the first even element
	end := vectorNormals64(dst, key, counter, mid, hi)
	fillRange(dst, key, counter, lo, mid, normal64Pair)
	fillRange(dst, key, counter, end, hi, normal64Pair)
}

// FillNormal32 fills dst with elements 0, 1, ... of the f32 standard normal
// stream (key, counter).
func FillNormal32(dst []float32, key, counter uint64) {
	FillNormal32Range(dst, key, counter, 0, len(dst))
}

// FillNormal32Range sets dst[i] to element i of the f32 normal stream for i
// in [lo, hi), leaving the rest of dst alone. It is fillRange with the
// block and the transform written out, the hot loop of every guess; with
// AVX-512 eight blocks at a time, with AVX2 four (normal_amd64.s).
func FillNormal32Range(dst []float32, key, counter uint64, lo, hi int) {
	checkRange(lo, hi, len(dst))
	i := lo
	if i%2 == 1 && i < hi { // the second of a pair
		_, b := normal32Pair(Block(key, counter, uint64(i)/2))
		dst[i] = b
		i++
	}
	i = vectorNormals32(dst, key, counter, i, hi)
	for ; i+3 < hi; i += 4 {
		w0, w1 := block2(key, counter, uint64(i)/2)
		dst[i], dst[i+1] = normal32Pair(w0)
		dst[i+2], dst[i+3] = normal32Pair(w1)
	}
	for ; i+1 < hi; i += 2 {
		dst[i], dst[i+1] = normal32Pair(Block(key, counter, uint64(i)/2))
	}
	if i < hi {
		a, _ := normal32Pair(Block(key, counter, uint64(i)/2))
		dst[i] = a
	}
}
