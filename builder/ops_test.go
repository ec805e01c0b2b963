package builder_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/ir"
)

// env is a builder with parameters of assorted types for the op tests.
type env struct {
	b        *builder.Builder
	x, y, d  *ir.Value // f32[2,3], f32[2,3], f64[2,3]
	v, s     *ir.Value // f32[3], f32[]
	w, bat   *ir.Value // f32[3,4], f32[5,2,3]
	m, r     *ir.Value // f32[4,4], f32[4,3]
	tab      *ir.Value // f32[10,4]
	idx, lab *ir.Value // i64[2], i64[2]
	k, c     *ir.Value // u64[], u64[]
}

func newEnv(name string) *env {
	b := builder.New(name)
	return &env{
		b:   b,
		x:   b.Data("x", ir.F32, 2, 3),
		y:   b.Data("y", ir.F32, 2, 3),
		d:   b.Data("d", ir.F64, 2, 3),
		v:   b.Data("v", ir.F32, 3),
		s:   b.Data("s", ir.F32),
		w:   b.Param("w", ir.F32, 3, 4),
		bat: b.Data("bat", ir.F32, 5, 2, 3),
		m:   b.Data("m", ir.F32, 4, 4),
		r:   b.Data("r", ir.F32, 4, 3),
		tab: b.Param("tab", ir.F32, 10, 4),
		idx: b.Data("idx", ir.I64, 2),
		lab: b.Data("lab", ir.I64, 2),
		k:   b.State("k", ir.U64),
		c:   b.State("c", ir.U64),
	}
}

