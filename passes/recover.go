package passes

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// A PanicError is a panic inside a pass, recovered by Run, as the Go
// compiler reports an internal compiler error: it names the pass, the
// instruction the pass was working on where that is known (the derivative
// rules of jvp and vjp record it), and holds what a bug report needs: the
// panic's value and stack, and the function the pass was given.
type PanicError struct {
	Pass  string
	Instr *ir.Instr // the instruction being transformed, or nil
	Value any       // the value the pass panicked with
	Stack string    // the goroutine's stack at the panic
	Func  string    // the function given to the pass, in the text format
}

// Error returns the report: the pass, the instruction, the panic, its
// stack and the function.
func (e *PanicError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "internal error: pass %s panicked", e.Pass)
	if e.Instr != nil {
		fmt.Fprintf(&b, " at %s: %s", e.Instr.Pos, firstLine(safeString(e.Instr.String)))
	}
	fmt.Fprintf(&b, ": %v\n\nPlease report it with the stack and the function below.\n\n%s\nfunction given to pass %s:\n%s", e.Value, e.Stack, e.Pass, e.Func)
	return b.String()
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// instrPanic is a panic value annotated, on its way up, with the
// instruction whose transformation raised it and the stack at the panic.
type instrPanic struct {
	in    *ir.Instr
	value any
	stack []byte
}

// tagPanic, deferred while transforming in, re-raises any panic as an
// instrPanic naming in. A panic already tagged (by a nested
// transformation: argmin's rule differentiates its region) keeps its
// innermost instruction.
func tagPanic(in *ir.Instr) {
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(instrPanic); ok {
		panic(r)
	}
	panic(instrPanic{in: in, value: r, stack: debug.Stack()})
}

// runPass runs pass p on f, turning a panic into a *PanicError. f is the
// pass's own copy; in is the function before the pass, printed only for a
// report.
func runPass(p Pass, f, in *ir.Func, opts *Options) (g *ir.Func, err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		pe := &PanicError{Pass: p.Name, Value: r, Func: safeString(in.String)}
		if ip, ok := r.(instrPanic); ok {
			pe.Instr, pe.Value, pe.Stack = ip.in, ip.value, string(ip.stack)
		} else {
			pe.Stack = string(debug.Stack())
		}
		g, err = nil, pe
	}()
	return p.Run(f, opts)
}

// safeString calls str, which may panic on a malformed function.
func safeString(str func() string) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("(cannot print: %v)", r)
		}
	}()
	return str()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
