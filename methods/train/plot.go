package train

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// A Curve is one run's metrics, drawn as one line (or two) by PlotCurves.
type Curve struct {
	Label  string
	Epochs []EpochMetrics
}

// A series is one quantity of EpochMetrics.
type series struct {
	name  string
	get   func(EpochMetrics) float64
	label string // on the axis
	acc   bool
}

var seriesByName = map[string]series{
	"train_acc":  {"train", func(m EpochMetrics) float64 { return m.TrainAcc }, "train accuracy", true},
	"test_acc":   {"test", func(m EpochMetrics) float64 { return m.TestAcc }, "test accuracy", true},
	"train_loss": {"train", func(m EpochMetrics) float64 { return m.TrainLoss }, "train loss (mean of the step losses)", false},
	"test_loss":  {"test", func(m EpochMetrics) float64 { return m.TestLoss }, "test loss", false},
}

// plotMetrics maps each metric of PlotCurves to the series it draws.
var plotMetrics = map[string][]string{
	"accuracy":   {"train_acc", "test_acc"},
	"loss":       {"train_loss", "test_loss"},
	"train_acc":  {"train_acc"},
	"test_acc":   {"test_acc"},
	"train_loss": {"train_loss"},
	"test_loss":  {"test_loss"},
}

// PlotCurves draws metric against the epoch for each run, one colour per
// run with a legend, and saves the plot as a PNG at path. metric is
// "accuracy" (train and test, test dashed), "loss" (the mean step loss
// and the test loss, test dashed), or one of "train_acc", "test_acc",
// "train_loss", "test_loss".
func PlotCurves(path string, runs []Curve, metric string) error {
	names, ok := plotMetrics[metric]
	if !ok {
		return fmt.Errorf("train: cannot plot %q (want accuracy, loss, train_acc, test_acc, train_loss or test_loss)", metric)
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".png" {
		return fmt.Errorf("train: plot %s: want a .png file", path)
	}
	p := plot.New()
	p.Title.Text = strings.ReplaceAll(metric, "_", " ") + " by epoch"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = seriesByName[names[0]].label
	if len(names) > 1 {
		p.Y.Label.Text = metric
	}
	acc := seriesByName[names[0]].acc
	p.Legend.Top = true
	p.Legend.Left = acc
	p.Add(plotter.NewGrid())
	for i, run := range runs {
		if len(run.Epochs) == 0 {
			continue
		}
		for j, name := range names {
			if err := addLine(p, run, seriesByName[name], plotutil.Color(i), j > 0, len(names) > 1); err != nil {
				return fmt.Errorf("train: plot %s: %w", path, err)
			}
		}
	}
	if acc {
		p.Y.Min = 0
	}
	if err := p.Save(16*vg.Centimeter, 10*vg.Centimeter, path); err != nil {
		return fmt.Errorf("train: saving plot: %w", err)
	}
	return nil
}

// addLine adds one series of a run to p.
func addLine(p *plot.Plot, run Curve, s series, c color.Color, dashed, qualify bool) error {
	pts := make(plotter.XYs, len(run.Epochs))
	for i, m := range run.Epochs {
		pts[i] = plotter.XY{X: float64(m.Epoch), Y: s.get(m)}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("%s %s: %w", run.Label, s.name, err)
	}
	line.Color = c
	line.Width = vg.Points(1.5)
	if dashed {
		line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(line)
	label := run.Label
	if qualify {
		label += " " + s.name
	}
	p.Legend.Add(label, line)
	return nil
}
