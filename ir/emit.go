package ir

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// An Emitter appends instructions to a function under construction.
// Optimizers emit their updates through it (methods/optim); *Writer and
// builder.Builder implement it.
type Emitter interface {
	Emit(op Op, args []*Value, attrs Attrs, results ...Type) []*Value
}

// A Namer hands out the names of new values, unique within one function.
// Several writers may share one (code built in a separate body and spliced
// into the function later).
type Namer struct {
	used map[string]bool
	next map[string]int // the last number tried, per prefix
}

// NewNamer returns a Namer that avoids every name f's parameters and
// instruction results use.
func NewNamer(f *Func) *Namer {
	n := &Namer{used: map[string]bool{}, next: map[string]int{}}
	f.Values(func(v *Value) bool {
		n.used[v.Name] = true
		return true
	})
	return n
}

// Claim takes name if it is a valid value name not yet taken, and reports
// whether it did.
func (n *Namer) Claim(name string) bool {
	if !ValidName(name) || n.used[name] {
		return false
	}
	n.used[name] = true
	return true
}

// Used reports whether name is taken.
func (n *Namer) Used(name string) bool { return n.used[name] }

// Fresh returns hint if Claim takes it, else Numbered("").
func (n *Namer) Fresh(hint string) string {
	if hint != "" && n.Claim(hint) {
		return hint
	}
	return n.Numbered("")
}

// Numbered takes and returns the first free name prefix.1, prefix.2, ...,
// counting on from the last one it gave for prefix; with an empty prefix
// the names are decimal numbers 1, 2, ...
func (n *Namer) Numbered(prefix string) string {
	for {
		n.next[prefix]++
		s := strconv.Itoa(n.next[prefix])
		if prefix != "" {
			s = prefix + "." + s
		}
		if n.Claim(s) {
			return s
		}
	}
}

// An EmitError is an instruction a Writer could not append: the op, the
// operand types (nil when an operand is missing) and why.
type EmitError struct {
	Op       Op
	Operands []Type
	Err      error
}

