package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/internal/irview"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

func init() {
	register(&command{
		name:  "html",
		args:  "-o OUT.html [-passes=P1,P2,...] [-wrt A,B] [-tangents T] [guess flags] [-func NAME] FILE",
		short: "write an HTML page of an IR function after each pass",
		long: `Html parses and verifies FILE, runs the listed passes on its first function (or
-func NAME), as pf opt does, and writes to OUT.html one self-contained page
(no network) with the function as read and after each pass, in columns side by
side; a pass that changes nothing joins the column before it. Hovering over a
value highlights its definition and uses in every column, clicking keeps them
highlighted, and a column's heading folds it. A value's title gives its type
and, after memplan, its buffer: the arena, the range and the operand it takes
in place.

Values are shown by the names the passes give them, unnamed ones numbered in
print order as in pf opt's dumps. Named values match across columns by name
(the passes keep names: %s1, %w1.tangent, %w1.grad); an unnamed value matches
the values computed the same way, by the same op, attributes and type from
matching operands.

Example:

	pf html -o step.html -passes=vjp,fold,cse,dce,memplan model.pf`,
		run: runHTML,
	})
}

func runHTML(e *env, fs *flag.FlagSet, args []string) error {
	out := fs.String("o", "", "write the page to `OUT.html` (required)")
	pipeline := pipelineFlags(fs, false)
	fn := fs.String("func", "", "show the function `NAME` instead of the file's first")
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	names, opts, err := pipeline.pipeline()
	if err != nil {
		return err
	}
	if *out == "" {
		return cli.Usagef("-o is required: the file to write the page to")
	}
	f, err := loadVerified(e, rest[0], *fn)
	if err != nil {
		return err
	}
	cols := []irview.Column{{Passes: []string{"input"}, Func: ir.Renumbered(f)}}
	opts.AfterPass = func(pass string, g *ir.Func) {
		cols = irview.AddColumn(cols, pass, ir.Renumbered(g))
	}
	if _, err := passes.Run(f, names, opts); err != nil {
		return err
	}
	title := "@" + f.Name + " — " + filepath.Base(rest[0])
	if len(names) > 0 {
		title += " — " + strings.Join(names, ", ")
	}
	var b bytes.Buffer
	if err := irview.WriteHTML(&b, irview.Page{Title: title, Columns: cols}); err != nil {
		return err
	}
	return os.WriteFile(*out, b.Bytes(), 0o644)
}
