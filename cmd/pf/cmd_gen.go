package main

import (
	"errors"
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/pushforward/pushforward/codegen"
	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/passes"
)

func init() {
	register(&command{
		name:  "gen",
		args:  "[-pkg NAME] [-type NAME] [-o FILE] [-func NAME] [-passes=P1,P2,... [pass flags]] IRFILE",
		short: "emit Go source for a function",
		long: `Gen parses and verifies IRFILE, optionally runs passes on its first function (or
-func NAME) as pf opt does, and writes the function compiled to Go: one file
of package -pkg holding a struct -type with the inputs (In), the results (Out)
and preallocated buffers, its constructor New<type>, and a Step method that
runs the function with the kernels of runtime/ops, runtime/kernels and
runtime/rng, allocating nothing, with the interpreter's bits. The file
imports only the standard library and those packages. An op that gen cannot
emit is reported with the value and its position, and nothing is written.

-pkg defaults to the name of -o's directory, -type to the function's name
(exported), -o to the standard output.

Example:

	pf gen -pkg step -type MLP -o step/mlp_gen.go model.pf
	pf gen -passes=vjp,fold,cse,dce,fuse,memplan -wrt w1,w2 -pkg step -o step/grad_gen.go model.pf

Passes:
` + passList(),
		run: runGen,
	})
}

func runGen(e *env, fs *flag.FlagSet, args []string) error {
	pkg := fs.String("pkg", "", "the generated file's package `NAME` (default: -o's directory name)")
	typ := fs.String("type", "", "the generated struct's `NAME`, exported (default: the function's name)")
	out := fs.String("o", "-", "write the Go source to `FILE` ('-': standard output)")
	fn := fs.String("func", "", "generate the function `NAME` instead of the file's first")
	list := fs.String("passes", "", "comma-separated `passes` to run first, as pf opt runs them")
	wrt := fs.String("wrt", "", "comma-separated `parameters` for jvp and vjp (default: every float parameter with role param)")
	tangents := fs.Int("tangents", 1, "number of tangents `T` jvp carries on a leading axis")
	guess := guessFlags(fs)
	rest, err := parseInterspersed(fs, args, 1, 1)
	if err != nil {
		return err
	}
	names := splitList(*list)
	if err := checkPassList("passes", names); err != nil {
		return err
	}
	if *tangents < 1 {
		return cli.Usagef("-tangents %d: want at least 1", *tangents)
	}
	if *pkg == "" {
		if *pkg, err = defaultPackage(*out); err != nil {
			return err
		}
	}
	switch {
	case !token.IsIdentifier(*pkg) || *pkg == "_":
		return cli.Usagef("-pkg %q: want a Go identifier", *pkg)
	case *typ != "" && (!token.IsIdentifier(*typ) || !token.IsExported(*typ)):
		return cli.Usagef("-type %q: want an exported Go identifier (a capital first letter)", *typ)
	}
	guessOpts, err := guess.options()
	if err != nil {
		return err
	}
	f, err := loadVerified(e, rest[0], *fn)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		opts := passes.Options{Wrt: splitList(*wrt), Tangents: *tangents, Guess: guessOpts, Verify: true}
		if f, err = passes.Run(f, names, opts); err != nil {
			return err
		}
	}
	src, err := codegen.Generate(f, codegen.Options{Package: *pkg, Type: *typ, Command: "pf gen " + strings.Join(args, " ")})
	if err != nil {
		// One instruction a line.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(e.stderr, line)
		}
		return errFailed
	}
	if *out == "-" {
		_, err = e.stdout.Write(src)
		return err
	}
	return writeFileAtomic(*out, src)
}

// defaultPackage is the package name of a file written to out: its
// directory's name, when that is an identifier.
func defaultPackage(out string) (string, error) {
	dir := "."
	if out != "-" {
		dir = filepath.Dir(out)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	name := strings.ReplaceAll(filepath.Base(abs), "-", "_")
	if !token.IsIdentifier(name) || token.IsKeyword(name) {
		return "", cli.Usagef("-pkg is required: the directory name %q is not a package name", filepath.Base(abs))
	}
	return name, nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory, so that a failure leaves no half-written file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pf-gen-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
