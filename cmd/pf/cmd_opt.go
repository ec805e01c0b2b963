package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
)

func init() {
	register(&command{
		name:  "opt",
		args:  "-passes=P1,P2,... [-wrt A,B] [-tangents T] [-method M] [-k K] [guess flags] [-dump-after=all|P,...] [-dump-dir DIR] [-diff] [-verify] [-time] [-stats] FILE",
		short: "run compiler passes on IR and print the result",
		long: `Opt parses and verifies FILE, runs the listed passes on its first function (or
-func NAME) and prints the resulting IR. Values without a name are numbered
in print order in the result and in every dump, so that dumps after
different passes can be compared; -diff prints what each pass changed.

Example:

	pf opt -passes=jvp,fold,cse,dce -wrt w1,w2 -diff model.pf

The guess pass takes the model's first result as the loss (softmax_xent, or the
mean of per-example losses) and its matmuls by param weights as the layers;
-method and the flags after it configure it. Its seeds are marked in memory for
the jvp pass, so run both in one pipeline:

	pf opt -passes=guess,jvp,fold,cse,fold,dce -method wperp -k 10 -dump-after=all model.pf

The memplan pass, the last, records where each value lives: buf=[offset] on every
instruction, an element offset in one arena per dtype, which the interpreter and
generated code both follow; -stats reports the memory before and after it:

	pf opt -passes=vjp,fold,cse,dce,memplan -stats model.pf

Passes:
` + passList(),
		run: runOpt,
	})
}

func passList() string {
	var b strings.Builder
	width := 0
	for _, p := range passes.Passes() {
		width = max(width, len(p.Name))
	}
	for _, p := range passes.Passes() {
		fmt.Fprintf(&b, "  %-*s %s\n", width, p.Name, p.Doc)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func passNames() []string {
	var names []string
	for _, p := range passes.Passes() {
		names = append(names, p.Name)
	}
	return names
}

// checkPassList checks a list of pass names given to flag, allowing
// extra names (such as "all") besides the passes.
func checkPassList(flag string, list []string, extra ...string) error {
	known := append(passNames(), extra...)
	for _, p := range list {
		if !slices.Contains(known, p) {
			return cli.Usagef("-%s: unknown pass %q (want a comma-separated list of %s)", flag, p, strings.Join(known, ", "))
		}
	}
	return nil
}

func runOpt(e *env, fs *flag.FlagSet, args []string) error {
	pipeline := pipelineFlags(fs, true)
	dumpAfter := fs.String("dump-after", "", "print the IR to stderr after these `passes` (or all)")
	dumpDir := fs.String("dump-dir", "", "write dumps to files in `DIR` instead of stderr")
	diff := fs.Bool("diff", false, "print to stderr what each pass changed, as a unified diff of the function before and after it")
	verify := fs.Bool("verify", false, "verify the IR after every pass")
	timing := fs.Bool("time", false, "print each pass's duration to stderr")
	stats := fs.Bool("stats", false, "print to stderr the memory of the values before and after memplan: values, buffers, peak bytes, arena size per dtype")
	fn := fs.String("func", "", "transform the function `NAME` instead of the file's first")
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	names, opts, err := pipeline.pipeline()
	if err != nil {
		return err
	}
	dumps := splitList(*dumpAfter)
	if *diff && *dumpDir != "" {
		return cli.Usagef("-diff prints to stderr; it does not combine with -dump-dir")
	}
	if err := checkPassList("dump-after", dumps, "all"); err != nil {
		return err
	}
	f, err := loadVerified(e, rest[0], *fn)
	if err != nil {
		return err
	}
	opts.Verify, opts.DumpAfter, opts.Dump, opts.DumpDir = *verify, dumps, e.stderr, *dumpDir
	if *timing {
		opts.Timing = e.stderr
	}
	if *stats {
		opts.Stats = e.stderr
	}
	if *diff {
		return runDiff(e, f, names, opts)
	}
	g, err := passes.Run(f, names, opts)
	if err != nil {
		return err
	}
	if *stats && !slices.Contains(names, "memplan") {
		fmt.Fprintf(e.stderr, "memory of @%s (no memplan in -passes): %s\n", g.Name, passes.UnplannedStats(g))
	}
	_, err = fmt.Fprint(e.stdout, ir.Renumbered(g))
	return err
}

// runDiff runs the passes with a dump after each, into a temporary
// directory, and prints to stderr, pass by pass, the dumps asked for and
// the differences from the function before the pass. If a pass fails, the
// differences up to it are printed before its error is returned.
func runDiff(e *env, f *ir.Func, names []string, opts passes.Options) error {
	dir, err := os.MkdirTemp("", "pf-opt-diff")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	asked := opts.DumpAfter
	opts.DumpAfter, opts.DumpDir = []string{"all"}, dir
	g, runErr := passes.Run(f, names, opts)
	before := ir.Renumbered(f).String()
	for i, name := range names {
		text, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%02d-%s.pf", i+1, name)))
		if os.IsNotExist(err) {
			break // the pass failed
		}
		if err != nil {
			return err
		}
		header := "// after " + name + "\n"
		after := strings.TrimPrefix(string(text), header)
		if slices.Contains(asked, "all") || slices.Contains(asked, name) {
			fmt.Fprintf(e.stderr, "%s%s\n", header, after)
		}
		d := unifiedDiff("before "+name, before, "after "+name, after, 3)
		if d == "" {
			d = fmt.Sprintf("// %s changed nothing\n", name)
		}
		fmt.Fprint(e.stderr, d)
		before = after
	}
	if runErr != nil {
		return runErr
	}
	_, err = fmt.Fprint(e.stdout, ir.Renumbered(g))
	return err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
