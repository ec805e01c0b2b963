package genmod

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pushforward/pushforward/codegen"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

//go:embed codec.go
var codecSource string

// A Program runs functions two ways in one process: as generated code
// and with the interpreter. It is a driver program built in a temporary
// module, holding the generated step of each function (package steps,
// types F0, F1, ...) and the IR text of each, run over pipes. A Program
// is safe for concurrent use; calls are served one at a time.
type Program struct {
	// GenErr holds, per function, the error Generate returned (nil for
	// the functions the program runs as generated code).
	GenErr []error

	cmd   *exec.Cmd
	stdin io.Closer
	w     *bufio.Writer
	r     *bufio.Reader
	mu    sync.Mutex
	err   error // the pipe's first failure: the program is unusable
}

// A RunError is the error a function returned in the driver program.
type RunError struct{ Msg string }

func (e *RunError) Error() string { return e.Msg }

// Build generates every function into the module m (in m.Dir, fresh from
// New), with its adapter and a driver, builds the driver with m's
// environment and starts it. Functions that Generate rejects are left out
// (Program.GenErr says why); the interpreter still runs them.
func Build(m *Module, funcs []*ir.Func) (*Program, error) {
	p := &Program{GenErr: make([]error, len(funcs))}
	var ctors, sources []string
	for i, f := range funcs {
		opts := codegen.Options{Package: "steps", Type: "F" + strconv.Itoa(i)}
		src, err := codegen.Generate(f, opts)
		if err != nil {
			p.GenErr[i] = err
			ctors = append(ctors, "nil")
		} else {
			adapter, err := codegen.Adapter(f, opts, codegen.AdapterOptions{Package: "main", StepImport: "pfgen/steps"})
			if err != nil {
				return nil, err
			}
			if err := m.Write(fmt.Sprintf("steps/f%d.go", i), src); err != nil {
				return nil, err
			}
			if err := m.Write(fmt.Sprintf("f%d_tensors.go", i), adapter); err != nil {
				return nil, err
			}
			ctors = append(ctors, fmt.Sprintf("func() (runner, error) { return NewF%dTensors() }", i))
		}
		text := ""
		if ir.Verify(f) == nil {
			text = f.String()
		}
		sources = append(sources, strconv.Quote(text))
	}
	driver := strings.NewReplacer("CONSTRUCTORS", strings.Join(ctors, ",\n"), "SOURCES", strings.Join(sources, ",\n")).Replace(driverSource)
	if err := m.Write("main.go", []byte(driver)); err != nil {
		return nil, err
	}
	if err := m.Write("codec.go", []byte(strings.Replace(codecSource, "package genmod", "package main", 1))); err != nil {
		return nil, err
	}
	if err := m.Write("cpu_unix.go", []byte(cpuUnix)); err != nil {
		return nil, err
	}
	if err := m.Write("cpu_other.go", []byte(cpuOther)); err != nil {
		return nil, err
	}
	bin := filepath.Join(m.Dir, "driver")
	if err := m.Build(bin); err != nil {
		return nil, err
	}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append(os.Environ(), m.Env...) // GOMAXPROCS and the like apply to the run too
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	p.stdin, p.w, p.r = stdin, bufio.NewWriter(stdin), bufio.NewReader(stdout)
	return p, nil
}

// Generated runs function i's generated code on inputs.
func (p *Program) Generated(i int, inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
	if p.GenErr[i] != nil {
		return nil, p.GenErr[i]
	}
	return p.call(i, modeGenerated, inputs)
}

// Allocs returns the allocations per run of function i's generated code
// on inputs, in steady state (testing.AllocsPerRun of 20 runs, after a
// first).
func (p *Program) Allocs(i int, inputs []*runtime.Tensor) (float64, error) {
	if p.GenErr[i] != nil {
		return 0, p.GenErr[i]
	}
	res, err := p.call(i, modeAllocs, inputs)
	if err != nil {
		return 0, err
	}
	return res[0].F64[0], nil
}

// Time returns the mean time of a run of function i, as generated code
// (generated) or by the interpreter's Runner, on the inputs of its last
// run in that way (Generated or Interpreted), run again and again for at
// least d.
//
// With cpu, runs are timed by the process's CPU time rather than the wall
// clock (on Unix): other jobs on the machine disturb it less, and with
// GOMAXPROCS=1 it is the time the run took on its one thread.
func (p *Program) Time(i int, generated, cpu bool, d time.Duration) (time.Duration, error) {
	mode := uint8(modeTimeInterpreted)
	if generated {
		mode = modeTimeGenerated
	}
	clock := 0.0
	if cpu {
		clock = 1
	}
	res, err := p.call(i, mode, []*runtime.Tensor{runtime.ScalarF64(d.Seconds()), runtime.ScalarF64(clock)})
	if err != nil {
		return 0, err
	}
	return time.Duration(res[0].F64[0]), nil
}

// Interpreted runs function i with the interpreter, in the same program.
func (p *Program) Interpreted(i int, inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
	return p.call(i, modeInterpreter, inputs)
}

