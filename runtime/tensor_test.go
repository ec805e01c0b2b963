package runtime

import (
	"math"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
)

func TestConstructors(t *testing.T) {
	tests := []struct {
		t    *Tensor
		want string
	}{
		{Zeros(ir.TensorOf(ir.F32, 2, 2)), "f32[2,2] [[0 0] [0 0]]"},
		{FromF32([]int{3}, []float32{1, 0.1, -2}), "f32[3] [1 0.1 -2]"},
		{FromF64([]int{2, 1}, []float64{0.1, math.Inf(-1)}), "f64[2,1] [[0.1] [-Inf]]"},
		{FromI64([]int{2}, []int64{-1, math.MaxInt64}), "i64[2] [-1 9223372036854775807]"},
		{FromU64(nil, []uint64{math.MaxUint64}), "u64[] 18446744073709551615"},
		{ScalarF32(2.5), "f32[] 2.5"},
		{ScalarF64(-1), "f64[] -1"},
		{ScalarI64(3), "i64[] 3"},
		{ScalarU64(4), "u64[] 4"},
		{Zeros(ir.TensorOf(ir.F64, 0, 3)), "f64[0,3] []"},
		{Zeros(ir.TensorOf(ir.F64, 2000)), "f64[2000] <2000 elements>"},
		{&Tensor{Type: ir.TensorOf(ir.F64, 2)}, "f64[2] <tensor of type f64[2] holds 0 elements, want 2>"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestFromSharesData(t *testing.T) {
	data := []float64{1, 2}
	x := FromF64([]int{2}, data)
	data[0] = 9
	if x.F64[0] != 9 {
		t.Error("FromF64 copied its data; it is documented to use it")
	}
	y := x.Clone()
	y.F64[1] = 7
	if x.F64[1] != 2 {
		t.Error("Clone shares data")
	}
}

func TestConstructorPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"length":        func() { FromF32([]int{2, 2}, []float32{1}) },
		"negative dim":  func() { Zeros(ir.TensorOf(ir.F32, -1)) },
		"invalid dtype": func() { Zeros(ir.Type{Shape: ir.Shape{1}}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestFloat64sAndFromFloat64s(t *testing.T) {
	x := FromI64([]int{3}, []int64{1, -2, 3})
	if got := x.Float64s(); got[0] != 1 || got[1] != -2 || got[2] != 3 {
		t.Errorf("Float64s() = %v", got)
	}
	y := FromFloat64s(ir.TensorOf(ir.U64, 3), []float64{1.9, -1, math.NaN()})
	if y.U64[0] != 1 || y.U64[1] != 0 || y.U64[2] != 0 {
		t.Errorf("FromFloat64s to u64 = %v, want [1 0 0] (truncate, saturate, NaN to 0)", y)
	}
	z := FromFloat64s(ir.TensorOf(ir.F32, 1), []float64{0.1})
	if z.F32[0] != float32(0.1) {
		t.Errorf("FromFloat64s to f32 = %v", z)
	}
}

func TestEqualAndCheckClose(t *testing.T) {
	a := FromF32([]int{3}, []float32{1, float32(math.NaN()), 3})
	if !a.Equal(a.Clone()) {
		t.Error("a tensor with NaN is not Equal to its clone")
	}
	if a.Equal(FromF32([]int{1, 3}, []float32{1, float32(math.NaN()), 3})) {
		t.Error("tensors of different shapes are Equal")
	}
	if a.Equal(FromF32([]int{3}, []float32{1, float32(math.NaN()), 4})) {
		t.Error("different tensors are Equal")
	}

	want := FromF64([]int{2, 2}, []float64{1, 100, math.Inf(1), math.NaN()})
	near := FromF64([]int{2, 2}, []float64{1 + 1e-9, 100 + 1e-7, math.Inf(1), math.NaN()})
	if err := CheckClose(near, want, 1e-8, 1e-8); err != nil {
		t.Errorf("CheckClose: %v", err)
	}
	far := FromF64([]int{2, 2}, []float64{1, 101, math.Inf(-1), 0})
	err := CheckClose(far, want, 1e-8, 1e-8)
	if err == nil || !strings.Contains(err.Error(), "3 of 4 elements differ; first at [0 1]: got 101, want 100") {
		t.Errorf("CheckClose error = %v", err)
	}
	if err := CheckClose(ScalarF32(1), ScalarF64(1), 0, 0); err == nil {
		t.Error("CheckClose accepts different dtypes")
	}
}
