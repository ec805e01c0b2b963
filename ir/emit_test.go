package ir_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushforward/pushforward/ir"
)

func writerFunc() (*ir.Func, *ir.Value, *ir.Value) {
	f := ir.NewFunc("f")
	x := f.AddParam("x", ir.TensorOf(ir.F32, 2, 3), ir.Data)
	y := f.AddParam("y", ir.TensorOf(ir.F32, 3), ir.Data)
	return f, x, y
}

// Names: hints where free, else numbers (or prefix.N in a scope), never a
// name already used in the function.
func TestWriterNames(t *testing.T) {
	f, x, y := writerFunc()
	f.Append(ir.OpNeg, []*ir.Value{x}, nil, []ir.Type{x.Type}, []string{"1"})
	w := ir.NewWriter(f, nil)
	var got []string
	emit := func(v []*ir.Value) { got = append(got, v[0].Name) }
	emit(w.Emit(ir.OpAdd, []*ir.Value{x, y}, nil))            // 1 is taken
	emit(w.Named("s").Emit(ir.OpAdd, []*ir.Value{x, y}, nil)) // a free hint
	emit(w.Named("x").Emit(ir.OpAdd, []*ir.Value{x, y}, nil)) // a taken hint
	emit(w.Emit(ir.OpAdd, []*ir.Value{x, y}, nil))            // the hint is used once
	w.Scope("opt")
	emit(w.Emit(ir.OpAdd, []*ir.Value{x, y}, nil))
	emit(w.Emit(ir.OpAdd, []*ir.Value{x, y}, nil))
	want := []string{"2", "s", "3", "4", "opt.1", "opt.2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if err := ir.Verify(withResult(f)); err != nil {
		t.Error(err)
	}
}

func withResult(f *ir.Func) *ir.Func {
	f.Results = []*ir.Value{f.Body[len(f.Body)-1].Results[0]}
	return f
}

// Rename and Label touch only values made in the current scope, and only
// to free names.
func TestWriterRename(t *testing.T) {
	f, x, y := writerFunc()
	w := ir.NewWriter(f, nil)
	old := w.Emit(ir.OpAdd, []*ir.Value{x, y}, nil)[0]
	w.Scope("w1")
	v := w.Emit(ir.OpMul, []*ir.Value{x, y}, nil)[0]
	u := w.Emit(ir.OpMul, []*ir.Value{x, y}, nil)[0]
	cases := []struct {
		v    *ir.Value
		name string
		ok   bool
	}{
		{old, "old", false}, // an earlier scope
		{x, "xx", false},    // a parameter
		{v, "y", false},     // taken
		{v, "9a", false},    // invalid
		{v, "v", true},
		{u, "v", false}, // taken now
	}
	for _, c := range cases {
		if ok := w.Rename(c.v, c.name); ok != c.ok {
			t.Errorf("Rename(%s, %q) = %t, want %t", c.v, c.name, ok, c.ok)
		}
	}
	w.Label(u, "denom")
	if u.Name != "w1.denom" {
		t.Errorf("Label: %s, want %%w1.denom", u)
	}
}

// Errors: Add returns an *EmitError with the op and operand types; Emit
// keeps the first one and then emits nothing.
func TestWriterErrors(t *testing.T) {
	f, x, y := writerFunc()
	w := ir.NewWriter(f, nil)
	cases := []struct {
		op       ir.Op
		args     []*ir.Value
		declared []ir.Type
		want     string
	}{
		{ir.OpMatmul, []*ir.Value{x, x}, nil, "emitting matmul (operands f32[2,3], f32[2,3]): contracted dimensions differ"},
		{ir.OpAdd, []*ir.Value{x, nil}, nil, "emitting add: operand 2 is nil"},
		{ir.OpNeg, []*ir.Value{y}, []ir.Type{ir.Scalar(ir.F32)}, "emitting neg (operands f32[3]): declared result types (f32[]) differ from the inferred ones (f32[3])"},
	}
	for _, c := range cases {
		_, err := w.Add(c.op, c.args, nil, c.declared...)
		var ee *ir.EmitError
		if !errors.As(err, &ee) || ee.Op != c.op || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Add(%s): %v, want an EmitError starting %q", c.op, err, c.want)
		}
	}
	if len(f.Body) != 0 || w.Err() != nil {
		t.Fatalf("failed Adds appended %d instructions, Err %v", len(f.Body), w.Err())
	}
	if r := w.Emit(ir.OpArgmin, nil, nil, y.Type); r != nil || w.Err() == nil || !strings.Contains(w.Err().Error(), "ops with a region cannot be emitted") {
		t.Fatalf("Emit(argmin) = %v, Err %v", r, w.Err())
	}
	first := w.Err()
	if r := w.Emit(ir.OpNeg, []*ir.Value{y}, nil); r != nil || w.Err() != first || len(f.Body) != 0 {
		t.Errorf("Emit after an error: %v, Err %v, %d instructions", r, w.Err(), len(f.Body))
	}
}

// Copy keeps attributes, regions, positions and free names, and owns its
// attributes.
func TestWriterCopy(t *testing.T) {
	m, err := ir.Parse("c.pf", []byte(`func @f(%x: f32[2,3] data) -> (f32[3,2]) {
  %t = transpose %x {perm=[1, 0]} : f32[3,2]
  return %t
}`))
	if err != nil {
		t.Fatal(err)
	}
	src := m.Funcs[0]
	g := ir.NewFunc("g")
	x := g.AddParam("x", src.Params[0].Type, ir.Data)
	w := ir.NewWriter(g, nil)
	c1 := w.Copy(src.Body[0], []*ir.Value{x})
	c2 := w.Copy(src.Body[0], []*ir.Value{x})
	if c1.Results[0].Name != "t" || c2.Results[0].Name != "1" {
		t.Errorf("copies named %s, %s; want %%t, %%1", c1.Results[0], c2.Results[0])
	}
	if c1.Pos != src.Body[0].Pos || c1.Results[0].Pos != src.Body[0].Results[0].Pos {
		t.Errorf("copy at %s, want %s", c1.Pos, src.Body[0].Pos)
	}
	c1.Attrs["perm"] = ir.Ints(0, 1)
	if got := src.Body[0].Attrs["perm"]; !cmp.Equal(got, ir.Ints(1, 0)) {
		t.Errorf("the copy shares its attributes with the source: %v", got)
	}
}

// Writers over separate bodies that share a Namer never give the same
// name twice.
func TestSharedNamer(t *testing.T) {
	f, x, y := writerFunc()
	names := ir.NewNamer(f)
	a := ir.NewWriter(f, names)
	b := ir.NewWriter(&ir.Func{Name: "side"}, names)
	va := a.Emit(ir.OpAdd, []*ir.Value{x, y}, nil)[0]
	vb := b.Emit(ir.OpAdd, []*ir.Value{x, y}, nil)[0]
	if va.Name == vb.Name {
		t.Errorf("both writers named a value %s", va)
	}
	if !names.Used(va.Name) || !names.Used(vb.Name) || names.Claim(vb.Name) {
		t.Errorf("the shared namer does not hold %s and %s", va, vb)
	}
}
