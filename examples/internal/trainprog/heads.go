package trainprog

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
)

// The nearest-ETF paper's heads (arXiv:2411.01248) on the programs' MLPs:
// with -head, the MLP's last layer gives -d features, normalised to norm
// -tau, and each head of -head classifies them in turn (nn.ETFClassifier):
// standard (learned, its class vectors renormalised after every step),
// fixed (the canonical simplex ETF) or implicit (the nearest simplex ETF
// to the class means, re-solved every step). Every method of -method
// trains every head; runs go to -out/<head>/<method>/, with the
// neural-collapse metrics in their metrics files.

// headFlags registers the head flags.
func headFlags(fs *flag.FlagSet, o *Options) {
	fs.Func("head", "comma-separated nearest-ETF `heads` on the MLP's features: standard, fixed, implicit (default: none, the plain MLP)",
		func(s string) error {
			o.Heads = nil
			for _, h := range strings.Split(s, ",") {
				h = strings.TrimSpace(h)
				if _, err := nn.ParseETFHead(h); err != nil {
					return err
				}
				o.Heads = append(o.Heads, h)
			}
			return nil
		})
	fs.IntVar(&o.Dim, "d", o.Dim, "with -head: the feature dimension d of the MLP's last layer, at least classes − 1")
	fs.Float64Var(&o.Tau, "tau", o.Tau, "with -head: the features' norm τ, positive")
	fs.StringVar(&o.Optimizer, "optimizer", o.Optimizer, "the optimizer: adamw (weight decay 0.01), momentum (μ = 0.9) or sgd")
	fs.BoolVar(&o.Stratified, "stratified", o.Stratified, "stratified batches: every class in proportion in every batch")
}

// checkHeads reports head settings that cannot work.
func checkHeads(o *Options, classes int) error {
	if !slices.Contains(optim.Names(), o.optimizer()) {
		return cli.Usagef("-optimizer %q: want adamw, momentum or sgd", o.Optimizer)
	}
	if len(o.Heads) == 0 {
		return nil
	}
	switch {
	case !(o.Tau > 0):
		return cli.Usagef("-tau %g: want a positive feature norm", o.Tau)
	case o.Dim < classes-1:
		return cli.Usagef("-d %d: want at least classes − 1 = %d: %v", o.Dim, classes-1, nn.CheckETFDims(classes, o.Dim))
	}
	return nil
}

// optimizer returns the optimizer's name (adamw by default).
func (o *Options) optimizer() string {
	if o.Optimizer == "" {
		return "adamw"
	}
	return o.Optimizer
}

// optimizerLabel names the optimizer in headers.
func (o *Options) optimizerLabel() string {
	switch o.optimizer() {
	case "adamw":
		return "AdamW"
	case "momentum":
		return "SGD with momentum 0.9"
	}
	return "SGD"
}

// A headRun is one run of a method with a head.
type headRun struct {
	label       string
	model, eval train.Model
	cfg         train.Config
}

// headRuns lists the runs of every head with every method, checked.
func (p *Program) headRuns(o *Options, trainSet, testSet *data.Dataset, stderr io.Writer) ([]headRun, error) {
	widths := slices.Repeat([]int{o.Width}, o.Depth)
	var runs []headRun
	for _, name := range o.Heads {
		head, _ := nn.ParseETFHead(name)
		model, eval := etf.MLP(p.Features, widths, o.Dim, false, nn.ETFConfig{Head: head, Classes: p.Classes, Tau: o.Tau}, ir.F32)
		opt, err := optim.New(o.optimizer(), o.LR)
		if err != nil {
			return nil, err
		}
		if head == nn.StandardHead {
			opt = etf.UnitClassifier{Optimizer: opt, Params: []string{"head.w"}}
		}
		for _, m := range o.Methods {
			cfg := train.Config{Method: fwdgrad.Config{Method: m, K: o.K}, Optimizer: opt, Epochs: o.Epochs, Batch: o.Batch,
				Seed: o.Seed, Out: filepath.Join(o.Out, name, m), Progress: stderr, CheckpointEvery: o.CheckpointEvery,
				Resume: o.Resume, Width: o.Width, Label: name + " " + m, EvalModel: eval, Collapse: true, Stratified: o.Stratified}
			if err := train.Check(model, trainSet, testSet, cfg); err != nil {
				return nil, fmt.Errorf("%s: %w", cfg.Label, err)
			}
			runs = append(runs, headRun{label: cfg.Label, model: model, eval: eval, cfg: cfg})
		}
	}
	return runs, nil
}

// runHeads trains every head with every method and reports.
func (p *Program) runHeads(ctx context.Context, o *Options, trainSet, testSet *data.Dataset, about string, stdout, stderr io.Writer) error {
	runs, err := p.headRuns(o, trainSet, testSet, stderr)
	if err != nil {
		return err
	}
	table := stdout
	if o.JSON {
		table = stderr
		for i := range runs {
			runs[i].cfg.JSON = stdout
		}
	}
	widths := slices.Repeat([]int{o.Width}, o.Depth)
	mlp := fmt.Sprintf("MLP %d→%s→%d, heads on norm-%g features", p.Features, train.Arrows(widths), o.Dim, o.Tau)
	fmt.Fprintf(stderr, "%s, %s, %d epochs of batch %d, %s lr %g, seed %d: %s × %s\n",
		about, mlp, o.Epochs, o.Batch, o.optimizerLabel(), o.LR, o.Seed, strings.Join(o.Heads, ", "), strings.Join(o.Methods, ", "))
	var results []*train.Result
	var runErr error
	for _, r := range runs {
		res, err := train.Run(ctx, r.model, trainSet, testSet, r.cfg)
		if res == nil {
			res = &train.Result{Method: r.cfg.Method.Method, Label: r.label, Width: o.Width}
		}
		res.Err = err
		results = append(results, res)
		if ctx.Err() != nil {
			runErr = err
			break
		}
	}
	title := fmt.Sprintf("%s\n%s\n%s × %s", about, mlp, strings.Join(o.Heads, ", "), strings.Join(o.Methods, ", "))
	err = train.ReportRuns(results, runErr, o.Out, filepath.Join(o.Out, "<head>", "<method>")+"/", title, table, stderr)
	if perr := plotAllHeadRuns(o, fmt.Sprintf("%s\n%s", about, mlp)); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}

// plotAllHeadRuns draws every run in -out/<head>/<method>/ (this
// invocation's and earlier ones', such as backprop's beside W̃⊥'s): their
// accuracy, loss and NC3 against the epoch, as -out/all-accuracy.png,
// all-loss.png and all-nc3.png.
func plotAllHeadRuns(o *Options, title string) error {
	var curves []train.Curve
	var bands []train.Band
	for _, head := range []string{"standard", "fixed", "implicit"} {
		for _, m := range fwdgrad.Methods() {
			ms, err := train.ReadMetrics(filepath.Join(o.Out, head, m, "metrics.jsonl"))
			if err != nil {
				return err
			}
			if len(ms) == 0 {
				continue
			}
			curves = append(curves, train.Curve{Label: head + " " + m, Epochs: ms})
			bands = append(bands, train.Band{Label: head + " " + m, Runs: [][]train.EpochMetrics{ms}})
		}
	}
	if len(curves) == 0 {
		return nil
	}
	for _, metric := range []string{"accuracy", "loss"} {
		if err := train.PlotCurves(filepath.Join(o.Out, "all-"+metric+".png"), curves, metric, train.Title(title)); err != nil {
			return err
		}
	}
	return train.PlotBands(filepath.Join(o.Out, "all-nc3.png"), bands, "nc3", title)
}
