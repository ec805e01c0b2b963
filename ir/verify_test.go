package ir

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// mlp builds the two-layer MLP of DESIGN.md by hand.
func mlp() *Func {
	f := NewFunc("mlp")
	x := f.AddParam("x", TensorOf(F32, 4, 3), Data)
	t := f.AddParam("t", TensorOf(I64, 4), Data)
	w1 := f.AddParam("w1", TensorOf(F32, 3, 5), Param)
	w2 := f.AddParam("w2", TensorOf(F32, 5, 2), Param)
	s1 := f.Append(OpMatmul, []*Value{x, w1}, nil, []Type{TensorOf(F32, 4, 5)}, []string{"s1"}).Result()
	h1 := f.Append(OpRelu, []*Value{s1}, nil, []Type{TensorOf(F32, 4, 5)}, []string{"h1"}).Result()
	z := f.Append(OpMatmul, []*Value{h1, w2}, nil, []Type{TensorOf(F32, 4, 2)}, []string{"z"}).Result()
	loss := f.Append(OpSoftmaxXent, []*Value{z, t}, nil, []Type{Scalar(F32)}, []string{"loss"}).Result()
	f.Results = []*Value{loss}
	return f
}

func TestVerifyAcceptsMLP(t *testing.T) {
	if err := Verify(mlp()); err != nil {
		t.Fatal(err)
	}
}

