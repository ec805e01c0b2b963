package builder_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

func builderMethods(t *testing.T) []string {
	t.Helper()
	typ := reflect.TypeFor[*builder.Builder]()
	names := make([]string, typ.NumMethod())
	for i := range names {
		names[i] = typ.Method(i).Name
	}
	return names
}

// line returns the caller's line number.
func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}

func TestStickyError(t *testing.T) {
	b := builder.New("mlp")
	x := b.Data("x", ir.F32, 512, 40)
	w := b.Param("w", ir.F32, 64, 128)
	y := b.Matmul(x, w)
	at := line() - 1
	if y != nil {
		t.Fatalf("Matmul returned %v after a shape error", y)
	}
	err := b.Err()
	if err == nil {
		t.Fatal("no error")
	}
	want := fmt.Sprintf("builder_test.go:%d: matmul: contracted dimensions differ: [512,40] and [64,128]", at)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error\n%s\ndoes not start with\n%s", err, want)
	}
	if !strings.HasSuffix(err.Error(), "(operands f32[512,40], f32[64,128])") {
		t.Errorf("error %q does not list the operand types", err)
	}
	var be *builder.Error
	if !errors.As(err, &be) {
		t.Fatalf("error %T is not a *builder.Error", err)
	}
	if be.Op != "matmul" || be.Pos.Line != at || filepath.Base(be.Pos.File) != "builder_test.go" || !filepath.IsAbs(be.Pos.File) {
		t.Errorf("error fields: op %q, pos %v", be.Op, be.Pos)
	}
	if len(be.Operands) != 2 || be.Operands[1].String() != "f32[64,128]" {
		t.Errorf("operands %v", be.Operands)
	}

	// Every later call does nothing, returns nil and does not panic on
	// nil operands; the first error stays.
	h := b.Relu(y)
	q, r := b.QR(nil)
	u, s, v := b.SVD(y)
	rest := []*ir.Value{
		h, q, r, u, s, v,
		b.Add(y, nil), b.Concat(0), b.Reshape(y, -1, -1), b.OneHot(nil, 3, ir.InvalidDType),
		b.Data("x", ir.F32, 1), b.Param("1bad", ir.I64), b.Constant(ir.Scalar(ir.F32), 1, 2),
		b.Full(ir.Scalar(ir.I64), 0.5), b.Named("x", y), b.Transpose(nil), b.BroadcastTo(nil, 3),
		b.Cast(nil, ir.F64), b.TriangularSolve(nil, nil, true, true, false),
	}
	rest = append(rest, b.Argmin(nil, []*ir.Value{y})...)
	rest = append(rest, b.Emit(ir.OpAdd, []*ir.Value{nil}, nil)...)
	for i, v := range rest {
		if v != nil {
			t.Errorf("call %d returned %v after the error", i, v)
		}
	}
	b.Name(y, "y")
	b.Return(h)
	b.Errorf("another")
	b.SetInit(nil, nil)
	if b.Err() != err {
		t.Errorf("error changed to %v", b.Err())
	}
	f, err2 := b.Build()
	if f != nil || err2 != err {
		t.Errorf("Build = %v, %v; want nil, %v", f, err2, err)
	}
}

