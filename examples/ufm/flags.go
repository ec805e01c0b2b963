package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/methods/sweep"
)

// options are the settings of a run of the program.
type options struct {
	ks            []int
	dims          []string // numbers or "K+1"
	heads         []nn.ETFHead
	seeds         int
	firstSeed     uint64
	perClass      int
	batchPerClass int
	epochs        int
	lr, lrHead    float64
	tau           float64
	out           string
	json, resume  bool
	every         int
	short         bool
	// noDDN drops the implicit head's DDN path (the paper's ablation).
	noDDN bool
	// cell, if set, names the one run to train (what a cluster task
	// runs); cluster hands the unfinished runs to a cluster instead.
	cell    string
	cluster sweep.Cluster
}

// defaults are the paper's grid: K = 10 with d = K + 1, 64, 512 and
// K = 100 with d = K + 1, 512; three heads, three seeds.
var defaults = options{
	ks: []int{10, 100}, dims: []string{"K+1", "64", "512"},
	heads: []nn.ETFHead{nn.StandardHead, nn.FixedHead, nn.ImplicitHead},
	seeds: 3, firstSeed: 1, perClass: 100, batchPerClass: 10, epochs: 100, lr: 0.1, lrHead: 0.5, tau: 5,
	out: "out/ufm", every: 10,
}

// short is -short: the smallest grid, for a smoke test.
func (o *options) applyShort() {
	o.ks, o.dims, o.seeds, o.epochs, o.perClass = []int{4}, []string{"K+1"}, 2, 3, 10
}

const usageText = `Usage: go run ./examples/ufm [flags]

Runs the unconstrained-features model (UFM) of the nearest-ETF paper with its
three heads. The features h_i of the K·n training examples are free
parameters (initialised N(0, 1/d)), normalised to norm -tau and classified by

  standard   a learned classifier whose class vectors are renormalised to unit
             norm after every step (its own learning rate, -lr-head)
  fixed      the canonical simplex ETF, W = √(K/(K−1))·M·I_{K×d}
  implicit   the simplex ETF nearest to the moving average of the batches'
             centred class means, re-solved at every step (an argmin node
             whose Procrustes closed form and polar-factor derivative come
             from methods/etf)

with logits W·(h − μ_G) for the ETF heads, trained with SGD and momentum 0.9
(learning rate -lr for the features) on stratified batches of -batch-per-class
examples of every class, for every K of -k, every d of -d (numbers, or K+1;
pairs with d < K − 1, where no simplex ETF fits, are left out), every head of
-head and -seeds seeds.

Each run writes its metrics (cross-entropy, accuracy, NC1, VCI, NC2, NC3, NC4,
the equinorms, the cosine margin and the ETF distances on the training set,
every epoch) to -out/K<K>-d<d>/<head>/seed<s>/metrics.jsonl and metrics.csv,
its sorted per-example cosine margins at the end to margins.csv, and a
checkpoint every -checkpoint-every epochs. Each (K, d) gets plots of the
cross-entropy, train accuracy, NC1, NC3 and margin against the epoch, the
median over the seeds drawn with their range shaded, and of the final sorted
margins. The table at the end (also -out/summary.md and summary.json) gives,
per setting and head, the epochs to 100% train accuracy and to NC1 < 0.05,
NC3 at epoch 1 and at the end, the final cross-entropy and NC1, and the
spread between seeds, and checks the paper's claims against them.

Examples:

  go run ./examples/ufm                         # the grid: 5 settings × 3 heads × 3 seeds
  go run ./examples/ufm -k 10 -d K+1,512        # K = 10 only
  go run ./examples/ufm -short                  # a smoke test: K = 4, d = 5, 3 epochs
  go run ./examples/ufm -resume                 # continue from the checkpoints
  go run ./examples/ufm -k 10 -head implicit -no-ddn -out out/ufm-no-ddn   # the ablation
  go run ./examples/ufm -out /shared/ufm -slurm -cpus 2 -wait   # on a Slurm cluster, a task per run

Ctrl-C stops after the current step and saves a checkpoint; -resume continues
from it. Exit status: 0 when every run trained, 1 when one failed, 2 for a
usage error.

Flags:
`

