package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/pushforward/pushforward/builder/nn"
	"github.com/pushforward/pushforward/internal/cli"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/etf"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
)

// run runs the program with the arguments args and returns its exit
// status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, fs, err := parse(args)
	if err == nil {
		err = grid(ctx, o, stdout, stderr)
	}
	return cli.Status("ufm", "go run ./examples/ufm", err, stderr, func(w io.Writer) { usage(w, fs) })
}

// A ufmRun is one run of the grid: a setting, a head, a seed.
type ufmRun struct {
	s     setting
	head  nn.ETFHead
	seed  uint64
	model train.Model
	cfg   train.Config
	res   *train.Result
	// margins are the sorted final per-example margins: from res, or
	// from margins.csv when the run was resumed after its last epoch.
	margins []float64
}

// runs lists and checks every run of the grid before any trains.
func runs(o *options, stderr io.Writer) ([]*ufmRun, error) {
	var out []*ufmRun
	for _, s := range o.settings() {
		ds := etf.UFMData(s.k, o.perClass)
		for _, head := range o.heads {
			model, eval := etf.UFM(ds.N, s.d, nn.ETFConfig{Head: head, Classes: s.k, Tau: o.tau, NoDDN: o.noDDN}, ir.F32)
			features := optim.Momentum{LR: o.lr, Mu: 0.9}
			var opt optim.Optimizer = features
			if head == nn.StandardHead {
				opt = etf.UnitClassifier{Params: []string{"head.w"}, Optimizer: etf.PerParam{
					Default: optim.Momentum{LR: o.lrHead, Mu: 0.9}, ByPrefix: map[string]optim.Optimizer{"ufm.": features}}}
			}
			for i := range o.seeds {
				seed := o.firstSeed + uint64(i)
				r := &ufmRun{s: s, head: head, seed: seed, model: model, cfg: train.Config{
					Method: fwdgrad.Config{Method: fwdgrad.Backprop}, Optimizer: opt, Epochs: o.epochs,
					Batch: s.k * o.batchPerClass, Seed: seed, Out: runDir(o, s, head, seed), Progress: stderr,
					CheckpointEvery: o.every, Resume: o.resume, Width: s.d, EvalModel: eval, Collapse: true, Stratified: true,
					Label: fmt.Sprintf("%s %s seed %d", s, head, seed),
				}}
				if err := train.Check(model, ds, ds, r.cfg); err != nil {
					return nil, fmt.Errorf("%s: %w", r.cfg.Label, err)
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func runDir(o *options, s setting, head nn.ETFHead, seed uint64) string {
	return filepath.Join(o.out, s.String(), head.String(), "seed"+strconv.FormatUint(seed, 10))
}

// grid trains every run, then plots and tabulates them.
func grid(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	all, err := runs(o, stderr)
	if err != nil {
		return err
	}
	switch {
	case o.cluster.Slurm || o.cluster.K8s:
		return toCluster(ctx, o, all, stdout, stderr)
	case o.cell != "":
		if all, err = cellRuns(o, all); err != nil {
			return cli.Usagef("%v", err)
		}
		all[0].cfg.Resume = true
	}
	table := stdout
	if o.json {
		table = stderr
		for _, r := range all {
			r.cfg.JSON = stdout
		}
	}
	ablation := ""
	if o.noDDN {
		ablation = "; the implicit head without its DDN path"
	}
	fmt.Fprintf(stderr, "UFM: %d settings × %d heads × %d seeds = %d runs of %d epochs, %d examples per class, batches of %d per class, τ = %g, SGD momentum 0.9, lr %g (standard head %g)%s\n",
		len(o.settings()), len(o.heads), o.seeds, len(all), o.epochs, o.perClass, o.batchPerClass, o.tau, o.lr, o.lrHead, ablation)
	start := time.Now()
	var failed []error
	for i, r := range all {
		ds := etf.UFMData(r.s.k, o.perClass)
		res, err := train.Run(ctx, r.model, ds, ds, r.cfg)
		r.res = res
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", r.cfg.Label, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		m := res.Final()
		fmt.Fprintf(stderr, "[%d/%d %s] %s: %d epochs, CE %.4f, train acc %.4f, NC1 %.3g, NC3 %.3g (%s)\n",
			i+1, len(all), time.Since(start).Round(time.Second), r.cfg.Label, len(res.Epochs), m.TrainLoss, m.TrainAcc,
			m.Collapse.NC1, m.Collapse.NC3, res.Wall.Round(100*time.Millisecond))
		path := filepath.Join(r.cfg.Out, "margins.csv")
		if res.Collapse != nil {
			r.margins = res.Collapse.Margins
			if err := writeMargins(path, res); err != nil {
				return err
			}
		} else if r.margins, err = readMargins(path); err != nil {
			return err
		}
	}
	if o.cell != "" {
		return joinErrors(failed) // a cluster's task: the grid's report is made once every run is done
	}
	if err := report(o, all, table, stderr); err != nil {
		failed = append(failed, err)
	}
	return joinErrors(failed)
}
