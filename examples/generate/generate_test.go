package main

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/examples/generate/setup"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/runtime"
)

// TestGeneratedFilesAreCurrent regenerates every generated file into a
// temporary directory, as go generate would, and fails on any difference
// with the checked-in files: a change to the codegen, the passes or the
// builder that changes the emitted code must come with go generate.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./gen", "-dir", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, out)
	}
	var regenerated []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			regenerated = append(regenerated, rel)
		}
		return err
	})
	checkedIn, _ := filepath.Glob("*_gen.go")
	more, _ := filepath.Glob("step/*_gen.go")
	if len(regenerated) != len(checkedIn)+len(more) {
		t.Errorf("go generate writes %d files, %d are checked in: %v", len(regenerated), len(checkedIn)+len(more), regenerated)
	}
	for _, rel := range regenerated {
		want, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(rel)
		if err != nil {
			t.Errorf("%s is generated but not checked in: run go generate ./examples/generate", rel)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what go generate writes now: run go generate ./examples/generate", rel)
		}
		// Nothing in it depends on where it was generated (builder
		// positions are absolute paths).
		if wd, _ := os.Getwd(); bytes.Contains(got, []byte(filepath.Dir(filepath.Dir(wd)))) {
			t.Errorf("%s holds the path of the repository", rel)
		}
	}
}

// TestTrainsAsInterpreted trains one epoch of each method with the
// generated steps and with the interpreter: the metrics and the trained
// parameters agree bit for bit.
func TestTrainsAsInterpreted(t *testing.T) {
	if testing.Short() {
		t.Skip("trains an epoch of each method twice")
	}
	trainSet, testSet, err := data.CanonicalMNIST1D()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range setup.Methods {
		t.Run(m, func(t *testing.T) {
			cfg, err := setup.Config(m)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Epochs, cfg.Seed = 1, 3
			interpreted, err := train.Run(context.Background(), setup.Model(), trainSet, testSet, cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Backend = backend
			generated, err := train.Run(context.Background(), setup.Model(), trainSet, testSet, cfg)
			if err != nil {
				t.Fatal(err)
			}
			g, w := generated.Epochs[0], interpreted.Epochs[0]
			g.Elapsed, w.Elapsed = 0, 0
			if g != w {
				t.Errorf("metrics: generated %+v, interpreted %+v", g, w)
			}
			for name, p := range interpreted.Params {
				q := generated.Params[name]
				for i, v := range p.F32 {
					if math.Float32bits(v) != math.Float32bits(q.F32[i]) {
						t.Errorf("%s[%d]: generated %v, interpreted %v", name, i, q.F32[i], v)
						break
					}
				}
			}
		})
	}
}

// TestStepsDoNotAllocate runs each generated function through its
// adapter: after the first run, a run allocates nothing.
func TestStepsDoNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, fn := range setup.Functions() {
		t.Run(fn.Type, func(t *testing.T) {
			f, err := setup.Build(fn)
			if err != nil {
				t.Fatal(err)
			}
			s, err := backend(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs := stepInputs(f, r)
			if _, err := s.Run(inputs); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(3, func() { s.Run(inputs) }); n != 0 {
				t.Errorf("%v allocations per run", n)
			}
		})
	}
}

// stepInputs draws inputs for a generated function: floats N(0, 0.01),
// labels in range, scalars zero.
func stepInputs(f *ir.Func, r *rand.Rand) []*runtime.Tensor {
	inputs := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		inputs[i] = runtime.Zeros(p.Type)
		for k := range inputs[i].F32 {
			inputs[i].F32[k] = float32(r.NormFloat64() * 0.1)
		}
		if p.Type.DType == ir.I64 {
			for k := range inputs[i].I64 {
				inputs[i].I64[k] = int64(r.IntN(setup.Classes))
			}
		}
	}
	return inputs
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "Usage: go run ./examples/generate") {
		t.Errorf("-h: exit %d, %q", code, errOut.String())
	}
	for _, args := range [][]string{{"-method", "wt"}, {"-epochs", "0"}, {"-out", ""}, {"extra"}} {
		errOut.Reset()
		if code := run(context.Background(), args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut.String())
		}
	}
}
