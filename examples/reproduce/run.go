package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/ir"
	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/optim"
	"github.com/pushforward/pushforward/methods/train"
)

// The paper's setup.
const (
	depth = 3
	batch = 512
	lr    = 1e-4
)

func (c cell) dir(o options) string { return filepath.Join(o.results, c.ID()) }

// epochsDone reads the metrics a cell has logged.
func epochsDone(dir string) ([]train.EpochMetrics, error) {
	return train.ReadMetrics(filepath.Join(dir, "metrics.jsonl"))
}

func (c cell) needsAnalysis() bool { return len(c.Probe) > 0 || c.Overlap }

func analysisDone(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, analysisFile))
	return err == nil
}

func listCells(w io.Writer, cells []cell, o options) {
	for _, c := range cells {
		if !o.selected(c) {
			continue
		}
		ms, _ := epochsDone(c.dir(o))
		state := fmt.Sprintf("%d/%d epochs", len(ms), o.epochs)
		if c.needsAnalysis() && analysisDone(c.dir(o)) {
			state += ", analysed"
		}
		fmt.Fprintf(w, "%-28s tables %-8s %s\n", c.ID(), strings.Join(c.Tables, ","), state)
	}
}

// loadData returns the train and test sets -dataset selects.
func loadData(o options) (trainSet, testSet *data.Dataset, err error) {
	if o.dataset == generatedData {
		return data.GenerateMNIST1D(data.DefaultMNIST1D())
	}
	if o.dataDir == "" {
		return data.CanonicalMNIST1D()
	}
	return data.LoadMNIST1D(o.dataDir)
}

// selected reports whether the command line picks cell c.
func (o options) selected(c cell) bool { return o.selectedName(c.ID()) }

// selectedName reports whether the command line picks the cell of this
// name.
func (o options) selectedName(name string) bool {
	if o.cell != "" {
		return name == o.cell
	}
	return o.only.MatchString(name)
}

// done reports whether cell c has trained every epoch and, if it feeds the
// metrics tables or Fig. 1, has been analysed.
func (c cell) done(o options) (bool, error) {
	ms, err := epochsDone(c.dir(o))
	if err != nil {
		return false, err
	}
	return len(ms) >= o.epochs && (!c.needsAnalysis() || analysisDone(c.dir(o))), nil
}

// runCells trains and analyses the selected cells that are not done, one
// after another.
func runCells(ctx context.Context, cells []cell, o options, stderr io.Writer) error {
	trainSet, testSet, err := loadData(o)
	if err != nil {
		return err
	}
	start := time.Now()
	for _, c := range cells {
		if !o.selected(c) {
			continue
		}
		if o.budget > 0 && time.Since(start) > o.budget {
			fmt.Fprintf(stderr, "budget of %v spent; stopping before %s\n", o.budget, c.ID())
			return nil
		}
		ms, err := epochsDone(c.dir(o))
		if err != nil {
			return err
		}
		if len(ms) < o.epochs {
			if err := trainCell(ctx, c, o, trainSet, testSet, stderr); err != nil {
				return fmt.Errorf("%s: %w", c.ID(), err)
			}
		}
		if c.needsAnalysis() && !analysisDone(c.dir(o)) {
			if err := analyse(c, o, trainSet); err != nil {
				return fmt.Errorf("%s: analysis: %w", c.ID(), err)
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

func trainCell(ctx context.Context, c cell, o options, trainSet, testSet *data.Dataset, stderr io.Writer) error {
	opt, err := optim.New("adamw", lr)
	if err != nil {
		return err
	}
	model := train.MLP(trainSet.Features, data.MNIST1DClasses, slices.Repeat([]int{c.Width}, depth), false, ir.F32)
	cfg := train.Config{
		Method:    fwdgrad.Config{Method: c.Method, K: c.K},
		Optimizer: opt, Epochs: o.epochs, Batch: batch, Seed: c.Seed,
		Out: c.dir(o), Progress: stderr, CheckpointEvery: 5, Resume: true,
		Label: c.ID(), Width: c.Width,
	}
	fmt.Fprintf(stderr, "%s: training (tables %s)\n", c.ID(), strings.Join(c.Tables, ", "))
	if ck, err := train.LoadCheckpoint(filepath.Join(cfg.Out, train.CheckpointFile)); err == nil {
		fmt.Fprintf(stderr, "%s: resuming from the checkpoint at epoch %d, step %d of the run (%d steps into the epoch)\n",
			c.ID(), ck.Epoch+1, ck.Step, ck.Batch)
	}
	res, err := train.Run(ctx, model, trainSet, testSet, cfg)
	if err != nil {
		return err
	}
	f := res.Final()
	fmt.Fprintf(stderr, "%s: train acc %.3f, test acc %.3f, %v\n", c.ID(), f.TrainAcc, f.TestAcc, res.Wall.Round(time.Second))
	return nil
}
