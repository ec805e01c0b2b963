package main

import (
	"flag"

	"github.com/pushforward/pushforward/internal/irview"
)

func init() {
	register(&command{
		name:  "dot",
		args:  "[-func NAME] FILE",
		short: "draw an IR function as a Graphviz graph",
		long: `Dot parses and verifies FILE ('-' for standard input) and prints its first
function (or -func NAME) as a Graphviz digraph: a node per parameter (coloured
by role: data, param, state), per instruction (results, op, attributes, result
types) and for the return, and an edge from each value to each of its uses,
labelled with the operand's position where an instruction has several. The
functions of a region (argmin's objective, a fused op's expression) are
clusters.

Example:

	pf dot model.pf | dot -Tsvg -o model.svg`,
		run: runDot,
	})
}

func runDot(e *env, fs *flag.FlagSet, args []string) error {
	fn := fs.String("func", "", "draw the function `NAME` instead of the file's first")
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	f, err := loadVerified(e, rest[0], *fn)
	if err != nil {
		return err
	}
	return irview.WriteDot(e.stdout, f)
}