func TestPrintMLP(t *testing.T) {
	want := `func @mlp(%x: f32[4,3] data, %t: i64[4] data, %w1: f32[3,5] param, %w2: f32[5,2] param) -> (f32[]) {
  %s1 = matmul %x, %w1 : f32[4,5]
  %h1 = relu %s1 : f32[4,5]
  %z = matmul %h1, %w2 : f32[4,2]
  %loss = softmax_xent %z, %t : f32[]
  return %loss
}
`
	if got := mlp().String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestVerifyReportsEveryError(t *testing.T) {
	f := mlp()
	f.Body[0].Results[0].Type = TensorOf(F32, 4, 6) // declared type wrong
	f.Body[2].Args[1] = &Value{Name: "ghost", Type: TensorOf(F32, 5, 2)}
	f.Body[1].Results[0].Name = "s1" // duplicate name
	f.Body[3].Attrs = Attrs{"axis": Int(1)}
	err := Verify(f)
	if err == nil {
		t.Fatal("no error")
	}
	list := err.(ErrorList)
	wants := []string{
		"%s1 = matmul: declared result type f32[4,6], but the operands give f32[4,5] (operands f32[4,3], f32[3,5])",
		"%s1 = relu: value redefined",
		"%z = matmul: operand %ghost is used before its definition",
		`%loss = softmax_xent: unknown attribute "axis" for softmax_xent`,
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
	if len(list) < len(wants) {
		t.Errorf("got %d errors, want at least %d", len(list), len(wants))
	}
}

func TestVerifyRegion(t *testing.T) {
	obj := NewFunc("obj")
	xv := obj.AddParam("x", TensorOf(F64, 3), Data)
	av := obj.AddParam("a", TensorOf(F64, 3), Data)
	d := obj.Append(OpSub, []*Value{xv, av}, nil, []Type{TensorOf(F64, 3)}, []string{"d"}).Result()
	sq := obj.Append(OpSquare, []*Value{d}, nil, []Type{TensorOf(F64, 3)}, []string{"sq"}).Result()
	s := obj.Append(OpReduceSum, []*Value{sq}, nil, []Type{Scalar(F64)}, []string{"s"}).Result()
	obj.Results = []*Value{s}

	f := NewFunc("proj")
	a := f.AddParam("a", TensorOf(F64, 3), Data)
	in := f.Append(OpArgmin, []*Value{a}, Attrs{"solver": String("bfgs")}, []Type{TensorOf(F64, 3)}, []string{"x"})
	in.Region = &Region{Funcs: []*Func{obj}}
	f.Results = in.Results
	if err := Verify(f); err != nil {
		t.Fatal(err)
	}
	in.Results[0].Type = TensorOf(F64, 4)
	err := Verify(f)
	if err == nil || !strings.Contains(err.Error(), "want the variables then the operands (f64[4], f64[3])") {
		t.Errorf("got %v", err)
	}
	in.Region = nil
	if err := Verify(f); err == nil || !strings.Contains(err.Error(), "argmin needs a region") {
		t.Errorf("got %v", err)
	}
}

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"x", true}, {"w1.tangent", true}, {"_a", true}, {"12", true}, {"", false},
		{"1a", false}, {".a", false}, {"a-b", false}, {"a b", false}, {"é", false},
	} {
		if got := ValidName(tc.name); got != tc.ok {
			t.Errorf("ValidName(%q) = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	f := mlp()
	g := f.Clone()
	if f.String() != g.String() {
		t.Fatalf("clone differs:\n%s\n%s", f, g)
	}
	if err := Verify(g); err != nil {
		t.Fatal(err)
	}
	g.Body[0].Results[0].Name = "renamed"
	g.Params[0].Type.Shape[0] = 99
	if f.String() == g.String() || f.Params[0].Type.Shape[0] != 4 {
		t.Error("clone shares memory with the original")
	}
}

func TestIntegerConstantsMustFit(t *testing.T) {
	for _, tc := range []struct {
		v   Attr
		d   DType
		bad bool
	}{
		{Float(0.5), I64, true}, {Float(math.Inf(1)), I64, true}, {Float(1e30), I64, true},
		{Int(-1), U64, true}, {Int(-1), I64, false}, {Float(3), U64, false}, {Float(0.5), F32, false},
	} {
		_, err := InferTypes(OpFull, nil, Attrs{"value": tc.v}, []Type{Scalar(tc.d)})
		if (err != nil) != tc.bad {
			t.Errorf("full {value=%s} : %s[]: error %v, want error %t", tc.v, tc.d, err, tc.bad)
		}
	}
}

// ParseAndVerify reports every independent error: a bad matmul, a bad
// add and a return of the wrong type, in the order of the text.
func TestParseAndVerifyReportsEveryError(t *testing.T) {
	src := `func @f(%x: f32[2,3] data, %w: f32[4,5] param, %b: f32[7] param) -> (f32[], f32[]) {
  %1 = matmul %x, %w : f32[2,5]
  %2 = add %1, %b : f32[2,5]
  return %2
}

func @g(%x: f32[2] data) -> (f32[3]) {
  %y = neg %x : f32[2]
  return %y
}
`
	_, err := ParseAndVerify("bad.pf", []byte(src), ParseOptions{})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T), want an ErrorList", err, err)
	}
	want := []string{
		"bad.pf:2:3: %1 = matmul: contracted dimensions differ",
		"bad.pf:3:3: %2 = add: shapes [2,5], [7] do not broadcast",
		"bad.pf:4:3: return has 1 values, but @f declares 2 results",
		"bad.pf:9:10: return value %y has type f32[2], but @g declares result 0 as f32[3]",
	}
	if len(list) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(list[i].Error(), w) {
			t.Errorf("error %d: %q, want it to start with %q", i, list[i], w)
		}
	}
	// Parse still stops at the return.
	if _, err := Parse("bad.pf", []byte(src)); err == nil || !strings.Contains(err.Error(), "4:3: return has 1 values") {
		t.Errorf("Parse: %v", err)
	}
	// A syntax error comes alone, as a ParseError.
	var pe *ParseError
	if _, err := ParseAndVerify("x.pf", []byte("func @f() -> () {\n  %1 = nop\n  return\n}\n"), ParseOptions{}); !errors.As(err, &pe) {
		t.Errorf("syntax error: %v (%T), want a *ParseError", err, err)
	}
	// A valid file gives its module.
	m, err := ParseAndVerify("ok.pf", []byte("func @f(%x: f32[] data) -> (f32[]) {\n  return %x\n}\n"), ParseOptions{})
	if err != nil || len(m.Funcs) != 1 {
		t.Errorf("valid file: %v, %v", m, err)
	}
}
