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
	slurm, k8s     bool
	cluster        clusterOptions
}

// clusterOptions are the settings of -slurm and -k8s.
type clusterOptions struct {
	partition, timeLimit string
	cpus, maxParallel    int
	dryRun, wait         bool
	image, volume        string
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
	o, c := &v.o, &v.o.cluster
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.BoolVar(&o.list, "list", false, "list the cells and their state")
	fs.BoolVar(&o.run, "run", false, "train the unfinished cells here, one after another")
	fs.BoolVar(&o.rep, "report", false, "write REPORT.md and the plots from the cells' results")
	fs.BoolVar(&o.slurm, "slurm", false, "submit the unfinished cells as a Slurm job array (sbatch)")
	fs.BoolVar(&o.k8s, "k8s", false, "write the unfinished cells as a Kubernetes Indexed Job (YAML) under -results/sweep")
	fs.StringVar(&v.grid, "grid", "paper", "the `grid` of cells: "+strings.Join(gridNames(), " or "))
	fs.StringVar(&o.dataset, "dataset", canonicalData, "MNIST-1D `source`: canonical (the split in -data) or generated (made in-process, no files)")
	fs.StringVar(&v.data, "data", "", "`directory` of the canonical split, train.csv and test.csv (default: the split embedded in the program)")
	fs.StringVar(&o.results, "results", filepath.Join("results", "mnist1d"), "`directory` of the cells and the report; shared by all nodes with -slurm")
	fs.IntVar(&o.epochs, "epochs", 300, "`epochs` per cell, at least 1")
	fs.StringVar(&v.only, "only", "", "with -run, -list, -slurm or -k8s: only the cells whose name matches this `regexp`")
	fs.StringVar(&o.cell, "cell", "", "train the cell of this `name` (what a cluster task runs)")
	fs.DurationVar(&o.budget, "budget", 0, "with -run: start no new cell after this much wall `time` (0: no limit)")
	fs.StringVar(&c.partition, "partition", "", "with -slurm: the `partition` (default: the cluster's default)")
	fs.StringVar(&c.timeLimit, "time", "", "with -slurm: each task's time limit, `HH:MM:SS` or D-HH:MM:SS (default: the partition's); tasks checkpoint and requeue before it")
	fs.IntVar(&c.cpus, "cpus", 2, "with -slurm or -k8s: `CPUs` per task")
	fs.IntVar(&c.maxParallel, "max-parallel", 0, "with -slurm or -k8s: run at most `M` tasks at once (0: no limit)")
	fs.BoolVar(&c.dryRun, "dry-run", false, "with -slurm: write the script and the manifest but do not submit")
	fs.BoolVar(&c.wait, "wait", false, "with -slurm: follow the array until every task is done or failed")
	fs.StringVar(&c.image, "image", "", "with -k8s: the container `image`, which has this program on its PATH as reproduce")
	fs.StringVar(&c.volume, "volume", "reproduce-results", "with -k8s: the PersistentVolumeClaim (ReadWriteMany) `name` mounted as the results directory")
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
	if err := checkCluster(o.cluster); err != nil {
		return o, err
	}
	return resolveData(o, v.data)
}

// checkModes checks that the command asks for something and that the
// flags it gives belong to what it asks.
func checkModes(o options, set map[string]bool) error {
	if !o.list && !o.run && !o.rep && !o.slurm && !o.k8s && o.cell == "" {
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
	needs := map[string][]string{
		"partition": {"slurm"}, "time": {"slurm"}, "dry-run": {"slurm"}, "wait": {"slurm"},
		"cpus": {"slurm", "k8s"}, "max-parallel": {"slurm", "k8s"}, "image": {"k8s"}, "volume": {"k8s"},
		"budget": {"run"},
	}
	for name, modes := range needs {
		if !set[name] {
			continue
		}
		if !set[modes[0]] && (len(modes) == 1 || !set[modes[1]]) {
			return usageErrorf("-%s works only with -%s", name, strings.Join(modes, " or -"))
		}
	}
	if o.k8s && o.cluster.image == "" {
		return usageErrorf("-k8s needs -image: the container image that has this program on its PATH as reproduce")
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

func checkCluster(c clusterOptions) error {
	if c.cpus < 1 {
		return usageErrorf("-cpus %d: want at least 1", c.cpus)
	}
	if c.maxParallel < 0 {
		return usageErrorf("-max-parallel %d: want 0 (no limit) or more", c.maxParallel)
	}
	if c.timeLimit != "" {
		if _, err := sweep.ParseTimeLimit(c.timeLimit); err != nil {
			return usageErrorf("-time: %v", err)
		}
	}
	return nil
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
