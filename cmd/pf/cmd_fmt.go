package main

import (
	"flag"
	"fmt"
)

func init() {
	register(&command{
		name:  "fmt",
		args:  "FILE",
		short: "print IR in canonical form",
		long: `Fmt parses the IR file FILE ('-' for standard input) and prints it in the
canonical text format, with its // comments attached to the function,
statement or return they precede. It does not verify types; use 'pf verify'
for that.

Example:

	pf fmt model.pf > model.fmt.pf`,
		run: runFmt,
	})
}

func runFmt(e *env, fs *flag.FlagSet, args []string) error {
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	m, err := loadModule(e, rest[0])
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return errFailed
	}
	_, err = fmt.Fprint(e.stdout, m.String())
	return err
}
