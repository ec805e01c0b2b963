package nn_test

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/ir"
)

func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}

func build(t *testing.T, b *builder.Builder) *ir.Func {
	t.Helper()
	f, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLinear(t *testing.T) {
	tests := []struct {
		name string
		x    ir.Type
		out  int
		opts []nn.Option
		want string
	}{
		{"bias", ir.TensorOf(ir.F32, 8, 5), 3, nil, `func @f(%x: f32[8,5] data, %fc.w: f32[5,3] param, %fc.b: f32[3] param) -> (f32[8,3]) {
  %1 = matmul %x, %fc.w : f32[8,3]
  %2 = add %1, %fc.b : f32[8,3]
  return %2
}
`},
		{"no bias", ir.TensorOf(ir.F64, 8, 5), 3, []nn.Option{nn.Bias(false)}, `func @f(%x: f64[8,5] data, %fc.w: f64[5,3] param) -> (f64[8,3]) {
  %1 = matmul %x, %fc.w : f64[8,3]
  return %1
}
`},
		{"batched", ir.TensorOf(ir.F32, 4, 8, 5), 2, []nn.Option{nn.Bias(true)}, `func @f(%x: f32[4,8,5] data, %fc.w: f32[5,2] param, %fc.b: f32[2] param) -> (f32[4,8,2]) {
  %1 = matmul %x, %fc.w : f32[4,8,2]
  %2 = add %1, %fc.b : f32[4,8,2]
  return %2
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := builder.New("f")
			x := b.Input("x", tt.x, ir.Data)
			b.Return(nn.Linear(b, "fc", x, tt.out, tt.opts...))
			f := build(t, b)
			if got := f.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			inits := b.Inits()
			for _, p := range f.Params[1:] {
				if inits[p.Name] == nil {
					t.Errorf("no initializer for %s", p)
				}
			}
		})
	}
}

func TestMLP(t *testing.T) {
	for _, act := range []nn.Activation{nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Identity} {
		t.Run(act.String(), func(t *testing.T) {
			b := builder.New("mlp")
			x := b.Data("x", ir.F32, 16, 40)
			logits := nn.MLP(b, "net", x, []int{32, 24, 10}, act)
			b.Return(logits)
			f := build(t, b)
			if !logits.Type.Equal(ir.TensorOf(ir.F32, 16, 10)) {
				t.Errorf("logits %s", logits.Type)
			}
			var params []string
			for _, p := range f.Params {
				params = append(params, fmt.Sprintf("%s:%s:%s", p.Name, p.Type, p.Role))
			}
			want := "x:f32[16,40]:data net.0.w:f32[40,32]:param net.0.b:f32[32]:param net.1.w:f32[32,24]:param net.1.b:f32[24]:param net.2.w:f32[24,10]:param net.2.b:f32[10]:param"
			if got := strings.Join(params, " "); got != want {
				t.Errorf("params\n%s\nwant\n%s", got, want)
			}
			// The activation sits between layers, not after the last.
			var ops []string
			for _, in := range f.Body {
				ops = append(ops, in.Op.String())
			}
			a := act.String() + " "
			if act == nn.Identity {
				a = ""
			}
			wantOps := "matmul add " + a + "matmul add " + a + "matmul add"
			if got := strings.Join(ops, " "); got != wantOps {
				t.Errorf("ops %s, want %s", got, wantOps)
			}
		})
	}
	t.Run("no bias", func(t *testing.T) {
		b := builder.New("mlp")
		x := b.Data("x", ir.F64, 3, 4)
		b.Return(nn.MLP(b, "m", x, []int{5, 2}, nn.Tanh, nn.Bias(false)))
		want := `func @mlp(%x: f64[3,4] data, %m.0.w: f64[4,5] param, %m.1.w: f64[5,2] param) -> (f64[3,2]) {
  %1 = matmul %x, %m.0.w : f64[3,5]
  %2 = tanh %1 : f64[3,5]
  %3 = matmul %2, %m.1.w : f64[3,2]
  return %3
}
`
		if got := build(t, b).String(); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
}

// TestLayerPositions checks that everything a layer makes points at the
// line that called the layer.
func TestLayerPositions(t *testing.T) {
	b := builder.New("mlp")
	x := b.Data("x", ir.F32, 16, 40)
	logits := nn.MLP(b, "net", x, []int{32, 10}, nn.ReLU)
	at := line() - 1
	b.Return(logits)
	f := build(t, b)
	check := func(what string, p ir.Pos) {
		if filepath.Base(p.File) != "layers_test.go" || p.Line != at {
			t.Errorf("%s at %v, want layers_test.go:%d", what, p, at)
		}
	}
	for _, p := range f.Params[1:] {
		check(p.Name, p.Pos)
	}
	for _, in := range f.Body {
		check(in.Op.String(), in.Pos)
		check(in.Results[0].Name, in.Results[0].Pos)
	}
}

func TestLayerErrors(t *testing.T) {
	tests := []struct {
		name string
		do   func(b *builder.Builder, x *ir.Value) int
		want string
	}{
		{"linear nil", func(b *builder.Builder, x *ir.Value) int {
			nn.Linear(b, "fc", nil, 3)
			return line() - 1
		}, "nn.Linear fc: input is nil"},
		{"linear rank", func(b *builder.Builder, x *ir.Value) int {
			nn.Linear(b, "fc", b.Data("v", ir.F32, 3), 3)
			return line() - 1
		}, "nn.Linear fc: input has type f32[3], want rank 2 or more"},
		{"linear width", func(b *builder.Builder, x *ir.Value) int {
			nn.Linear(b, "fc", x, 0)
			return line() - 1
		}, "nn.Linear fc: output width 0, want a positive width"},
		{"linear name", func(b *builder.Builder, x *ir.Value) int {
			nn.Linear(b, "1fc", x, 2)
			return line() - 1
		}, `param: invalid name "1fc.w"`},
		{"linear twice", func(b *builder.Builder, x *ir.Value) int {
			nn.Linear(b, "fc", x, 2)
			nn.Linear(b, "fc", x, 2)
			return line() - 1
		}, `param: name "fc.w" already used (by the value made at layers_test.go:`},
		{"linear int", func(b *builder.Builder, x *ir.Value) int {
			nn.Linear(b, "fc", b.Data("n", ir.I64, 2, 2), 2)
			return line() - 1
		}, "param: trainable parameter fc.w has type i64[2,2], want f32 or f64"},
		{"mlp empty", func(b *builder.Builder, x *ir.Value) int {
			nn.MLP(b, "m", x, nil, nn.ReLU)
			return line() - 1
		}, "nn.MLP m: no layers"},
		{"mlp activation", func(b *builder.Builder, x *ir.Value) int {
			nn.MLP(b, "m", x, []int{3}, nn.Activation(9))
			return line() - 1
		}, "nn.MLP m: unknown activation Activation(9)"},
		{"mlp width", func(b *builder.Builder, x *ir.Value) int {
			nn.MLP(b, "m", x, []int{3, -1}, nn.ReLU)
			return line() - 1
		}, "nn.Linear m.1: output width -1"},
		{"apply", func(b *builder.Builder, x *ir.Value) int {
			nn.Activation(7).Apply(b, x)
			return line() - 1
		}, "nn: unknown activation Activation(7)"},
		{"accuracy", func(b *builder.Builder, x *ir.Value) int {
			nn.Accuracy(b, b.Data("v", ir.F32, 3), nil)
			return line() - 1
		}, "nn.Accuracy: logits f32[3], want [batch, classes]"},
		{"cross entropy", func(b *builder.Builder, x *ir.Value) int {
			nn.CrossEntropy(b, x, b.Data("t", ir.I64, 3))
			return line() - 1
		}, "softmax_xent: labels have type i64[3], want i64[4] (operands f32[4,6], i64[3])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := builder.New("f")
			x := b.Data("x", ir.F32, 4, 6)
			at := tt.do(b, x)
			err := b.Err()
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%s\ndoes not contain\n%s", err, tt.want)
			}
			if prefix := fmt.Sprintf("layers_test.go:%d: ", at); !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			// Layers after the error do nothing.
			if v := nn.MLP(b, "late", x, []int{2}, nn.ReLU); v != nil {
				t.Errorf("MLP after error returned %v", v)
			}
		})
	}
}

func TestLosses(t *testing.T) {
	b := builder.New("f")
	z := b.Data("z", ir.F32, 4, 3)
	lab := b.Data("t", ir.I64, 4)
	y := b.Data("y", ir.F32, 4, 3)
	b.Return(
		b.Named("xent", nn.CrossEntropy(b, z, lab)),
		b.Named("acc", nn.Accuracy(b, z, lab)),
		b.Named("mse", nn.MeanSquaredError(b, z, y)),
	)
	want := `func @f(%z: f32[4,3] data, %t: i64[4] data, %y: f32[4,3] data) -> (f32[], f32[], f32[]) {
  %xent = softmax_xent %z, %t : f32[]
  %1 = one_hot %t {depth=3} : f32[4,3]
  %2 = mul %z, %1 : f32[4,3]
  %3 = reduce_sum %2 {axes=[1]} : f32[4]
  %4 = reduce_max %z {axes=[1]} : f32[4]
  %5 = ge %3, %4 : f32[4]
  %acc = reduce_mean %5 : f32[]
  %6 = sub %z, %y : f32[4,3]
  %7 = square %6 : f32[4,3]
  %mse = reduce_mean %7 : f32[]
  return %xent, %acc, %mse
}
`
	if got := build(t, b).String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestActivation(t *testing.T) {
	for _, a := range []nn.Activation{nn.Identity, nn.ReLU, nn.Tanh, nn.Sigmoid} {
		got, err := nn.ParseActivation(a.String())
		if err != nil || got != a {
			t.Errorf("ParseActivation(%q) = %v, %v", a, got, err)
		}
	}
	if _, err := nn.ParseActivation("gelu"); err == nil {
		t.Error("ParseActivation(gelu) succeeded")
	}
	gains := map[nn.Activation]float64{nn.Identity: 1, nn.ReLU: math.Sqrt2, nn.Tanh: 5.0 / 3, nn.Sigmoid: 1}
	for a, g := range gains {
		if a.Gain() != g {
			t.Errorf("%s.Gain() = %v, want %v", a, a.Gain(), g)
		}
	}
}
