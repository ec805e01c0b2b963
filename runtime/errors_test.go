package runtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime/kernels"
)

func f32(dims ...int) ir.Type { return ir.TensorOf(ir.F32, dims...) }
func f64(dims ...int) ir.Type { return ir.TensorOf(ir.F64, dims...) }

// mustNew builds an interpreter or fails the test.
func mustNew(t *testing.T, f *ir.Func, opts ...Option) *Interpreter {
	t.Helper()
	it, err := New(f, opts...)
	if err != nil {
		t.Fatalf("New:\n%s\n%v", f, err)
	}
	return it
}

func wantError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", fragments)
	}
	for _, frag := range fragments {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error %q does not contain %q", err, frag)
		}
	}
}

func TestInputErrorsNameTheParameter(t *testing.T) {
	f := ir.NewFunc("f")
	x := f.AddParam("x", f32(2, 4), ir.Data)
	w := f.AddParam("w", f32(4, 3), ir.Param)
	f.Results = []*ir.Value{f.Append(ir.OpMatmul, []*ir.Value{x, w}, nil, []ir.Type{f32(2, 3)}, []string{"z"}).Result()}
	it := mustNew(t, f)
	good := []*Tensor{Zeros(f32(2, 4)), Zeros(f32(4, 3))}

	tests := []struct {
		name   string
		inputs []*Tensor
		want   string
	}{
		{"shape", []*Tensor{Zeros(f32(2, 3)), good[1]}, "input %x: got f32[2,3], want f32[2,4]"},
		{"dtype", []*Tensor{good[0], Zeros(f64(4, 3))}, "input %w: got f64[4,3], want f32[4,3]"},
		{"count", good[:1], "got 1 inputs, want 2 (%x, %w)"},
		{"nil", []*Tensor{good[0], nil}, "input %w: missing"},
		{"inconsistent data", []*Tensor{{Type: f32(2, 4), F32: make([]float32, 7)}, good[1]}, "input %x: tensor of type f32[2,4] holds 7 elements, want 8"},
	}
	for _, tt := range tests {
		_, err := it.Run(tt.inputs)
		wantError(t, err, tt.want)
	}
	if _, err := it.Run(good); err != nil {
		t.Errorf("good inputs: %v", err)
	}

	_, err := it.RunNamed(map[string]*Tensor{"x": good[0]})
	wantError(t, err, "missing input %w")
	_, err = it.RunNamed(map[string]*Tensor{"x": good[0], "w": good[1], "bias": good[1]})
	wantError(t, err, "unknown inputs %bias")
	_, err = it.RunNamed(map[string]*Tensor{"x": Zeros(f32(1, 4)), "w": good[1]})
	wantError(t, err, "input %x: got f32[1,4], want f32[2,4]")
}

// runSingle runs one instruction at position 3:5 with named operands.
func runSingle(op ir.Op, attrs ir.Attrs, args []*Tensor, results ...ir.Type) ([]*Tensor, error) {
	types := make([]ir.Type, len(args))
	for i, a := range args {
		types[i] = a.Type
	}
	f := singleInstrFunc(op, attrs, types, results)
	f.Body[0].Pos = ir.Pos{Line: 3, Col: 5}
	return Run(f, args)
}

