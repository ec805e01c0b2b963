// Command pf is pushforward's command line: it formats, verifies,
// transforms and runs IR files.
//
// Usage:
//
//	pf <command> [flags] [arguments]
//
// Run `pf help` for the list of commands and `pf <command> -h` for one.
//
// pf follows the flag package's conventions (package internal/cli): -h
// prints a command's usage and exits 0; a usage error exits 2 with the
// error first; a command that fails exits 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/pushforward/pushforward/internal/cli"
)

// A command is one subcommand of pf.
type command struct {
	name  string
	args  string // argument synopsis for usage
	short string // one line for `pf help`
	long  string // paragraph for `pf <command> -h`
	// run parses its flags with fs and executes; it returns a
	// cli.UsageError for bad invocations.
	run func(env *env, fs *flag.FlagSet, args []string) error
}

// env carries the process's streams so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// failed marks a command that has already printed its diagnostics; it exits
// with status 1 without printing more.
var errFailed = errors.New("failed")

var commands []*command

func register(c *command) { commands = append(commands, c) }

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func main() {
	os.Exit(run(&env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:]))
}

// run executes pf with the given arguments and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return 2
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		printUsage(e.stderr)
		return 0
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "pf: unknown command %q\nRun 'pf help' for usage.\n", name)
		return 2
	}
	fs := flag.NewFlagSet("pf "+c.name, flag.ContinueOnError)
	fs.Usage = func() {} // cli.Status prints it
	usage := func(w io.Writer) {
		text := fmt.Sprintf("usage: pf %s %s\n\n%s\n", c.name, c.args, c.long)
		if hasFlags(fs) {
			text += "\nFlags:\n"
		}
		cli.PrintUsage(w, text, fs)
	}
	err := c.run(e, fs, args[1:])
	if errors.Is(err, errFailed) {
		return 1 // the diagnostics are printed
	}
	return cli.Status("pf "+c.name, "pf "+c.name, err, e.stderr, usage)
}

// parseFlags parses args with fs (cli.Parse) and checks that between
// minArgs and maxArgs positional arguments remain.
func parseFlags(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	if err := cli.Parse(fs, args); err != nil {
		return nil, err
	}
	if err := cli.CheckArgs(fs, minArgs, maxArgs); err != nil {
		return nil, err
	}
	return fs.Args(), nil
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "pf is the pushforward command line: it formats, verifies, transforms and runs IR.\n\nUsage:\n\n\tpf <command> [flags] [arguments]\n\nCommands:\n\n")
	sorted := append([]*command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.short)
	}
	fmt.Fprint(w, "\nRun 'pf <command> -h' for a command's flags, 'pf help ops' for the op table.\n")
}

func init() {
	register(&command{
		name:  "help",
		args:  "[command | ops]",
		short: "show usage of pf, of a command, or the op table",
		long:  "Help prints pf's usage, a command's usage, or (with 'ops') every op of the IR with its\nclass, whether it has a JVP rule, a transpose rule and an interpreter executor, and\nits description.",
		run:   runHelp,
	})
}

func runHelp(e *env, fs *flag.FlagSet, args []string) error {
	rest, err := parseFlags(fs, args, 0, 1)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		printUsage(e.stdout)
		return nil
	}
	if rest[0] == "ops" {
		fmt.Fprint(e.stdout, opsHelp())
		return nil
	}
	if lookup(rest[0]) == nil {
		return cli.Usagef("unknown command %q", rest[0])
	}
	// The command's own -h prints its usage and flags; send it to stdout.
	run(&env{stdin: e.stdin, stdout: e.stdout, stderr: e.stdout}, []string{rest[0], "-h"})
	return nil
}
