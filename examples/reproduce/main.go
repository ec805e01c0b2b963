// Command reproduce runs the MNIST-1D experiments of the forward-gradient
// paper (arXiv:2511.03110, Tables 1–5 and Fig. 1) on the canonical split
// and writes a report of the results next to the paper's numbers.
//
// Usage:
//
//	go run ./examples/reproduce -list            # the cells and their state
//	go run ./examples/reproduce -run [-only RE] [-budget 2h]
//	go run ./examples/reproduce -report          # results/mnist1d/REPORT.md and PNGs
//
// Each cell (a method at a width with a seed) trains 300 epochs in its own
// directory under -out, with checkpoints every 5 epochs: -run resumes
// unfinished cells and skips finished ones, so the grid can be completed
// over several sessions. After a cell finishes, the metrics of Tables 2
// and 5 or the overlap curve of Fig. 1 are computed on the trained network
// when the cell feeds them. Ctrl-C stops cleanly after the current step.
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
	"regexp"
	"syscall"
	"time"

	"github.com/pushforward/pushforward/data"
)

type options struct {
	dataDir, out   string
	epochs         int
	only           *regexp.Regexp
	budget         time.Duration
	list, run, rep bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "reproduce:", err)
		}
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dataDir, "data", "", "directory of the canonical split (default: ../shared/data/mnist1d, found upwards)")
	fs.StringVar(&o.out, "out", filepath.Join("results", "mnist1d"), "directory of the cells and the report")
	fs.IntVar(&o.epochs, "epochs", 300, "epochs per cell")
	only := fs.String("only", "", "run only the cells whose ID matches this `regexp`")
	fs.DurationVar(&o.budget, "budget", 0, "start no new cell after this much wall time (0: no limit)")
	fs.BoolVar(&o.list, "list", false, "list the cells and their state")
	fs.BoolVar(&o.run, "run", false, "train the unfinished cells")
	fs.BoolVar(&o.rep, "report", false, "write REPORT.md and the plots from the finished cells")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if !o.list && !o.run && !o.rep {
		fs.Usage()
		return o, errors.New("give -list, -run or -report")
	}
	var err error
	if o.only, err = regexp.Compile(*only); err != nil {
		return o, fmt.Errorf("-only: %w", err)
	}
	if o.dataDir == "" {
		dir, ok := data.FindSharedMNIST1D()
		if !ok {
			return o, errors.New("no canonical MNIST-1D split found above the working directory; give -data DIR")
		}
		o.dataDir = dir
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	cells := grid()
	if o.list {
		listCells(stdout, cells, o)
	}
	if o.run {
		if err := runCells(ctx, cells, o, stderr); err != nil {
			return err
		}
	}
	if o.rep {
		return writeReport(cells, o, stderr)
	}
	return nil
}
