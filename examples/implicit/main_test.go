package main

import (
	"fmt"
	"testing"
)

// The derivatives of a 10⁵-variable argmin, matrix-free in forward (four
// tangents) and reverse mode, agree with a direct tridiagonal solve at
// the solution.
func TestLargeImplicit(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 2000
	}
	steps, err := measure(n, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.MaxRelErr > 1e-8 {
			t.Errorf("%s: max relative error %.3g against the tridiagonal solve", s.Step, s.MaxRelErr)
		}
		t.Logf("%s: %.3f s, %.1f MiB allocated", s.Step, s.Seconds, float64(s.Alloc)/(1<<20))
	}
}

// BenchmarkImplicit times the solve, the JVP (one tangent) and the VJP of
// the chain problem at n = 10⁴ and 10⁵.
func BenchmarkImplicit(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := measure(n, 1, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
