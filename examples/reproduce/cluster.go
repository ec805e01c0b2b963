package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/pushforward/pushforward/methods/sweep"
)

// sweepName names the cluster jobs.
const sweepName = "reproduce"

// unfinished returns the names of the selected cells that are not done.
func unfinished(cells []cell, o options) ([]string, error) {
	var names []string
	for _, c := range cells {
		if !o.selected(c) {
			continue
		}
		done, err := c.done(o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.ID(), err)
		}
		if !done {
			names = append(names, c.ID())
		}
	}
	return names, nil
}

// taskCommand is what a cluster task runs, but for the cell's name: this
// program with every setting that changes a cell's numbers, and -cell.
func taskCommand(program, results string, o options) []string {
	cmd := []string{program, "-grid", o.grid.name, "-dataset", o.dataset}
	if o.dataDir != "" {
		cmd = append(cmd, "-data", o.dataDir)
	}
	return append(cmd, "-epochs", strconv.Itoa(o.epochs), "-results", results, "-cell")
}

// runCluster hands the unfinished selected cells to the cluster -slurm or
// -k8s asks for.
func runCluster(ctx context.Context, cells []cell, o options, stdout, stderr io.Writer) error {
	todo, err := unfinished(cells, o)
	if err != nil {
		return err
	}
	job := sweep.Job{Name: sweepName, Results: o.results, Todo: todo, Selected: o.selectedName,
		Command: func(program, results string) []string { return taskCommand(program, results, o) }}
	return o.cluster.Run(ctx, job, stdout, stderr)
}
