//go:build !amd64 || noasm

package rng

// haveQuads is false: this build has no vector normals.
const haveQuads = false

// haveOcts is false: this build has no vector normals.
const haveOcts = false

func normalQuads32(dst *float32, quads int, key, counter, j uint64) {
	panic("rng: normalQuads32 without assembly")
}

func normalQuads64(dst *float64, quads int, key, counter, j uint64) {
	panic("rng: normalQuads64 without assembly")
}

func boxMullerQuad(dst *[8]float64, words *[4][4]uint64) {
	panic("rng: boxMullerQuad without assembly")
}

func normalOcts32(dst *float32, octs int, key, counter, j uint64) {
	panic("rng: normalOcts32 without assembly")
}

func normalOcts64(dst *float64, octs int, key, counter, j uint64) {
	panic("rng: normalOcts64 without assembly")
}

func boxMullerOct(dst *[16]float64, words *[4][8]uint64) {
	panic("rng: boxMullerOct without assembly")
}
