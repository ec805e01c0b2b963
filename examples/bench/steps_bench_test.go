package main

import "testing"

// BenchmarkMLPSteps times the MLP steps of the benchmark program, each run
// by a runtime.Runner: go test -bench MLPSteps ./examples/bench.
func BenchmarkMLPSteps(b *testing.B) {
	steps, err := mlpSteps(3, mlpWidth, mlpBatch, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range steps {
		if _, err := s.runner.Run(s.inputs); err != nil { // sizes the buffers
			b.Fatal(err)
		}
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.runner.Run(s.inputs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(matmulFLOPs(s.fn)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkPaperSteps times a gradient step of backprop, wt, wperp (and at
// width 128 wperp-ns) on the forward-gradient paper's MNIST-1D network at
// widths 128 and 512: go test -bench PaperSteps ./examples/bench.
func BenchmarkPaperSteps(b *testing.B) {
	steps, err := paperSteps(paperWidths, paperBatch, false)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range steps {
		if s.runner == nil {
			continue
		}
		b.Run(s.name, func(b *testing.B) {
			if _, err := s.runner.Run(s.inputs); err != nil { // sizes the buffers
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.runner.Run(s.inputs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
