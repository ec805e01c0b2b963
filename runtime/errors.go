package runtime

import (
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// An Error is a failure of one instruction, found when the interpreter is
// built or while it runs. Its message names the instruction's position,
// results, op and operand types.
type Error struct {
	Instr *ir.Instr
	Err   error
}

func (e *Error) Error() string { return describe(e.Instr) + ": " + e.Err.Error() }

func (e *Error) Unwrap() error { return e.Err }

// describe formats an instruction for error messages:
// "3:5: %u, %v = op %a, %b (f32[2,3], f32[3])".
func describe(in *ir.Instr) string {
	var b strings.Builder
	pos := in.Pos
	if !pos.IsValid() && len(in.Results) > 0 && in.Results[0] != nil {
		pos = in.Results[0].Pos
	}
	if pos.IsValid() {
		b.WriteString(pos.String())
		b.WriteString(": ")
	}
	for i, r := range in.Results {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(valueName(r))
	}
	if len(in.Results) > 0 {
		b.WriteString(" = ")
	}
	b.WriteString(in.Op.String())
	types := make([]string, len(in.Args))
	for i, a := range in.Args {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" " + valueName(a))
		types[i] = "?"
		if a != nil {
			types[i] = a.Type.String()
		}
	}
	if len(in.Args) > 0 {
		b.WriteString(" (" + strings.Join(types, ", ") + ")")
	}
	return b.String()
}

func valueName(v *ir.Value) string {
	if v == nil {
		return "<nil>"
	}
	return v.String()
}

func joinTypes(ts []ir.Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}
