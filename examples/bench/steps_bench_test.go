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
