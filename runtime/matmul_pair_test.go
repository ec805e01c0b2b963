package runtime

import (
	"math/rand/v2"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

// randomFloatInputs makes normal inputs for f's float parameters.
func randomFloatInputs(t *testing.T, f *ir.Func, r *rand.Rand) []*Tensor {
	t.Helper()
	in := make([]*Tensor, len(f.Params))
	for i, p := range f.Params {
		data := make([]float64, p.Type.Shape.Size())
		for j := range data {
			data[j] = r.NormFloat64()
		}
		in[i] = FromFloat64s(p.Type, data)
	}
	return in
}

// Two matmuls in a row by the same right operand run as one PairGEMM call
// in a Runner, with the bits of Run, which runs them one by one; those
// that do not qualify, or whose second result the memory plan places over
// an operand of the first, run one by one.
func TestRunnerPairsMatmuls(t *testing.T) {
	for _, tc := range []struct {
		name   string
		src    string
		paired []int // the steps that start a pair
	}{
		{"f32", `func @p(%a: f32[40,30] data, %c: f32[50,30] data, %w: f32[30,20] param) -> (f32[40,20], f32[50,20]) {
  %1 = matmul %a, %w : f32[40,20]
  %2 = matmul %c, %w : f32[50,20]
  return %1, %2
}`, []int{0}},
		{"f64 transposed", `func @p(%a: f64[30,40] data, %c: f64[30,50] data, %w: f64[20,30] param) -> (f64[40,20], f64[50,20]) {
  %1 = matmul %a, %w {transpose_a=true, transpose_b=true} : f64[40,20]
  %2 = matmul %c, %w {transpose_a=true, transpose_b=true} : f64[50,20]
  return %1, %2
}`, []int{0}},
		{"three in a row", `func @p(%a: f32[40,30] data, %c: f32[50,30] data, %d: f32[8,30] data, %w: f32[30,20] param) -> (f32[40,20], f32[50,20], f32[8,20]) {
  %1 = matmul %a, %w : f32[40,20]
  %2 = matmul %c, %w : f32[50,20]
  %3 = matmul %d, %w : f32[8,20]
  return %1, %2, %3
}`, []int{0}},
		{"second over the first's dying operand", `func @p(%x: f32[40,30] data, %c: f32[40,30] data, %w: f32[30,30] param) -> (f32[40,30], f32[40,30]) {
  %a = relu %x : f32[40,30]
  %1 = matmul %a, %w : f32[40,30]
  %2 = matmul %c, %w : f32[40,30]
  return %1, %2
}`, nil},
		{"transposes differ", `func @p(%a: f32[40,30] data, %c: f32[30,50] data, %w: f32[30,20] param) -> (f32[40,20], f32[50,20]) {
  %1 = matmul %a, %w : f32[40,20]
  %2 = matmul %c, %w {transpose_a=true} : f32[50,20]
  return %1, %2
}`, nil},
		{"second reads the first", `func @p(%a: f32[30,30] data, %w: f32[30,30] param) -> (f32[30,30]) {
  %1 = matmul %a, %w : f32[30,30]
  %2 = matmul %1, %w : f32[30,30]
  return %2
}`, nil},
		{"other operands", `func @p(%a: f32[40,30] data, %w: f32[30,20] param, %v: f32[30,20] param) -> (f32[40,20], f32[40,20]) {
  %1 = matmul %a, %w : f32[40,20]
  %2 = matmul %a, %v : f32[40,20]
  return %1, %2
}`, nil},
		{"batch axes", `func @p(%a: f32[2,40,30] data, %c: f32[2,50,30] data, %w: f32[30,20] param) -> (f32[2,40,20], f32[2,50,20]) {
  %1 = matmul %a, %w : f32[2,40,20]
  %2 = matmul %c, %w : f32[2,50,20]
  return %1, %2
}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ir.ParseFunc(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			it, err := New(f)
			if err != nil {
				t.Fatal(err)
			}
			r := it.NewRunner()
			var got []int
			for i, p := range r.pairs {
				if p != nil {
					got = append(got, i)
				}
			}
			if len(got) != len(tc.paired) || (len(got) > 0 && got[0] != tc.paired[0]) {
				t.Errorf("pairs start at steps %v, want %v", got, tc.paired)
			}
			checkRunnerMatchesRun(t, it, randomFloatInputs(t, f, rand.New(rand.NewPCG(5, 6))))
		})
	}
}
