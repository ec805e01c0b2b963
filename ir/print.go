package ir

import (
	"io"
	"strings"
)

// String returns f in the canonical text format, with its comments.
func (f *Func) String() string {
	p := printer{comments: true}
	p.fn(f, "")
	return p.String()
}

// String returns m in the canonical text format: its functions separated
// by blank lines, with their comments, and the module's trailing comments.
func (m *Module) String() string {
	p := printer{comments: true}
	for i, f := range m.Funcs {
		if i > 0 {
			p.WriteByte('\n')
		}
		p.fn(f, "")
	}
	if len(m.Trailing) > 0 {
		p.WriteByte('\n')
		p.lines(m.Trailing, "")
	}
	return p.String()
}

// Fprint writes f in the canonical text format to w.
func Fprint(w io.Writer, f *Func) error {
	_, err := io.WriteString(w, f.String())
	return err
}

// String returns the instruction as one statement of the text format
// (regions included, over several lines), without its comments.
func (in *Instr) String() string {
	var p printer
	p.instr(in, "")
	return strings.TrimSuffix(p.String(), "\n")
}

// A printer writes the text format, with the source comments if comments
// is set.
type printer struct {
	strings.Builder
	comments bool
}

// lines writes comment lines at indent.
func (p *printer) lines(comments []string, indent string) {
	for _, c := range comments {
		p.WriteString(indent)
		p.WriteString(c)
		p.WriteByte('\n')
	}
}

// before writes the comments before a construct; lineEnd ends its line
// with its line comment.
func (p *printer) before(c *Comments, indent string) {
	if p.comments {
		p.lines(c.Before, indent)
	}
}

func (p *printer) lineEnd(c *Comments) {
	if p.comments && c.Line != "" {
		p.WriteByte(' ')
		p.WriteString(c.Line)
	}
	p.WriteByte('\n')
}

func (p *printer) fn(f *Func, indent string) {
	p.before(&f.Comments, indent)
	p.WriteString(indent)
	p.WriteString("func @")
	p.WriteString(f.Name)
	p.WriteByte('(')
	for i, v := range f.Params {
		if i > 0 {
			p.WriteString(", ")
		}
		p.WriteString(v.String())
		p.WriteString(": ")
		p.WriteString(v.Type.String())
		p.WriteByte(' ')
		p.WriteString(v.Role.String())
	}
	p.WriteString(") -> (")
	p.WriteString(joinTypes(f.ResultTypes()))
	p.WriteString(") {")
	p.lineEnd(&f.Comments)
	for _, in := range f.Body {
		p.instr(in, indent+"  ")
	}
	p.before(&f.ReturnComments, indent+"  ")
	p.WriteString(indent)
	p.WriteString("  return")
	for i, r := range f.Results {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteByte(' ')
		p.WriteString(r.String())
	}
	p.lineEnd(&f.ReturnComments)
	if p.comments {
		p.lines(f.Trailing, indent+"  ")
	}
	p.WriteString(indent)
	p.WriteString("}\n")
}

func (p *printer) instr(in *Instr, indent string) {
	p.before(&in.Comments, indent)
	p.WriteString(indent)
	for i, r := range in.Results {
		if i > 0 {
			p.WriteString(", ")
		}
		p.WriteString(r.String())
	}
	p.WriteString(" = ")
	p.WriteString(in.Op.String())
	for i, a := range in.Args {
		if i > 0 {
			p.WriteByte(',')
		}
		p.WriteByte(' ')
		p.WriteString(a.String())
	}
	if len(in.Attrs) > 0 {
		p.WriteByte(' ')
		p.WriteString(in.Attrs.String())
	}
	if in.Region != nil {
		p.WriteString(" region {\n")
		for _, f := range in.Region.Funcs {
			p.fn(f, indent+"  ")
		}
		p.WriteString(indent)
		p.WriteString("}")
	}
	p.WriteString(" : ")
	p.WriteString(joinTypes(in.ResultTypes()))
	p.lineEnd(&in.Comments)
}
