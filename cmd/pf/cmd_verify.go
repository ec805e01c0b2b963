package main

import (
	"flag"
	"fmt"
)

func init() {
	register(&command{
		name:  "verify",
		args:  "FILE",
		short: "check IR for well-formedness and types",
		long: `Verify parses and verifies the IR file FILE ('-' for standard input). It exits
0 if the file is valid; otherwise it prints every error as FILE:line:col:
message and exits 1: the errors of every statement, and returns that do not
match their declared results, not only the first.

Example:

	pf verify model.pf`,
		run: runVerify,
	})
}

func runVerify(e *env, fs *flag.FlagSet, args []string) error {
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if _, err := verifiedModule(e, rest[0]); err != nil {
		fmt.Fprintln(e.stderr, err)
		return errFailed
	}
	return nil
}
