// Command mnist1d trains the forward-gradient paper's network on MNIST-1D
// (arXiv:2511.03110, §5): an MLP 40→w→w→w→10 with ReLU and no biases,
// PyTorch's default initialisation, AdamW (lr 1e-4, weight decay 0.01),
// batch 512, 300 epochs, seed 100, with W̃⊥, W̃ᵀ, AP, WP, W̃⊥-bottom, W̃ᴾ
// or backprop. See usage for the flags and what a run without flags does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
)

// The run without flags: a short comparison for the README's first
// command: 2 min 18 s on 2 cores as measured (go run included).
var quick = options{
	methods: []string{"wperp", "wt", "ap", fwdgrad.Backprop},
	width:   128, depth: 3, epochs: 6, batch: 64, lr: 1e-3, k: 10, seed: 100,
	out: "out/mnist1d", checkpointEvery: 10,
}

// paper is the paper's setup, the defaults when any flag is given.
var paper = options{
	methods: []string{"wperp"},
	width:   128, depth: 3, epochs: 300, batch: 512, lr: 1e-4, k: 10, seed: 100,
	out: "out/mnist1d", checkpointEvery: 10,
}

const usageText = `Usage: go run ./examples/mnist1d [flags]

Trains the forward-gradient paper's MLP on MNIST-1D (40 inputs, -depth
hidden ReLU layers of -width units, no biases, 10 classes; AdamW with
weight decay 0.01) with forward-gradient methods and backprop, and prints
a table of the final accuracies; per-epoch metrics and checkpoints go to
-out/<method>/, plots of accuracy and loss against the epoch to
-out/accuracy.png and -out/loss.png.

Without any flag it runs a short comparison on MNIST-1D generated
in-process: W̃⊥ (wperp), W̃ᵀ (wt), AP and backprop at width %d, %d epochs
of batch %d with lr %g (about 15 seconds on 2 cores), the same as

	go run ./examples/mnist1d -method %s -epochs %d -batch %d -lr %g

With any flag, the defaults are the paper's setup (width 128, 300 epochs,
batch 512, lr 1e-4, seed 100, method wperp).

Methods: %s, a comma-separated list of them, or all.
Ctrl-C stops after the current step and saves a checkpoint; -resume
continues from it.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the program
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "mnist1d:", err)
		os.Exit(1)
	}
}

// options are the settings of a run.
type options struct {
	methods         []string
	k, width, depth int
	epochs, batch   int
	seed            uint64
	lr              float64
	dataDir, out    string
	json, resume    bool
	checkpointEvery int
}

// parse reads the command line; without arguments it returns quick.
func parse(args []string, stderr io.Writer) (options, error) {
	if len(args) == 0 {
		return quick, nil
	}
	o := paper
	fs := flag.NewFlagSet("mnist1d", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, usageText, quick.width, quick.epochs, quick.batch, quick.lr,
			strings.Join(quick.methods, ","), quick.epochs, quick.batch, quick.lr, strings.Join(allMethods(), ", "))
		fs.PrintDefaults()
	}
	method := fs.String("method", strings.Join(o.methods, ","), "method(s): "+strings.Join(allMethods(), ", ")+", a comma-separated list, or all")
	fs.IntVar(&o.k, "k", o.k, "subspace dimension of wperp and wperp-bottom")
	fs.IntVar(&o.width, "width", o.width, "hidden width")
	fs.IntVar(&o.depth, "depth", o.depth, "number of hidden layers")
	fs.IntVar(&o.epochs, "epochs", o.epochs, "epochs")
	fs.IntVar(&o.batch, "batch", o.batch, "batch size")
	fs.Uint64Var(&o.seed, "seed", o.seed, "seed of the initialisation, the data order and the guesses")
	fs.Float64Var(&o.lr, "lr", o.lr, "AdamW learning rate")
	fs.StringVar(&o.dataDir, "data", "", "directory of the canonical split (train.csv, test.csv); default: generate MNIST-1D")
	fs.BoolVar(&o.json, "json", false, "print one JSON line of metrics per epoch on stdout (the table goes to stderr)")
	fs.StringVar(&o.out, "out", o.out, "output directory")
	fs.BoolVar(&o.resume, "resume", false, "continue each method from its checkpoint in -out")
	fs.IntVar(&o.checkpointEvery, "checkpoint-every", o.checkpointEvery, "save a checkpoint every so many epochs")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q (see -help)", fs.Args())
	}
	var err error
	o.methods, err = train.ParseMethods(*method)
	return o, err
}

// allMethods are the methods -method all runs: the guess families, then
// backprop.
func allMethods() []string { return fwdgrad.Methods() }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	trainSet, testSet, err := loadData(o.dataDir, stderr)
	if err != nil {
		return err
	}
	opt, err := optim.New("adamw", o.lr)
	if err != nil {
		return err
	}
	widths := slices.Repeat([]int{o.width}, o.depth)
	model := train.MLP(trainSet.Features, data.MNIST1DClasses, widths, false, ir.F32)
	cfg := train.Config{Method: fwdgrad.Config{K: o.k}, Optimizer: opt, Epochs: o.epochs, Batch: o.batch, Seed: o.seed,
		Out: o.out, Progress: stderr, CheckpointEvery: o.checkpointEvery, Resume: o.resume, Width: o.width}
	table := stdout
	if o.json {
		cfg.JSON, table = stdout, stderr
	}
	fmt.Fprintf(stderr, "MNIST-1D, MLP %d→%s→%d, %d epochs of batch %d, AdamW lr %g, seed %d: %s\n",
		trainSet.Features, train.Arrows(widths), data.MNIST1DClasses,
		o.epochs, o.batch, o.lr, o.seed, strings.Join(o.methods, ", "))
	results, runErr := train.Compare(ctx, model, trainSet, testSet, cfg, o.methods)
	return train.Report(results, runErr, o.out, table, stderr)
}

// loadData reads the canonical split from dir, or generates MNIST-1D.
func loadData(dir string, stderr io.Writer) (trainSet, testSet *data.Dataset, err error) {
	if dir != "" {
		trainSet, testSet, err = data.LoadMNIST1D(dir)
		if err == nil {
			fmt.Fprintf(stderr, "MNIST-1D from %s: %d train, %d test examples\n", dir, trainSet.N, testSet.N)
		}
		return trainSet, testSet, err
	}
	cfg := data.DefaultMNIST1D()
	trainSet, testSet, err = data.GenerateMNIST1D(cfg)
	if err == nil {
		fmt.Fprintf(stderr, "MNIST-1D generated in-process (seed %d): %d train, %d test examples\n", cfg.Seed, trainSet.N, testSet.N)
	}
	return trainSet, testSet, err
}
