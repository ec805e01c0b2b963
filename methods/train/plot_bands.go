package train

import (
	"fmt"
	"image/color"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A Band is a group of runs of one setting with different seeds, drawn by
// PlotBands as the median over the runs with the range (min to max)
// shaded.
type Band struct {
	Label string
	Runs  [][]EpochMetrics
}

// bandSeries are the quantities PlotBands draws, with the collapse
// metrics beside those of every run.
var bandSeries = map[string]series{
	"train_loss": {"train", func(m EpochMetrics) float64 { return m.TrainLoss }, "cross-entropy (mean of the step losses)", false},
	"train_acc":  {"train", func(m EpochMetrics) float64 { return m.TrainAcc }, "train accuracy", true},
	"test_acc":   {"test", func(m EpochMetrics) float64 { return m.TestAcc }, "test accuracy", true},
	"nc1":        {"NC1", collapseOf(func(c collapseView) float64 { return c.NC1 }), "NC1 (train)", false},
	"nc3":        {"NC3", collapseOf(func(c collapseView) float64 { return c.NC3 }), "NC3 (train)", false},
	"margin":     {"margin", collapseOf(func(c collapseView) float64 { return c.Margin }), "average cosine margin (train)", false},
	"equinorm":   {"equinorm", collapseOf(func(c collapseView) float64 { return c.Equinorm }), "WH-equinorm (train)", false},
}

type collapseView = struct {
	NC1, NC3, Margin, Equinorm float64
}

// collapseOf reads a collapse metric, NaN for an epoch without them.
func collapseOf(get func(collapseView) float64) func(EpochMetrics) float64 {
	return func(m EpochMetrics) float64 {
		if m.Collapse == nil {
			return math.NaN()
		}
		c := m.Collapse
		return get(collapseView{NC1: c.NC1, NC3: c.NC3, Margin: c.Margin, Equinorm: c.Equinorm})
	}
}

// BandMetrics lists the metrics PlotBands draws.
func BandMetrics() []string { return slices.Sorted(maps.Keys(bandSeries)) }

// PlotBands draws metric (one of BandMetrics) against the epoch for each
// band: the median over its runs as a line, the range between the
// smallest and the largest value shaded in the band's colour, so the
// spread between seeds shows. It saves a PNG at path atomically, titled
// title. Epochs are matched by number; an epoch some runs lack is drawn
// from the others. Axes of quantities that span more than a decade and
// are positive (NC1, the loss) are logarithmic.
func PlotBands(path string, bands []Band, metric, title string) error {
	s, ok := bandSeries[metric]
	if !ok {
		return fmt.Errorf("train: cannot plot %q by bands (want one of %s)", metric, strings.Join(BandMetrics(), ", "))
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".png" {
		return fmt.Errorf("train: plot %s: want a .png file", path)
	}
	p := plot.New()
	p.Title.Text = s.label + " by epoch"
	if title != "" {
		p.Title.Text = title + "\n" + p.Title.Text
	}
	p.X.Label.Text = "epoch"
	p.X.Tick.Marker = Ticks{Integer: true}
	p.Y.Tick.Marker = Ticks{}
	p.Y.Label.Text = s.label
	p.Add(plotter.NewGrid())
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	var labels []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, b := range bands {
		med, low, high := bandStats(b, s)
		if len(med) == 0 {
			continue
		}
		c := palette[i%len(palette)]
		if err := addBand(p, low, high, c); err != nil {
			return fmt.Errorf("train: plot %s: %s: %w", path, b.Label, err)
		}
		line, err := plotter.NewLine(med)
		if err != nil {
			return fmt.Errorf("train: plot %s: %s: %w", path, b.Label, err)
		}
		line.Color = c
		line.Width = vg.Points(1.5)
		p.Add(line)
		legend.Add(b.Label, line)
		labels = append(labels, b.Label)
		for j := range low {
			lo, hi = min(lo, low[j].Y), max(hi, high[j].Y)
		}
	}
	if len(labels) == 0 {
		return fmt.Errorf("train: plot %s: no run has an epoch with %s", path, metric)
	}
	switch {
	case s.acc:
		p.Y.Min = 0
	case lo > 0 && hi > 10*lo:
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = Ticks{Log: true}
	}
	if err := save(p, legend, labels, path); err != nil {
		return fmt.Errorf("train: saving plot %s: %w", path, err)
	}
	return nil
}

// bandStats returns, per epoch that some run of b has, the median, the
// smallest and the largest value of s over the runs.
func bandStats(b Band, s series) (med, low, high plotter.XYs) {
	byEpoch := map[int][]float64{}
	for _, run := range b.Runs {
		for _, m := range run {
			if v := s.get(m); !math.IsNaN(v) && !math.IsInf(v, 0) {
				byEpoch[m.Epoch] = append(byEpoch[m.Epoch], v)
			}
		}
	}
	epochs := make([]int, 0, len(byEpoch))
	for e := range byEpoch {
		epochs = append(epochs, e)
	}
	slices.Sort(epochs)
	for _, e := range epochs {
		vs := byEpoch[e]
		slices.Sort(vs)
		x := float64(e)
		med = append(med, plotter.XY{X: x, Y: Median(vs)})
		low = append(low, plotter.XY{X: x, Y: vs[0]})
		high = append(high, plotter.XY{X: x, Y: vs[len(vs)-1]})
	}
	return med, low, high
}

// Median returns the median of sorted values.
func Median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// addBand shades the region between low and high.
func addBand(p *plot.Plot, low, high plotter.XYs, c color.Color) error {
	pts := append(plotter.XYs{}, low...)
	for i := len(high) - 1; i >= 0; i-- {
		pts = append(pts, high[i])
	}
	poly, err := plotter.NewPolygon(pts)
	if err != nil {
		return err
	}
	r, g, b, _ := c.RGBA()
	poly.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 60}
	poly.LineStyle.Width = 0
	p.Add(poly)
	return nil
}
