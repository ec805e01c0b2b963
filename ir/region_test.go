package ir

import (
	"strings"
	"testing"
)

// regionSrc is an argmin with a constraint and every derived function,
// as the implicit pass leaves it.
const regionSrc = `func @f(%a: f64[2] data) -> (f64[2]) {
  %x = argmin %a {init=[0], solver="sqp"} region {
    func @obj(%x: f64[2] param, %a: f64[2] data) -> (f64[]) {
      %d = sub %x, %a : f64[2]
      %s = reduce_sum %d : f64[]
      return %s
    }
    func @c(%x: f64[2] param, %a: f64[2] data) -> (f64[]) {
      %s = reduce_sum %x : f64[]
      return %s
    }
    func @obj.grad(%x: f64[2] param, %a: f64[2] data) -> (f64[2]) {
      return %x
    }
    func @obj.hvp(%x: f64[2] param, %a: f64[2] data, %v: f64[2] data) -> (f64[2]) {
      return %v
    }
    func @c.jvp(%x: f64[2] param, %a: f64[2] data, %v: f64[2] data) -> (f64[]) {
      %s = reduce_sum %v : f64[]
      return %s
    }
    func @c.vjp(%x: f64[2] param, %a: f64[2] data, %w: f64[] data) -> (f64[2]) {
      return %x
    }
    func @c.hvp(%x: f64[2] param, %a: f64[2] data, %w: f64[] data, %v: f64[2] data) -> (f64[2]) {
      return %v
    }
  } : f64[2]
  return %x
}
`

func TestSplitArgmin(t *testing.T) {
	f, err := ParseFunc(regionSrc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(f); err != nil {
		t.Fatal(err)
	}
	a, err := SplitArgmin(f.Body[0].Region)
	if err != nil {
		t.Fatal(err)
	}
	if a.Objective.Name != "obj" || len(a.Constraints) != 1 || a.Grad.Name != "obj.grad" || a.HVP.Name != "obj.hvp" ||
		a.ConstraintJVP[0].Name != "c.jvp" || a.ConstraintVJP[0].Name != "c.vjp" || a.ConstraintHVP[0].Name != "c.hvp" || !a.Derived() {
		t.Errorf("split wrongly: %+v", a)
	}
	var names []string
	for _, fn := range a.Funcs() {
		names = append(names, fn.Name)
	}
	if got := strings.Join(names, " "); got != "obj c obj.grad obj.hvp c.jvp c.vjp c.hvp" {
		t.Errorf("canonical order %s", got)
	}
	r := f.Body[0].Region
	r.Funcs = append(r.Funcs, r.Funcs[2].Clone())
	if _, err := SplitArgmin(r); err == nil || !strings.Contains(err.Error(), "region function @obj.grad given twice") {
		t.Errorf("a derived function given twice: %v", err)
	}
}

// The verifier checks every derived function's signature, the
// attributes that refer to variables and operands, and linear_solve's
// matvec.
func TestVerifyDeclarativeRegions(t *testing.T) {
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"grad results", "func @obj.grad(%x: f64[2] param, %a: f64[2] data) -> (f64[2]) {\n      return %x",
			"func @obj.grad(%x: f64[2] param, %a: f64[2] data) -> (f64[2], f64[2]) {\n      return %x, %x",
			"region function @obj.grad returns (f64[2], f64[2]), want (f64[2])"},
		{"hvp params", "func @obj.hvp(%x: f64[2] param, %a: f64[2] data, %v: f64[2] data) -> (f64[2]) {\n      return %v",
			"func @obj.hvp(%x: f64[2] param, %a: f64[2] data, %v: f64[3] data) -> (f64[2]) {\n      return %x",
			"region function @obj.hvp takes (f64[2], f64[2], f64[3]), want the variables, the operands, then a vector like the variables (f64[2], f64[2], f64[2])"},
		{"vjp cotangent", "%a: f64[2] data, %w: f64[] data) -> (f64[2]) {\n      return %x", "%a: f64[2] data, %w: f64[2] data) -> (f64[2]) {\n      return %x",
			"region function @c.vjp takes (f64[2], f64[2], f64[2]), want the variables, the operands, then a cotangent like the constraint (f64[2], f64[2], f64[])"},
		{"init", "init=[0]", "init=[3]", "init[0] = 3 is not an operand index (the argmin has 1)"},
		{"stiefel", "init=[0]", "stiefel=[0]", "stiefel variable %x has type f64[2], want a tall or square matrix"},
		{"damping", "init=[0]", "damping=-1", "damping=-1 must not be negative"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(regionSrc, c.old) {
				t.Fatalf("no %q in the source", c.old)
			}
			f, err := ParseFunc(strings.Replace(regionSrc, c.old, c.new, 1))
			if err != nil {
				t.Fatal(err)
			}
			err = Verify(f)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestVerifyLinearSolve(t *testing.T) {
	src := `func @f(%b: f64[3,2] data, %m: f64[] data) -> (f64[3,2]) {
  %x = linear_solve %b, %m region {
    func @mv(%v: f64[2] data, %m: f64[] data) -> (f64[2]) {
      %r = mul %v, %m : f64[2]
      return %r
    }
  } : f64[3,2]
  return %x
}`
	f, err := ParseFunc(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(f); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ old, new, want string }{
		{"%v: f64[2] data", "%v: f64[3] data", "right-hand side f64[3,2] is not a batch of the matvec's vectors f64[3]"},
		{"%m: f64[] data) -> (f64[2])", "%m: f64[2] data) -> (f64[2])", "parameter %m has type f64[2], operand 1 is f64[]"},
	} {
		f, err := ParseFunc(strings.Replace(src, c.old, c.new, 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
