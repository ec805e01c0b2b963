package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pushforward/pushforward/internal/cli"
)

// A result is one line of output. Fields that do not apply to a case are
// left out.
type result struct {
	Case string `json:"case"`
	Impl string `json:"impl,omitempty"` // gemm: packed, gonum or openblas
	// Kernel is the kernel family an implementation ran: the packed
	// GEMM's instruction-set level (avx512, avx2, generic), OpenBLAS's
	// core type (SkylakeX, Haswell, ...).
	Kernel string `json:"kernel,omitempty"`
	DType  string `json:"dtype,omitempty"`
	Shape  []int  `json:"shape,omitempty"`
	// Trans names gemm's transposed operands: "a" (Aᵀ·B), "b" (A·Bᵀ).
	Trans  string `json:"trans,omitempty"`
	Method string `json:"method,omitempty"` // mlp-fwdgrad-depth: the step
	Depth  int    `json:"depth,omitempty"`
	// Threads is the goroutines (peak: the FMA loops) running.
	Threads int     `json:"threads,omitempty"`
	NsPerOp float64 `json:"ns_per_op,omitempty"`
	GFLOPS  float64 `json:"gflops,omitempty"`
	// BytesPeak is, for the MLP cases, the live-set peak of the step's
	// function (passes.PeakLiveBytes: results and temporaries, not
	// parameters); for gemm, the operands plus the packing buffers.
	BytesPeak int64 `json:"bytes_peak,omitempty"`
	// BytesTemp is, for mlp-fwdgrad-depth, the live-set peak without the
	// step's results (passes.PeakTemporaryBytes): the activations and
	// temporaries beyond the inputs and the gradient estimates.
	BytesTemp int64 `json:"bytes_temp,omitempty"`
	// RunnerBytes is the memory a runtime.Runner plans for the step.
	RunnerBytes int64 `json:"runner_bytes,omitempty"`
	// BytesMoved is, for the MLP and paper steps, the bytes a step reads
	// and writes by the model of passes.TrafficBytes.
	BytesMoved int64 `json:"bytes_moved,omitempty"`
	// Flops is, for paper-step, the FLOPs of the step's matrix products.
	Flops float64 `json:"flops,omitempty"`
	// Rounds is the number of timed rounds whose median NsPerOp is.
	Rounds int `json:"rounds,omitempty"`
	// Name and Value are a derived figure: a ratio, or a clock.
	Name  string  `json:"name,omitempty"`
	Value float64 `json:"value,omitempty"`
}

// options are the command-line settings shared by the cases.
type options struct {
	rounds  int           // timed rounds per case (the median is reported)
	minTime time.Duration // least time of one round
	numpy   bool          // also time OpenBLAS through python's numpy
	python  string        // the python interpreter for -numpy
	gonum   bool          // also time gonum's GEMM
	levels  bool          // also time the packed GEMM at lower instruction-set levels
	quick   bool          // smaller MLP cases and shorter rounds, for tests
	// opProfile is the number of instruction groups of each paper-step's
	// profile to print (0: none).
	opProfile int
	// only selects some of the MLP cases; nil means all.
	only map[string]bool
	// wideNS also times wperp-ns at the paper-step's widest width.
	wideNS bool
	// paper selects some of the paper steps (method/wWIDTH); nil means
	// all.
	paper map[string]bool
	// fuse lists the variants of the fuse pass (fuseVariants) whose
	// steps are timed next to the unfused ones.
	fuse []string
}

// A benchCase produces result lines.
type benchCase struct {
	name string
	doc  string
	run  func(o *options, emit func(result)) error
}

// cases lists the cases in the order they run.
var cases = []benchCase{
	{"peak", "FMA peak: a tight loop of independent FMAs on 1 and on all threads, and the clock of /proc/cpuinfo", runPeak},
	{"gemm", "GEMM, f32 and f64: 256, 512, 1024 square and the products of the MLP step", runGEMM},
	{"mlp", "the MLP steps " + strings.Join(mlpCases, ", ") + ", timed round-robin, and their ratios", runMLP},
	{"paper-step", "one gradient step of backprop, wt and wperp on the forward-gradient paper's MNIST-1D network (widths 128 and 512, batch 512)", runPaperSteps},
	{"gen", "training steps as generated Go against the interpreter, unfused and fused: backprop, wt and wperp on the paper's MNIST-1D network at widths 64 to 1024 (batch 512) and on the 784-1024-1024-10 MLP", runGen},
	{"mlp-fwdgrad-depth", "bytes_peak and bytes_temp of the forward-gradient steps (plain and scheduled) and of backprop for depth 2, 8 and 32", runDepth},
	{"fuse-chain", "chains the steps fuse (bias, ReLU and mask; a matmul epilogue; a tangent chain; AdamW's update), unfused and fused, timed in turns", runFuseChains},
}

