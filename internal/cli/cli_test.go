package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func flags() *flag.FlagSet {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.Int("epochs", 6, "epochs over the training set")
	fs.Int("e", 1, "a short flag")
	fs.Float64("lr", 1e-3, "learning rate")
	fs.Bool("json", false, "print JSON")
	fs.Duration("time", time.Second, "least time of a round")
	fs.String("out", "out", "output `directory`")
	fs.Func("odd", "an even number", func(s string) error { return errors.New("want an even number") })
	return fs
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // "" for success, "help" for flag.ErrHelp
	}{
		{[]string{"-epochs", "3"}, ""},
		{[]string{"-h"}, "help"},
		{[]string{"-help"}, "help"},
		{[]string{"-epochs", "abc"}, `invalid value "abc" for flag -epochs: parse error (-epochs takes an integer: epochs over the training set)`},
		{[]string{"-e", "x"}, `invalid value "x" for flag -e: parse error (-e takes an integer: a short flag)`},
		{[]string{"-lr", "fast"}, `(-lr takes a number: learning rate)`},
		{[]string{"-json=maybe"}, `(-json takes no value, or =true or =false: print JSON)`},
		{[]string{"-time", "1"}, `(-time takes a duration such as 300ms or 2m: least time of a round)`},
		{[]string{"-out"}, `flag needs an argument: -out (-out directory takes a string: output directory)`},
		{[]string{"-nope"}, `flag provided but not defined: -nope`},
		{[]string{"-odd", "3"}, `invalid value "3" for flag -odd: want an even number`},
	} {
		err := Parse(flags(), c.args)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.args, err)
		case c.want == "help" && !errors.Is(err, flag.ErrHelp):
			t.Errorf("%q: %v, want flag.ErrHelp", c.args, err)
		case c.want != "" && c.want != "help" && (!IsUsage(err) || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), "even number") > 1):
			t.Errorf("%q: error %v, want a usage error containing %q", c.args, err, c.want)
		}
	}
}

func TestStatus(t *testing.T) {
	usage := func(w io.Writer) { io.WriteString(w, "USAGE\n") }
	for _, c := range []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, "USAGE\n"},
		{fmt.Errorf("wrapped: %w", Usagef("-width %d: want at least 1", -5)), 2, "prog: wrapped: -width -5: want at least 1\nRun 'go run ./prog -h' for usage.\n"},
		{errors.New("the run failed"), 1, "prog: the run failed\n"},
	} {
		var b bytes.Buffer
		if code := Status("prog", "go run ./prog", c.err, &b, usage); code != c.code || b.String() != c.stderr {
			t.Errorf("%v: status %d, stderr %q; want %d, %q", c.err, code, b.String(), c.code, c.stderr)
		}
	}
}

func TestCheckArgs(t *testing.T) {
	fs := flags()
	if err := fs.Parse([]string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		min, max int
		want     string
	}{
		{2, 2, ""}, {1, 3, ""}, {0, 0, `unexpected arguments ["a" "b"]`}, {1, 1, "want 1 argument(s), got 2"}, {3, 4, "want 3 to 4 arguments, got 2"},
	} {
		err := CheckArgs(fs, c.min, c.max)
		if (c.want == "") != (err == nil) || (err != nil && (!IsUsage(err) || !strings.Contains(err.Error(), c.want))) {
			t.Errorf("CheckArgs(%d, %d) = %v, want %q", c.min, c.max, err, c.want)
		}
	}
}

func TestPrintUsage(t *testing.T) {
	var b bytes.Buffer
	fs := flags()
	fs.SetOutput(io.Discard)
	PrintUsage(&b, "Usage: prog [flags]\n", fs)
	for _, s := range []string{"Usage: prog [flags]\n", "-epochs int", "(default 6)", "-out directory"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("usage lacks %q:\n%s", s, b.String())
		}
	}
}
