package main

import (
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/examples/generate/setup"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/runtime"
)

// BenchmarkSteps times each generated function against the interpreter's
// Runner on the same function and inputs.
func BenchmarkSteps(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, fn := range setup.Functions() {
		f, err := setup.Build(fn)
		if err != nil {
			b.Fatal(err)
		}
		inputs := stepInputs(f, r)
		gen, err := backend(f)
		if err != nil {
			b.Fatal(err)
		}
		it, err := runtime.New(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []struct {
			name string
			run  train.Stepper
		}{{"generated", gen}, {"interpreted", it.NewRunner()}} {
			b.Run(fn.Type+"/"+s.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := s.run.Run(inputs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
