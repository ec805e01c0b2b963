package irview

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

// A Column is one version of a function on the page: the function as
// read ("input"), or after the passes it names (several when the later
// ones changed nothing).
type Column struct {
	Passes []string
	Func   *ir.Func
}

// AddColumn appends the function after pass to cols, or, if it prints as
// the last column's does, adds the pass to that column's name.
func AddColumn(cols []Column, pass string, f *ir.Func) []Column {
	if n := len(cols); n > 0 && cols[n-1].Func.String() == f.String() {
		cols[n-1].Passes = append(cols[n-1].Passes, pass)
		return cols
	}
	return append(cols, Column{Passes: []string{pass}, Func: f})
}

// A Page is what WriteHTML shows: a title (the file and the passes) and
// the columns, left to right.
type Page struct {
	Title   string
	Columns []Column
}

//go:embed page.tmpl style.tmpl script.tmpl
var templateFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(templateFiles, "page.tmpl", "style.tmpl", "script.tmpl"))

// The data the template renders; every string is escaped by html/template
// (IR names, comments and string attributes are the user's).
type (
	pageData struct {
		Title   string
		Columns []columnData
	}
	columnData struct {
		ID, Name, Summary string
		Lines             []lineData
	}
	lineData struct{ Segs []segData }
	segData  struct {
		Text, Key, Title string
		Def              bool
	}
)

// WriteHTML writes p as one self-contained HTML page (inline CSS and
// JavaScript, nothing fetched), the columns side by side as the Go
// compiler's GOSSAFUNC ssa.html shows SSA after each pass: hovering over
// a value highlights its definition and uses in every column, clicking
// keeps them highlighted in a colour of their own, and a column's
// heading folds it. A value's title gives its type, its role (a
// parameter) and, in a function with a memory plan, its buffer: the
// arena, the range of elements, and the operand whose buffer it takes in
// place. Values are matched across columns by valueKeys.
func WriteHTML(w io.Writer, p Page) error {
	data := pageData{Title: p.Title}
	ids := map[string]string{} // value key → short id shared by the columns
	for i, c := range p.Columns {
		col, err := column(i, c, ids)
		if err != nil {
			return err
		}
		data.Columns = append(data.Columns, col)
	}
	return pageTemplate.ExecuteTemplate(w, "page", data)
}

func column(i int, c Column, ids map[string]string) (columnData, error) {
	f := c.Func
	plan, err := ir.RecordedPlan(f)
	if err != nil {
		return columnData{}, fmt.Errorf("%s: %w", strings.Join(c.Passes, ", "), err)
	}
	keys := valueKeys(f)
	col := columnData{ID: fmt.Sprintf("col%d", i), Name: strings.Join(c.Passes, ", "), Summary: summary(f, plan)}
	for _, ln := range listing(f) {
		var out lineData
		for _, s := range ln {
			if s.value == nil {
				out.Segs = append(out.Segs, segData{Text: s.text})
				continue
			}
			key := keys[s.value]
			id, ok := ids[key]
			if !ok {
				id = fmt.Sprintf("v%d", len(ids))
				ids[key] = id
			}
			out.Segs = append(out.Segs, segData{Text: s.text, Key: id, Def: s.def, Title: valueTitle(s.value, plan)})
		}
		col.Lines = append(col.Lines, out)
	}
	return col, nil
}

// summary describes a column's function in one line: its size, its live
// peak and, with a memory plan, its arenas.
func summary(f *ir.Func, plan *ir.MemPlan) string {
	s := fmt.Sprintf("%d instructions, live peak %s", len(f.Body), passes.FormatBytes(passes.PeakLiveBytes(f)))
	if plan != nil {
		s += "; memory plan: " + passes.PlannedStats(f, plan).String()
	}
	return s
}

// valueTitle is the text shown on hovering over a value: its name and
// type, a parameter's role, and its buffer under the plan.
func valueTitle(v *ir.Value, plan *ir.MemPlan) string {
	s := v.String() + ": " + v.Type.String()
	if v.IsParam() {
		return s + " " + v.Role.String() + " (parameter)"
	}
	s += " (" + v.Op().String() + ")"
	if plan == nil {
		return s
	}
	off, ok := plan.Offset(v)
	if !ok {
		return s
	}
	n := v.Type.Shape.Size()
	s += fmt.Sprintf("\nbuffer: %s arena [%d, %d), %s", v.Type.DType, off, off+n, passes.FormatBytes(v.Type.Bytes()))
	if j := plan.InPlace(v.Def); j >= 0 {
		s += ", in place of " + v.Def.Args[j].String()
	}
	return s
}
