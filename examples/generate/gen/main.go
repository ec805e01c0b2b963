// Command gen writes the generated Go of examples/generate (run by go
// generate in that directory): for each function the training run needs
// (setup.Functions: each method's step for the full and the last batch,
// and the evaluation), built with the builder and the passes as
// methods/train compiles it, the step emitted by codegen into package
// step (step/*_gen.go), its adapter to runtime tensors into package main
// (*_tensors_gen.go), and the table the trainer finds them in by
// fingerprint (steps_gen.go).
//
//	go run ./gen [-dir DIR]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"

	"github.com/pushforward/pushforward/codegen"
	"github.com/pushforward/pushforward/examples/generate/setup"
	"github.com/pushforward/pushforward/internal/cli"
)

// stepImport is the import path of the generated package.
const stepImport = "github.com/pushforward/pushforward/examples/generate/step"

func main() {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.Usage = func() {}
	dir := fs.String("dir", ".", "write the files into `DIR` (the directory of examples/generate)")
	err := cli.Parse(fs, os.Args[1:])
	if err == nil {
		err = cli.CheckArgs(fs, 0, 0)
	}
	if err == nil {
		err = generate(*dir)
	}
	usage := func(w io.Writer) {
		cli.PrintUsage(w, "Usage: go run ./gen [-dir DIR]\n\nWrites the generated steps of examples/generate (go generate runs it there).\n\nFlags:\n", fs)
	}
	os.Exit(cli.Status("gen", "go run ./gen", err, os.Stderr, usage))
}

// generate writes every file into dir.
func generate(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "step"), 0o755); err != nil {
		return err
	}
	var table bytes.Buffer
	table.WriteString(codegen.Header + "\n\npackage main\n\nimport (\n\t\"github.com/pushforward/pushforward/examples/generate/step\"\n\t\"github.com/pushforward/pushforward/methods/train\"\n)\n\n")
	table.WriteString("// generated maps the fingerprint of each function a run compiles to its\n// generated step, as a train.Stepper.\n")
	table.WriteString("var generated = map[string]func() (train.Stepper, error){\n")
	for _, fn := range setup.Functions() {
		f, err := setup.Build(fn)
		if err != nil {
			return fmt.Errorf("%s: %w", fn.Type, err)
		}
		opts := codegen.Options{Package: "step", Type: fn.Type, Command: "go generate ./examples/generate (go run ./gen)"}
		src, err := codegen.Generate(f, opts)
		if err != nil {
			return err
		}
		adapter, err := codegen.Adapter(f, opts, codegen.AdapterOptions{Package: "main", StepImport: stepImport})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "step", fn.File+"_gen.go"), src, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fn.File+"_tensors_gen.go"), adapter, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&table, "\tstep.%sFingerprint: func() (train.Stepper, error) { return New%sTensors() },\n", fn.Type, fn.Type)
	}
	table.WriteString("}\n")
	src, err := format.Source(table.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "steps_gen.go"), src, 0o644)
}
