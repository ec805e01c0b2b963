package train

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// palette holds the colours of the runs: the ten of matplotlib's tab10,
// distinct enough for every method at once.
var palette = []color.Color{
	color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255},
	color.RGBA{214, 39, 40, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255},
	color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255}, color.RGBA{188, 189, 34, 255},
	color.RGBA{23, 190, 207, 255},
}

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

// A PlotOption sets something of a plot made by PlotCurves.
type PlotOption func(*plotOptions)

type plotOptions struct {
	title string
}

// Title heads the plot with title (which may hold a newline), above the
// metric's name, instead of the metric's name alone. Say what was run:
// the data set, the model and its width, the methods.
func Title(title string) PlotOption {
	return func(o *plotOptions) { o.title = title }
}

// PlotCurves draws metric against the epoch for each run that has epochs,
// one colour per run with a legend, and saves the plot as a PNG at path,
// atomically (a reader never sees a part, a failure leaves the old file).
// metric is "accuracy" (train and test, test dashed), "loss" (the mean
// step loss and the test loss, test dashed), or one of "train_acc",
// "test_acc", "train_loss", "test_loss". Loss axes are logarithmic where
// the losses span more than a decade; tick labels are plain numbers
// (Ticks). With no run that has epochs it writes nothing and says so.
func PlotCurves(path string, runs []Curve, metric string, opts ...PlotOption) error {
	names, ok := plotMetrics[metric]
	if !ok {
		return fmt.Errorf("train: cannot plot %q (want accuracy, loss, train_acc, test_acc, train_loss or test_loss)", metric)
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".png" {
		return fmt.Errorf("train: plot %s: want a .png file", path)
	}
	if !slices.ContainsFunc(runs, func(c Curve) bool { return len(c.Epochs) > 0 }) {
		return fmt.Errorf("train: plot %s: no run has an epoch to draw", path)
	}
	var o plotOptions
	for _, opt := range opts {
		opt(&o)
	}
	p := plot.New()
	p.Title.Text = strings.ReplaceAll(metric, "_", " ") + " by epoch"
	if o.title != "" {
		p.Title.Text = o.title + "\n" + p.Title.Text
	}
	p.X.Label.Text = "epoch"
	p.X.Tick.Marker = Ticks{Integer: true}
	p.Y.Tick.Marker = Ticks{}
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
			label, err := addLine(p, &legend, run, seriesByName[name], palette[i%len(palette)], j > 0, len(names) > 1)
			if err != nil {
				return fmt.Errorf("train: plot %s: %w", path, err)
			}
			labels = append(labels, label)
		}
	}
	if seriesByName[names[0]].acc {
		p.Y.Min = 0
	} else if spansDecades(runs, names) {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = Ticks{Log: true}
	}
	if err := save(p, legend, labels, path); err != nil {
		return fmt.Errorf("train: saving plot %s: %w", path, err)
	}
	return nil
}

// save writes p with the legend on its right to path, as a PNG of
// 20 cm × 12 cm at 150 dpi.
func save(p *plot.Plot, legend plot.Legend, labels []string, path string) error {
	c := vgimg.NewWith(vgimg.UseWH(20*vg.Centimeter, 12*vg.Centimeter), vgimg.UseDPI(150))
	dc := draw.New(c)
	var text vg.Length
	for _, l := range labels {
		text = max(text, legend.TextStyle.Rectangle(l).Max.X)
	}
	lw := legend.ThumbnailWidth + text + vg.Centimeter
	p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
	legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-lw+vg.Centimeter/2, 0, 0, -vg.Centimeter))
	return writeAtomic(path, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w)
		return err
	})
}

// spansDecades reports whether the values of the series are all positive
// and their largest is more than ten times the smallest.
func spansDecades(runs []Curve, names []string) bool {
	lo, hi := math.Inf(1), 0.0
	for _, run := range runs {
		for _, m := range run.Epochs {
			for _, name := range names {
				v := seriesByName[name].get(m)
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo > 0 && hi > 10*lo
}

// addLine adds one series of a run to p and its legend, and returns its
// label.
func addLine(p *plot.Plot, legend *plot.Legend, run Curve, s series, c color.Color, dashed, qualify bool) (string, error) {
	pts := make(plotter.XYs, len(run.Epochs))
	for i, m := range run.Epochs {
		pts[i] = plotter.XY{X: float64(m.Epoch), Y: s.get(m)}
	}
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", run.Label, s.name, err)
	}
	line.Color = c
	line.Width = vg.Points(1.5)
	if dashed {
		line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(line)
	// Few epochs: mark each, so that even one shows.
	if len(pts) <= 30 {
		points.Color = c
		points.Shape = draw.CircleGlyph{}
		if dashed {
			points.Shape = draw.RingGlyph{}
		}
		points.Radius = vg.Points(2.5)
		p.Add(points)
	}
	label := run.Label
	if qualify {
		label += " " + s.name
	}
	legend.Add(label, line)
	return label, nil
}
