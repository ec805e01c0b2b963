package passes

import (
	"fmt"
	"strconv"

	"github.com/pushforward/pushforward/ir"
)

// namer hands out value names that are unique within one function.
type namer struct {
	used map[string]bool
	next int
}

func newNamer(f *ir.Func) *namer {
	n := &namer{used: map[string]bool{}}
	f.Values(func(v *ir.Value) bool {
		n.used[v.Name] = true
		return true
	})
	return n
}

// fresh returns hint if it is a valid unused name, else a fresh number.
func (n *namer) fresh(hint string) string {
	if hint != "" && ir.ValidName(hint) && !n.used[hint] {
		n.used[hint] = true
		return hint
	}
	for {
		n.next++
		s := strconv.Itoa(n.next)
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}

// emitter appends instructions to a function under construction. It
// implements ir.Emitter for the derivative rules. A type error while
// emitting is a bug in a rule; it panics with an emitError that the
// transforms recover and report with the instruction being differentiated.
type emitter struct {
	f     *ir.Func
	names *namer
	pos   ir.Pos // position given to new instructions
	hint  string // name for the next single result, if free
}

type emitError struct{ err error }

func newEmitter(f *ir.Func) *emitter { return &emitter{f: f, names: newNamer(f)} }

// Emit appends op applied to args. results are the declared result types,
// needed only for ops that take their result type from the declaration.
func (e *emitter) Emit(op ir.Op, args []*ir.Value, attrs ir.Attrs, results ...ir.Type) []*ir.Value {
	types, err := ir.InferTypes(op, argTypes(args), attrs, results)
	if err != nil {
		panic(emitError{fmt.Errorf("emitting %s (operands %s): %w", op, typesString(args), err)})
	}
	names := make([]string, len(types))
	for i := range names {
		hint := ""
		if len(types) == 1 {
			hint = e.hint
		}
		names[i] = e.names.fresh(hint)
	}
	e.hint = ""
	in := e.f.Append(op, args, attrs, types, names)
	in.Pos = e.pos
	for _, r := range in.Results {
		r.Pos = e.pos
	}
	return in.Results
}

// emit1 emits an op with a single result.
func (e *emitter) emit1(op ir.Op, args []*ir.Value, attrs ir.Attrs, results ...ir.Type) *ir.Value {
	return e.Emit(op, args, attrs, results...)[0]
}

// copyInstr appends a copy of in with its operands replaced by args and
// returns the copy's results. Result names are kept where free.
func (e *emitter) copyInstr(in *ir.Instr, args []*ir.Value) *ir.Instr {
	names := make([]string, len(in.Results))
	for i, r := range in.Results {
		names[i] = e.names.fresh(r.Name)
	}
	c := e.f.Append(in.Op, args, in.Attrs.Clone(), in.ResultTypes(), names)
	c.Pos = in.Pos
	c.Region = cloneRegion(in.Region)
	for i, r := range c.Results {
		r.Pos = in.Results[i].Pos
	}
	return c
}

func cloneRegion(r *ir.Region) *ir.Region {
	if r == nil {
		return nil
	}
	c := &ir.Region{}
	for _, f := range r.Funcs {
		c.Funcs = append(c.Funcs, f.Clone())
	}
	return c
}

// named sets the name hint for the next emitted value.
func (e *emitter) named(hint string) *emitter {
	e.hint = hint
	return e
}

func argTypes(args []*ir.Value) []ir.Type {
	ts := make([]ir.Type, len(args))
	for i, a := range args {
		if a == nil {
			panic(emitError{fmt.Errorf("nil operand %d", i)})
		}
		ts[i] = a.Type
	}
	return ts
}

func typesString(args []*ir.Value) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += ", "
		}
		if a == nil {
			s += "nil"
			continue
		}
		s += a.Type.String()
	}
	return s
}

// recoverEmit turns an emitError panic into *err, annotated with what.
func recoverEmit(err *error, what func() string) {
	if r := recover(); r != nil {
		ee, ok := r.(emitError)
		if !ok {
			panic(r)
		}
		*err = fmt.Errorf("%s: %w", what(), ee.err)
	}
}
