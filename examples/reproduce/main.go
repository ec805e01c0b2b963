// Command reproduce runs the MNIST-1D experiments of the forward-gradient
// paper (arXiv:2511.03110, Tables 1–5 and Fig. 1) on the canonical split
// and writes a report of the results next to the paper's numbers.
//
// Usage:
//
//	go run ./examples/reproduce -list            # the cells and their state
//	go run ./examples/reproduce -run [-only RE] [-budget 2h]
//	go run ./examples/reproduce -report          # results/mnist1d/REPORT.md and PNGs
//	go run ./examples/reproduce -slurm -wait -results /shared/mnist1d   # on a Slurm cluster
//	go run ./examples/reproduce -k8s -image IMAGE                       # a Kubernetes Indexed Job
//
// Each cell (a method at a width with a seed) trains 300 epochs in its own
// directory under -results, with checkpoints every 5 epochs: -run resumes
// unfinished cells and skips finished ones, so the grid can be completed
// over several sessions. After a cell finishes, the metrics of Tables 2
// and 5 or the overlap curve of Fig. 1 are computed on the trained network
// when the cell feeds them. Ctrl-C (or SIGTERM) stops cleanly after the
// current step with a checkpoint.
//
// -slurm submits the unfinished cells as a Slurm job array, one task per
// cell, and -k8s writes them as a Kubernetes Indexed Job (methods/sweep);
// every task runs this program with -cell. -grid tiny is a grid of four
// cells at width 16 that trains in seconds, for trying a cluster.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stdout, os.Stderr))
}

// exitCode reports err and returns the exit code that says what it was:
// 0 for success and -h (with the usage on stdout), 2 for a usage error
// (the error, then where the usage is), 1 for a run that failed.
func exitCode(err error, stdout, stderr io.Writer) int {
	var uerr *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, usage())
		return 0
	case errors.As(err, &uerr):
		fmt.Fprintf(stderr, "reproduce: %v\n(go run ./examples/reproduce -h lists the flags)\n", err)
		return 2
	default:
		fmt.Fprintln(stderr, "reproduce:", err)
		return 1
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	cells := o.grid.cells()
	if o.list {
		listCells(stdout, cells, o)
	}
	switch {
	case o.run || o.cell != "":
		if err := runCells(ctx, cells, o, stderr); err != nil {
			return err
		}
	case o.cluster.Slurm || o.cluster.K8s:
		if err := runCluster(ctx, cells, o, stdout, stderr); err != nil {
			return err
		}
	}
	if o.rep {
		return writeReport(cells, o, stderr)
	}
	return nil
}
