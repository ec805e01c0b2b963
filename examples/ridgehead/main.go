// Command ridgehead trains the forward-gradient paper's MNIST-1D network
// with its last layer replaced by a reduction mapping: the classifier is
// not learned but is the closed-form ridge solution on the batch's
// features (nn.RidgeClassifier, an argmin differentiated implicitly),
// trained by W̃⊥ forward gradients or by backprop:
//
//	go run ./examples/ridgehead -method wperp,backprop -width 128
//
// The network is 40→w→w→w with ReLU and no biases (PyTorch's default
// init), then logits h·W*(h, y) with W* = argmin_W ½‖hW − s·onehot(y)‖² +
// ½λ‖W‖² on each batch; AdamW lr 1e-4, weight decay 0.01, batch 512,
// 300 epochs, seed 100: the paper's setup (README, Reproducing) with the
// learned 10-way layer removed. W̃⊥ perturbs the three hidden layers; the
// last one gets plain (AP) noise, as the output layer does in the paper,
// because its segment runs through the ridge fit, which couples the
// examples of the batch.
//
// Evaluation: the accuracy on the training set is that of the ridge
// classifier fitted on all its features (the loop evaluates the training
// set in one chunk); the accuracy on the test set applies that classifier
// to the test features, computed at the end of the run from the trained
// parameters (the loop's own per-epoch test metrics fit the ridge on the
// test labels and are not reported). Results go to -out/<method>-w<W>.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"

	"gonum.org/v1/gonum/mat"

	"github.com/pushforward/pushforward/builder"
	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
	"github.com/pushforward/pushforward/runtime"
)

type options struct {
	methods         []string
	width, depth, k int
	epochs, batch   int
	seed            uint64
	lr              float64
	lambda, scale   float64
	dataDir, out    string
	json, resume    bool
	checkpointEvery int
	cpuProfile      string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "ridgehead:", err)
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (options, error) {
	o := options{methods: []string{"wperp"}, width: 128, depth: 3, k: 10, epochs: 300, batch: 512, seed: 100, lr: 1e-4,
		lambda: 1, scale: 5, out: "out/ridgehead", checkpointEvery: 10}
	fs := flag.NewFlagSet("ridgehead", flag.ContinueOnError)
	fs.SetOutput(stderr)
	method := fs.String("method", "wperp", "method(s): "+strings.Join(fwdgrad.Methods(), ", ")+", a comma-separated list")
	fs.IntVar(&o.width, "width", o.width, "hidden width")
	fs.IntVar(&o.depth, "depth", o.depth, "number of hidden layers")
	fs.IntVar(&o.k, "k", o.k, "subspace dimension of wperp")
	fs.IntVar(&o.epochs, "epochs", o.epochs, "epochs")
	fs.IntVar(&o.batch, "batch", o.batch, "batch size")
	fs.Uint64Var(&o.seed, "seed", o.seed, "seed of the initialisation, the data order and the guesses")
	fs.Float64Var(&o.lr, "lr", o.lr, "AdamW learning rate")
	fs.Float64Var(&o.lambda, "lambda", o.lambda, "ridge regulariser λ")
	fs.Float64Var(&o.scale, "scale", o.scale, "scale s of the one-hot targets (the logits' magnitude)")
	fs.StringVar(&o.dataDir, "data", "", "directory of a split (train.csv, test.csv); default: the canonical split, embedded")
	fs.BoolVar(&o.json, "json", false, "print one JSON line of metrics per epoch on stdout")
	fs.StringVar(&o.out, "out", o.out, "output directory")
	fs.BoolVar(&o.resume, "resume", false, "continue each run from its checkpoint in -out")
	fs.IntVar(&o.checkpointEvery, "checkpoint-every", o.checkpointEvery, "save a checkpoint every so many epochs")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the runs to `file`")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	o.methods, err = train.ParseMethods(*method)
	return o, err
}