func TestErrors(t *testing.T) {
	other := builder.New("other")
	foreign := other.Data("z", ir.F32, 2, 3)
	obj := objective(t)
	tests := []struct {
		name string
		do   func(e *env)
		want string
	}{
		{"nil operand", func(e *env) { e.b.Add(e.x, nil) }, "add: operand 2 is nil"},
		{"nil single operand", func(e *env) { e.b.Relu(nil) }, "relu: operand 1 is nil"},
		{"foreign operand", func(e *env) { e.b.Mul(foreign, e.x) }, "mul: operand 1 (%z: f32[2,3], made at builder_test.go:"},
		{"foreign result", func(e *env) { e.b.Return(e.x, foreign) }, "return: operand 2 (%z: f32[2,3], made at builder_test.go:"},
		{"foreign name", func(e *env) { e.b.Name(foreign, "a") }, "belongs to another builder"},
		{"nil return", func(e *env) { e.b.Return(nil) }, "return: operand 1 is nil"},
		{"no results", func(e *env) { e.b.Return() }, "return: no results"},
		{"return twice", func(e *env) { e.b.Return(e.x); e.b.Return(e.y) }, "return: Return called twice"},
		{"nothing returned", func(e *env) { e.b.Build() }, "build: function @f returns nothing (call Return)"},
		{"bad function name", func(e *env) { e.b = builder.New("my func"); e.b.Return(e.b.Data("x", ir.F32)) }, `new: invalid function name "my func"`},
		{"numeric name", func(e *env) { e.b.Data("1", ir.F32) }, `data: invalid name "1"`},
		{"empty name", func(e *env) { e.b.State("", ir.F32) }, `state: invalid name ""`},
		{"bad name chars", func(e *env) { e.b.Param("w-1", ir.F32) }, `param: invalid name "w-1"`},
		{"duplicate parameter", func(e *env) { e.b.Data("x", ir.F32, 1) }, `data: name "x" already used (by the value made at ops_test.go:`},
		{"duplicate value name", func(e *env) { e.b.Named("h", e.b.Relu(e.x)); e.b.Named("h", e.b.Relu(e.y)) }, `name: name "h" already used`},
		{"name clashes with parameter", func(e *env) { e.b.Name(e.b.Relu(e.x), "y") }, `name: name "y" already used`},
		{"invalid value name", func(e *env) { e.b.Name(e.b.Relu(e.x), "%h") }, `name: invalid name "%h"`},
		{"rename parameter", func(e *env) { e.b.Name(e.x, "input") }, `name: cannot rename parameter %x to "input"`},
		{"rename named", func(e *env) { e.b.Name(e.b.Named("h", e.b.Relu(e.x)), "g") }, `name: value %h is already named; cannot rename it to "g"`},
		{"nil named", func(e *env) { e.b.Named("h", nil) }, "name: operand 1 is nil"},
		{"integer param", func(e *env) { e.b.Param("n", ir.I64, 3) }, "param: trainable parameter n has type i64[3], want f32 or f64"},
		{"negative dim", func(e *env) { e.b.Data("n", ir.F32, 3, -1) }, "data: parameter n: type f32[3,-1] has a negative dimension"},
		{"invalid dtype", func(e *env) { e.b.Data("n", ir.InvalidDType, 3) }, "data: parameter n: invalid dtype invalid"},
		{"invalid role", func(e *env) { e.b.Input("n", ir.Scalar(ir.F32), ir.InvalidRole) }, `input: parameter "n" has invalid role invalid`},
		{"constant count", func(e *env) { e.b.Constant(ir.TensorOf(ir.F32, 2, 2), 1, 2, 3) }, "constant: value has 3 elements, type f32[2,2] has 4"},
		{"constant int", func(e *env) { e.b.Constant(ir.TensorOf(ir.I64, 2), 1, 2.5) }, "constant: value 2.5 is not a valid i64"},
		{"full negative u64", func(e *env) { e.b.Full(ir.Scalar(ir.U64), -1) }, "full: value -1 is not a valid u64"},
		{"full bad type", func(e *env) { e.b.Full(ir.TensorOf(ir.F32, -2), 1) }, "full: type f32[-2] has a negative dimension"},
		{"rng key", func(e *env) { e.b.RngNormal(ir.Scalar(ir.F32), e.idx, e.c) }, "rng_normal: key has type i64[2], want u64[] (operands i64[2], u64[])"},
		{"rng int result", func(e *env) { e.b.RngUniform(ir.Scalar(ir.I64), e.k, e.c) }, "rng_uniform: result has dtype i64, want f32 or f64"},
		{"exp of int", func(e *env) { e.b.Exp(e.idx) }, "exp: operand has dtype i64, want f32 or f64 (operands i64[2])"},
		{"mixed dtypes", func(e *env) { e.b.Add(e.x, e.d) }, "add: operand dtypes differ: f32 and f64 (operands f32[2,3], f64[2,3])"},
		{"no broadcast", func(e *env) { e.b.Sub(e.x, e.w) }, "sub: shapes [2,3], [3,4] do not broadcast"},
		{"select branches", func(e *env) { e.b.Select(e.x, e.x, e.d) }, "select: branch dtypes differ: f32 and f64"},
		{"broadcast_to", func(e *env) { e.b.BroadcastTo(e.x, 3, 3) }, "broadcast_to: shape [2,3] does not broadcast to [3,3] (operands f32[2,3])"},
		{"reshape count", func(e *env) { e.b.Reshape(e.x, 4, 2) }, "reshape: cannot reshape [2,3] (6 elements) to [4,2] (8 elements)"},
		{"reshape two -1", func(e *env) { e.b.Reshape(e.x, -1, -1) }, "reshape: more than one -1 in dimensions [-1 -1] (operands f32[2,3])"},
		{"reshape -1 uneven", func(e *env) { e.b.Reshape(e.x, -1, 4) }, "reshape: cannot reshape [2,3] (6 elements) to [-1 4]"},
		{"transpose perm", func(e *env) { e.b.Transpose(e.x, 0, 0) }, "transpose: perm [0 0] is not a permutation of 0..1"},
		{"slice", func(e *env) { e.b.Slice(e.x, []int{0, 0}, []int{3, 1}) }, "slice: axis 0: slice [0, 3) not within [0, 2)"},
		{"concat empty", func(e *env) { e.b.Concat(0) }, "concat: no operands"},
		{"concat shapes", func(e *env) { e.b.Concat(0, e.x, e.w) }, "concat: operand 1 has shape [3,4], which differs from [2,3] off axis 0"},
		{"matmul rank", func(e *env) { e.b.Matmul(e.v, e.w) }, "matmul: operands [3] and [3,4] must have rank 2 or more"},
		{"matmul transposed", func(e *env) { e.b.MatmulT(e.x, e.w, true, false) }, "matmul: contracted dimensions differ: [2,3] and [3,4] (transpose_a=true, transpose_b=false) give 2 and 3"},
		{"gather indices", func(e *env) { e.b.Gather(e.tab, e.x, 0) }, "gather: indices have dtype f32, want i64"},
		{"reduce axis", func(e *env) { e.b.ReduceSum(e.x, []int{2}, false) }, "reduce_sum: axis 2 out of range for rank 2"},
		{"reduce repeated axis", func(e *env) { e.b.ReduceMax(e.x, []int{1, -1}, false) }, "reduce_max: axis 1 repeated in axes"},
		{"mean of int", func(e *env) { e.b.Mean(e.idx) }, "reduce_mean: operand has dtype i64, want f32 or f64"},
		{"softmax scalar", func(e *env) { e.b.Softmax(e.s, -1) }, "softmax: operand is a scalar, want rank 1 or more"},
		{"xent labels", func(e *env) { e.b.SoftmaxXent(e.x, e.v) }, "softmax_xent: labels have type f32[3], want i64[2]"},
		{"one_hot depth", func(e *env) { e.b.OneHot(e.lab, 0, ir.F32) }, "one_hot: depth 0 must be positive"},
		{"one_hot dtype", func(e *env) { e.b.OneHot(e.lab, 3, ir.InvalidDType) }, "one_hot: invalid dtype invalid"},
		{"qr vector", func(e *env) { e.b.QR(e.v) }, "qr: operand has shape [3], want a matrix (rank 2 or more)"},
		{"cholesky square", func(e *env) { e.b.Cholesky(e.r) }, "cholesky: operand has shape [4,3], want square matrices"},
		{"eigh int", func(e *env) { e.b.Eigh(e.idx) }, "eigh: operand has dtype i64, want f32 or f64"},
		{"trsolve rhs", func(e *env) { e.b.TriangularSolve(e.m, e.x, true, true, false) }, "triangular_solve: right-hand side [2,3] does not match the 4x4 matrix (left=true)"},
		{"argmin nil", func(e *env) { e.b.Argmin(nil, nil) }, "argmin: nil objective"},
		{"argmin operands", func(e *env) { e.b.Argmin(obj, []*ir.Value{e.x}) }, "argmin: region function @obj takes (f32[3], f32[3]), want the variables then the operands (f32[3], f32[2,3])"},
		{"argmin no variables", func(e *env) { e.b.Argmin(obj, []*ir.Value{e.v, e.v}) }, "argmin: objective @obj leaves no parameters for the variables (it takes 2, after 2 operands)"},
		{"argmin objective result", func(e *env) { e.b.Argmin(vectorObjective(t), []*ir.Value{e.v}) }, "argmin: objective @vec returns (f32[3]), want one float scalar"},
		{"argmin nil constraint", func(e *env) {
			e.b.Argmin(obj, []*ir.Value{e.v}, builder.Constraint(nil))
		}, "argmin: nil constraint function"},
		{"argmin stiefel vector", func(e *env) {
			e.b.Argmin(obj, []*ir.Value{e.v}, builder.Stiefel(0))
		}, "argmin: Stiefel(0): variable %z has type f32[3], want a float matrix [n,k] with n ≥ k"},
		{"argmin warm start type", func(e *env) {
			e.b.Argmin(obj, []*ir.Value{e.v}, builder.WarmStart(e.x))
		}, "argmin: warm start %x has type f32[2,3], variable 0 is f32[3]"},
		{"linear_solve matvec", func(e *env) {
			e.b.LinearSolve(vectorObjective(t), e.x, nil, true, true)
		}, "linear_solve: matvec @vec takes 2 parameters, want 1 (a vector, then the operands after the right-hand side) (operands f32[2,3])"},
		{"emit declared", func(e *env) { e.b.Emit(ir.OpAdd, []*ir.Value{e.x, e.y}, nil, ir.TensorOf(ir.F32, 3, 2)) }, "add: declared result types (f32[3,2]) differ from the inferred ones (f32[2,3])"},
		{"emit region op", func(e *env) { e.b.Emit(ir.OpArgmin, nil, nil, ir.Scalar(ir.F32)) }, "argmin: ops with a region cannot be emitted without one; use Argmin"},
		{"emit attrs", func(e *env) { e.b.Emit(ir.OpRelu, []*ir.Value{e.x}, ir.Attrs{"axis": ir.Int(0)}) }, `relu: unknown attribute "axis" for relu`},
		{"emit arity", func(e *env) { e.b.Emit(ir.OpRelu, []*ir.Value{e.x, e.y}, nil) }, "relu: relu takes 1 operand, got 2"},
		{"used after build", func(e *env) {
			e.b.Return(e.x)
			e.b.Build()
			e.b.Relu(e.x)
		}, "relu: builder for @f used after Build"},
		{"init data", func(e *env) { e.b.SetInit(e.x, zeroInit{}) }, "init: %x is not a parameter of role param or state"},
		{"init value", func(e *env) { e.b.SetInit(e.b.Relu(e.x), zeroInit{}) }, "is not a parameter of role param or state"},
		{"init nil", func(e *env) { e.b.ParamInit("p", ir.F32, nil, 3) }, "init: nil initializer for %p"},
		{"errorf", func(e *env) { e.b.Errorf("layer %s: bad width %d", "l1", -1) }, "builder_test.go:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv("f")
			tt.do(e)
			err := e.b.Err()
			if err == nil {
				e.b.Return(e.x)
				_, err = e.b.Build()
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%s\ndoes not contain\n%s", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "builder_test.go:") {
				t.Errorf("error %q does not start with the test's position", err)
			}
		})
	}
}

