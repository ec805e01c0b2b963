package passes_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
)

// A chain of two products with a tall left operand, (X·A)·B, is taken as
// X·(A·B), through reshapes that give the inner product back its shape and
// with transposed operands, and computes the same numbers (f64, to
// rounding); a chain whose inner product is read elsewhere, or that the
// new order would not make cheaper, stays.
func TestFoldReassociatesProducts(t *testing.T) {
	f := parseVerified(t, `func @f(%x: f64[64,8] data, %a: f64[8,6] param, %b: f64[5,6] param, %s: f64[8,8] data) -> (f64[64,5], f64[64,5], f64[64,6], f64[8,8], f64[64,8]) {
  %xa = matmul %x, %a : f64[64,6]
  %r1 = reshape %xa : f64[4,16,6]
  %r2 = reshape %r1 : f64[64,6]
  %y = matmul %r2, %b {transpose_b=true} : f64[64,5]
  %xa2 = matmul %x, %a : f64[64,6]
  %kept = matmul %xa2, %b {transpose_b=true} : f64[64,5]
  %twice = add %xa2, %xa2 : f64[64,6]
  %sq = matmul %s, %s : f64[8,8]
  %small = matmul %sq, %s : f64[8,8]
  %c1 = matmul %x, %s : f64[64,8]
  %c2 = matmul %c1, %s : f64[64,8]
  %c3 = matmul %c2, %s {transpose_b=true} : f64[64,8]
  return %y, %kept, %twice, %small, %c3
}`)
	r := rand.New(rand.NewPCG(3, 4))
	var inputs []*runtime.Tensor
	for _, p := range f.Params {
		data := make([]float64, p.Type.Shape.Size())
		for i := range data {
			data[i] = r.NormFloat64()
		}
		inputs = append(inputs, runtime.FromFloat64s(p.Type, data))
	}
	want, err := runtime.Run(f.Clone(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	g, err := passes.Run(f, []string{"fold", "dce"}, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	text := body(g)
	if !strings.Contains(text, "matmul %a, %b {transpose_b=true} : f64[8,5]") {
		t.Errorf("(X·A)·Bᵀ not taken as X·(A·Bᵀ):\n%s", text)
	}
	if !strings.Contains(text, "%kept = matmul %xa2, %b {transpose_b=true}") {
		t.Errorf("a chain whose inner product is read twice changed:\n%s", text)
	}
	if !strings.Contains(text, "%small = matmul %sq, %s") {
		t.Errorf("a chain that reassociating does not make cheaper changed:\n%s", text)
	}
	got, err := runtime.Run(g, inputs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		w, h := want[i].Float64s(), got[i].Float64s()
		for j := range w {
			if math.Abs(w[j]-h[j]) > 1e-12*(1+math.Abs(w[j])) {
				t.Fatalf("result %d, element %d: %g after fold, %g before", i, j, h[j], w[j])
			}
		}
	}
}

// A 0/1 mask applied twice, (x·m)·m, is applied once after the clean-up
// (whose cse makes the two copies of the mask one value first), with the
// same bits for every x, NaN, infinities and signed zeros included; a
// factor that is not a mask stays twice.
func TestFoldDropsARepeatedMask(t *testing.T) {
	f := parseVerified(t, `func @f(%x: f32[2,4] data, %p: f32[2,4] data) -> (f32[2,4], f32[2,4]) {
  %m = step %p : f32[2,4]
  %m2 = step %p : f32[2,4]
  %a = mul %x, %m : f32[2,4]
  %b = mul %m2, %a : f32[2,4]
  %c = mul %x, %p : f32[2,4]
  %d = mul %c, %p : f32[2,4]
  return %b, %d
}`)
	nan, inf := math.NaN(), math.Inf(1)
	x := runtime.FromFloat64s(ir.TensorOf(ir.F32, 2, 4), []float64{nan, inf, -inf, math.Copysign(0, -1), -3, 2.5, 0, 1})
	p := runtime.FromFloat64s(ir.TensorOf(ir.F32, 2, 4), []float64{0, 0, 1, 0, -1, 1, 0, 2})
	want, err := runtime.Run(f.Clone(), []*runtime.Tensor{x, p})
	if err != nil {
		t.Fatal(err)
	}
	g, err := passes.Run(f, passes.Cleanup, passes.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(body(g), "step "); n != 1 {
		t.Errorf("%d steps after the clean-up, want 1:\n%s", n, body(g))
	}
	if n := strings.Count(body(g), " mul "); n != 3 {
		t.Errorf("%d products after the clean-up, want 3 (the mask once, the other factor twice):\n%s", n, body(g))
	}
	got, err := runtime.Run(g, []*runtime.Tensor{x, p})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("result %d: %v after the clean-up, %v before", i, got[i], want[i])
		}
	}
}
