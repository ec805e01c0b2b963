package ir

import (
	"fmt"
	"strconv"
)

// Role says how a function parameter is used by training.
type Role uint8

// The parameter roles.
const (
	InvalidRole Role = iota // invalid
	Data                    // data
	Param                   // param
	State                   // state
)

// roleByName maps the text form of each role to its value.
var roleByName = map[string]Role{"data": Data, "param": Param, "state": State}

// ParseRole returns the role named s ("data", "param" or "state").
func ParseRole(s string) (Role, bool) {
	r, ok := roleByName[s]
	return r, ok
}

// Pos is a source position: a line and column in an IR text file, or the
// file and line of the builder call that created a value.
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p holds a position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as "file:line:col", omitting the parts it lacks.
func (p Pos) String() string {
	s := p.File
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line)
		if p.Col > 0 {
			s += ":" + strconv.Itoa(p.Col)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// A Value is an SSA value: a function parameter or a result of an Instr.
type Value struct {
	// Name is the value's name without the leading '%'. Names are unique
	// within a Func; the printer invents none and the parser keeps them.
	Name string
	Type Type

	// Def is the instruction that defines the value; nil for parameters.
	Def *Instr
	// Index is the value's position among Def's results, or among the
	// function's parameters for a parameter.
	Index int
	// Role is set for parameters only.
	Role Role
	// Pos is where the value was written or built.
	Pos Pos
}

// IsParam reports whether v is a function parameter.
func (v *Value) IsParam() bool { return v.Def == nil }

// Op returns the op that defines v, or OpInvalid for a parameter.
func (v *Value) Op() Op {
	if v.Def == nil {
		return OpInvalid
	}
	return v.Def.Op
}

// String returns "%name".
func (v *Value) String() string { return "%" + v.Name }

// An Instr applies an op to its arguments and defines its results.
type Instr struct {
	Op      Op
	Args    []*Value
	Attrs   Attrs
	Results []*Value
	// Region holds the nested functions of a declarative op, or nil.
	Region *Region
	Pos    Pos
	// Comments are the source comments of the statement.
	Comments Comments
}

// Result returns the instruction's only result; it panics if the
// instruction has several.
func (in *Instr) Result() *Value {
	if len(in.Results) != 1 {
		panic(fmt.Sprintf("ir: %s has %d results", in.Op, len(in.Results)))
	}
	return in.Results[0]
}

// TypesOf returns the types of the values.
func TypesOf(vs []*Value) []Type {
	ts := make([]Type, len(vs))
	for i, v := range vs {
		ts[i] = v.Type
	}
	return ts
}

// ArgTypes returns the types of the arguments.
func (in *Instr) ArgTypes() []Type {
	ts := make([]Type, len(in.Args))
	for i, a := range in.Args {
		ts[i] = a.Type
	}
	return ts
}

// ResultTypes returns the types of the results.
func (in *Instr) ResultTypes() []Type {
	ts := make([]Type, len(in.Results))
	for i, r := range in.Results {
		ts[i] = r.Type
	}
	return ts
}

// A Region is the body of a declarative op: the inner objective and any
// constraint functions, each a Func of its own. The op's attributes name
// the solver.
type Region struct {
	Funcs []*Func
}

// A Func is a function in SSA form.
type Func struct {
	Name    string
	Params  []*Value
	Body    []*Instr
	Results []*Value
	Pos     Pos
	// Marks name values of the function for the passes that come later:
	// the guess pass marks the point after which schedule recomputes.
	// Clone keeps them; they are not part of the text format, so a
	// function read from text has none.
	Marks map[string]*Value
	// Comments are the source comments of the function's header,
	// ReturnComments those of its return statement and Trailing the
	// comment lines between the return and the closing brace.
	Comments       Comments
	ReturnComments Comments
	Trailing       []string
}

// NewFunc returns an empty function named name.
func NewFunc(name string) *Func { return &Func{Name: name} }

// AddParam appends a parameter and returns its value.
func (f *Func) AddParam(name string, t Type, role Role) *Value {
	v := &Value{Name: name, Type: t, Role: role, Index: len(f.Params)}
	f.Params = append(f.Params, v)
	return v
}

// Append adds an instruction applying op to args with the given attributes
// and result types, naming the results names[i]. It does not check the
// instruction; the verifier does.
func (f *Func) Append(op Op, args []*Value, attrs Attrs, results []Type, names []string) *Instr {
	in := &Instr{Op: op, Args: args, Attrs: attrs}
	for i, t := range results {
		in.Results = append(in.Results, &Value{Name: names[i], Type: t, Def: in, Index: i})
	}
	f.Body = append(f.Body, in)
	return in
}

// ResultTypes returns the types of the function's results.
func (f *Func) ResultTypes() []Type {
	ts := make([]Type, len(f.Results))
	for i, r := range f.Results {
		ts[i] = r.Type
	}
	return ts
}

// Param returns the parameter named name, or nil.
func (f *Func) Param(name string) *Value {
	for _, p := range f.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Values calls yield for every parameter and every instruction result,
// in definition order.
func (f *Func) Values(yield func(*Value) bool) {
	for _, p := range f.Params {
		if !yield(p) {
			return
		}
	}
	for _, in := range f.Body {
		for _, r := range in.Results {
			if !yield(r) {
				return
			}
		}
	}
}

// A Module is the contents of one IR file: one or more functions, the
// first of which is the entry point.
type Module struct {
	Funcs []*Func
	// Trailing holds the comment lines after the last function.
	Trailing []string
}

// Func returns the function named name, or nil.
func (m *Module) Func(name string) *Func {
	for _, f := range m.Funcs {
		if f.Name == name {
			return f
		}
	}
	return nil
}
