// Package irview draws IR functions for people: as Graphviz graphs
// (WriteDot, behind pf dot) and as an HTML page of the function after
// each pass, side by side (WriteHTML, behind pf html), in the manner of
// the Go compiler's GOSSAFUNC ssa.html.
//
// The page is one self-contained file, made with html/template (every IR
// name, comment and attribute is escaped): inline CSS and JavaScript,
// nothing fetched. Values are matched across columns by name where they
// have one, since the passes keep names; an unnamed value matches the
// values computed the same way (valueKeys). A test drives the page in
// headless Chromium over the DevTools protocol.
package irview
