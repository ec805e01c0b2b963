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
	"strings"
	"time"
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
	{"mlp-fwdgrad-depth", "bytes_peak and bytes_temp of the forward-gradient steps (plain and scheduled) and of backprop for depth 2, 8 and 32", runDepth},
}

// mlpCases are the names -case accepts for the MLP group.
var mlpCases = []string{"mlp-fwd", "mlp-jvp", "mlp-jvp-params", "mlp-backprop", "mlp-fwdgrad-wt", "mlp-fwdgrad-wt-schedule", "mlp-fwdgrad-wperp"}

func main() {
	jsonOnly := flag.Bool("json", false, "print only the JSON lines (else a table follows them)")
	caseFlag := flag.String("case", "all", "comma-separated cases to run: all, "+caseNames())
	threads := flag.Int("threads", 2, "GOMAXPROCS: the threads kernels may use")
	var o options
	flag.IntVar(&o.rounds, "rounds", 7, "timed rounds per case; the median is reported")
	flag.DurationVar(&o.minTime, "time", 300*time.Millisecond, "least duration of one timed round")
	flag.BoolVar(&o.numpy, "numpy", false, "also time GEMM in OpenBLAS through numpy (a reference; nothing else needs python)")
	flag.StringVar(&o.python, "python", "python3", "the python with numpy for -numpy")
	flag.BoolVar(&o.gonum, "gonum", false, "also time gonum's pure-Go GEMM")
	flag.BoolVar(&o.levels, "levels", false, "gemm: also time the packed GEMM at each lower instruction-set level the CPU runs (packed-avx2 on AVX-512 CPUs)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.BoolVar(&o.wideNS, "wide-ns", false, "paper-step: also time wperp-ns at width 512 (one step after a warm-up step: about two minutes and 4 GB)")
	flag.IntVar(&o.opProfile, "opprofile", 0, "after timing each MLP and paper step, print its `n` costliest groups of instructions (op and types) to stderr")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./examples/bench [flags]\n\ncases:\n")
		for _, c := range cases {
			fmt.Fprintf(os.Stderr, "  %-18s %s\n", c.name, c.doc)
		}
		fmt.Fprintf(os.Stderr, "\nflags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	runtime.GOMAXPROCS(*threads)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(os.Stdout, *caseFlag, &o, *jsonOnly); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func caseNames() string {
	var names []string
	for _, c := range cases {
		names = append(names, c.name)
	}
	return strings.Join(append(names, mlpCases...), ", ")
}

// run runs the selected cases, writing JSON lines to w as results come and,
// unless jsonOnly, a table at the end.
func run(w io.Writer, selection string, o *options, jsonOnly bool) error {
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
			return fmt.Errorf("unknown case %q (known: %s)", name, caseNames())
		}
		want[name] = true
	}
	enc := json.NewEncoder(w)
	var all []result
	emit := func(r result) {
		all = append(all, r)
		enc.Encode(r)
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
	if !jsonOnly {
		fmt.Fprintln(w)
		writeTable(w, all)
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

// timeRound runs f repeatedly for at least d and returns the nanoseconds
// per call.
func timeRound(f func(), d time.Duration) float64 {
	n := 0
	start := time.Now()
	for {
		f()
		n++
		if el := time.Since(start); el >= d {
			return float64(el.Nanoseconds()) / float64(n)
		}
	}
}

// writeTable prints the results readably, one line each.
func writeTable(w io.Writer, rs []result) {
	fmt.Fprintf(w, "%-18s %-8s %-5s %-22s %12s %9s %12s %12s\n", "case", "impl", "dtype", "shape/depth", "time/op", "GFLOP/s", "bytes_peak", "runner")
	for _, r := range rs {
		shape := ""
		switch {
		case r.Name != "":
			fmt.Fprintf(w, "%-18s %-36s %12.3f\n", r.Case, r.Name, r.Value)
			continue
		case r.Depth > 0:
			shape = fmt.Sprintf("%s depth %d", r.Method, r.Depth)
		case r.Case == "peak":
			shape = fmt.Sprintf("%d threads", r.Threads)
		case r.Case == "paper-step":
			shape = r.Method
		default:
			shape = strings.Trim(strings.ReplaceAll(fmt.Sprint(r.Shape), " ", "x"), "[]")
			if r.Trans != "" {
				shape += " " + r.Trans + "ᵀ"
			}
		}
		fmt.Fprintf(w, "%-18s %-8s %-5s %-22s %12s %9s %12s %12s\n", r.Case, r.Impl, r.DType, shape,
			optDuration(r.NsPerOp), optFloat(r.GFLOPS), optBytes(r.BytesPeak), optBytes(r.RunnerBytes))
	}
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
