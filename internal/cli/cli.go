// Package cli holds the command-line conventions shared by pf and the
// example programs, those of the flag package:
//
//   - -h (or -help) prints the full usage, with every flag, its default
//     and an example, and exits 0;
//   - a usage error (a flag that does not parse, a value that cannot
//     work, a wrong number of arguments) is found before any work starts
//     and exits 2, printing first the error, one line that names the flag
//     and what it accepts, then where to find the usage;
//   - a run that fails exits 1 with its error on stderr.
//
// Parse parses flags in that way; Status prints an error and gives the
// exit status.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// A UsageError is an error in how a program was invoked.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError with a formatted message, such as
// Usagef("-width %d: want a width of at least 1", w).
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// IsUsage reports whether err is, or wraps, a UsageError.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// Parse parses args with fs, printing nothing. It returns flag.ErrHelp for
// -h and -help, and a UsageError naming the flag and what it takes for a
// flag that does not parse.
func Parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &UsageError{Msg: describe(fs, err.Error())}
}

// describe completes a message of the flag package with what the flag it
// names takes: `invalid value "abc" for flag -epochs: parse error
// (-epochs takes an integer: epochs)`.
func describe(fs *flag.FlagSet, msg string) string {
	if !strings.HasSuffix(msg, "parse error") && !strings.HasPrefix(msg, "flag needs an argument") {
		return msg // the flag's own value said what is wrong
	}
	var hit *flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		named := strings.Contains(msg, "-"+f.Name+":") || strings.HasSuffix(msg, "-"+f.Name)
		if named && (hit == nil || len(f.Name) > len(hit.Name)) {
			hit = f
		}
	})
	if hit == nil {
		return msg
	}
	name, usage := flag.UnquoteUsage(hit)
	plain := *hit // without the `name` quoting, UnquoteUsage gives the type
	plain.Usage = strings.ReplaceAll(hit.Usage, "`", "")
	kind, _ := flag.UnquoteUsage(&plain)
	what := "a " + kind
	switch kind {
	case "":
		what = "no value, or =true or =false"
	case "int", "uint":
		what = "an integer"
	case "float":
		what = "a number"
	case "duration":
		what = "a duration such as 300ms or 2m"
	}
	flagName := "-" + hit.Name
	if name != kind {
		flagName += " " + name
	}
	return fmt.Sprintf("%s (%s takes %s: %s)", msg, flagName, what, usage)
}

// CheckArgs returns a UsageError unless fs has between min and max
// positional arguments left.
func CheckArgs(fs *flag.FlagSet, min, max int) error {
	if fs.NArg() > 0 && max == 0 {
		return Usagef("unexpected arguments %q (every setting is a flag)", fs.Args())
	}
	return CheckCount(fs.NArg(), min, max)
}

// CheckCount returns a UsageError unless min ≤ n ≤ max, n being the number
// of positional arguments.
func CheckCount(n, min, max int) error {
	switch {
	case n >= min && n <= max:
		return nil
	case min == max:
		return Usagef("want %d argument(s), got %d", min, n)
	}
	return Usagef("want %d to %d arguments, got %d", min, max, n)
}

// Status prints what err calls for to stderr and returns the exit status:
// 0 for nil; the full usage (printed by usage) and 0 for flag.ErrHelp; for
// a UsageError the message, then a pointer to -h, and 2; for any other
// error the message and 1. name prefixes the messages ("mnist1d", "pf
// opt"); command is how the program is run ("go run ./examples/mnist1d").
func Status(name, command string, err error, stderr io.Writer, usage func(w io.Writer)) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		usage(stderr)
		return 0
	case IsUsage(err):
		fmt.Fprintf(stderr, "%s: %v\nRun '%s -h' for usage.\n", name, err, command)
		return 2
	default:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
}

// PrintUsage writes text, then the flags of fs with their defaults, to w.
func PrintUsage(w io.Writer, text string, fs *flag.FlagSet) {
	io.WriteString(w, text)
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}