// objective returns @obj(%z: f32[3] param, %v: f32[3] data) -> f32[], the
// squared distance between z and v.
func objective(t *testing.T) *ir.Func {
	t.Helper()
	b := builder.New("obj")
	z := b.Param("z", ir.F32, 3)
	v := b.Data("v", ir.F32, 3)
	b.Return(b.Sum(b.Square(b.Sub(z, v))))
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func one(v *ir.Value) []*ir.Value { return []*ir.Value{v} }

func TestOpResultTypes(t *testing.T) {
	f32 := func(dims ...int) ir.Type { return ir.TensorOf(ir.F32, dims...) }
	tests := []struct {
		name string
		make func(e *env) []*ir.Value
		// want is the instruction as printed after Build.
		want string
	}{
		{"constant", func(e *env) []*ir.Value { return one(e.b.Constant(f32(2), 1, 2.5)) }, "%1 = constant {value=[1.0, 2.5]} : f32[2]"},
		{"constant/scalar", func(e *env) []*ir.Value { return one(e.b.Constant(ir.Scalar(ir.F64), 0.5)) }, "%1 = constant {value=0.5} : f64[]"},
		{"constant/i64", func(e *env) []*ir.Value { return one(e.b.Constant(ir.TensorOf(ir.I64, 3), 0, 1, -2)) }, "%1 = constant {value=[0, 1, -2]} : i64[3]"},
		{"constant/one-element", func(e *env) []*ir.Value { return one(e.b.Constant(f32(1, 1), 3)) }, "%1 = constant {value=[3.0]} : f32[1,1]"},
		{"full", func(e *env) []*ir.Value { return one(e.b.Full(f32(2, 3), 0.5)) }, "%1 = full {value=0.5} : f32[2,3]"},
		{"full/u64", func(e *env) []*ir.Value { return one(e.b.Full(ir.TensorOf(ir.U64, 2), 7)) }, "%1 = full {value=7} : u64[2]"},
		{"scalar", func(e *env) []*ir.Value { return one(e.b.Scalar(ir.F32, 1)) }, "%1 = full {value=1.0} : f32[]"},
		{"zeros", func(e *env) []*ir.Value { return one(e.b.Zeros(f32(4))) }, "%1 = full {value=0.0} : f32[4]"},
		{"ones", func(e *env) []*ir.Value { return one(e.b.Ones(ir.TensorOf(ir.I64, 2))) }, "%1 = full {value=1} : i64[2]"},
		{"rng_normal", func(e *env) []*ir.Value { return one(e.b.RngNormal(f32(2, 3), e.k, e.c)) }, "%1 = rng_normal %k, %c : f32[2,3]"},
		{"rng_uniform", func(e *env) []*ir.Value { return one(e.b.RngUniform(ir.TensorOf(ir.F64, 7), e.k, e.c)) }, "%1 = rng_uniform %k, %c : f64[7]"},

		{"neg", func(e *env) []*ir.Value { return one(e.b.Neg(e.x)) }, "%1 = neg %x : f32[2,3]"},
		{"neg/i64", func(e *env) []*ir.Value { return one(e.b.Neg(e.idx)) }, "%1 = neg %idx : i64[2]"},
		{"exp", func(e *env) []*ir.Value { return one(e.b.Exp(e.x)) }, "%1 = exp %x : f32[2,3]"},
		{"log", func(e *env) []*ir.Value { return one(e.b.Log(e.d)) }, "%1 = log %d : f64[2,3]"},
		{"tanh", func(e *env) []*ir.Value { return one(e.b.Tanh(e.v)) }, "%1 = tanh %v : f32[3]"},
		{"sigmoid", func(e *env) []*ir.Value { return one(e.b.Sigmoid(e.s)) }, "%1 = sigmoid %s : f32[]"},
		{"relu", func(e *env) []*ir.Value { return one(e.b.Relu(e.x)) }, "%1 = relu %x : f32[2,3]"},
		{"step", func(e *env) []*ir.Value { return one(e.b.Step(e.x)) }, "%1 = step %x : f32[2,3]"},
		{"abs", func(e *env) []*ir.Value { return one(e.b.Abs(e.x)) }, "%1 = abs %x : f32[2,3]"},
		{"sqrt", func(e *env) []*ir.Value { return one(e.b.Sqrt(e.x)) }, "%1 = sqrt %x : f32[2,3]"},
		{"square", func(e *env) []*ir.Value { return one(e.b.Square(e.k)) }, "%1 = square %k : u64[]"},
		{"pow", func(e *env) []*ir.Value { return one(e.b.Pow(e.x, 2)) }, "%1 = pow %x {exponent=2.0} : f32[2,3]"},
		{"pow/negative", func(e *env) []*ir.Value { return one(e.b.Pow(e.x, -0.5)) }, "%1 = pow %x {exponent=-0.5} : f32[2,3]"},
		{"cast", func(e *env) []*ir.Value { return one(e.b.Cast(e.x, ir.F64)) }, "%1 = cast %x : f64[2,3]"},
		{"cast/i64", func(e *env) []*ir.Value { return one(e.b.Cast(e.lab, ir.F32)) }, "%1 = cast %lab : f32[2]"},

		{"add", func(e *env) []*ir.Value { return one(e.b.Add(e.x, e.y)) }, "%1 = add %x, %y : f32[2,3]"},
		{"add/broadcast", func(e *env) []*ir.Value { return one(e.b.Add(e.x, e.v)) }, "%1 = add %x, %v : f32[2,3]"},
		{"add/scalar", func(e *env) []*ir.Value { return one(e.b.Add(e.s, e.bat)) }, "%1 = add %s, %bat : f32[5,2,3]"},
		{"sub", func(e *env) []*ir.Value { return one(e.b.Sub(e.v, e.x)) }, "%1 = sub %v, %x : f32[2,3]"},
		{"mul", func(e *env) []*ir.Value { return one(e.b.Mul(e.x, e.s)) }, "%1 = mul %x, %s : f32[2,3]"},
		{"div", func(e *env) []*ir.Value { return one(e.b.Div(e.x, e.y)) }, "%1 = div %x, %y : f32[2,3]"},
		{"maximum", func(e *env) []*ir.Value { return one(e.b.Maximum(e.x, e.y)) }, "%1 = maximum %x, %y : f32[2,3]"},
		{"minimum", func(e *env) []*ir.Value { return one(e.b.Minimum(e.idx, e.lab)) }, "%1 = minimum %idx, %lab : i64[2]"},
		{"eq", func(e *env) []*ir.Value { return one(e.b.Eq(e.idx, e.lab)) }, "%1 = eq %idx, %lab : i64[2]"},
		{"ne", func(e *env) []*ir.Value { return one(e.b.Ne(e.x, e.y)) }, "%1 = ne %x, %y : f32[2,3]"},
		{"lt", func(e *env) []*ir.Value { return one(e.b.Lt(e.x, e.y)) }, "%1 = lt %x, %y : f32[2,3]"},
		{"le", func(e *env) []*ir.Value { return one(e.b.Le(e.x, e.v)) }, "%1 = le %x, %v : f32[2,3]"},
		{"gt", func(e *env) []*ir.Value { return one(e.b.Gt(e.x, e.s)) }, "%1 = gt %x, %s : f32[2,3]"},
		{"ge", func(e *env) []*ir.Value { return one(e.b.Ge(e.x, e.y)) }, "%1 = ge %x, %y : f32[2,3]"},
		{"select", func(e *env) []*ir.Value { return one(e.b.Select(e.x, e.v, e.s)) }, "%1 = select %x, %v, %s : f32[2,3]"},
		{"select/int-cond", func(e *env) []*ir.Value { return one(e.b.Select(e.k, e.x, e.y)) }, "%1 = select %k, %x, %y : f32[2,3]"},

		{"broadcast_to", func(e *env) []*ir.Value { return one(e.b.BroadcastTo(e.v, 4, 3)) }, "%1 = broadcast_to %v : f32[4,3]"},
		{"reshape", func(e *env) []*ir.Value { return one(e.b.Reshape(e.x, 3, 2)) }, "%1 = reshape %x : f32[3,2]"},
		{"reshape/infer", func(e *env) []*ir.Value { return one(e.b.Reshape(e.bat, -1, 3)) }, "%1 = reshape %bat : f32[10,3]"},
		{"reshape/scalar", func(e *env) []*ir.Value { return one(e.b.Reshape(e.s, 1, 1)) }, "%1 = reshape %s : f32[1,1]"},
		{"transpose", func(e *env) []*ir.Value { return one(e.b.Transpose(e.x)) }, "%1 = transpose %x {perm=[1, 0]} : f32[3,2]"},
		{"transpose/perm", func(e *env) []*ir.Value { return one(e.b.Transpose(e.bat, 0, 2, 1)) }, "%1 = transpose %bat {perm=[0, 2, 1]} : f32[5,3,2]"},
		{"slice", func(e *env) []*ir.Value { return one(e.b.Slice(e.x, []int{0, 1}, []int{2, 3})) }, "%1 = slice %x {start=[0, 1], stop=[2, 3]} : f32[2,2]"},
		{"concat", func(e *env) []*ir.Value { return one(e.b.Concat(0, e.x, e.y, e.x)) }, "%1 = concat %x, %y, %x {axis=0} : f32[6,3]"},
		{"concat/negative-axis", func(e *env) []*ir.Value { return one(e.b.Concat(-1, e.x, e.y)) }, "%1 = concat %x, %y {axis=-1} : f32[2,6]"},
		{"matmul", func(e *env) []*ir.Value { return one(e.b.Matmul(e.x, e.w)) }, "%1 = matmul %x, %w : f32[2,4]"},
		{"matmul/batched", func(e *env) []*ir.Value { return one(e.b.Matmul(e.bat, e.w)) }, "%1 = matmul %bat, %w : f32[5,2,4]"},
		{"matmul/transpose_b", func(e *env) []*ir.Value { return one(e.b.MatmulT(e.x, e.y, false, true)) }, "%1 = matmul %x, %y {transpose_b=true} : f32[2,2]"},
		{"matmul/transpose_a", func(e *env) []*ir.Value { return one(e.b.MatmulT(e.x, e.y, true, false)) }, "%1 = matmul %x, %y {transpose_a=true} : f32[3,3]"},
		{"matmul/both", func(e *env) []*ir.Value { return one(e.b.MatmulT(e.w, e.r, true, true)) }, "%1 = matmul %w, %r {transpose_a=true, transpose_b=true} : f32[4,4]"},
		{"matmul/neither", func(e *env) []*ir.Value { return one(e.b.MatmulT(e.x, e.w, false, false)) }, "%1 = matmul %x, %w : f32[2,4]"},
		{"gather", func(e *env) []*ir.Value { return one(e.b.Gather(e.tab, e.idx, 0)) }, "%1 = gather %tab, %idx {axis=0} : f32[2,4]"},
		{"gather/axis1", func(e *env) []*ir.Value { return one(e.b.Gather(e.bat, e.idx, 1)) }, "%1 = gather %bat, %idx {axis=1} : f32[5,2,3]"},

		{"reduce_sum", func(e *env) []*ir.Value { return one(e.b.ReduceSum(e.x, nil, false)) }, "%1 = reduce_sum %x : f32[]"},
		{"reduce_sum/keepdims", func(e *env) []*ir.Value { return one(e.b.ReduceSum(e.x, []int{1}, true)) }, "%1 = reduce_sum %x {axes=[1], keepdims=true} : f32[2,1]"},
		{"reduce_sum/all-keepdims", func(e *env) []*ir.Value { return one(e.b.ReduceSum(e.bat, nil, true)) }, "%1 = reduce_sum %bat {keepdims=true} : f32[1,1,1]"},
		{"reduce_sum/no-axes", func(e *env) []*ir.Value { return one(e.b.ReduceSum(e.x, []int{}, false)) }, "%1 = reduce_sum %x {axes=[]} : f32[2,3]"},
		{"reduce_mean", func(e *env) []*ir.Value { return one(e.b.ReduceMean(e.bat, []int{0, 2}, false)) }, "%1 = reduce_mean %bat {axes=[0, 2]} : f32[2]"},
		{"reduce_max", func(e *env) []*ir.Value { return one(e.b.ReduceMax(e.x, []int{-1}, false)) }, "%1 = reduce_max %x {axes=[-1]} : f32[2]"},
		{"sum", func(e *env) []*ir.Value { return one(e.b.Sum(e.bat)) }, "%1 = reduce_sum %bat : f32[]"},
		{"mean", func(e *env) []*ir.Value { return one(e.b.Mean(e.d)) }, "%1 = reduce_mean %d : f64[]"},

		{"softmax", func(e *env) []*ir.Value { return one(e.b.Softmax(e.x, -1)) }, "%1 = softmax %x {axis=-1} : f32[2,3]"},
		{"log_softmax", func(e *env) []*ir.Value { return one(e.b.LogSoftmax(e.x, 0)) }, "%1 = log_softmax %x {axis=0} : f32[2,3]"},
		{"softmax_xent", func(e *env) []*ir.Value { return one(e.b.SoftmaxXent(e.x, e.lab)) }, "%1 = softmax_xent %x, %lab : f32[]"},
		{"one_hot", func(e *env) []*ir.Value { return one(e.b.OneHot(e.lab, 5, ir.F32)) }, "%1 = one_hot %lab {depth=5} : f32[2,5]"},
		{"one_hot/f64", func(e *env) []*ir.Value { return one(e.b.OneHot(e.lab, 3, ir.F64)) }, "%1 = one_hot %lab {depth=3} : f64[2,3]"},

		{"qr", func(e *env) []*ir.Value { q, r := e.b.QR(e.r); return []*ir.Value{q, r} }, "%1, %2 = qr %r : f32[4,3], f32[3,3]"},
		{"qr/wide", func(e *env) []*ir.Value { q, r := e.b.QR(e.w); return []*ir.Value{q, r} }, "%1, %2 = qr %w : f32[3,3], f32[3,4]"},
		{"svd", func(e *env) []*ir.Value { u, s, v := e.b.SVD(e.r); return []*ir.Value{u, s, v} }, "%1, %2, %3 = svd %r : f32[4,3], f32[3], f32[3,3]"},
		{"svd/batched", func(e *env) []*ir.Value { u, s, v := e.b.SVD(e.bat); return []*ir.Value{u, s, v} }, "%1, %2, %3 = svd %bat : f32[5,2,2], f32[5,2], f32[5,3,2]"},
		{"eigh", func(e *env) []*ir.Value { w, v := e.b.Eigh(e.m); return []*ir.Value{w, v} }, "%1, %2 = eigh %m : f32[4], f32[4,4]"},
		{"cholesky", func(e *env) []*ir.Value { return one(e.b.Cholesky(e.m)) }, "%1 = cholesky %m : f32[4,4]"},
		{"triangular_solve", func(e *env) []*ir.Value { return one(e.b.TriangularSolve(e.m, e.r, true, true, false)) },
			"%1 = triangular_solve %m, %r {left=true, lower=true, transpose_a=false} : f32[4,3]"},
		{"triangular_solve/right", func(e *env) []*ir.Value { return one(e.b.TriangularSolve(e.m, e.tab, false, false, true)) },
			"%1 = triangular_solve %m, %tab {left=false, lower=false, transpose_a=true} : f32[10,4]"},
	}
	covered := map[ir.Op]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv("f")
			rs := tt.make(e)
			if err := e.b.Err(); err != nil {
				t.Fatal(err)
			}
			e.b.Return(rs...)
			f, err := e.b.Build()
			if err != nil {
				t.Fatal(err)
			}
			in := f.Body[len(f.Body)-1]
			covered[in.Op] = true
			if got := in.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			for i, r := range rs {
				if r != in.Results[i] {
					t.Errorf("result %d is not the instruction's result", i)
				}
			}
		})
	}

	// Fused carries a region too.
	t.Run("fused", func(t *testing.T) {
		covered[ir.OpFused] = checkFused(t)
	})

	// Argmin and linear_solve carry a region, so they are checked on their
	// own.
	t.Run("argmin", func(t *testing.T) {
		e := newEnv("f")
		obj := objective(t)
		rs := e.b.Argmin(obj, []*ir.Value{e.v}, builder.Solver("lbfgs"), builder.Tol(1e-6), builder.MaxIter(50))
		e.b.Return(rs...)
		f, err := e.b.Build()
		if err != nil {
			t.Fatal(err)
		}
		in := f.Body[len(f.Body)-1]
		covered[in.Op] = true
		want := `%1 = argmin %v {max_iter=50, solver="lbfgs", tol=1e-06} region {
  func @obj(%z: f32[3] param, %v: f32[3] data) -> (f32[]) {
    %1 = sub %z, %v : f32[3]
    %2 = square %1 : f32[3]
    %3 = reduce_sum %2 : f32[]
    return %3
  }
} : f32[3]`
		if got := in.String(); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
		if in.Region == nil || in.Region.Funcs[0] != obj {
			t.Error("region does not hold the objective")
		}
	})
	t.Run("linear_solve", func(t *testing.T) {
		e := newEnv("f")
		mv := e.b.Func("matvec", []ir.Type{f32(3)}, []*ir.Value{e.v}, func(r *builder.Builder, x, p []*ir.Value) []*ir.Value {
			return one(r.Add(r.Mul(p[0], x[0]), x[0]))
		}, "u")
		x := e.b.LinearSolve(mv, e.v, []*ir.Value{e.v}, true, false)
		e.b.Return(x)
		f, err := e.b.Build()
		if err != nil {
			t.Fatal(err)
		}
		in := f.Body[len(f.Body)-1]
		covered[in.Op] = true
		want := `%1 = linear_solve %v, %v {posdef=false, symmetric=true} region {
  func @matvec(%u: f32[3] param, %v: f32[3] data) -> (f32[3]) {
    %1 = mul %v, %u : f32[3]
    %2 = add %1, %u : f32[3]
    return %2
  }
} : f32[3]`
		if got := in.String(); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})

	for _, op := range ir.AllOps() {
		if !covered[op] && !generic(op) {
			t.Errorf("op %s has no test", op)
		}
	}
}

