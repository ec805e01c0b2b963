package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pushforward/pushforward/methods/sweep"
	"github.com/pushforward/pushforward/methods/train"
)

// name is the run's cell name: its directory under -out, with slashes.
func (r *ufmRun) name() string {
	return fmt.Sprintf("%s/%s/seed%d", r.s, r.head, r.seed)
}

// done reports whether the run has trained every epoch and written its
// margins (what a finished run writes last).
func (r *ufmRun) done(o *options) (bool, error) {
	ms, err := train.ReadMetrics(filepath.Join(r.cfg.Out, "metrics.jsonl"))
	if err != nil {
		return false, err
	}
	if len(ms) < o.epochs {
		return false, nil
	}
	_, err = os.Stat(filepath.Join(r.cfg.Out, "margins.csv"))
	return err == nil, nil
}

// cellRuns returns the run -cell names, or an error listing the names.
func cellRuns(o *options, all []*ufmRun) ([]*ufmRun, error) {
	var names []string
	for _, r := range all {
		if r.name() == o.cell {
			return []*ufmRun{r}, nil
		}
		names = append(names, r.name())
	}
	return nil, fmt.Errorf("-cell %q: the grid has no such run; it has %s", o.cell, strings.Join(names, ", "))
}

// toCluster hands the unfinished runs to the cluster -slurm or -k8s asks
// for. With -slurm -wait, once every task has succeeded, it writes the
// plots and the summary from the runs' results, as a local run does.
func toCluster(ctx context.Context, o *options, all []*ufmRun, stdout, stderr io.Writer) error {
	var todo []string
	for _, r := range all {
		done, err := r.done(o)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name(), err)
		}
		if !done {
			todo = append(todo, r.name())
		}
	}
	job := sweep.Job{Name: "ufm", Results: o.out, Todo: todo,
		Command: func(program, results string) []string { return taskCommand(program, results, o) }}
	if err := o.cluster.Run(ctx, job, stdout, stderr); err != nil {
		return err
	}
	if !o.cluster.Slurm || !o.cluster.Wait || o.cluster.DryRun {
		return nil
	}
	local := *o
	local.cluster, local.resume = sweep.Cluster{}, true
	return grid(ctx, &local, stdout, stderr)
}

// taskCommand is what a cluster task runs, but for the run's name: this
// program with every setting that changes a run's numbers, and -cell.
func taskCommand(program, results string, o *options) []string {
	ints := func(xs []int) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = strconv.Itoa(x)
		}
		return strings.Join(s, ",")
	}
	heads := make([]string, len(o.heads))
	for i, h := range o.heads {
		heads[i] = h.String()
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	cmd := []string{program, "-k", ints(o.ks), "-d", strings.Join(o.dims, ","), "-head", strings.Join(heads, ","),
		"-seeds", strconv.Itoa(o.seeds), "-seed", strconv.FormatUint(o.firstSeed, 10), "-n", strconv.Itoa(o.perClass),
		"-batch-per-class", strconv.Itoa(o.batchPerClass), "-epochs", strconv.Itoa(o.epochs),
		"-lr", g(o.lr), "-lr-head", g(o.lrHead), "-tau", g(o.tau), "-checkpoint-every", strconv.Itoa(o.every)}
	if o.noDDN {
		cmd = append(cmd, "-no-ddn")
	}
	return append(cmd, "-out", results, "-cell")
}