// mlpCases are the names -case accepts for the MLP group.
var mlpCases = []string{"mlp-fwd", "mlp-jvp", "mlp-jvp-params", "mlp-backprop", "mlp-fwdgrad-wt", "mlp-fwdgrad-wt-schedule", "mlp-fwdgrad-wperp"}

func main() { os.Exit(benchMain(os.Args[1:], os.Stdout, os.Stderr)) }

// benchMain runs the command line and returns the exit status: 0, 2 for
// a usage error (found before any case runs), 1 when a case fails.
func benchMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {}
	jsonOut := fs.Bool("json", false, "print one JSON line per figure as it comes, instead of the table")
	caseFlag := fs.String("case", "all", "comma-separated `cases` to run: all, "+caseNames())
	threads := fs.Int("threads", 2, "GOMAXPROCS: the threads kernels may use, at least 1")
	var o options
	fs.IntVar(&o.rounds, "rounds", 7, "timed rounds per case, at least 1; the median is reported")
	fs.DurationVar(&o.minTime, "time", 300*time.Millisecond, "least duration of one timed round, positive")
	fs.BoolVar(&o.numpy, "numpy", false, "also time GEMM in OpenBLAS through numpy (a reference; nothing else needs python)")
	fs.StringVar(&o.python, "python", "python3", "the python with numpy for -numpy")
	fs.BoolVar(&o.gonum, "gonum", false, "also time gonum's pure-Go GEMM")
	fs.BoolVar(&o.levels, "levels", false, "gemm: also time the packed GEMM at each lower instruction-set level the CPU runs (packed-avx2 on AVX-512 CPUs)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this `file`")
	fs.Func("paper", "paper-step: time only these comma-separated steps, e.g. wperp/w512,wt/w128 (default all)", func(v string) error {
		o.paper = map[string]bool{}
		for _, name := range strings.Split(v, ",") {
			m, w, ok := strings.Cut(name, "/w")
			if !ok || !slices.Contains(paperMethods, m) || !slices.ContainsFunc(paperWidths, func(x int) bool { return strconv.Itoa(x) == w }) {
				return fmt.Errorf("%q is not a paper step: want method/wWIDTH with method one of %s and width one of %v", name, strings.Join(paperMethods, ", "), paperWidths)
			}
			o.paper[name] = true
		}
		return nil
	})
	fs.BoolVar(&o.wideNS, "wide-ns", false, "paper-step: also time wperp-ns at width 512 (one step after a warm-up step: about two minutes and 4 GB)")
	clock := fs.String("clock", "wall", "what rounds are timed by: wall (the wall clock) or cpu (the process's CPU time, which other jobs on the machine disturb less; with -threads 1, as kernels' idle helpers spin)")
	fs.IntVar(&o.opProfile, "opprofile", 0, "after timing each MLP and paper step, print its `n` costliest groups of instructions (op and types) to stderr")
	fuseFlag := fs.String("fuse", "", "also time the MLP and paper steps compiled with the fuse pass, in the same rounds: a comma-separated list of `variants` ("+fuseVariantNames()+")")
	usage := func(w io.Writer) {
		var b strings.Builder
		b.WriteString("Usage: go run ./examples/bench [flags]\n\nMeasures the kernels and training steps and prints a table of the figures, or\nwith -json one JSON line per figure. Cases:\n\n")
		for _, c := range cases {
			fmt.Fprintf(&b, "  %-18s %s\n", c.name, c.doc)
		}
		b.WriteString("\nExamples:\n\n  go run ./examples/bench -case mlp\n  go run ./examples/bench -json -case gemm -rounds 5 -time 300ms\n  go run ./examples/bench -case mlp,paper-step -fuse fuse,wide\n\nFlags:\n")
		cli.PrintUsage(w, b.String(), fs)
	}
	err := cli.Parse(fs, args)
	if err == nil {
		err = cli.CheckArgs(fs, 0, 0)
	}
	switch {
	case err != nil:
	case o.rounds < 1:
		err = cli.Usagef("-rounds %d: want at least 1 round", o.rounds)
	case o.minTime <= 0:
		err = cli.Usagef("-time %v: want a positive duration", o.minTime)
	case *threads < 1:
		err = cli.Usagef("-threads %d: want at least 1 thread", *threads)
	case o.opProfile < 0:
		err = cli.Usagef("-opprofile %d: want 0 (none) or more groups", o.opProfile)
	}
	if err == nil {
		_, err = selectCases(*caseFlag)
	}
	if err == nil {
		o.fuse, err = parseFuseVariants(*fuseFlag)
	}
	if err == nil && *clock != "wall" && *clock != "cpu" {
		err = cli.Usagef("-clock %q: want wall or cpu", *clock)
	}
	cpuClock = *clock == "cpu"
	if err == nil {
		runtime.GOMAXPROCS(*threads)
		err = runProfiled(*cpuProfile, func() error { return run(stdout, *caseFlag, &o, *jsonOut) })
	}
	return cli.Status("bench", "go run ./examples/bench", err, stderr, usage)
}