func (p *Program) call(i int, mode uint8, inputs []*runtime.Tensor) ([]*runtime.Tensor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil, p.err
	}
	res, failed, err := p.roundTrip(i, mode, inputs)
	if err != nil {
		p.err = fmt.Errorf("genmod: driver program: %w", err)
		return nil, p.err
	}
	if failed != "" {
		return nil, &RunError{Msg: failed}
	}
	return res, nil
}

func (p *Program) roundTrip(i int, mode uint8, inputs []*runtime.Tensor) ([]*runtime.Tensor, string, error) {
	if err := writeRequest(p.w, uint32(i), mode, inputs); err != nil {
		return nil, "", err
	}
	if err := p.w.Flush(); err != nil {
		return nil, "", err
	}
	return readResponse(p.r)
}

// Close stops the driver program.
func (p *Program) Close() error {
	if p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Closing its input ends the driver's loop.
	p.stdin.Close()
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("genmod: driver program: %w", err)
	}
	return nil
}

// driverSource is the driver's main package; CONSTRUCTORS and SOURCES
// become the adapters' constructors and the functions' IR text.
const driverSource = `// Code generated by genmod for a test; DO NOT EDIT.

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/runtime"
)

type runner interface {
	Run(inputs []*runtime.Tensor) ([]*runtime.Tensor, error)
}

// generated holds the adapter constructor of each function's generated
// step (nil where it was not generated).
var generated = []func() (runner, error){
	CONSTRUCTORS,
}

// sources holds each function's IR text ("" where it does not verify).
var sources = []string{
	SOURCES,
}

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	steps := make([]runner, len(generated))
	interps := make([]*runtime.Interpreter, len(sources))
	runners := make([]*runtime.Runner, len(sources))
	last := map[[2]uint32][]*runtime.Tensor{} // the inputs of each function's last run, by mode
	for {
		fn, mode, inputs, err := readRequest(in)
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "driver:", err)
			os.Exit(2)
		}
		var results []*runtime.Tensor
		switch mode {
		case modeGenerated, modeAllocs, modeTimeGenerated:
			if steps[fn] == nil {
				if steps[fn], err = generated[fn](); err != nil {
					steps[fn] = nil
					break
				}
			}
			step := steps[fn]
			switch mode {
			case modeGenerated:
				last[[2]uint32{fn, modeGenerated}] = inputs
				results, err = step.Run(inputs)
			case modeAllocs:
				if results, err = step.Run(inputs); err == nil {
					n := testing.AllocsPerRun(20, func() { step.Run(inputs) })
					results = []*runtime.Tensor{runtime.ScalarF64(n)}
				}
			default:
				results, err = timeRuns(step.Run, last[[2]uint32{fn, modeGenerated}], inputs[0].F64[0], inputs[1].F64[0] != 0)
			}
		default:
			if interps[fn] == nil {
				if interps[fn], err = interpreter(sources[fn]); err != nil {
					interps[fn] = nil
					break
				}
				runners[fn] = interps[fn].NewRunner()
			}
			if mode == modeTimeInterpreted {
				results, err = timeRuns(runners[fn].Run, last[[2]uint32{fn, modeInterpreter}], inputs[0].F64[0], inputs[1].F64[0] != 0)
				break
			}
			last[[2]uint32{fn, modeInterpreter}] = inputs
			results, err = interps[fn].Run(inputs)
		}
		if err := writeResponse(out, results, err); err != nil {
			fmt.Fprintln(os.Stderr, "driver:", err)
			os.Exit(2)
		}
		if err := out.Flush(); err != nil {
			os.Exit(2)
		}
	}
}

// timeRuns runs run on inputs for at least seconds, of the wall clock or
// of the process's CPU time, and returns the mean nanoseconds of a run.
func timeRuns(run func([]*runtime.Tensor) ([]*runtime.Tensor, error), inputs []*runtime.Tensor, seconds float64, cpu bool) ([]*runtime.Tensor, error) {
	if inputs == nil {
		return nil, fmt.Errorf("no inputs to time with: run the function once first")
	}
	now := func() time.Duration { return time.Duration(time.Now().UnixNano()) }
	if cpu {
		now = processCPU
	}
	d := time.Duration(seconds * float64(time.Second))
	n := 0
	start := now()
	for {
		if _, err := run(inputs); err != nil {
			return nil, err
		}
		n++
		if el := now() - start; el >= d {
			return []*runtime.Tensor{runtime.ScalarF64(float64(el.Nanoseconds()) / float64(n))}, nil
		}
	}
}

func interpreter(src string) (*runtime.Interpreter, error) {
	if src == "" {
		return nil, fmt.Errorf("the function does not verify, so the driver cannot parse it")
	}
	m, err := ir.Parse("func.pf", []byte(src))
	if err != nil {
		return nil, err
	}
	return runtime.New(m.Funcs[0])
}
`

// cpuUnix and cpuOther are the driver's clock of the process's CPU time.
const cpuUnix = `//go:build unix

package main

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
`

const cpuOther = `//go:build !unix

package main

import "time"

// processCPU is the wall clock where the process's CPU time is not at hand.
func processCPU() time.Duration { return time.Duration(time.Now().UnixNano()) }
`
