package builder

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/pushforward/pushforward/ir"
)

// A Builder builds one ir.Func. Its methods append instructions and return
// the values they define. The zero Builder is not usable; call New.
//
// Errors are sticky: the first error (a shape or type error, a nil or
// foreign operand, a bad name) is recorded with the op, the operand types
// and the caller's file:line; after it every method does nothing and
// returns nil, and Build returns the error. Code that builds a graph can
// therefore chain calls freely and check once, at Build.
//
// A Builder is not safe for concurrent use.
type Builder struct {
	f     *ir.Func
	err   error
	built bool

	// names maps every user-given name (parameters and named values) to
	// its value; automatic names are decimal numbers and never collide.
	names map[string]*ir.Value
	// owned is the set of values defined by this builder.
	owned map[*ir.Value]bool
	// auto is the set of values whose name was chosen by the builder.
	auto map[*ir.Value]bool
	// w appends the instructions; its names are numbers, which user
	// names cannot be.
	w *ir.Writer

	inits map[string]Initializer
}

// New returns a Builder for a function named name, which must match
// [A-Za-z_][A-Za-z0-9_.]*.
func New(name string) *Builder {
	b := &Builder{
		f:     ir.NewFunc(name),
		names: map[string]*ir.Value{},
		owned: map[*ir.Value]bool{},
		auto:  map[*ir.Value]bool{},
	}
	b.w = ir.NewWriter(b.f, nil)
	pos := callerPos()
	b.f.Pos = pos
	if !validName(name) {
		b.fail(pos, "new", nil, fmt.Errorf("invalid function name %q (want [A-Za-z_][A-Za-z0-9_.]*)", name))
	}
	return b
}

// Err returns the first error recorded by the builder, or nil.
func (b *Builder) Err() error { return b.err }

// Errorf records an error at the caller's position (the first stack frame
// outside the builder packages and functions marked by Helper), unless an
// error is already recorded. Layer libraries use it to report bad
// arguments the way the builder reports its own.
func (b *Builder) Errorf(format string, args ...any) {
	if b.err != nil {
		return
	}
	b.fail(callerPos(), "", nil, fmt.Errorf(format, args...))
}

// Data adds a parameter with role data (inputs, labels) of the given dtype
// and dimensions.
func (b *Builder) Data(name string, dtype ir.DType, dims ...int) *ir.Value {
	return b.input(callerPos(), name, ir.TensorOf(dtype, dims...), ir.Data)
}

// Param adds a trainable parameter (role param) of a floating-point dtype,
// without an initializer: give it one with SetInit, or use ParamInit.
func (b *Builder) Param(name string, dtype ir.DType, dims ...int) *ir.Value {
	return b.input(callerPos(), name, ir.TensorOf(dtype, dims...), ir.Param)
}

// State adds a parameter with role state: carried between training steps
// but not trained (step counters, RNG keys, running statistics).
func (b *Builder) State(name string, dtype ir.DType, dims ...int) *ir.Value {
	return b.input(callerPos(), name, ir.TensorOf(dtype, dims...), ir.State)
}

// Input adds a parameter of type t and the given role.
func (b *Builder) Input(name string, t ir.Type, role ir.Role) *ir.Value {
	return b.input(callerPos(), name, t, role)
}

func (b *Builder) input(pos ir.Pos, name string, t ir.Type, role ir.Role) *ir.Value {
	what := role.String()
	if !b.usable(pos, what) {
		return nil
	}
	if role < ir.Data || role > ir.State {
		b.fail(pos, "input", nil, fmt.Errorf("parameter %q has invalid role %s", name, role))
		return nil
	}
	if err := b.checkNewName(name); err != nil {
		b.fail(pos, what, nil, err)
		return nil
	}
	if err := checkType(t); err != nil {
		b.fail(pos, what, nil, fmt.Errorf("parameter %s: %w", name, err))
		return nil
	}
	if role == ir.Param && !t.DType.IsFloat() {
		b.fail(pos, what, nil, fmt.Errorf("trainable parameter %s has type %s, want f32 or f64", name, t))
		return nil
	}
	v := b.f.AddParam(name, t.WithShape(t.Shape), role)
	v.Pos = pos
	b.names[name] = v
	b.owned[v] = true
	return v
}

// Name gives v the name name, which must match [A-Za-z_][A-Za-z0-9_.]* and
// be unused in the function. Only values computed by instructions can be
// named, once; parameters are named when created.
func (b *Builder) Name(v *ir.Value, name string) {
	b.name(callerPos(), v, name)
}

// Named is Name with the arguments the other way round, returning v, for
// use inside expressions: loss := b.Named("loss", b.SoftmaxXent(z, t)).
func (b *Builder) Named(name string, v *ir.Value) *ir.Value {
	if !b.name(callerPos(), v, name) {
		return nil
	}
	return v
}

