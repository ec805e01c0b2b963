package fwdgrad

import (
	"math"
	"testing"

	"github.com/pushforward/pushforward/passes"
)

func TestNSCoefficientsChoosesTheMidpointSet(t *testing.T) {
	for _, tc := range []struct {
		sk, sk1, sigma float64
	}{
		{0.8, 0.3, 0.6}, {0.95, 0.85, 0.9}, {0.2, 0.01, 0.1}, {0.05, 0.01, 0.1}, {1, 0.99, 0.9},
	} {
		_, sigma, maxErr := NSCoefficients(tc.sk, tc.sk1)
		if math.Abs(sigma-tc.sigma) > 1e-12 || maxErr <= 0 {
			t.Errorf("NSCoefficients(%g, %g): σ %g (max error %g), want σ %g", tc.sk, tc.sk1, sigma, maxErr, tc.sigma)
		}
	}
	// Every fitted set maps the ends of [0, 1] to the step: 0 to 0 and 1 to
	// about 1, within its documented error.
	for i, c := range nsCoefficients {
		if got := passes.NSPower(c[:], 1); math.Abs(got-1) > nsMaxError[i]+1e-12 {
			t.Errorf("set %d: p⁵(1) = %g", i, got)
		}
	}
}

func TestMeasureNS(t *testing.T) {
	f, in := paperNet(t, 4, 6, 12, 3, 5)
	m, err := Measure(f, Config{Method: "wperp-ns", K: 3}, in, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Layers {
		if math.IsNaN(l.Bias) || math.IsNaN(l.Variance) || l.CovNorm <= 0 {
			t.Errorf("layer %s: %+v", l.Layer, l)
		}
	}
}
