package passes

import (
	"fmt"

	"github.com/pushforward/pushforward/ir"
)

// inline copies the body of f into the function that e is building, with
// f's parameters replaced by args (same count and types), and returns the
// values of f's results there. Instructions keep their op, attributes and
// result types, and a copy of their region; they get e's position (the
// instruction whose rule is inlining). Named single results are named
// prefix+"."+<name in f> where that is a valid, free name, so that dumps
// show where inlined code came from.
//
// A malformed f (an operand defined outside it, parameters that do not
// match args, an ill-typed instruction) is reported as an error.
func inline(e *ir.Writer, f *ir.Func, args []*ir.Value, prefix string) ([]*ir.Value, error) {
	if len(args) != len(f.Params) {
		return nil, fmt.Errorf("inlining @%s: %d arguments for %d parameters", f.Name, len(args), len(f.Params))
	}
	m := make(map[*ir.Value]*ir.Value, len(f.Params)+len(f.Body))
	for i, p := range f.Params {
		if a := args[i]; a == nil || !a.Type.Equal(p.Type) {
			return nil, fmt.Errorf("inlining @%s: argument %d for %%%s is %v, want type %s", f.Name, i, p.Name, inlineArgType(a), p.Type)
		}
		m[p] = args[i]
	}
	lookup := func(v *ir.Value) (*ir.Value, error) {
		if c, ok := m[v]; ok {
			return c, nil
		}
		return nil, fmt.Errorf("inlining @%s: %s is not defined in it", f.Name, v)
	}
	for _, in := range f.Body {
		ins := make([]*ir.Value, len(in.Args))
		for i, a := range in.Args {
			c, err := lookup(a)
			if err != nil {
				return nil, err
			}
			ins[i] = c
		}
		if prefix != "" && len(in.Results) == 1 && !isAnonymousName(in.Results[0].Name) {
			e.Named(prefix + "." + in.Results[0].Name)
		}
		c, err := e.Add(in.Op, ins, in.Attrs, in.ResultTypes()...)
		if err != nil {
			return nil, fmt.Errorf("inlining @%s: %w", f.Name, err)
		}
		if in.Region != nil {
			c.Region = in.Region.Clone()
		}
		out := c.Results
		for i, r := range in.Results {
			if !out[i].Type.Equal(r.Type) {
				return nil, fmt.Errorf("inlining @%s: %s = %s has type %s in the copy, want %s", f.Name, r, in.Op, out[i].Type, r.Type)
			}
			m[r] = out[i]
		}
	}
	res := make([]*ir.Value, len(f.Results))
	for i, r := range f.Results {
		c, err := lookup(r)
		if err != nil {
			return nil, err
		}
		res[i] = c
	}
	return res, nil
}

func inlineArgType(v *ir.Value) string {
	if v == nil {
		return "nil"
	}
	return v.Type.String()
}

// isAnonymousName reports whether a value name is a decimal number, which
// makes a poor name hint.
func isAnonymousName(name string) bool {
	for _, c := range name {
		if c < '0' || c > '9' {
			return false
		}
	}
	return name != ""
}
