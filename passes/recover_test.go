package passes_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

const expSrc = `func @f(%x: f64[3] param) -> (f64[]) {
  %y = exp %x : f64[3]
  %s = reduce_sum %y : f64[]
  return %s
}`

// A panic in a derivative rule becomes an error that names the pass and
// the instruction, with the stack and the function for the report; the
// caller does not crash.
func TestRunRecoversPanicInRule(t *testing.T) {
	f := parseVerified(t, expSrc)
	defer passes.WithPanickingJVP(ir.OpExp, "rule bug")()
	for _, pass := range []string{"jvp", "vjp"} {
		_, err := passes.Run(f, []string{pass}, passes.Options{})
		var pe *passes.PanicError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: got %v, want a *PanicError", pass, err)
		}
		if pe.Pass != pass || pe.Instr == nil || pe.Instr.Op != ir.OpExp || pe.Value != "rule bug" {
			t.Errorf("%s: PanicError{Pass: %q, Instr: %v, Value: %v}", pass, pe.Pass, pe.Instr, pe.Value)
		}
		msg := err.Error()
		for _, want := range []string{
			"internal error: pass " + pass + " panicked at 2:3: %y = exp %x : f64[3]: rule bug",
			"WithPanickingJVP", // the stack reaches the panic
			"function given to pass " + pass + ":\n" + f.String(),
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: the report lacks %q:\n%s", pass, want, msg)
			}
		}
	}
}

// A panic outside any instruction names the pass alone; the function the
// pass was given is the one before it, not the pass's partial work.
func TestRunRecoversPanicInPass(t *testing.T) {
	f := parseVerified(t, expSrc)
	defer passes.WithPass(passes.Pass{Name: "broken", Run: func(f *ir.Func, _ *passes.Options) (*ir.Func, error) {
		f.Body = f.Body[:1]
		var none []int
		_ = none[len(f.Body)] // index out of range
		return f, nil
	}})()
	_, err := passes.Run(f, []string{"dce", "broken"}, passes.Options{})
	var pe *passes.PanicError
	if !errors.As(err, &pe) || pe.Pass != "broken" || pe.Instr != nil {
		t.Fatalf("got %v", err)
	}
	var re interface{ RuntimeError() }
	if !errors.As(err, &re) {
		t.Errorf("the error does not unwrap to the runtime error: %v", pe.Value)
	}
	if !strings.HasPrefix(err.Error(), "internal error: pass broken panicked: runtime error: index out of range") ||
		!strings.Contains(err.Error(), "function given to pass broken:\n"+f.String()) {
		t.Errorf("report:\n%s", err)
	}
	if len(f.Body) != 2 {
		t.Errorf("Run modified its input")
	}
}
