package rng

import "math/bits"

// The Philox-4x32 constants of Salmon et al. (2011): the round multipliers
// and the Weyl sequence increments of the key schedule.
const (
	M0 = 0xD2511F53
	M1 = 0xCD9E8D57
	W0 = 0x9E3779B9 // golden ratio
	W1 = 0xBB67AE85 // sqrt(3) - 1
)

// Rounds is the number of Philox rounds; 10 is the recommended,
// Crush-resistant choice and the one of the published known answers.
const Rounds = 10

// Philox4x32 returns the Philox-4x32-10 bijection of the counter under the
// key: four 32-bit words that pass as independent uniform random bits.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	k0, k1 := key[0], key[1]
	c0, c1, c2, c3 := ctr[0], ctr[1], ctr[2], ctr[3]
	for r := range Rounds {
		if r > 0 {
			k0, k1 = k0+W0, k1+W1
		}
		c0, c1, c2, c3 = round(c0, c1, c2, c3, k0, k1)
	}
	return [4]uint32{c0, c1, c2, c3}
}

// round is one Philox round under the round key (k0, k1).
func round(c0, c1, c2, c3, k0, k1 uint32) (uint32, uint32, uint32, uint32) {
	hi0, lo0 := bits.Mul32(M0, c0)
	hi1, lo1 := bits.Mul32(M1, c2)
	return hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
}

// Block returns the four words of block j of the stream (key, counter); see
// the package documentation for the layout.
func Block(key, counter, j uint64) [4]uint32 {
	return Philox4x32(
		[4]uint32{uint32(j), uint32(j >> 32), uint32(counter), uint32(counter >> 32)},
		[2]uint32{uint32(key), uint32(key >> 32)},
	)
}

// block2 returns blocks j and j+1 of the stream (key, counter), as Block
// does, computing the two independent round chains interleaved: a round is
// a chain of dependent multiplies, so two at once take little longer than
// one.
func block2(key, counter, j uint64) ([4]uint32, [4]uint32) {
	k0, k1 := uint32(key), uint32(key>>32)
	j1 := j + 1
	a0, a1, a2, a3 := uint32(j), uint32(j>>32), uint32(counter), uint32(counter>>32)
	b0, b1, b2, b3 := uint32(j1), uint32(j1>>32), a2, a3
	for r := range Rounds {
		if r > 0 {
			k0, k1 = k0+W0, k1+W1
		}
		a0, a1, a2, a3 = round(a0, a1, a2, a3, k0, k1)
		b0, b1, b2, b3 = round(b0, b1, b2, b3, k0, k1)
	}
	return [4]uint32{a0, a1, a2, a3}, [4]uint32{b0, b1, b2, b3}
}