func (b *Builder) name(pos ir.Pos, v *ir.Value, name string) bool {
	if !b.usable(pos, "name") {
		return false
	}
	if err := b.checkOperands([]*ir.Value{v}); err != nil {
		b.fail(pos, "name", nil, err)
		return false
	}
	switch {
	case v.IsParam():
		b.fail(pos, "name", nil, fmt.Errorf("cannot rename parameter %s to %q", v, name))
		return false
	case !b.auto[v]:
		b.fail(pos, "name", nil, fmt.Errorf("value %s is already named; cannot rename it to %q", v, name))
		return false
	}
	if err := b.checkNewName(name); err != nil {
		b.fail(pos, "name", nil, err)
		return false
	}
	delete(b.auto, v)
	v.Name = name
	b.names[name] = v
	return true
}

// Return sets the function's results. It must be called exactly once,
// with at least one value.
func (b *Builder) Return(results ...*ir.Value) {
	pos := callerPos()
	if !b.usable(pos, "return") {
		return
	}
	if b.f.Results != nil {
		b.fail(pos, "return", nil, errors.New("Return called twice"))
		return
	}
	if len(results) == 0 {
		b.fail(pos, "return", nil, errors.New("no results"))
		return
	}
	if err := b.checkOperands(results); err != nil {
		b.fail(pos, "return", nil, err)
		return
	}
	b.f.Results = append([]*ir.Value{}, results...)
}

// Build finishes the function and returns it after running the verifier.
// Values the user did not name are numbered %1, %2, ... in definition
// order. After Build the builder accepts no further calls (they record an
// error); Build may be called again and returns the same result.
func (b *Builder) Build() (*ir.Func, error) {
	pos := callerPos()
	if b.built {
		if b.err != nil {
			return nil, b.err
		}
		return b.f, nil
	}
	if b.err != nil {
		return nil, b.err
	}
	if len(b.f.Results) == 0 {
		b.fail(pos, "build", nil, fmt.Errorf("function @%s returns nothing (call Return)", b.f.Name))
		return nil, b.err
	}
	b.built = true
	n := 0
	for _, in := range b.f.Body {
		for _, r := range in.Results {
			if b.auto[r] {
				n++
				r.Name = strconv.Itoa(n)
			}
		}
	}
	if err := ir.Verify(b.f); err != nil {
		b.err = &Error{Pos: pos, Op: "build", Err: fmt.Errorf("verify @%s: %w", b.f.Name, err)}
		return nil, b.err
	}
	return b.f, nil
}

// usable reports whether the builder can take a call, recording an error
// for a call after Build.
func (b *Builder) usable(pos ir.Pos, what string) bool {
	if b.err != nil {
		return false
	}
	if b.built {
		b.fail(pos, what, nil, fmt.Errorf("builder for @%s used after Build", b.f.Name))
		return false
	}
	return true
}

func (b *Builder) fail(pos ir.Pos, what string, operands []ir.Type, err error) {
	if b.err == nil {
		b.err = &Error{Pos: pos, Op: what, Operands: operands, Err: err}
	}
}

func (b *Builder) checkNewName(name string) error {
	if !validName(name) {
		return fmt.Errorf("invalid name %q (want [A-Za-z_][A-Za-z0-9_.]*)", name)
	}
	if prev, dup := b.names[name]; dup {
		return fmt.Errorf("name %q already used (by the value made at %s)", name, shortPos(prev.Pos))
	}
	return nil
}

// checkOperands reports a nil value or a value of another builder.
func (b *Builder) checkOperands(args []*ir.Value) error {
	for i, a := range args {
		switch {
		case a == nil:
			return fmt.Errorf("operand %d is nil", i+1)
		case !b.owned[a]:
			return fmt.Errorf("operand %d (%s: %s, made at %s) belongs to another builder", i+1, a, a.Type, shortPos(a.Pos))
		}
	}
	return nil
}

// emit appends an instruction applying op through the writer, which
// infers its result types with ir.InferTypes (declared holds the requested
// result types of ops that take them from the declaration, and checks
// them for the others) and numbers its results. It returns the results, or
// nil after an error.
func (b *Builder) emit(op ir.Op, args []*ir.Value, attrs ir.Attrs, declared []ir.Type, region *ir.Region) []*ir.Value {
	if b.err != nil {
		return nil
	}
	pos := callerPos()
	if !b.usable(pos, op.String()) {
		return nil
	}
	if err := b.checkOperands(args); err != nil {
		b.fail(pos, op.String(), nil, err)
		return nil
	}
	for _, t := range declared {
		if err := checkType(t); err != nil {
			b.fail(pos, op.String(), ir.TypesOf(args), err)
			return nil
		}
	}
	in, err := b.w.At(pos).Add(op, args, attrs, declared...)
	if err != nil {
		var ee *ir.EmitError
		if errors.As(err, &ee) {
			b.fail(pos, op.String(), ee.Operands, ee.Err)
		} else {
			b.fail(pos, op.String(), nil, err)
		}
		return nil
	}
	in.Region = region
	for _, r := range in.Results {
		b.owned[r] = true
		b.auto[r] = true
	}
	return in.Results
}

