//go:build amd64 && !amd64.v3

package rng

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBoxMullerIsMath checks that logUnit and sincosAngle are math.Log
// and math.Sincos bit for bit on the arguments of the streams, where those
// are compiled without fused multiply-adds (amd64 below v3): the stream is
// Box–Muller through Go's math package, written out.
func TestBoxMullerIsMath(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const top = 1 << 53
	check := func(a, b uint64) {
		u1, u2 := float64(a)/top, float64(b)/top
		if got, want := logUnit(1-u1), math.Log(1-u1); !sameBits(got, want) {
			t.Fatalf("logUnit(%v) = %v, math.Log %v", 1-u1, got, want)
		}
		theta := 2 * math.Pi * u2
		s, c := sincosAngle(theta)
		ws, wc := math.Sincos(theta)
		if !sameBits(s, ws) || !sameBits(c, wc) {
			t.Fatalf("sincosAngle(%v) = %v, %v; math.Sincos %v, %v", theta, s, c, ws, wc)
		}
	}
	for _, a := range []uint64{0, 1, top - 1, top / 2, 1<<53 - 0x16a09e667f3bcd} {
		for _, b := range []uint64{0, 1, top - 1, top / 8, top / 4, 3 * top / 8, top / 2} {
			check(a, b)
		}
	}
	for range 1 << 20 {
		check(r.Uint64()>>11, r.Uint64()>>11)
	}
}
