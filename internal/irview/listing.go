package irview

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/pushforward/pushforward/ir"
)

// A segment is a piece of a printed line: text, or a reference to a value.
type segment struct {
	text  string
	value *ir.Value // nil for plain text
	def   bool      // the value's definition: a parameter, or a result of its statement
}

// A line is one line of a printed function.
type line []segment

// A lister prints a function as ir's printer does, line by line, marking
// every reference to a value. A test checks that the text is the
// printer's.
type lister struct {
	lines []line
	cur   line
}

func (l *lister) text(s string) {
	if n := len(l.cur); n > 0 && l.cur[n-1].value == nil {
		l.cur[n-1].text += s
		return
	}
	l.cur = append(l.cur, segment{text: s})
}

func (l *lister) value(v *ir.Value, def bool) {
	l.cur = append(l.cur, segment{text: v.String(), value: v, def: def})
}

func (l *lister) end() {
	l.lines = append(l.lines, l.cur)
	l.cur = nil
}

// comments writes comment lines at indent.
func (l *lister) comments(cs []string, indent string) {
	for _, c := range cs {
		l.text(indent + c)
		l.end()
	}
}

// lineEnd ends a line with its line comment.
func (l *lister) lineEnd(c *ir.Comments) {
	if c.Line != "" {
		l.text(" " + c.Line)
	}
	l.end()
}

// listing returns f's text, line by line.
func listing(f *ir.Func) []line {
	var l lister
	l.fn(f, "")
	return l.lines
}

func (l *lister) fn(f *ir.Func, indent string) {
	l.comments(f.Comments.Before, indent)
	l.text(indent + "func @" + f.Name + "(")
	for i, p := range f.Params {
		if i > 0 {
			l.text(", ")
		}
		l.value(p, true)
		l.text(": " + p.Type.String() + " " + p.Role.String())
	}
	l.text(") -> (" + joinTypes(f.ResultTypes()) + ") {")
	l.lineEnd(&f.Comments)
	for _, in := range f.Body {
		l.instr(in, indent+"  ")
	}
	l.comments(f.ReturnComments.Before, indent+"  ")
	l.text(indent + "  return")
	for i, r := range f.Results {
		if i > 0 {
			l.text(",")
		}
		l.text(" ")
		l.value(r, false)
	}
	l.lineEnd(&f.ReturnComments)
	l.comments(f.Trailing, indent+"  ")
	l.text(indent + "}")
	l.end()
}

func (l *lister) instr(in *ir.Instr, indent string) {
	l.comments(in.Comments.Before, indent)
	l.text(indent)
	for i, r := range in.Results {
		if i > 0 {
			l.text(", ")
		}
		l.value(r, true)
	}
	l.text(" = " + in.Op.String())
	for i, a := range in.Args {
		if i > 0 {
			l.text(",")
		}
		l.text(" ")
		l.value(a, false)
	}
	if len(in.Attrs) > 0 {
		l.text(" " + in.Attrs.String())
	}
	if in.Region != nil {
		l.text(" region {")
		l.end()
		for _, f := range in.Region.Funcs {
			l.fn(f, indent+"  ")
		}
		l.text(indent + "}")
	}
	l.text(" : " + joinTypes(in.ResultTypes()))
	l.lineEnd(&in.Comments)
}

// plainText returns the lines as text, as ir's printer writes them.
func plainText(lines []line) string {
	var b strings.Builder
	for _, ln := range lines {
		for _, s := range ln {
			b.WriteString(s.text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// valueKeys gives every value of f (and of the functions in its regions)
// a key that names it across the versions of a function that passes
// make, for the page to highlight a value in every column. Passes keep
// the names they give (%x, %s1, %w1.tangent, %w1.grad), so a named value
// is keyed by its name. An unnamed value prints as a number, which
// renumbering changes from version to version; it is keyed by how it is
// computed: its op, attributes (but the memory plan's) and type, and the
// keys of its operands, so that it matches the value computed the same
// way in another column, and values that cse would merge share a key.
// The values of a region are keyed within the instruction that holds it.
func valueKeys(f *ir.Func) map[*ir.Value]string {
	keys := map[*ir.Value]string{}
	addKeys(f, "", keys)
	return keys
}

func addKeys(f *ir.Func, scope string, keys map[*ir.Value]string) {
	for _, p := range f.Params {
		keys[p] = scope + p.Name
	}
	for _, in := range f.Body {
		var h string
		for i, r := range in.Results {
			if !isNumber(r.Name) {
				keys[r] = scope + r.Name
				continue
			}
			if h == "" {
				h = computeKey(in, keys)
			}
			keys[r] = fmt.Sprintf("%s#%s.%d", scope, h, i)
		}
		if in.Region != nil && len(in.Results) > 0 {
			for _, rf := range in.Region.Funcs {
				addKeys(rf, keys[in.Results[0]]+"/@"+rf.Name+"/", keys)
			}
		}
	}
}

// computeKey hashes how in computes: op, attributes but the plan's, result
// types and the keys of its operands.
func computeKey(in *ir.Instr, keys map[*ir.Value]string) string {
	h := fnv.New64a()
	fmt.Fprint(h, in.Op.String(), "(")
	for _, a := range in.Args {
		fmt.Fprint(h, keys[a], ",")
	}
	attrs := in.Attrs.Clone()
	delete(attrs, ir.PlanAttr)
	fmt.Fprint(h, ")", attrs.String(), ":", joinTypes(in.ResultTypes()))
	return fmt.Sprintf("%016x", h.Sum64())
}

// isNumber reports whether s is a decimal number, an unnamed value's name.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