func vectorObjective(t *testing.T) *ir.Func {
	t.Helper()
	b := builder.New("vec")
	z := b.Param("z", ir.F32, 3)
	v := b.Data("v", ir.F32, 3)
	b.Return(b.Sub(z, v))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type zeroInit struct{}

func (zeroInit) Init(dst []float64, _ ir.Type, _ *rand.Rand) error {
	clear(dst)
	return nil
}

func TestNames(t *testing.T) {
	b := builder.New("f")
	x := b.Data("x", ir.F32, 2)
	a := b.Exp(x)
	h := b.Named("h.0", b.Neg(a))
	c := b.Abs(h)
	b.Name(c, "_c")
	d := b.Sqrt(c)
	e := b.Square(d)
	if a.Name != "1" || d.Name != "4" {
		t.Errorf("names before Build: %s, %s", a.Name, d.Name)
	}
	b.Return(e, h)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	// Unnamed values are numbered densely at Build.
	want := `func @f(%x: f32[2] data) -> (f32[2], f32[2]) {
  %1 = exp %x : f32[2]
  %h.0 = neg %1 : f32[2]
  %_c = abs %h.0 : f32[2]
  %2 = sqrt %_c : f32[2]
  %3 = square %2 : f32[2]
  return %3, %h.0
}
`
	if diff := cmp.Diff(want, f.String()); diff != "" {
		t.Errorf("function (-want +got):\n%s", diff)
	}
	// Build again returns the same function.
	if f2, err := b.Build(); f2 != f || err != nil {
		t.Errorf("second Build = %p, %v", f2, err)
	}
}

func TestPositions(t *testing.T) {
	b := builder.New("f")
	fAt := line() - 1
	x := b.Data("x", ir.F32, 2)
	xAt := line() - 1
	y := b.Relu(x)
	yAt := line() - 1
	z := helperLayer(b, y)
	zAt := line() - 1
	b.Return(z)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		pos  ir.Pos
		line int
	}{
		{"func", f.Pos, fAt},
		{"param", x.Pos, xAt},
		{"relu", y.Pos, yAt},
		{"relu instr", y.Def.Pos, yAt},
		{"helper", z.Pos, zAt},
	} {
		if filepath.Base(c.pos.File) != "builder_test.go" || c.pos.Line != c.line {
			t.Errorf("%s: pos %v, want builder_test.go:%d", c.what, c.pos, c.line)
		}
	}
}

