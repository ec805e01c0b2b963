// Command pf is pushforward's command line: it formats, verifies,
// transforms and runs IR files.
//
// Usage:
//
//	pf <command> [flags] [arguments]
//
// Run `pf help` for the list of commands and `pf <command> -h` for one.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// A command is one subcommand of pf.
type command struct {
	name  string
	args  string // argument synopsis for usage
	short string // one line for `pf help`
	long  string // paragraph for `pf <command> -h`
	// run parses its flags with fs and executes; it returns a usageError
	// for bad invocations.
	run func(env *env, fs *flag.FlagSet, args []string) error
}

// env carries the process's streams so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError marks errors in how pf was invoked; they exit with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

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
		name = "help"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "pf: unknown command %q\nRun 'pf help' for usage.\n", name)
		return 2
	}
	fs := flag.NewFlagSet("pf "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: pf %s %s\n\n%s\n", c.name, c.args, c.long)
		if hasFlags(fs) {
			fmt.Fprintln(e.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	err := c.run(e, fs, args[1:])
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "pf %s: %s\n", c.name, ue.msg)
		fs.Usage()
		return 2
	case errors.Is(err, errFailed):
		return 1
	default:
		fmt.Fprintf(e.stderr, "pf %s: %v\n", c.name, err)
		return 1
	}
}

// parseFlags parses args with fs, turning flag errors into usage errors.
// It checks that between minArgs and maxArgs positional arguments remain.
func parseFlags(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	rest := fs.Args()
	if len(rest) < minArgs || len(rest) > maxArgs {
		if minArgs == maxArgs {
			return nil, usageError{fmt.Sprintf("want %d argument(s), got %d", minArgs, len(rest))}
		}
		return nil, usageError{fmt.Sprintf("want %d to %d arguments, got %d", minArgs, maxArgs, len(rest))}
	}
	return rest, nil
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
		return usageError{fmt.Sprintf("unknown command %q", rest[0])}
	}
	// The command's own -h prints its usage and flags; send it to stdout.
	run(&env{stdin: e.stdin, stdout: e.stdout, stderr: e.stdout}, []string{rest[0], "-h"})
	return nil
}
