//go:build amd64 && !noasm

package rng

import "github.com/pushforward/pushforward/runtime/kernels/isa"

// haveQuads reports whether normalQuads32 and normalQuads64 run: they use
// AVX2, which the CPU must have and PUSHFORWARD_CPU not turn off.
var haveQuads = isa.Selected() >= isa.AVX2

// normalQuads32 sets dst[0 : 8·quads] to the f32 normals of blocks j, j+1,
// ..., j+4·quads-1 of the stream (key, counter), four blocks at a time; see
// normal_amd64.s. The results are normal32Pair's bit for bit.
//
//go:noescape
func normalQuads32(dst *float32, quads int, key, counter, j uint64)

// normalQuads64 is normalQuads32 for f64 normals (normal64Pair).
//
//go:noescape
func normalQuads64(dst *float64, quads int, key, counter, j uint64)

// boxMullerQuad sets dst to the normals of four blocks given their words,
// words[k][lane] holding word k of block lane: dst[2·lane] and
// dst[2·lane+1] are normal64Pair's. It is the transform of normalQuads64
// alone, for testing it on chosen words.
//
//go:noescape
func boxMullerQuad(dst *[8]float64, words *[4][4]uint64)