// parse reads the command line into options, checking every setting.
func parse(args []string) (*options, *flag.FlagSet, error) {
	o := defaults
	fs := flag.NewFlagSet("ufm", flag.ContinueOnError)
	fs.Func("k", "comma-separated numbers of classes K, each at least 2 (default 10,100)", func(s string) (err error) {
		o.ks, err = parseInts(s, "-k", 2)
		return err
	})
	fs.Func("d", "comma-separated feature dimensions: numbers, or K+1 (default K+1,64,512)", func(s string) error {
		o.dims = nil
		for _, d := range strings.Split(s, ",") {
			d = strings.TrimSpace(d)
			if _, err := strconv.Atoi(d); err != nil && d != "K+1" {
				return fmt.Errorf("dimension %q: want a number or K+1", d)
			}
			o.dims = append(o.dims, d)
		}
		return nil
	})
	fs.Func("head", "comma-separated heads: standard, fixed, implicit (default all three)", func(s string) error {
		o.heads = nil
		for _, h := range strings.Split(s, ",") {
			head, err := nn.ParseETFHead(strings.TrimSpace(h))
			if err != nil {
				return err
			}
			o.heads = append(o.heads, head)
		}
		return nil
	})
	fs.IntVar(&o.seeds, "seeds", o.seeds, "number of seeds per setting, at least 1")
	fs.Uint64Var(&o.firstSeed, "seed", o.firstSeed, "the first seed; the others follow it")
	fs.IntVar(&o.perClass, "n", o.perClass, "training examples per class, at least 1")
	fs.IntVar(&o.batchPerClass, "batch-per-class", o.batchPerClass, "examples of each class in a batch, at least 1 and at most -n")
	fs.IntVar(&o.epochs, "epochs", o.epochs, "epochs, at least 1")
	fs.Float64Var(&o.lr, "lr", o.lr, "learning rate of the features, positive")
	fs.Float64Var(&o.lrHead, "lr-head", o.lrHead, "learning rate of the standard head's classifier, positive")
	fs.Float64Var(&o.tau, "tau", o.tau, "the features' norm τ, positive")
	fs.StringVar(&o.out, "out", o.out, "output `directory`")
	fs.BoolVar(&o.json, "json", o.json, "print one JSON line of metrics per epoch on stdout (the table goes to stderr)")
	fs.BoolVar(&o.resume, "resume", o.resume, "continue each run from its checkpoint in -out")
	fs.BoolVar(&o.noDDN, "no-ddn", false, "drop the implicit head's DDN path, the gradient through the nearest-ETF node (the paper's ablation; give it its own -out)")
	fs.IntVar(&o.every, "checkpoint-every", o.every, "save a checkpoint every so many epochs (0: at the end only)")
	fs.StringVar(&o.cell, "cell", "", "train only the run of this `name`, K<K>-d<d>/<head>/seed<s> as under -out, resuming it (what a cluster task runs)")
	o.cluster.RegisterFlags(fs, "ufm", "ufm-results")
	short := fs.Bool("short", false, "a smoke test: K = 4, d = K+1, 10 examples per class, 2 seeds, 3 epochs (flags after it override)")
	if err := cli.Parse(fs, args); err != nil {
		return nil, fs, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if err := o.cluster.Check(given); err != nil {
		return nil, fs, cli.Usagef("%v", err)
	}
	if o.cell != "" && (o.cluster.Slurm || o.cluster.K8s) {
		return nil, fs, cli.Usagef("-cell runs one run here: give it without -slurm and -k8s")
	}
	if *short {
		// Settings given on the command line win over -short's.
		s := o
		s.applyShort()
		for name, apply := range map[string]func(){
			"k": func() { s.ks = o.ks }, "d": func() { s.dims = o.dims }, "seeds": func() { s.seeds = o.seeds },
			"epochs": func() { s.epochs = o.epochs }, "n": func() { s.perClass = o.perClass },
		} {
			if given[name] {
				apply()
			}
		}
		o = s
		o.short = true
	}
	if err := cli.CheckArgs(fs, 0, 0); err != nil {
		return nil, fs, err
	}
	return &o, fs, o.check()
}

func parseInts(s, flagName string, least int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < least {
			return nil, fmt.Errorf("%q: want integers of at least %d", f, least)
		}
		out = append(out, v)
	}
	return out, nil
}

// check reports the first setting that cannot work, as a usage error.
func (o *options) check() error {
	pos := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case o.seeds < 1:
		return cli.Usagef("-seeds %d: want at least 1", o.seeds)
	case o.perClass < 1:
		return cli.Usagef("-n %d: want at least 1 example per class", o.perClass)
	case o.batchPerClass < 1 || o.batchPerClass > o.perClass:
		return cli.Usagef("-batch-per-class %d: want 1 to -n (%d)", o.batchPerClass, o.perClass)
	case o.epochs < 1:
		return cli.Usagef("-epochs %d: want at least 1", o.epochs)
	case !pos(o.lr):
		return cli.Usagef("-lr %g: want a positive learning rate", o.lr)
	case !pos(o.lrHead):
		return cli.Usagef("-lr-head %g: want a positive learning rate", o.lrHead)
	case !pos(o.tau):
		return cli.Usagef("-tau %g: want a positive norm", o.tau)
	case o.every < 0:
		return cli.Usagef("-checkpoint-every %d: want 0 or more epochs", o.every)
	case o.out == "":
		return cli.Usagef("-out: want a directory")
	case len(o.heads) == 0:
		return cli.Usagef("-head: want at least one head")
	}
	if len(o.settings()) == 0 {
		return cli.Usagef("-k %v with -d %s: every pair has d < K − 1, where no simplex ETF fits", o.ks, strings.Join(o.dims, ","))
	}
	return nil
}

// A setting is one (K, d) of the grid.
type setting struct{ k, d int }

func (s setting) String() string { return fmt.Sprintf("K%d-d%d", s.k, s.d) }

// settings returns the grid's (K, d) pairs with d ≥ K − 1, in order.
func (o *options) settings() []setting {
	var out []setting
	for _, k := range o.ks {
		for _, ds := range o.dims {
			d := k + 1
			if ds != "K+1" {
				d, _ = strconv.Atoi(ds)
			}
			if nn.CheckETFDims(k, d) == nil && !containsSetting(out, setting{k, d}) {
				out = append(out, setting{k, d})
			}
		}
	}
	return out
}

func containsSetting(ss []setting, s setting) bool {
	for _, t := range ss {
		if t == s {
			return true
		}
	}
	return false
}

// usage writes the full usage.
func usage(w io.Writer, fs *flag.FlagSet) { cli.PrintUsage(w, usageText, fs) }
