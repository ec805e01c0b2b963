package optim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// emitter appends instructions to the training step under construction.
// Values get the name "<prefix>.<n>" (prefix is the parameter being
// updated) unless labelled. Like builder.Builder, it keeps the first
// error and then emits nothing, returning no results.
type emitter struct {
	f      *ir.Func
	used   map[string]bool
	prefix string
	n      int
	// mine holds the values emitted under the current prefix: the only
	// ones Label may rename.
	mine map[*ir.Value]bool
	err  error
}

func newEmitter(f *ir.Func) *emitter {
	e := &emitter{f: f, used: map[string]bool{}}
	f.Values(func(v *ir.Value) bool {
		e.used[v.Name] = true
		return true
	})
	return e
}

// scope starts naming values "<prefix>.<n>".
func (e *emitter) scope(prefix string) {
	e.prefix, e.n, e.mine = prefix, 0, map[*ir.Value]bool{}
}

func (e *emitter) fresh() string {
	for {
		e.n++
		name := e.prefix + "." + strconv.Itoa(e.n)
		if !e.used[name] {
			e.used[name] = true
			return name
		}
	}
}

// Emit implements ir.Emitter.
func (e *emitter) Emit(op ir.Op, args []*ir.Value, attrs ir.Attrs, results ...ir.Type) []*ir.Value {
	if e.err != nil {
		return nil
	}
	if op.Info().HasRegion {
		e.err = fmt.Errorf("emitting %s: ops with a region cannot be emitted", op)
		return nil
	}
	types := make([]ir.Type, len(args))
	for i, a := range args {
		if a == nil {
			e.err = fmt.Errorf("emitting %s: operand %d is nil", op, i+1)
			return nil
		}
		types[i] = a.Type
	}
	declared := make([]ir.Type, len(results))
	copy(declared, results)
	out, err := ir.InferTypes(op, types, attrs, declared)
	if err != nil {
		e.err = fmt.Errorf("emitting %s (operands %s): %w", op, joinTypes(types), err)
		return nil
	}
	if len(results) > 0 && !ir.TypesEqual(out, results) {
		e.err = fmt.Errorf("emitting %s (operands %s): declared result types (%s) differ from the inferred ones (%s)",
			op, joinTypes(types), joinTypes(results), joinTypes(out))
		return nil
	}
	names := make([]string, len(out))
	for i := range out {
		out[i] = out[i].WithShape(out[i].Shape)
		names[i] = e.fresh()
	}
	attrs = attrs.Clone()
	if len(attrs) == 0 {
		attrs = nil
	}
	in := e.f.Append(op, append([]*ir.Value(nil), args...), attrs, out, names)
	for _, r := range in.Results {
		e.mine[r] = true
	}
	return in.Results
}

// Label implements Labeler: it renames v, a value emitted in the current
// scope, to "<prefix>.<label>" if that name is valid and free.
func (e *emitter) Label(v *ir.Value, label string) {
	if v == nil || !e.mine[v] {
		return
	}
	name := e.prefix + "." + label
	if !ir.ValidName(name) || e.used[name] {
		return
	}
	e.used[name] = true
	v.Name = name
}

var (
	_ ir.Emitter = (*emitter)(nil)
	_ Labeler    = (*emitter)(nil)
)

func joinTypes(ts []ir.Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}
