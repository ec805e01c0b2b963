package ir

import (
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestCommentsAttach checks where the parser attaches each comment and
// that the printer writes it back there.
func TestCommentsAttach(t *testing.T) {
	src := `// file header
func @f(%x: f32[2] data, // in the header
        %y: f32[2] data) -> (f32[2]) { // header line
  // before z
  // and more
  %z = add %x, %y : f32[2] // z line
  %w = mul %z, // inside w
     %z : f32[2]
  %s = argmin %w region { // region line
    // before the objective
    func @o(%v: f32[2] param, %a: f32[2] data) -> (f32[]) {
      %d = sub %v, %a : f32[2]
      %o = reduce_sum %d : f32[]
      return %o // objective return
    }
  } : f32[2]
  // before return
  return %s // return line
  // trailing 1
  // trailing 2
} // after the brace

// before g
func @g() -> () {
  return
}
// end of file
`
	m, err := Parse("c.pf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f, g := m.Funcs[0], m.Funcs[1]
	o := f.Body[2].Region.Funcs[0]
	for _, c := range []struct {
		what      string
		got, want Comments
	}{
		{"func @f", f.Comments, Comments{Before: []string{"// file header", "// in the header"}, Line: "// header line"}},
		{"%z", f.Body[0].Comments, Comments{Before: []string{"// before z", "// and more"}, Line: "// z line"}},
		{"%w", f.Body[1].Comments, Comments{Before: []string{"// inside w"}}},
		{"%s", f.Body[2].Comments, Comments{}},
		{"func @o", o.Comments, Comments{Before: []string{"// region line", "// before the objective"}}},
		{"@o's return", o.ReturnComments, Comments{Line: "// objective return"}},
		{"@f's return", f.ReturnComments, Comments{Before: []string{"// before return"}, Line: "// return line"}},
		{"func @g", g.Comments, Comments{Before: []string{"// after the brace", "// before g"}}},
	} {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s: comments (-want +got):\n%s", c.what, diff)
		}
	}
	if want := []string{"// trailing 1", "// trailing 2"}; !slices.Equal(f.Trailing, want) {
		t.Errorf("@f trailing %q, want %q", f.Trailing, want)
	}
	if want := []string{"// end of file"}; !slices.Equal(m.Trailing, want) {
		t.Errorf("module trailing %q, want %q", m.Trailing, want)
	}

	const printed = `// file header
// in the header
func @f(%x: f32[2] data, %y: f32[2] data) -> (f32[2]) { // header line
  // before z
  // and more
  %z = add %x, %y : f32[2] // z line
  // inside w
  %w = mul %z, %z : f32[2]
  %s = argmin %w region {
    // region line
    // before the objective
    func @o(%v: f32[2] param, %a: f32[2] data) -> (f32[]) {
      %d = sub %v, %a : f32[2]
      %o = reduce_sum %d : f32[]
      return %o // objective return
    }
  } : f32[2]
  // before return
  return %s // return line
  // trailing 1
  // trailing 2
}

// after the brace
// before g
func @g() -> () {
  return
}

// end of file
`
	if diff := cmp.Diff(printed, m.String()); diff != "" {
		t.Errorf("printed form (-want +got):\n%s", diff)
	}
	again, err := Parse("printed.pf", []byte(m.String()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m.String(), again.String()); diff != "" {
		t.Errorf("print∘parse∘print differs from print (-print +again):\n%s", diff)
	}
	// An instruction alone prints without its comments (error messages
	// use it).
	if got := f.Body[0].String(); got != "%z = add %x, %y : f32[2]" {
		t.Errorf("Instr.String() = %q", got)
	}
	// Clone leaves the comments behind.
	if c := f.Clone(); c.Comments.Before != nil || c.Comments.Line != "" || c.Body[0].Comments.Before != nil || c.Trailing != nil {
		t.Errorf("Clone copied comments: %+v", c.Comments)
	}
}

// sourceComments returns the text of every comment of src, by lexing it.
func sourceComments(src []byte) []string {
	l := newLexer("", src)
	for {
		if k := l.next().kind; k == tokEOF || k == tokError {
			break
		}
	}
	texts := make([]string, len(l.comments))
	for i, c := range l.comments {
		texts[i] = c.text
	}
	return texts
}

// moduleComments returns every comment attached in m, in print order.
func moduleComments(m *Module) []string {
	var out []string
	var fn func(f *Func)
	add := func(c Comments) {
		out = append(out, c.Before...)
		if c.Line != "" {
			out = append(out, c.Line)
		}
	}
	fn = func(f *Func) {
		add(f.Comments)
		for _, in := range f.Body {
			out = append(out, in.Comments.Before...)
			if in.Region != nil {
				for _, rf := range in.Region.Funcs {
					fn(rf)
				}
			}
			if in.Comments.Line != "" {
				out = append(out, in.Comments.Line)
			}
		}
		add(f.ReturnComments)
		out = append(out, f.Trailing...)
	}
	for _, f := range m.Funcs {
		fn(f)
	}
	return append(out, m.Trailing...)
}

// checkCommentsKept fails unless m holds every comment of src, each once.
func checkCommentsKept(t *testing.T, src []byte, m *Module) {
	t.Helper()
	want, got := sourceComments(src), moduleComments(m)
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("comments of the source and of the module differ (-source +module):\n%s", diff)
	}
}

func TestCommentsKeptInGoldenFiles(t *testing.T) {
	for _, path := range goldenFiles(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkCommentsKept(t, src, parseFile(t, path))
	}
}
