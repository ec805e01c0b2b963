package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/pushforward/pushforward/passes"
)

func init() {
	register(&command{
		name:  "opt",
		args:  "-passes=P1,P2,... [-wrt A,B] [-tangents T] [-method M] [-k K] [guess flags] [-dump-after=all|P,...] [-dump-dir DIR] [-verify] [-time] FILE",
		short: "run compiler passes on IR and print the result",
		long: "Opt parses and verifies FILE, runs the listed passes on its first function (or\n-func NAME) and prints the resulting IR.\n\nPasses:\n" + passList() + `

The guess pass takes the model's first result as the loss (softmax_xent, or the
mean of per-example losses) and its matmuls by param weights as the layers;
-method and the flags after it configure it. Its seeds are marked in memory for
the jvp pass, so run both in one pipeline:

  pf opt -passes=guess,jvp,fold,cse,dce -method wperp -k 10 -dump-after=all model.pf`,
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

func runOpt(e *env, fs *flag.FlagSet, args []string) error {
	list := fs.String("passes", "", "comma-separated `passes` to run in order (required)")
	wrt := fs.String("wrt", "", "comma-separated `parameters` for jvp and vjp (default: every float parameter with role param)")
	tangents := fs.Int("tangents", 1, "number of tangents `T` jvp carries on a leading axis")
	dumpAfter := fs.String("dump-after", "", "print the IR to stderr after these `passes` (or all)")
	dumpDir := fs.String("dump-dir", "", "write dumps to files in `DIR` instead of stderr")
	verify := fs.Bool("verify", false, "verify the IR after every pass")
	timing := fs.Bool("time", false, "print each pass's duration to stderr")
	fn := fs.String("func", "", "transform the function `NAME` instead of the file's first")
	guess := guessFlags(fs)
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *list == "" {
		return usageError{"-passes is required"}
	}
	if *tangents < 1 {
		return usageError{fmt.Sprintf("-tangents %d: want at least 1", *tangents)}
	}
	guessOpts, err := guess.options()
	if err != nil {
		return err
	}
	f, err := loadVerified(e, rest[0], *fn)
	if err != nil {
		return err
	}
	opts := passes.Options{Wrt: splitList(*wrt), Tangents: *tangents, Guess: guessOpts, Verify: *verify,
		DumpAfter: splitList(*dumpAfter), Dump: e.stderr, DumpDir: *dumpDir}
	if *timing {
		opts.Timing = e.stderr
	}
	g, err := passes.Run(f, splitList(*list), opts)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stdout, g.String())
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
