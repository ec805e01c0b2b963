package ir

import (
	"fmt"
	"strings"
)

// An Error is one problem the verifier found. It names the function, the
// value and op concerned, and the source position (line:col in IR text, or
// the builder call's file:line).
type Error struct {
	Pos   Pos
	Func  string
	Value string // "%name", or "" for function-level errors
	Op    Op
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos.IsValid() {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	switch {
	case e.Value != "" && e.Op.Valid():
		fmt.Fprintf(&b, "%s = %s: ", e.Value, e.Op)
	case e.Value != "":
		fmt.Fprintf(&b, "%s: ", e.Value)
	case e.Func != "":
		fmt.Fprintf(&b, "func @%s: ", e.Func)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every error the verifier found, in program order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns l as an error, or nil if l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Verify checks that f is well formed: names are valid and unique, every
// value is defined once before its uses, every instruction has the operand
// count, attributes and result types its op's rules demand, regions are
// well formed, and the results are defined; in a function that records a
// memory plan (PlanAttr), that the plan is sound (CheckPlan). It reports
// every error it finds as an ErrorList.
func Verify(f *Func) error {
	v := &verifier{}
	v.verifyFunc(f)
	return v.errs.Err()
}

// VerifyModule verifies every function of m and checks that function names
// are unique.
func VerifyModule(m *Module) error {
	v := &verifier{}
	if len(m.Funcs) == 0 {
		v.errs = append(v.errs, &Error{Msg: "module has no functions"})
	}
	seen := map[string]bool{}
	for _, f := range m.Funcs {
		if seen[f.Name] {
			v.errs = append(v.errs, &Error{Pos: f.Pos, Func: f.Name, Msg: "function redefined"})
		}
		seen[f.Name] = true
		v.verifyFunc(f)
	}
	return v.errs.Err()
}

type verifier struct {
	errs ErrorList
}

// vscope is the set of values visible in one function body.
type vscope struct {
	f       *Func
	defined map[*Value]bool
	names   map[string]*Value
}

func (v *verifier) errorf(pos Pos, f *Func, val string, op Op, format string, args ...any) {
	v.errs = append(v.errs, &Error{Pos: pos, Func: f.Name, Value: val, Op: op, Msg: fmt.Sprintf(format, args...)})
}

func (v *verifier) verifyFunc(f *Func) {
	if f == nil {
		v.errs = append(v.errs, &Error{Msg: "nil function"})
		return
	}
	if !ValidName(f.Name) {
		v.errorf(f.Pos, f, "", OpInvalid, "invalid function name %q", f.Name)
	}
	s := &vscope{f: f, defined: map[*Value]bool{}, names: map[string]*Value{}}
	before := len(v.errs)
	for i, p := range f.Params {
		v.verifyParam(s, i, p)
	}
	for _, in := range f.Body {
		v.verifyInstr(s, in)
	}
	v.verifyResults(s)
	if len(v.errs) == before {
		// A memory plan is checked once the function itself is sound.
		v.errs = append(v.errs, planErrors(f)...)
	}
}

func (v *verifier) verifyParam(s *vscope, i int, p *Value) {
	if p == nil {
		v.errorf(s.f.Pos, s.f, "", OpInvalid, "parameter %d is nil", i)
		return
	}
	if p.Def != nil || p.Index != i {
		v.errorf(p.Pos, s.f, p.String(), OpInvalid, "parameter %d is not marked as parameter %d", i, i)
	}
	if p.Role < Data || p.Role > State {
		v.errorf(p.Pos, s.f, p.String(), OpInvalid, "parameter has no role (want data, param or state)")
	}
	if err := checkType(p.Type); err != nil {
		v.errorf(p.Pos, s.f, p.String(), OpInvalid, "%v", err)
	}
	v.define(s, p)
}

// define records that val is defined, reporting bad or duplicate names.
func (v *verifier) define(s *vscope, val *Value) {
	if !ValidName(val.Name) {
		v.errorf(val.Pos, s.f, val.String(), val.Op(), "invalid value name %q", val.Name)
	}
	if prev, dup := s.names[val.Name]; dup {
		v.errorf(val.Pos, s.f, val.String(), val.Op(), "value redefined (first defined at %s)", prev.Pos)
	} else {
		s.names[val.Name] = val
	}
	s.defined[val] = true
}

func (v *verifier) verifyInstr(s *vscope, in *Instr) {
	if in == nil {
		v.errorf(s.f.Pos, s.f, "", OpInvalid, "nil instruction")
		return
	}
	name := instrName(in)
	pos := in.Pos
	if !pos.IsValid() && len(in.Results) > 0 && in.Results[0] != nil {
		pos = in.Results[0].Pos
	}
	fail := func(format string, args ...any) {
		v.errorf(pos, s.f, name, in.Op, format, args...)
	}
	if !in.Op.Valid() {
		fail("unknown op %s", in.Op)
		return
	}
	operandsOK := v.verifyOperands(s, in, fail)
	info := in.Op.Info()
	if n := len(in.Results); n == 0 || (info.Results > 0 && n != info.Results) {
		fail("declares %d results, %s has %d", n, in.Op, info.Results)
	}
	resultsOK := true
	for i, r := range in.Results {
		if r == nil || r.Def != in || r.Index != i {
			fail("result %d is not linked to its instruction", i)
			resultsOK = false
			continue
		}
		if err := checkType(r.Type); err != nil {
			fail("result %s: %v", r, err)
			resultsOK = false
		}
	}
	v.verifyRegion(s, in, fail)
	if operandsOK && resultsOK {
		v.verifyTypes(in, fail)
	}
	for _, r := range in.Results {
		if r != nil {
			v.define(s, r)
		}
	}
}

// verifyOperands checks that each operand is defined earlier in the same
// function. It reports whether all are.
func (v *verifier) verifyOperands(s *vscope, in *Instr, fail func(string, ...any)) bool {
	ok := true
	for i, a := range in.Args {
		switch {
		case a == nil:
			fail("operand %d is nil", i)
			ok = false
		case !s.defined[a]:
			if other, found := s.names[a.Name]; found && other != a {
				fail("operand %s is a value of another function", a)
			} else {
				fail("operand %s is used before its definition or not defined in @%s", a, s.f.Name)
			}
			ok = false
		}
	}
	return ok
}

func (v *verifier) verifyTypes(in *Instr, fail func(string, ...any)) {
	declared := in.ResultTypes()
	inferred, err := InferTypes(in.Op, in.ArgTypes(), in.Attrs, declared)
	operands := "(operands " + joinTypes(in.ArgTypes()) + ")"
	if len(in.Args) == 0 {
		operands = ""
	}
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fail("%s %s", line, operands)
		}
		return
	}
	if len(inferred) != len(declared) {
		fail("declares %d results, the op gives %d", len(declared), len(inferred))
		return
	}
	for i := range declared {
		if !declared[i].Equal(inferred[i]) {
			fail("declared result type %s, but the operands give %s %s", declared[i], inferred[i], operands)
		}
	}
}

func (v *verifier) verifyRegion(s *vscope, in *Instr, fail func(string, ...any)) {
	info := in.Op.Info()
	switch {
	case info.HasRegion && in.Region == nil:
		fail("%s needs a region", in.Op)
		return
	case !info.HasRegion && in.Region != nil:
		fail("%s takes no region", in.Op)
		return
	case in.Region == nil:
		return
	}
	if len(in.Region.Funcs) == 0 {
		fail("region has no functions")
		return
	}
	for _, rf := range in.Region.Funcs {
		v.verifyFunc(rf)
	}
	switch in.Op {
	case OpArgmin:
		verifyArgminRegion(in, fail)
	case OpLinearSolve:
		verifyLinearSolveRegion(in, fail)
	case OpFused:
		v.verifyFused(in, fail)
	}
}

func (v *verifier) verifyResults(s *vscope) {
	for i, r := range s.f.Results {
		switch {
		case r == nil:
			v.errorf(s.f.Pos, s.f, "", OpInvalid, "result %d is nil", i)
		case !s.defined[r]:
			v.errorf(s.f.Pos, s.f, "", OpInvalid, "result %d (%s) is not defined in @%s", i, r, s.f.Name)
		}
	}
}

func instrName(in *Instr) string {
	names := make([]string, 0, len(in.Results))
	for _, r := range in.Results {
		if r != nil {
			names = append(names, r.String())
		}
	}
	return strings.Join(names, ", ")
}

// TypesEqual reports whether a and b hold equal types in the same order.
func TypesEqual(a, b []Type) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// checkType reports an invalid dtype, a negative dimension or an element
// count that overflows.
func checkType(t Type) error {
	if !t.DType.Valid() {
		return fmt.Errorf("invalid dtype in type %s", t)
	}
	if _, ok := t.Shape.NumElements(); !ok {
		return fmt.Errorf("type %s has a negative dimension or too many elements", t)
	}
	return nil
}

// ValidName reports whether s is a valid function or value name:
// [A-Za-z_][A-Za-z0-9_.]* or a decimal number.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	if isNameDigit(s[0]) {
		for i := 0; i < len(s); i++ {
			if !isNameDigit(s[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isNameLetter(c) || (i > 0 && (isNameDigit(c) || c == '.'))) {
			return false
		}
	}
	return true
}

func isNameDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isNameLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
