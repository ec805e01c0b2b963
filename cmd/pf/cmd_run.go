package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/passes"
	"github.com/pushforward/pushforward/runtime"
	"github.com/pushforward/pushforward/runtime/tensorjson"
)

func init() {
	register(&command{
		name:  "run",
		args:  "[-func NAME] [-in INPUTS.json] FILE",
		short: "evaluate an IR function on JSON inputs",
		long: `Run parses and verifies FILE, evaluates its first function (or -func NAME)
with the interpreter on the inputs in INPUTS.json ('-' for standard input),
and prints the results as JSON:

	{"results":[{"name":"loss","dtype":"f32","shape":[],"data":[0.69]}]}

Inputs have the same form under "inputs", one entry per parameter matched by
name. data is a flat row-major list; non-finite numbers are the strings
"NaN", "+Inf" and "-Inf". Tangent inputs of a transformed function ('pf opt
-passes=jvp') are ordinary inputs. Declarative ops (argmin) are prepared by
the implicit pass first, if the file has not been through it. A function with
a memory plan (pf opt -passes=...,memplan) runs over its plan. Errors in
INPUTS.json give its line and column; numbers a dtype cannot hold (6.5e40
for f32) are refused.

Example:

	pf run model.pf -in inputs.json`,
		run: runRun,
	})
}

func runRun(e *env, fs *flag.FlagSet, args []string) error {
	in := fs.String("in", "", "JSON `file` with the inputs ('-' for standard input); may be omitted if the function has no parameters")
	fn := fs.String("func", "", "run the function `NAME` instead of the file's first")
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if rest[0] == "-" && *in == "-" {
		return cli.Usagef("FILE and -in cannot both be standard input")
	}
	f, err := loadVerified(e, rest[0], *fn)
	if err != nil {
		return err
	}
	inputs, err := readInputs(e, *in, f)
	if err != nil {
		return err
	}
	// Declarative ops run on the functions the implicit pass derives.
	if f, err = passes.Implicit(f); err != nil {
		return err
	}
	it, err := runtime.New(f)
	if err != nil {
		return err
	}
	run := it.Run
	if ir.HasPlan(f) {
		run = it.NewRunner().Run // over the memory plan memplan recorded
	}
	results, err := run(inputs)
	if err != nil {
		return err
	}
	named := make([]tensorjson.Named, len(results))
	for i, r := range results {
		named[i] = tensorjson.Named{Name: f.Results[i].Name, Tensor: r}
	}
	return tensorjson.WriteResults(e.stdout, named)
}

func readInputs(e *env, path string, f *ir.Func) ([]*runtime.Tensor, error) {
	if path == "" {
		if len(f.Params) > 0 {
			return nil, cli.Usagef("@%s has %d parameters: give their values with -in", f.Name, len(f.Params))
		}
		return nil, nil
	}
	var r io.Reader = e.stdin
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		r = file
	}
	ts, err := tensorjson.ReadInputs(r, f)
	var located *tensorjson.Error
	switch {
	case errors.As(err, &located):
		return nil, fmt.Errorf("%s:%w", path, err) // FILE:line:col: message
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, as in 'pf run FILE -in x.json'.
func parseInterspersed(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		rest, err := parseFlags(fs, args, 0, len(args))
		if err != nil {
			return nil, err
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if err := cli.CheckCount(len(pos), minArgs, maxArgs); err != nil {
		return nil, err
	}
	return pos, nil
}
