//go:build amd64 && !noasm

package rng

import "github.com/pushforward/pushforward/runtime/kernels/isa"

// haveQuads reports whether normalQuads32 and normalQuads64 run: they use
// AVX2, which the CPU must have and PUSHFORWARD_CPU not turn off.
var haveQuads = isa.Selected() >= isa.AVX2

// haveOcts reports whether normalOcts32 and normalOcts64 run: they use
// AVX-512 (F and DQ).
var haveOcts = isa.Selected() >= isa.AVX512

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

// normalOcts32 is normalQuads32 eight blocks at a time (AVX-512): it sets
// dst[0 : 16·octs] to the f32 normals of blocks j, ..., j+8·octs-1.
//
//go:noescape
func normalOcts32(dst *float32, octs int, key, counter, j uint64)

// normalOcts64 is normalOcts32 for f64 normals.
//
//go:noescape
func normalOcts64(dst *float64, octs int, key, counter, j uint64)

// boxMullerOct is boxMullerQuad for the eight-block transform:
// words[k][lane] holds word k of block lane.
//
//go:noescape
func boxMullerOct(dst *[16]float64, words *[4][8]uint64)
