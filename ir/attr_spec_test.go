package ir

import "testing"

// Every default of the op table has its attribute's kind, and required
// attributes have none.
func TestAttrDefaultsMatchTheirSpecs(t *testing.T) {
	for _, op := range AllOps() {
		for _, spec := range op.Info().Attrs {
			switch {
			case spec.Required && spec.Default != nil:
				t.Errorf("%s: required attribute %s has a default", op, spec.Name)
			case spec.Default != nil && !kindMatches(spec.Kind, spec.Default):
				t.Errorf("%s: default %s=%s is not %s", op, spec.Name, spec.Default, spec.Kind)
			}
		}
	}
}

func TestAttrAccessorsReadDefaults(t *testing.T) {
	x := &Value{Name: "x", Type: TensorOf(F32, 2, 3)}
	softmax := &Instr{Op: OpSoftmax, Args: []*Value{x}}
	if axis, err := softmax.AxisAttr(2); err != nil || axis != 1 {
		t.Errorf("softmax axis: %d, %v; want the default -1 as 1", axis, err)
	}
	gather := &Instr{Op: OpGather, Args: []*Value{x, x}}
	if axis, err := gather.AxisAttr(2); err != nil || axis != 0 {
		t.Errorf("gather axis: %d, %v; want the default 0", axis, err)
	}
	solve := &Instr{Op: OpTriangularSolve, Attrs: Attrs{"lower": Bool(false)}}
	lower, err1 := solve.BoolAttr("lower")
	left, err2 := solve.BoolAttr("left")
	if lower || !left || err1 != nil || err2 != nil {
		t.Errorf("triangular_solve lower=%t (%v) left=%t (%v); want false as given, true by default", lower, err1, left, err2)
	}
	if n, err := (&Instr{Op: OpArgmin}).IntAttr("max_iter"); err != nil || n != 1000 {
		t.Errorf("argmin max_iter: %d, %v", n, err)
	}
	for _, tc := range []struct {
		in   *Instr
		get  func(*Instr) error
		want string
	}{
		{&Instr{Op: OpOneHot}, func(in *Instr) error { _, err := in.IntAttr("depth"); return err }, `missing attribute "depth"`},
		{&Instr{Op: OpConcat, Attrs: Attrs{"axis": Int(2)}}, func(in *Instr) error { _, err := in.AxisAttr(2); return err }, "axis 2 out of range for rank 2"},
		{&Instr{Op: OpConcat, Attrs: Attrs{"axis": Uint(1 << 63)}}, func(in *Instr) error { _, err := in.AxisAttr(2); return err }, "attribute axis=9223372036854775808 is out of range"},
		{&Instr{Op: OpMatmul, Attrs: Attrs{"transpose_a": Int(1)}}, func(in *Instr) error { _, err := in.BoolAttr("transpose_a"); return err }, "attribute transpose_a=1 is not a boolean"},
	} {
		if err := tc.get(tc.in); err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.in.Op, err, tc.want)
		}
	}
}