// Error formats the error as "emitting op (operands t1, t2): reason".
func (e *EmitError) Error() string {
	if e.Operands == nil {
		return fmt.Sprintf("emitting %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("emitting %s (operands %s): %v", e.Op, joinTypes(e.Operands), e.Err)
}

// Unwrap returns the reason.
func (e *EmitError) Unwrap() error { return e.Err }

// A Writer appends instructions to a function: it infers and checks their
// result types, names their results and gives them a position. It is the
// one emitter of the project: the builder, the passes and their
// derivative rules, the optimizers and the training loop all write
// through it.
//
// Naming: a result gets the hint set by Named if that name is free, else
// the next free numbered name (prefix.N under a prefix set by Scope, else
// N). Rename and Label rename values made in the current scope, for
// dumps.
//
// Errors: Add returns its error; Emit, the Emitter method, records the
// first error and from then on emits nothing and returns nil, so code
// that emits many instructions can check Err once, at the end.
type Writer struct {
	f      *Func
	names  *Namer
	pos    Pos
	hint   string
	prefix string
	scope  int
	made   map[*Instr]int // the scope each instruction was made in
	err    error
}

// NewWriter returns a Writer that appends to f's body. Names come from
// names, or from a new Namer of f if names is nil.
func NewWriter(f *Func, names *Namer) *Writer {
	if names == nil {
		names = NewNamer(f)
	}
	return &Writer{f: f, names: names, made: map[*Instr]int{}}
}

// Func returns the function being written.
func (w *Writer) Func() *Func { return w.f }

// Names returns the writer's Namer.
func (w *Writer) Names() *Namer { return w.names }

// Err returns the first error Emit recorded, or nil.
func (w *Writer) Err() error { return w.err }

// At sets the position given to the instructions appended from now on,
// and returns w.
func (w *Writer) At(pos Pos) *Writer {
	w.pos = pos
	return w
}

// Named sets the name hint of the next instruction's result (used if it
// has exactly one and the name is free), and returns w.
func (w *Writer) Named(hint string) *Writer {
	w.hint = hint
	return w
}

// Scope starts a new scope: values made from now on may be renamed by
// Rename and Label (those made before may not), and numbered names are
// prefix.N (N if prefix is empty).
func (w *Writer) Scope(prefix string) {
	w.prefix = prefix
	w.scope++
}

// Rename gives v the name name if v was made by w in the current scope
// and name is a valid, free name; it reports whether it did.
func (w *Writer) Rename(v *Value, name string) bool {
	if v == nil || v.Def == nil {
		return false
	}
	if s, ok := w.made[v.Def]; !ok || s != w.scope || !w.names.Claim(name) {
		return false
	}
	v.Name = name
	return true
}

// Label renames v to prefix.label under the current scope's prefix (to
// label without one), as Rename does.
func (w *Writer) Label(v *Value, label string) {
	if w.prefix != "" {
		label = w.prefix + "." + label
	}
	w.Rename(v, label)
}

// Emit appends op applied to args and returns its results, or records an
// error (see Add) and returns nil. After an error it does nothing. Ops
// with a region cannot be emitted: use Add and set the region.
func (w *Writer) Emit(op Op, args []*Value, attrs Attrs, results ...Type) []*Value {
	if w.err != nil {
		return nil
	}
	if op.Info().HasRegion {
		w.err = &EmitError{Op: op, Err: errors.New("ops with a region cannot be emitted")}
		return nil
	}
	in, err := w.Add(op, args, attrs, results...)
	if err != nil {
		w.err = err
		return nil
	}
	return in.Results
}

// Add appends op applied to args and returns the new instruction. The
// result types are inferred from the operands and attributes;
// declared, if given, are the result types as written: required by the
// ops that take their type from the declaration (constant, full, rng_*,
// cast, reshape, broadcast_to, one_hot, argmin), and checked against the
// inferred types for the others. The error is an *EmitError. Add copies
// args and attrs; it does not look at or set Err.
func (w *Writer) Add(op Op, args []*Value, attrs Attrs, declared ...Type) (*Instr, error) {
	types := make([]Type, len(args))
	for i, a := range args {
		if a == nil {
			return nil, &EmitError{Op: op, Err: fmt.Errorf("operand %d is nil", i+1)}
		}
		types[i] = a.Type
	}
	fail := func(err error) (*Instr, error) { return nil, &EmitError{Op: op, Operands: types, Err: err} }
	out, err := InferTypes(op, types, attrs, slices.Clone(declared))
	if err != nil {
		return fail(err)
	}
	if len(declared) > 0 && !TypesEqual(out, declared) {
		return fail(fmt.Errorf("declared result types (%s) differ from the inferred ones (%s)", joinTypes(declared), joinTypes(out)))
	}
	names := make([]string, len(out))
	for i := range out {
		out[i] = out[i].WithShape(out[i].Shape) // own the shapes
		hint := ""
		if len(out) == 1 {
			hint = w.hint
		}
		names[i] = w.fresh(hint)
	}
	w.hint = ""
	if len(attrs) == 0 {
		attrs = nil
	}
	return w.append(op, slices.Clone(args), attrs.Clone(), out, names, w.pos), nil
}

// Copy appends a copy of in with its operands replaced by args and
// returns it. The copy keeps in's attributes (copied), region (copied),
// result types and positions, and its result names where they are free.
// Its types are not checked.
func (w *Writer) Copy(in *Instr, args []*Value) *Instr {
	names := make([]string, len(in.Results))
	for i, r := range in.Results {
		names[i] = w.names.Fresh(r.Name)
	}
	c := w.append(in.Op, args, in.Attrs.Clone(), in.ResultTypes(), names, in.Pos)
	for i, r := range c.Results {
		r.Pos = in.Results[i].Pos
	}
	if in.Region != nil {
		c.Region = in.Region.Clone()
	}
	return c
}

func (w *Writer) fresh(hint string) string {
	if hint != "" && w.names.Claim(hint) {
		return hint
	}
	return w.names.Numbered(w.prefix)
}

func (w *Writer) append(op Op, args []*Value, attrs Attrs, types []Type, names []string, pos Pos) *Instr {
	in := w.f.Append(op, args, attrs, types, names)
	in.Pos = pos
	for _, r := range in.Results {
		r.Pos = pos
	}
	w.made[in] = w.scope
	return in
}
