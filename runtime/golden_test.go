package runtime

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// Every function of the golden IR files runs without panicking on random
// inputs: floats standard normal, integers zero (a valid label and index
// for any size), RNG keys small. Runtime errors are allowed (an objective
// may have no minimum at a random point), panics and ill-typed results
// are not.
func TestGoldenFilesRun(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for name, f := range goldenFuncs(t) {
		t.Run(name, func(t *testing.T) {
			if err := ir.Verify(f); err != nil {
				t.Skipf("does not verify: %v", err)
			}
			it, err := New(f)
			if err != nil {
				t.Fatalf("New rejects a verified function: %v", err)
			}
			inputs := make([]*Tensor, len(f.Params))
			for i, p := range f.Params {
				inputs[i] = Zeros(p.Type)
				if p.Type.DType.IsFloat() {
					inputs[i] = randomTensor(r, p.Type.DType, p.Type.Shape...)
				}
			}
			out, err := it.Run(inputs)
			if err != nil {
				t.Logf("runtime error: %v", err)
				return
			}
			for i, res := range out {
				if want := f.Results[i].Type; !res.Type.Equal(want) {
					t.Errorf("result %d has type %s, want %s", i, res.Type, want)
				}
			}
		})
	}
}

// goldenFuncs yields every function of the golden IR files with a test
// name "file.pf/func", skipping the test if there are none.
func goldenFuncs(t *testing.T) func(yield func(string, *ir.Func) bool) {
	t.Helper()
	paths, err := filepath.Glob("../testdata/ir/*.pf")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Skip("no golden IR files")
	}
	var names []string
	var funcs []*ir.Func
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ir.Parse(path, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Funcs {
			// Declarative ops run on what the implicit pass derives.
			if _, err := passes.Implicit(f); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			names = append(names, filepath.Base(path)+"/"+f.Name)
			funcs = append(funcs, f)
		}
	}
	return func(yield func(string, *ir.Func) bool) {
		for i, f := range funcs {
			if !yield(names[i], f) {
				return
			}
		}
	}
}