// runProfiled runs f, with a CPU profile written to path if it is set.
func runProfiled(path string, f func() error) error {
	if path == "" {
		return f()
	}
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := pprof.StartCPUProfile(file); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return f()
}

func caseNames() string {
	var names []string
	for _, c := range cases {
		names = append(names, c.name)
	}
	return strings.Join(append(names, mlpCases...), ", ")
}

// selectCases reads -case: the names of cases and MLP steps, or all.
func selectCases(selection string) (map[string]bool, error) {
	want := map[string]bool{}
	for _, name := range strings.Split(selection, ",") {
		name = strings.TrimSpace(name)
		if name == "all" {
			for _, c := range cases {
				want[c.name] = true
			}
			continue
		}
		known := slices.ContainsFunc(cases, func(c benchCase) bool { return c.name == name })
		if !known && !slices.Contains(mlpCases, name) {
			return nil, cli.Usagef("-case: unknown case %q (want all or a comma-separated list of %s)", name, caseNames())
		}
		want[name] = true
	}
	return want, nil
}

// run runs the selected cases, writing to w as results come either a table
// (one row a figure) or, with jsonOut, one JSON line a figure.
func run(w io.Writer, selection string, o *options, jsonOut bool) error {
	want, err := selectCases(selection)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	rows := 0
	emit := func(r result) {
		if jsonOut {
			enc.Encode(r)
			return
		}
		if rows == 0 {
			writeHeader(w)
		}
		rows++
		writeRow(w, r)
	}
	for _, c := range cases {
		co := *o
		sel := want[c.name]
		if c.name == "mlp" && !sel {
			// Some MLP cases by name.
			sel = slices.ContainsFunc(mlpCases, func(n string) bool { return want[n] })
			co.only = want
		}
		if !sel {
			continue
		}
		if err := c.run(&co, emit); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// cpuClock makes timeRound measure the process's CPU time instead of the
// wall clock (-clock cpu).
var cpuClock bool

// timeRound runs f repeatedly for at least d and returns the nanoseconds
// per call, of wall time or, with cpuClock, of the process's CPU time.
func timeRound(f func(), d time.Duration) float64 {
	n := 0
	start, cpu := time.Now(), processCPU()
	for {
		f()
		n++
		if el := time.Since(start); el >= d {
			if cpuClock {
				el = processCPU() - cpu
			}
			return float64(el.Nanoseconds()) / float64(n)
		}
	}
}

// writeHeader prints the head of the table of results.
func writeHeader(w io.Writer) {
	fmt.Fprintf(w, "%-24s %-8s %-5s %-22s %12s %9s %12s %12s %12s\n", "case", "impl", "dtype", "shape/depth", "time/op", "GFLOP/s", "bytes_peak", "runner", "moved")
}

// writeRow prints one result as a row of the table.
func writeRow(w io.Writer, r result) {
	shape := ""
	switch {
	case r.Name != "":
		fmt.Fprintf(w, "%-24s %-48s %12.3f\n", r.Case, r.Name, r.Value)
		return
	case r.Depth > 0:
		shape = fmt.Sprintf("%s depth %d", r.Method, r.Depth)
	case r.Case == "peak":
		shape = fmt.Sprintf("%d threads", r.Threads)
	case r.Case == "paper-step" || r.Case == "fuse-chain":
		shape = r.Method
	default:
		shape = strings.Trim(strings.ReplaceAll(fmt.Sprint(r.Shape), " ", "x"), "[]")
		if r.Trans != "" {
			shape += " " + r.Trans + "ᵀ"
		}
	}
	fmt.Fprintf(w, "%-24s %-8s %-5s %-22s %12s %9s %12s %12s %12s\n", r.Case, r.Impl, r.DType, shape,
		optDuration(r.NsPerOp), optFloat(r.GFLOPS), optBytes(r.BytesPeak), optBytes(r.RunnerBytes), optBytes(r.BytesMoved))
}

func optDuration(ns float64) string {
	if ns == 0 {
		return ""
	}
	return time.Duration(ns).Round(time.Microsecond).String()
}

func optFloat(x float64) string {
	if x == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", x)
}

func optBytes(b int64) string {
	if b == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20))
}
