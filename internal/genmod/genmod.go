// Package genmod builds generated code where tests and benchmarks can run
// it: a temporary Go module that requires this repository through a
// replace directive (so generated code imports the runtime's packages as
// any user's module would), built with the go command, offline.
//
// Program is the one use of it the tests share: the generated steps of
// many functions in one package, built once into a driver program that
// runs them, or the interpreter, on tensors sent over a pipe, so that a
// test compares both on the same inputs in one process built at one
// GOAMD64 level.
package genmod

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// ModulePath is the module path of this repository.
const ModulePath = "github.com/pushforward/pushforward"

// A Module is a temporary module in Dir requiring this repository.
type Module struct {
	Dir string
	// Root is the repository's directory, which the replace directive
	// names.
	Root string
	// Env is added to the environment of the go command (GOAMD64=v3,
	// ...) and of the programs it builds (GOMAXPROCS=1, ...).
	Env []string
}

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// Root returns the directory of this repository's module, as the go
// command sees it from the working directory.
func Root() (string, error) {
	rootOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", ModulePath).Output()
		if err != nil {
			rootErr = fmt.Errorf("genmod: finding the module %s from %s: %w (run inside the repository)", ModulePath, workingDir(), commandError(err))
			return
		}
		root = strings.TrimSpace(string(out))
	})
	return root, rootErr
}

func workingDir() string {
	wd, _ := os.Getwd()
	return wd
}

// New creates the module in dir (which must exist): a go.mod requiring
// the repository, replaced by its directory, and the repository's go.sum,
// so that the go command finds every dependency in the module cache.
func New(dir string) (*Module, error) {
	r, err := Root()
	if err != nil {
		return nil, err
	}
	gomod := fmt.Sprintf("module pfgen\n\ngo 1.26.0\n\nrequire %s v0.0.0\n\nreplace %s => %s\n", ModulePath, ModulePath, r)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return nil, err
	}
	sum, err := os.ReadFile(filepath.Join(r, "go.sum"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		return nil, err
	}
	return &Module{Dir: dir, Root: r}, nil
}

// Write writes a file at path (slash-separated, relative to the module),
// creating its directory.
func (m *Module) Write(path string, data []byte) error {
	p := filepath.Join(m.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// Go returns the go command with args, run in the module offline: missing
// requirements are resolved from the module cache, never downloaded.
func (m *Module) Go(args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	cmd.Env = append(cmd.Env, m.Env...)
	return cmd
}

// Build builds the module's main package into the binary out.
func (m *Module) Build(out string) error {
	cmd := m.Go("build", "-o", out, ".")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("genmod: go build in %s: %w\n%s", m.Dir, err, stderr.String())
	}
	return nil
}

// commandError adds the standard error of a failed command to err.
func commandError(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}
