package reduction_test

import (
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/methods/reduction"
)

// The costs behind the wall times of G.2 and G.3 (n = 40): one evaluation
// of each kernel the descent loops call, through the interpreter.
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 0))
	k, _ := reduction.SpectralK(40, 1, 1999, rng)
	x := reduction.Normals(80, rng)
	for _, c := range []struct {
		name string
		r    *reduction.Reduction
	}{
		{"g2", mustNew(b, reduction.G2(k, 10), reduction.Linear("kx", k))},
		{"g3", mustNew(b, reduction.G3(k, 10, 10), reduction.Tanh(k, 10))},
	} {
		g := make([]float64, 80)
		pc, err := c.r.MetricPreconditioner(0)
		if err != nil {
			b.Fatal(err)
		}
		cases := []struct {
			name string
			run  func() error
		}{
			{"full-value", func() error { _, err := c.r.FullValue(x); return err }},
			{"full-gradient", func() error { _, err := c.r.FullGradient(x, g); return err }},
			{"reduced-value", func() error { _, err := c.r.Value(x[:40]); return err }},
			{"reduced-gradient", func() error { _, err := c.r.Gradient(x[:40], g[:40]); return err }},
			{"metric-vec", func() error { return c.r.MetricVec(x[:40], x[40:], g[:40]) }},
			{"metric-solve", func() error { return pc.Solve(x[:40], x[40:], g[:40]) }},
		}
		for _, bc := range cases {
			b.Run(c.name+"/"+bc.name, func(b *testing.B) {
				for b.Loop() {
					if err := bc.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func mustNew(b *testing.B, p reduction.Problem, m reduction.Map) *reduction.Reduction {
	r, err := reduction.New(p, m)
	if err != nil {
		b.Fatal(err)
	}
	return r
}