// ridgeModel is the MLP whose last layer is the batch's ridge classifier.
func ridgeModel(features, classes int, widths []int, lambda, scale float64) train.Model {
	return func(batch int) (*ir.Func, map[string]builder.Initializer, error) {
		b := builder.New("ridge_mlp")
		x := b.Data("x", ir.F32, batch, features)
		labels := b.Data("labels", ir.I64, batch)
		h := b.Relu(nn.MLP(b, "mlp", x, widths, nn.ReLU, nn.Bias(false)))
		logits, _ := nn.RidgeClassifier(b, h, labels, classes, lambda, scale)
		b.Return(b.Named("loss", nn.CrossEntropy(b, logits, labels)), b.Named("logits", logits))
		f, err := b.Build()
		if err != nil {
			return nil, nil, err
		}
		return f, b.Inits(), nil
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	trainSet, testSet, err := loadData(o.dataDir)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	widths := slices.Repeat([]int{o.width}, o.depth)
	model := ridgeModel(trainSet.Features, data.MNIST1DClasses, widths, o.lambda, o.scale)
	fmt.Fprintf(stderr, "MNIST-1D (%d train, %d test), MLP %d→%s→ridge(λ=%g, s=%g)→%d, %d epochs of batch %d, AdamW lr %g, seed %d\n",
		trainSet.N, testSet.N, trainSet.Features, train.Arrows(widths), o.lambda, o.scale, data.MNIST1DClasses, o.epochs, o.batch, o.lr, o.seed)
	if err := initialProbe(stdout, model, trainSet, testSet, widths, o); err != nil {
		return err
	}
	for _, m := range o.methods {
		opt, err := optim.New("adamw", o.lr)
		if err != nil {
			return err
		}
		label := fmt.Sprintf("%s-w%d", m, o.width)
		cfg := train.Config{Method: fwdgrad.Config{Method: m, K: o.k}, Optimizer: opt, Epochs: o.epochs, Batch: o.batch, Seed: o.seed,
			Out: filepath.Join(o.out, label), Progress: stderr, CheckpointEvery: o.checkpointEvery, Resume: o.resume,
			Width: o.width, Label: label, EvalBatch: trainSet.N}
		if o.json {
			cfg.JSON = stdout
		}
		res, err := train.Run(ctx, model, trainSet, testSet, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		trainAcc, testAcc, err := ridgeAccuracy(res.Params, trainSet, testSet, widths, o.lambda, o.scale)
		if err != nil {
			return fmt.Errorf("%s: evaluating: %w", label, err)
		}
		if len(res.Epochs) == 0 {
			continue
		}
		last := res.Epochs[len(res.Epochs)-1]
		fmt.Fprintf(stdout, "%s: epoch %d, train loss %.4f, train accuracy %.3f (loop: %.3f), test accuracy %.3f, wall %s\n",
			label, last.Epoch, last.TrainLoss, trainAcc, last.TrainAcc, testAcc, res.Wall.Round(1e9))
	}
	return nil
}

// initialProbe prints the accuracy of the ridge classifier on the
// features of the network at its initial parameters (the training loop
// draws them from the same seed): where training starts from.
func initialProbe(w io.Writer, model train.Model, trainSet, testSet *data.Dataset, widths []int, o options) error {
	f, inits, err := model(o.batch)
	if err != nil {
		return err
	}
	values, err := nn.InitParams(f, inits, o.seed)
	if err != nil {
		return err
	}
	params := map[string]*runtime.Tensor{}
	for name, v := range values {
		params[name] = runtime.FromFloat64s(f.Param(name).Type, v)
	}
	trainAcc, testAcc, err := ridgeAccuracy(params, trainSet, testSet, widths, o.lambda, o.scale)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "at initialisation (width %d): train accuracy %.3f, test accuracy %.3f\n", o.width, trainAcc, testAcc)
	return nil
}

// ridgeAccuracy fits the ridge classifier on the features of the whole
// training set under the trained parameters and returns its accuracy on
// the training and the test set.
func ridgeAccuracy(params map[string]*runtime.Tensor, trainSet, testSet *data.Dataset, widths []int, lambda, scale float64) (float64, float64, error) {
	feats := func(d *data.Dataset) (*mat.Dense, error) {
		b := builder.New("features")
		x := b.Data("x", ir.F32, d.N, d.Features)
		b.Return(b.Relu(nn.MLP(b, "mlp", x, widths, nn.ReLU, nn.Bias(false))))
		f, err := b.Build()
		if err != nil {
			return nil, err
		}
		inputs := []*runtime.Tensor{runtime.FromFloat64s(x.Type, d.X)}
		for _, p := range f.Params[1:] {
			inputs = append(inputs, params[p.Name])
		}
		out, err := runtime.Run(f, inputs)
		if err != nil {
			return nil, err
		}
		return mat.NewDense(d.N, widths[len(widths)-1], out[0].Float64s()), nil
	}
	htr, err := feats(trainSet)
	if err != nil {
		return 0, 0, err
	}
	hte, err := feats(testSet)
	if err != nil {
		return 0, 0, err
	}
	_, w := htr.Dims()
	var g, hty, wstar mat.Dense
	g.Mul(htr.T(), htr)
	for i := range w {
		g.Set(i, i, g.At(i, i)+lambda)
	}
	y := mat.NewDense(trainSet.N, data.MNIST1DClasses, nil)
	for i, l := range trainSet.Labels {
		y.Set(i, int(l), scale)
	}
	hty.Mul(htr.T(), y)
	if err := wstar.Solve(&g, &hty); err != nil {
		return 0, 0, err
	}
	acc := func(h *mat.Dense, labels []int64) float64 {
		var logits mat.Dense
		logits.Mul(h, &wstar)
		right := 0
		for i, l := range labels {
			best := 0
			for c := range data.MNIST1DClasses {
				if logits.At(i, c) > logits.At(i, best) {
					best = c
				}
			}
			if int64(best) == l {
				right++
			}
		}
		return float64(right) / float64(len(labels))
	}
	return acc(htr, trainSet.Labels), acc(hte, testSet.Labels), nil
}

func loadData(dir string) (*data.Dataset, *data.Dataset, error) {
	if dir != "" {
		return data.LoadMNIST1D(dir)
	}
	return data.CanonicalMNIST1D()
}
