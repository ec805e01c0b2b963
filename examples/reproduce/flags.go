package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pushforward/pushforward/methods/sweep"
)

// options are the settings of one invocation.
type options struct {
	grid           grid
	dataset        string // "canonical" or "generated"
	dataDir        string // the canonical split's directory, if needed
	results        string
	epochs         int
	only           *regexp.Regexp
	cell           string
	budget         time.Duration
	list, run, rep bool
	cluster        sweep.Cluster // -slurm, -k8s and their settings
}

// The data sets -dataset selects.
const (
	canonicalData = "canonical"
	generatedData = "generated"
)

// A usageError is a command line that cannot work: the program exits 2.
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// errHelp is -h or -help: the usage goes to stdout and the program exits 0.
var errHelp = flag.ErrHelp

const usageHead = `Usage: go run ./examples/reproduce [flags] -list|-run|-report|-slurm|-k8s

Runs the MNIST-1D experiments of the forward-gradient paper (arXiv:2511.03110,
Tables 1–5 and Fig. 1) as a grid of cells, one training run each (a method at
a width with a seed, the paper's setup: MLP 40→w→w→w→10, AdamW lr 1e-4,
batch 512), and writes REPORT.md and plots next to the paper's numbers.
Every cell lives in its own directory under -results, with its metrics and
checkpoints: -run resumes unfinished cells and skips finished ones. Ctrl-C or
SIGTERM stops after the current step with a checkpoint.

On a cluster, -slurm submits the unfinished cells as a Slurm job array (one
task per cell, resumed from its checkpoint when requeued or resubmitted) and
-k8s writes them as a Kubernetes Indexed Job; -results must then be a
directory every node sees.

Examples:
  go run ./examples/reproduce -list                  # the cells and their state
  go run ./examples/reproduce -run -budget 2h        # train unfinished cells for up to 2 hours
  go run ./examples/reproduce -report                # results/mnist1d/REPORT.md and PNGs
  go run ./examples/reproduce -grid tiny -dataset generated -epochs 2 -results /tmp/tiny -run -report
  go run ./examples/reproduce -slurm -partition cpu -time 12:00:00 -cpus 2 -max-parallel 8 -wait -report -results /shared/mnist1d
  go run ./examples/reproduce -k8s -image registry.example.org/reproduce:v1 -volume mnist1d-results

Grids (-grid): %s.

Flags:
`

// usage is the full help text.
func usage() string {
	var b strings.Builder
	var about []string
	for _, g := range grids {
		about = append(about, fmt.Sprintf("%s (%s)", g.name, g.about))
	}
	fmt.Fprintf(&b, usageHead, strings.Join(about, "; "))
	fs, _ := newFlagSet()
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

// flagValues are the raw values of the flags before they are checked.
type flagValues struct {
	o                options
	grid, only, data string
}

func newFlagSet() (*flag.FlagSet, *flagValues) {
	v := &flagValues{}
	o := &v.o
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.BoolVar(&o.list, "list", false, "list the cells and their state")
	fs.BoolVar(&o.run, "run", false, "train the unfinished cells here, one after another")
	fs.BoolVar(&o.rep, "report", false, "write REPORT.md and the plots from the cells' results")
	fs.StringVar(&v.grid, "grid", "paper", "the `grid` of cells: "+strings.Join(gridNames(), " or "))
	fs.StringVar(&o.dataset, "dataset", canonicalData, "MNIST-1D `source`: canonical (the split in -data) or generated (made in-process, no files)")
	fs.StringVar(&v.data, "data", "", "`directory` of the canonical split, train.csv and test.csv (default: the split embedded in the program)")
	fs.StringVar(&o.results, "results", filepath.Join("results", "mnist1d"), "`directory` of the cells and the report; shared by all nodes with -slurm")
	fs.IntVar(&o.epochs, "epochs", 300, "`epochs` per cell, at least 1")
	fs.StringVar(&v.only, "only", "", "with -run, -list, -slurm or -k8s: only the cells whose name matches this `regexp`")
	fs.StringVar(&o.cell, "cell", "", "train the cell of this `name` (what a cluster task runs)")
	fs.DurationVar(&o.budget, "budget", 0, "with -run: start no new cell after this much wall `time` (0: no limit)")
	o.cluster.RegisterFlags(fs, "reproduce", "reproduce-results")
	return fs, v
}

// parse reads and checks the command line.
func parse(args []string) (options, error) {
	fs, v := newFlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return options{}, errHelp
		}
		return options{}, &usageError{err}
	}
	if fs.NArg() > 0 {
		return options{}, usageErrorf("unexpected arguments %q: every setting is a flag", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o := v.o
	var ok bool
	if o.grid, ok = findGrid(v.grid); !ok {
		return o, usageErrorf("-grid %q: want %s", v.grid, strings.Join(gridNames(), " or "))
	}
	if err := checkModes(o, set); err != nil {
		return o, err
	}
	if o.epochs < 1 {
		return o, usageErrorf("-epochs %d: want at least 1", o.epochs)
	}
	if o.budget < 0 {
		return o, usageErrorf("-budget %v: want a duration ≥ 0, e.g. 2h30m", o.budget)
	}
	var err error
	if o.only, err = regexp.Compile(v.only); err != nil {
		return o, usageErrorf("-only: want a regular expression: %v", err)
	}
	if err := checkCell(o); err != nil {
		return o, err
	}
	return resolveData(o, v.data)
}

// checkModes checks that the command asks for something and that the
// flags it gives belong to what it asks.
func checkModes(o options, set map[string]bool) error {
	if !o.list && !o.run && !o.rep && !o.cluster.Slurm && !o.cluster.K8s && o.cell == "" {
		return usageErrorf("nothing to do: give -list, -run, -report, -slurm, -k8s or -cell")
	}
	var modes []string
	for _, m := range []string{"run", "cell", "slurm", "k8s"} {
		if set[m] {
			modes = append(modes, "-"+m)
		}
	}
	if len(modes) > 1 {
		return usageErrorf("%s: give only one of -run, -cell, -slurm and -k8s", strings.Join(modes, " and "))
	}
	if set["budget"] && !set["run"] {
		return usageErrorf("-budget works only with -run")
	}
	if err := o.cluster.Check(set); err != nil {
		return usageErrorf("%v", err)
	}
	return nil
}

// checkCell checks that -cell names a cell of the grid.
func checkCell(o options) error {
	if o.cell == "" {
		return nil
	}
	var names []string
	for _, c := range o.grid.cells() {
		if c.ID() == o.cell {
			return nil
		}
		names = append(names, c.ID())
	}
	return usageErrorf("-cell %q: the %s grid has no such cell; it has %s", o.cell, o.grid.name, strings.Join(names, ", "))
}

// resolveData checks -dataset and finds the canonical split when the
// command trains or hands training to a cluster.
func resolveData(o options, dir string) (options, error) {
	switch o.dataset {
	case generatedData:
		if dir != "" {
			return o, usageErrorf("-data %s: the generated data set reads no files (drop -data or use -dataset canonical)", dir)
		}
		return o, nil
	case canonicalData:
	default:
		return o, usageErrorf("-dataset %q: want canonical or generated", o.dataset)
	}
	o.dataDir = dir
	if o.dataDir == "" {
		return o, nil // the split embedded in the program (data.CanonicalMNIST1D)
	}
	abs, err := filepath.Abs(o.dataDir)
	if err != nil {
		return o, err
	}
	o.dataDir = abs
	return o, nil
}