// generic reports whether op needs no method of its own: an elementwise or
// broadcasting op with no required attribute, whose result type follows
// from its operands. Such an op is built with Emit, which
// TestEmitElementwise checks for every one of them, so adding one to the
// op table needs no change here.
func generic(op ir.Op) bool {
	info := op.Info()
	if info.Class != ir.Elementwise && info.Class != ir.Broadcast || op == ir.OpCast {
		return false
	}
	for _, a := range info.Attrs {
		if a.Required {
			return false
		}
	}
	return true
}

// TestEmitElementwise builds every generic op through Emit, on f32
// operands where the op takes floats and on i64 ones otherwise, and checks
// that broadcasting gives the result type of the larger operand.
func TestEmitElementwise(t *testing.T) {
	n := 0
	for _, op := range ir.AllOps() {
		if !generic(op) {
			continue
		}
		n++
		t.Run(op.String(), func(t *testing.T) {
			b := builder.New("f")
			dt := ir.F32
			if _, err := ir.InferTypes(op, slices.Repeat([]ir.Type{ir.Scalar(ir.F32)}, op.Info().MinArgs), nil, nil); err != nil {
				dt = ir.I64
			}
			args := []*ir.Value{b.Data("a", dt, 2, 3)}
			for i := 1; i < op.Info().MinArgs; i++ {
				args = append(args, b.Data(fmt.Sprintf("b%d", i), dt, 3))
			}
			rs := b.Emit(op, args, nil)
			if err := b.Err(); err != nil {
				t.Fatal(err)
			}
			if want := ir.TensorOf(dt, 2, 3); len(rs) != 1 || !rs[0].Type.Equal(want) {
				t.Fatalf("got %v, want one %s", rs, want)
			}
		})
	}
	if n < 20 {
		t.Errorf("only %d generic ops; the op table's classes changed?", n)
	}
}

// TestOneMethodPerOp checks that the Builder has a method for every op of
// the table that is not generic, by the op's name in CamelCase.
func TestOneMethodPerOp(t *testing.T) {
	methods := map[string]string{"qr": "QR", "svd": "SVD", "softmax_xent": "SoftmaxXent", "one_hot": "OneHot"}
	src := builderMethods(t)
	for _, op := range ir.AllOps() {
		if generic(op) {
			continue
		}
		name, ok := methods[op.String()]
		if !ok {
			parts := strings.Split(op.String(), "_")
			for i, p := range parts {
				parts[i] = strings.ToUpper(p[:1]) + p[1:]
			}
			name = strings.Join(parts, "")
		}
		if !slices.Contains(src, name) {
			t.Errorf("no method %s for op %s", name, op)
		}
	}
}
