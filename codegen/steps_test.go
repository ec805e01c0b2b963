package codegen_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/internal/genmod"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/runtime"
)

// TestStepsBitForBit compiles whole training steps as methods/train does
// (the gradient or its forward-gradient estimate, then AdamW), unfused and
// fused, for a small MLP, and runs them as generated code and with the
// interpreter in one program built at each GOAMD64 level: the W̃ᵀ, W̃⊥ and
// backprop steps agree bit for bit.
func TestStepsBitForBit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds generated code")
	}
	model := train.MLP(12, 10, []int{32, 32}, false, ir.F32)
	opt, err := optim.New("adamw", 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var funcs []*ir.Func
	for _, m := range []string{"wt", "wperp", fwdgrad.Backprop} {
		for _, fuse := range []bool{false, true} {
			cfg := train.Config{Method: fwdgrad.Config{Method: m, K: 4}, Optimizer: opt, Batch: 64, Fuse: fuse}
			f, err := train.StepFunc(model, cfg, 64)
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, fmt.Sprintf("%s fused=%t", m, fuse))
			funcs = append(funcs, f)
		}
	}
	atEachLevel(t, funcs, func(t *testing.T, prog *genmod.Program) {
		r := rand.New(rand.NewPCG(5, 6))
		for i, f := range funcs {
			inputs := stepInputs(r, f)
			want, err := prog.Interpreted(i, inputs)
			if err != nil {
				t.Fatalf("%s: interpreter: %v", names[i], err)
			}
			got, err := prog.Generated(i, inputs)
			if err != nil {
				t.Fatalf("%s: generated: %v", names[i], err)
			}
			compareBits(t, names[i], got, want)
		}
	})
}

// stepInputs draws inputs for a training step: floats N(0, 0.01), labels
// in range, the counters 3.
func stepInputs(r *rand.Rand, f *ir.Func) []*runtime.Tensor {
	inputs := make([]*runtime.Tensor, len(f.Params))
	for i, p := range f.Params {
		t := runtime.Zeros(p.Type)
		for k := range t.F32 {
			t.F32[k] = float32(r.NormFloat64() * 0.1)
		}
		for k := range t.I64 {
			t.I64[k] = int64(r.IntN(10))
		}
		for k := range t.U64 {
			t.U64[k] = 3
		}
		inputs[i] = t
	}
	return inputs
}
