package ir

import (
	"io"
	"strings"
)

// String returns f in the canonical text format.
func (f *Func) String() string {
	var b strings.Builder
	printFunc(&b, f, "")
	return b.String()
}

// String returns m in the canonical text format: its functions separated
// by blank lines.
func (m *Module) String() string {
	var b strings.Builder
	for i, f := range m.Funcs {
		if i > 0 {
			b.WriteByte('\n')
		}
		printFunc(&b, f, "")
	}
	return b.String()
}

// Fprint writes f in the canonical text format to w.
func Fprint(w io.Writer, f *Func) error {
	_, err := io.WriteString(w, f.String())
	return err
}

// String returns the instruction as one statement of the text format
// (regions included, over several lines).
func (in *Instr) String() string {
	var b strings.Builder
	printInstr(&b, in, "")
	return strings.TrimSuffix(b.String(), "\n")
}

func printFunc(b *strings.Builder, f *Func, indent string) {
	b.WriteString(indent)
	b.WriteString("func @")
	b.WriteString(f.Name)
	b.WriteByte('(')
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
		b.WriteString(": ")
		b.WriteString(p.Type.String())
		b.WriteByte(' ')
		b.WriteString(p.Role.String())
	}
	b.WriteString(") -> (")
	b.WriteString(joinTypes(f.ResultTypes()))
	b.WriteString(") {\n")
	for _, in := range f.Body {
		printInstr(b, in, indent+"  ")
	}
	b.WriteString(indent)
	b.WriteString("  return")
	for i, r := range f.Results {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(r.String())
	}
	b.WriteString("\n")
	b.WriteString(indent)
	b.WriteString("}\n")
}

func printInstr(b *strings.Builder, in *Instr, indent string) {
	b.WriteString(indent)
	for i, r := range in.Results {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.String())
	}
	b.WriteString(" = ")
	b.WriteString(in.Op.String())
	for i, a := range in.Args {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(a.String())
	}
	if len(in.Attrs) > 0 {
		b.WriteByte(' ')
		b.WriteString(in.Attrs.String())
	}
	if in.Region != nil {
		b.WriteString(" region {\n")
		for _, f := range in.Region.Funcs {
			printFunc(b, f, indent+"  ")
		}
		b.WriteString(indent)
		b.WriteString("}")
	}
	b.WriteString(" : ")
	b.WriteString(joinTypes(in.ResultTypes()))
	b.WriteByte('\n')
}