func TestRuntimeErrorsNameTheInstruction(t *testing.T) {
	notPD := FromF64([]int{2, 2}, []float64{1, 2, 2, 1})
	_, err := runSingle(ir.OpCholesky, nil, []*Tensor{notPD}, f64(2, 2))
	wantError(t, err, "3:5: %r0 = cholesky %a0 (f64[2,2]): matrix is not positive definite")
	if !errors.Is(err, kernels.ErrNotPositiveDefinite) {
		t.Errorf("errors.Is(%v, ErrNotPositiveDefinite) = false", err)
	}
	var runErr *Error
	if !errors.As(err, &runErr) || runErr.Instr.Op != ir.OpCholesky {
		t.Errorf("error %v is not an *Error for the cholesky instruction", err)
	}

	batch := FromF32([]int{2, 2, 2}, []float32{4, 2, 2, 3, 1, 2, 2, 1})
	_, err = runSingle(ir.OpCholesky, nil, []*Tensor{batch}, f32(2, 2, 2))
	wantError(t, err, "matrix at batch index [1]: matrix is not positive definite")

	logits := Zeros(f32(2, 3))
	_, err = runSingle(ir.OpSoftmaxXent, nil, []*Tensor{logits, FromI64([]int{2}, []int64{0, 5})}, ir.Scalar(ir.F32))
	wantError(t, err, "softmax_xent %a0, %a1 (f32[2,3], i64[2])", "label 5 at batch index 1 is out of range [0, 3)")
	_, err = runSingle(ir.OpSoftmaxXent, nil, []*Tensor{logits, FromI64([]int{2}, []int64{-1, 0})}, ir.Scalar(ir.F32))
	wantError(t, err, "label -1 at batch index 0")

	_, err = runSingle(ir.OpOneHot, ir.Attrs{"depth": ir.Int(3)}, []*Tensor{FromI64([]int{2}, []int64{1, 3})}, f32(2, 3))
	wantError(t, err, "label 3 at index [1] is out of range [0, 3)")

	table := Zeros(f64(3, 2))
	_, err = runSingle(ir.OpGather, nil, []*Tensor{table, FromI64([]int{2, 2}, []int64{0, 1, 2, 3})}, f64(2, 2, 2))
	wantError(t, err, "index 3 at position [1 1] is out of range [0, 3) for axis 0")

	_, err = runSingle(ir.OpDiv, nil, []*Tensor{FromI64([]int{2}, []int64{1, 2}), ScalarI64(0)}, ir.TensorOf(ir.I64, 2))
	wantError(t, err, "integer division by zero")

	singular := FromF64([]int{2, 2}, []float64{1, 0, 5, 0})
	_, err = runSingle(ir.OpTriangularSolve, nil, []*Tensor{singular, Zeros(f64(2, 1))}, f64(2, 1))
	if !errors.Is(err, kernels.ErrSingular) {
		t.Errorf("singular triangular solve: err = %v, want ErrSingular", err)
	}
}

// panickyGEMM stands for a broken kernel.
type panickyGEMM struct{ kernels.Gonum }

func (panickyGEMM) Dgemm(bool, bool, int, int, int, float64, []float64, int, []float64, int, float64, []float64, int) {
	panic("index out of range")
}

func TestKernelPanicBecomesError(t *testing.T) {
	f, err := matmulFunc(f64(2, 2), f64(2, 2), false, false)
	if err != nil {
		t.Fatal(err)
	}
	f.Body[0].Pos = ir.Pos{File: "m.pf", Line: 7, Col: 2}
	it := mustNew(t, f, WithGEMM(panickyGEMM{}))
	_, err = it.Run([]*Tensor{Zeros(f64(2, 2)), Zeros(f64(2, 2))})
	wantError(t, err, "m.pf:7:2: %r0 = matmul %a0, %a1 (f64[2,2], f64[2,2]): kernel panic: index out of range")
}

func TestNewRejectsBrokenFunctions(t *testing.T) {
	t.Run("undefined operand", func(t *testing.T) {
		f := ir.NewFunc("f")
		stray := &ir.Value{Name: "stray", Type: f32(2)}
		f.Results = []*ir.Value{f.Append(ir.OpNeg, []*ir.Value{stray}, nil, []ir.Type{f32(2)}, []string{"y"}).Result()}
		_, err := New(f)
		wantError(t, err, "%y = neg %stray (f32[2]): operand 0 (%stray) is not defined before use")
	})
	t.Run("wrong declared type", func(t *testing.T) {
		f := ir.NewFunc("f")
		x := f.AddParam("x", f32(2, 3), ir.Data)
		f.Results = []*ir.Value{f.Append(ir.OpReduceSum, []*ir.Value{x}, ir.Attrs{"axes": ir.Ints(0)}, []ir.Type{f32(2)}, []string{"s"}).Result()}
		_, err := New(f)
		wantError(t, err, "declared result types (f32[2]) differ from the op's (f32[3])")
	})
	t.Run("type rule error", func(t *testing.T) {
		f := ir.NewFunc("f")
		x := f.AddParam("x", f32(2, 3), ir.Data)
		y := f.AddParam("y", f32(4), ir.Data)
		f.Results = []*ir.Value{f.Append(ir.OpAdd, []*ir.Value{x, y}, nil, []ir.Type{f32(2, 3)}, []string{"z"}).Result()}
		_, err := New(f)
		wantError(t, err, "%z = add %x, %y (f32[2,3], f32[4]): shapes [2,3], [4] do not broadcast")
	})
	t.Run("invalid op", func(t *testing.T) {
		f := ir.NewFunc("f")
		f.Results = []*ir.Value{f.Append(ir.Op(9999), nil, nil, []ir.Type{f32()}, []string{"z"}).Result()}
		_, err := New(f)
		wantError(t, err, "no kernel for op op(9999)")
	})
	t.Run("undefined result", func(t *testing.T) {
		f := ir.NewFunc("f")
		f.Results = []*ir.Value{{Name: "ghost", Type: f32()}}
		_, err := New(f)
		wantError(t, err, "result 0 (%ghost) is not defined")
	})
}
