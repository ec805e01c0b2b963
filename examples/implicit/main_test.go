package main

import "testing"

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
