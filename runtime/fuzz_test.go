package runtime

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// maxFuzzElements bounds the elements of every value of a fuzzed function,
// so that the fuzzer explores the interpreter rather than the allocator.
const maxFuzzElements = 1 << 16

// FuzzInterpreter runs every function that parses and verifies, on zero
// inputs: the interpreter may report errors but must not panic.
func FuzzInterpreter(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/ir/*.pf")
	for _, path := range paths {
		if src, err := os.ReadFile(path); err == nil {
			f.Add(string(src))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		m, err := ir.Parse("fuzz.pf", []byte(src))
		if err != nil {
			return
		}
		for _, fn := range m.Funcs {
			if ir.Verify(fn) != nil || tooLarge(fn) {
				continue
			}
			it, err := New(fn)
			if err != nil {
				continue
			}
			inputs := make([]*Tensor, len(fn.Params))
			for i, p := range fn.Params {
				inputs[i] = Zeros(p.Type)
			}
			it.Run(inputs) // errors are fine; a panic fails the fuzzer
		}
	})
}

// tooLarge reports whether any value of f, or of a region inside it, has
// more than maxFuzzElements elements.
func tooLarge(f *ir.Func) bool {
	large := false
	f.Values(func(v *ir.Value) bool {
		n, ok := v.Type.Shape.NumElements()
		large = !ok || n > maxFuzzElements
		return !large
	})
	for _, in := range f.Body {
		if in.Region != nil {
			for _, g := range in.Region.Funcs {
				large = large || tooLarge(g)
			}
		}
	}
	return large
}
