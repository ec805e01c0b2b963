// Command mnist1d trains the forward-gradient paper's network on MNIST-1D
// (arXiv:2511.03110, §5): an MLP 40→w→w→w→10 with ReLU and no biases,
// PyTorch's default initialisation and AdamW, with W̃⊥, W̃ᵀ, AP, WP,
// W̃⊥-bottom, W̃ᴾ, W̃⊥-NS or backprop. Two setups: quick (the default), a
// short comparison, and paper, the paper's 300 epochs; run with -h for the
// flags and what each setup costs.
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

// quick is the default setup: a short comparison of four methods.
var quick = trainprog.Options{
	Methods: []string{"wperp", "wt", "ap", fwdgrad.Backprop},
	Width:   128, Depth: 3, Epochs: 6, Batch: 64, LR: 1e-3, K: 10, Seed: 100,
	Out: "out/mnist1d", CheckpointEvery: 10, Data: "canonical",
}

// paper is the paper's setup (its Tables 1, 3 and 4).
var paper = trainprog.Options{
	Methods: []string{"wperp"},
	Width:   128, Depth: 3, Epochs: 300, Batch: 512, LR: 1e-4, K: 10, Seed: 100,
	Out: "out/mnist1d", CheckpointEvery: 10, Data: "canonical",
}

var program = &trainprog.Program{
	Name:    "mnist1d",
	Command: "go run ./examples/mnist1d",
	About: `Trains the forward-gradient paper's MLP on MNIST-1D: 40 inputs, -depth hidden
ReLU layers of -width units, no biases, 10 classes, PyTorch's default
initialisation, AdamW with weight decay 0.01; with each method of -method in
turn. It prints a table of the final accuracies; each method's per-epoch
metrics and checkpoints go to -out/<method>/, plots of accuracy and loss
against the epoch to -out/accuracy.png and -out/loss.png.

The data are the canonical split of MNIST-1D (4000 training and 1000 test
examples), which the package data embeds: -data generate makes a split with
the data set's published procedure instead, -data DIR reads DIR/train.csv
and DIR/test.csv (or .csv.gz).`,
	Setups: []trainprog.Setup{
		{Name: "quick", Options: quick,
			Doc: "About 10 s on 2 cores once built (W̃⊥ most of it); the first run also downloads\n" +
				"      and compiles, 35 s in all (see the README)."},
		{Name: "paper", Options: paper,
			Doc: "W̃⊥ takes 2.5 min at width 128 and 9.5 min at width 512 on 2 Zen 4 cores (more on\n" +
				"      older ones); W̃ᵀ, AP, WP and backprop 0.5 to 3 min; W̃⊥-NS (in -method all) 1.5 h\n" +
				"      or more at width 128."},
	},
	Examples: []string{
		"go run ./examples/mnist1d                                # the quick comparison",
		"go run ./examples/mnist1d -width 64                      # the same at width 64",
		"go run ./examples/mnist1d -setup paper -method wt,backprop -json",
		"go run ./examples/mnist1d -setup paper -resume           # continue from the checkpoints",
	},
	Flags: func(fs *flag.FlagSet, o *trainprog.Options) {
		fs.StringVar(&o.Data, "data", o.Data, "the data: canonical (the embedded split), generate (made in-process) or a `directory` with train.csv and test.csv")
	},
	Load:     load,
	Features: 40,
	Classes:  data.MNIST1DClasses,
}

func main() { program.Main() }

// load returns the split -data names.
func load(o *trainprog.Options, _ io.Writer) (trainSet, testSet *data.Dataset, about string, err error) {
	switch o.Data {
	case "canonical":
		trainSet, testSet, err = data.CanonicalMNIST1D()
		about = "MNIST-1D (canonical split)"
	case "generate":
		cfg := data.DefaultMNIST1D()
		trainSet, testSet, err = data.GenerateMNIST1D(cfg)
		about = fmt.Sprintf("MNIST-1D (generated, seed %d)", cfg.Seed)
	case "":
		return nil, nil, "", cli.Usagef("-data: want canonical, generate or a directory")
	default:
		trainSet, testSet, err = data.LoadMNIST1D(o.Data)
		about = "MNIST-1D (" + o.Data + ")"
	}
	if err != nil {
		return nil, nil, "", err
	}
	return trainSet, testSet, fmt.Sprintf("%s, %d/%d examples", about, trainSet.N, testSet.N), nil
}