// helperLayer is a layer outside package builder/nn, marked as a helper.
func helperLayer(b *builder.Builder, x *ir.Value) *ir.Value {
	builder.Helper()
	return b.Tanh(b.Neg(x))
}

func TestEmitter(t *testing.T) {
	var em ir.Emitter
	b := builder.New("f")
	x := b.Data("x", ir.F32, 2, 3)
	em = b
	rs := em.Emit(ir.OpMatmul, []*ir.Value{x, x}, ir.Attrs{"transpose_b": ir.Bool(true)})
	rs = em.Emit(ir.OpReshape, rs, nil, ir.TensorOf(ir.F32, 4))
	rs = em.Emit(ir.OpExp, rs, nil, ir.TensorOf(ir.F32, 4))
	b.Return(rs...)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	want := `func @f(%x: f32[2,3] data) -> (f32[4]) {
  %1 = matmul %x, %x {transpose_b=true} : f32[2,2]
  %2 = reshape %1 : f32[4]
  %3 = exp %2 : f32[4]
  return %3
}
`
	if diff := cmp.Diff(want, f.String()); diff != "" {
		t.Errorf("function (-want +got):\n%s", diff)
	}
}

func TestParamsAndInits(t *testing.T) {
	b := builder.New("f")
	x := b.Data("x", ir.F32, 4, 3)
	w := b.ParamInit("w", ir.F64, zeroInit{}, 3, 2)
	p := b.Param("p", ir.F32, 2)
	st := b.State("step", ir.I64)
	in := b.Input("key", ir.Scalar(ir.U64), ir.State)
	b.SetInit(p, zeroInit{})
	b.SetInit(st, zeroInit{})
	b.Return(b.Matmul(b.Cast(x, ir.F64), w), st, in)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	want := "func @f(%x: f32[4,3] data, %w: f64[3,2] param, %p: f32[2] param, %step: i64[] state, %key: u64[] state) -> (f64[4,2], i64[], u64[]) {"
	if got, _, _ := strings.Cut(f.String(), "\n"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	inits := b.Inits()
	if len(inits) != 3 || inits["w"] == nil || inits["p"] == nil || inits["step"] == nil {
		t.Errorf("inits %v", inits)
	}
	delete(inits, "w")
	if b.Inits()["w"] == nil {
		t.Error("Inits does not return a copy")
	}
	if len(builder.New("g").Inits()) != 0 {
		t.Error("new builder has inits")
	}
}

// TestAttrKinds checks that every attribute the builder stores has the
// kind the op table asks for, so the IR never needs coercion.
func TestAttrKinds(t *testing.T) {
	e := newEnv("f")
	b := e.b
	b.Pow(e.x, 3)
	b.Transpose(e.x)
	b.Slice(e.x, []int{0, 0}, []int{1, 1})
	b.Concat(1, e.x, e.y)
	b.MatmulT(e.x, e.y, false, true)
	b.Gather(e.tab, e.idx, 0)
	b.ReduceMean(e.x, []int{0}, true)
	b.Softmax(e.x, 1)
	b.OneHot(e.lab, 4, ir.F32)
	b.TriangularSolve(e.m, e.tab, true, false, false)
	b.Argmin(objective(t), []*ir.Value{e.v}, builder.Solver("newton"), builder.Tol(1), builder.MaxIter(3), builder.CheckTol(1),
		builder.Damping(0.5), builder.ImplicitRule("dense"), builder.WarmStart(e.v))
	b.Return(e.x)
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range f.Body {
		info := in.Op.Info()
		for k, v := range in.Attrs {
			var ok bool
			switch info.AttrSpec(k).Kind {
			case ir.KindInt:
				_, ok = v.(ir.Int)
			case ir.KindBool:
				_, ok = v.(ir.Bool)
			case ir.KindString:
				_, ok = v.(ir.String)
			case ir.KindNumber:
				_, ok = v.(ir.Float)
				if k == "max_iter" {
					_, ok = v.(ir.Int)
				}
			case ir.KindInts:
				l, isList := v.(ir.List)
				ok = isList
				for _, x := range l {
					if _, isInt := x.(ir.Int); !isInt {
						ok = false
					}
				}
			case ir.KindNumbers:
				ok = true
			}
			if !ok {
				t.Errorf("%s: attribute %s=%s (%T) has the wrong kind", in.Op, k, v, v)
			}
		}
	}
}
