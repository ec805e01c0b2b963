// Package rng is pushforward's counter-based random number generator:
// Philox-4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011) and the stream layout behind the IR ops
// rng_uniform and rng_normal.
//
// A counter-based generator has no state: the numbers are a pure function of
// a key and a counter, so any element of a stream can be computed on its own.
// That is what lets the interpreter, generated code and any number of
// goroutines produce the same numbers bit for bit.
//
// # Stream layout
//
// The ops
//
//	%r = rng_uniform %key, %counter : T
//	%r = rng_normal  %key, %counter : T
//
// take two u64 scalars and fill a tensor of type T (f32 or f64) in row-major
// order. Element i of the result depends only on (key, counter, i, dtype):
//
//   - Philox key: (lo32(key), hi32(key)).
//   - Block j (j = i/2, so block j serves elements 2j and 2j+1) is Philox
//     applied to the counter words (lo32(j), hi32(j), lo32(counter),
//     hi32(counter)). It yields four 32-bit words w0, w1, w2, w3.
//   - f64 uniforms: element 2j is ((w0<<32 | w1) >> 11) · 2⁻⁵³ and element
//     2j+1 is ((w2<<32 | w3) >> 11) · 2⁻⁵³: the top 53 bits, a multiple of
//     2⁻⁵³ in [0, 1).
//   - f32 uniforms: element 2j is (w0 >> 8) · 2⁻²⁴ and element 2j+1 is
//     (w2 >> 8) · 2⁻²⁴, in [0, 1). An f32 uniform is the f64 uniform of the
//     same element truncated to 24 bits; it is never 1.0 (rounding the f64
//     uniform to f32 could give 1.0).
//   - Normals, both dtypes: Box–Muller on the block's two f64 uniforms u1
//     (element 2j) and u2 (element 2j+1): with r = sqrt(-2 ln(1-u1)) and
//     θ = 2π·u2, element 2j is r·cos θ and element 2j+1 is r·sin θ,
//     computed in float64. An f32 normal is the f64 normal rounded to
//     float32. 1-u1 lies in (0, 1], so the logarithm is finite; |normal| ≤
//     sqrt(2·53·ln 2) ≈ 8.57.
//
// The logarithm, sine and cosine of the Box–Muller step are written out in
// boxmuller.go with every rounding explicit: they are the operations of Go's
// math.Log (amd64) and math.Sincos, and give those functions' results bit
// for bit on amd64 below GOAMD64=v3, but unlike them they do not change with
// the platform or with the compiler's fusing of multiply-adds. On amd64 the
// fills compute four blocks at a time with AVX2 and eight with AVX-512
// (normal_amd64.s), with the same operations and so the same numbers; a
// pure-Go build (tag noasm) gives them too. Calling the functions of this package (rather than re-deriving
// the construction) is how generated code stays bit-identical with the
// interpreter.
//
// Distinct (key, counter) pairs give unrelated streams; a stream holds 2⁶⁵
// elements before the block index wraps.
//
// All functions are pure and safe for concurrent use. The Range variants
// fill the elements [lo, hi) of a destination that holds a whole tensor, so
// callers can split one tensor across goroutines and get the same numbers
// as one whole fill.
package rng