// emit1 is emit for ops with one result.
func (b *Builder) emit1(op ir.Op, args []*ir.Value, attrs ir.Attrs, declared ...ir.Type) *ir.Value {
	rs := b.emit(op, args, attrs, declared, nil)
	if rs == nil {
		return nil
	}
	return rs[0]
}

// Emit appends an instruction applying any op of the table, so a Builder
// is an ir.Emitter. results are the declared result types: required by
// the ops that take their type from the declaration (constant, full,
// rng_*, cast, reshape, broadcast_to, argmin), optional for the others,
// for which they are checked against the inferred types. Emit cannot
// attach a region; use Argmin for declarative ops.
func (b *Builder) Emit(op ir.Op, args []*ir.Value, attrs ir.Attrs, results ...ir.Type) []*ir.Value {
	if b.err != nil {
		return nil
	}
	if op.Info().HasRegion {
		b.fail(callerPos(), op.String(), nil, errors.New("ops with a region cannot be emitted without one; use Argmin"))
		return nil
	}
	return b.emit(op, args, attrs, results, nil)
}

var _ ir.Emitter = (*Builder)(nil)

// An Error is an error recorded by a Builder: what went wrong, in which op
// (or builder method), with which operand types, and where the builder was
// called.
type Error struct {
	// Pos is the caller's position; Pos.File is the full path.
	Pos ir.Pos
	// Op is the op or builder method, e.g. "matmul", "param", "return".
	Op string
	// Operands are the operand types, for type errors.
	Operands []ir.Type
	Err      error
}

// Error formats the error as "file.go:line: op: message (operands ...)",
// with the base name of the file.
func (e *Error) Error() string {
	var s strings.Builder
	if e.Pos.IsValid() {
		s.WriteString(shortPos(e.Pos))
		s.WriteString(": ")
	}
	if e.Op != "" {
		s.WriteString(e.Op)
		s.WriteString(": ")
	}
	s.WriteString(e.Err.Error())
	if len(e.Operands) > 0 {
		s.WriteString(" (operands ")
		s.WriteString(ir.FormatTypes(e.Operands))
		s.WriteString(")")
	}
	return s.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// shortPos formats p as "file.go:line" with the base name of the file.
func shortPos(p ir.Pos) string {
	if !p.IsValid() {
		return "-"
	}
	return filepath.Base(p.File) + ":" + strconv.Itoa(p.Line)
}

// validName reports whether s matches [A-Za-z_][A-Za-z0-9_.]*: a valid IR
// name that is not a decimal number (those are the builder's).
func validName(s string) bool {
	return s != "" && !('0' <= s[0] && s[0] <= '9') && ir.ValidName(s)
}

// checkType reports an invalid dtype or a negative dimension.
func checkType(t ir.Type) error {
	if !t.DType.Valid() {
		return fmt.Errorf("invalid dtype %s", t.DType)
	}
	if _, ok := t.Shape.NumElements(); !ok {
		return fmt.Errorf("type %s has a negative dimension or too many elements", t)
	}
	return nil
}

// Positions.

// pkgPath is this package's import path; frames of functions in it and in
// its subpackages (builder/nn) are skipped when finding the caller.
var pkgPath = reflect.TypeFor[Builder]().PkgPath()

// helpers holds the names of functions marked by Helper.
var helpers sync.Map

// Helper marks the calling function as a graph-building helper, like
// testing.T.Helper: positions recorded by a builder skip its frames, so a
// layer written outside package builder/nn reports the line that called
// it rather than a line inside it.
func Helper() {
	var pc [1]uintptr
	if runtime.Callers(2, pc[:]) == 0 {
		return
	}
	fr, _ := runtime.CallersFrames(pc[:]).Next()
	helpers.Store(fr.Function, true)
}

// internal reports whether the frames of function fn are skipped when
// looking for the position of a builder call.
func internal(fn string) bool {
	if rest, ok := strings.CutPrefix(fn, pkgPath); ok {
		// "builder.F", "builder.(*Builder).M", "builder/nn.Linear", but
		// not "builder_test.TestX".
		if strings.HasPrefix(rest, ".") {
			return true
		}
		if sub, ok := strings.CutPrefix(rest, "/"); ok {
			pkg, _, _ := strings.Cut(sub, ".")
			if !strings.HasSuffix(pkg, "_test") {
				return true
			}
		}
	}
	_, ok := helpers.Load(fn)
	return ok
}

// callerPos returns the file and line of the first stack frame outside the
// builder packages and the functions marked by Helper.
func callerPos() ir.Pos {
	pcs := make([]uintptr, 32)
	for {
		n := runtime.Callers(2, pcs)
		frames := runtime.CallersFrames(pcs[:n])
		for {
			fr, more := frames.Next()
			if fr.Function != "" && !internal(fr.Function) {
				return ir.Pos{File: fr.File, Line: fr.Line}
			}
			if !more {
				break
			}
		}
		if n < len(pcs) {
			return ir.Pos{}
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
}
