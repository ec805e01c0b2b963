package train

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
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
	p.Add(plotter.NewGrid())
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	var labels []string
	for i, run := range runs {
		if len(run.Epochs) == 0 {
			continue
		}
		for j, name := range names {
			label, err := addLine(p, &legend, run, seriesByName[name], plotutil.Color(i), j > 0, len(names) > 1)
			if err != nil {
				return fmt.Errorf("train: plot %s: %w", path, err)
			}
			labels = append(labels, label)
		}
	}
	if seriesByName[names[0]].acc {
		p.Y.Min = 0
	}
	if err := save(p, legend, labels, path); err != nil {
		return fmt.Errorf("train: saving plot %s: %w", path, err)
	}
	return nil
}

// save writes p with the legend on its right to path, as a PNG of
// 20 cm × 12 cm at 150 dpi.
func save(p *plot.Plot, legend plot.Legend, labels []string, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	c := vgimg.NewWith(vgimg.UseWH(20*vg.Centimeter, 12*vg.Centimeter), vgimg.UseDPI(150))
	dc := draw.New(c)
	var text vg.Length
	for _, l := range labels {
		text = max(text, legend.TextStyle.Rectangle(l).Max.X)
	}
	lw := legend.ThumbnailWidth + text + vg.Centimeter
	p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-lw+vg.Centimeter/2, 0, 0, -vg.Centimeter))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// addLine adds one series of a run to p and its legend, and returns its
// label.
func addLine(p *plot.Plot, legend *plot.Legend, run Curve, s series, c color.Color, dashed, qualify bool) (string, error) {
	pts := make(plotter.XYs, len(run.Epochs))
	for i, m := range run.Epochs {
		pts[i] = plotter.XY{X: float64(m.Epoch), Y: s.get(m)}
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", run.Label, s.name, err)
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
	legend.Add(label, line)
	return label, nil
}
