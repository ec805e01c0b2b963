package main

import (
	"fmt"
	"io"
	"os"

	"github.com/pushforward/pushforward/ir"
)

// readSource reads the file at path, or standard input if path is "-".
// It returns the contents and the name to use in diagnostics.
func readSource(e *env, path string) ([]byte, string, error) {
	if path == "-" {
		src, err := io.ReadAll(e.stdin)
		return src, "<stdin>", err
	}
	src, err := os.ReadFile(path)
	return src, path, err
}

// loadModule reads and parses the IR file at path. Parse errors are
// returned as they are: they carry FILE:line:col.
func loadModule(e *env, path string) (*ir.Module, error) {
	src, name, err := readSource(e, path)
	if err != nil {
		return nil, err
	}
	return ir.Parse(name, src)
}

// verifiedModule reads, parses and verifies the IR file at path. It
// reports every independent error at once (ir.ParseAndVerify).
func verifiedModule(e *env, path string) (*ir.Module, error) {
	src, name, err := readSource(e, path)
	if err != nil {
		return nil, err
	}
	return ir.ParseAndVerify(name, src, ir.ParseOptions{})
}

// loadVerified parses and verifies the IR file at path and returns the
// function named fn (the first function if fn is empty). Diagnostics are
// printed to stderr one per line, and errFailed returned.
func loadVerified(e *env, path, fn string) (*ir.Func, error) {
	m, err := verifiedModule(e, path)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil, errFailed
	}
	if fn == "" {
		return m.Funcs[0], nil
	}
	f := m.Func(fn)
	if f == nil {
		return nil, fmt.Errorf("%s: no function @%s", path, fn)
	}
	return f, nil
}
