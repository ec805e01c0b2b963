package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/pushforward/pushforward/methods/reduction"
)

// maxPlotPoints bounds the points drawn per run: a trace of 10⁵ iterates
// is thinned to indices spaced geometrically, which is even on the log
// axis.
const maxPlotPoints = 1500

// quantities are the plotted series of a trace.
var quantities = []struct {
	file, label string
	get         func(reduction.Point) float64
}{
	{"objective", "objective", func(p reduction.Point) float64 { return p.F }},
	{"gradnorm", "gradient norm (Euclidean)", func(p reduction.Point) float64 { return p.GNorm }},
}

// writePlots draws the objective and the gradient norm of out's runs
// against the iteration, on log scales, as <dir>/<name>-<quantity>.png,
// and returns the paths. Runs without a trace are left out, and nothing
// is written when none has one.
func writePlots(out *outcome, dir string) ([]string, error) {
	var runs []runRecord
	for _, r := range out.runs {
		if len(r.trace) > 0 {
			runs = append(runs, r)
		}
	}
	if len(runs) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, q := range quantities {
		p := plot.New()
		p.Title.Text = out.title + ": " + q.label
		p.X.Label.Text = "iteration + 1"
		p.Y.Label.Text = q.label
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, powerTicks{}
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, powerTicks{}
		p.Add(plotter.NewGrid())
		legend := plot.NewLegend()
		var labels []string
		for i, r := range runs {
			pts := thin(r.trace, q.get)
			if len(pts) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(pts)
			if err != nil {
				return paths, fmt.Errorf("plot %s %s: %w", out.name, r.Method, err)
			}
			line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
			line.Width = vg.Points(1.5)
			points.Shape = draw.CircleGlyph{}
			points.Radius = vg.Points(2.5)
			if len(pts) > 30 {
				points.Radius = 0
			}
			p.Add(line, points)
			label := fmt.Sprintf("%s (%s): %s, %s", r.Method, r.Step, plural(r.Iterations, "iteration"), r.Stop)
			if last := q.get(r.trace[len(r.trace)-1]); last == 0 {
				label += fmt.Sprintf(" (the %s reaches 0, off the log scale)", q.label)
			}
			legend.Add(label, line, points)
			labels = append(labels, label)
		}
		path := filepath.Join(dir, out.name+"-"+q.file+".png")
		if err := savePNG(p, legend, labels, path); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// thin returns the trace's points (iteration + 1, value) with a positive
// value, at most maxPlotPoints of them: all when few, else indices spaced
// geometrically, always with the first and the last.
func thin(trace []reduction.Point, get func(reduction.Point) float64) plotter.XYs {
	n := len(trace)
	keep := make([]bool, n)
	if n <= maxPlotPoints {
		for i := range keep {
			keep[i] = true
		}
	} else {
		ratio := math.Pow(float64(n), 1/float64(maxPlotPoints-1))
		for k := range maxPlotPoints {
			keep[min(n-1, int(math.Pow(ratio, float64(k)))-1)] = true
		}
		keep[0], keep[n-1] = true, true
	}
	var pts plotter.XYs
	for i, on := range keep {
		if v := get(trace[i]); on && v > 0 && !math.IsInf(v, 0) {
			pts = append(pts, plotter.XY{X: float64(trace[i].Iter + 1), Y: v})
		}
	}
	return pts
}

// powerTicks are the ticks of plot.LogTicks labelled as powers of ten
// ("1e-05", "1000"), without the rounding noise of 10^k in floating point.
type powerTicks struct{}

func (powerTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.LogTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label == "" {
			continue
		}
		e := math.Round(math.Log10(t.Value))
		if e >= -4 && e <= 4 {
			ticks[i].Label = strconv.FormatFloat(math.Pow(10, e), 'f', -1, 64)
		} else {
			ticks[i].Label = fmt.Sprintf("1e%+03d", int(e))
		}
	}
	return ticks
}

// savePNG renders p with the legend in a band below it, 24 cm × 14 cm
// at 150 dpi, and writes it to path atomically: to a temporary file in
// the same directory, then renamed.
func savePNG(p *plot.Plot, legend plot.Legend, labels []string, path string) error {
	c := vgimg.NewWith(vgimg.UseWH(24*vg.Centimeter, 14*vg.Centimeter), vgimg.UseDPI(150))
	dc := draw.New(c)
	band := vg.Length(len(labels))*legend.TextStyle.Font.Size*1.4 + vg.Centimeter/2
	p.Draw(draw.Crop(dc, 0, 0, band, 0))
	legend.Top, legend.Left = true, true
	legend.Draw(draw.Crop(dc, 2*vg.Centimeter, 0, 0, -(dc.Max.Y - dc.Min.Y - band)))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return fmt.Errorf("rendering %s: %w", path, err)
	}
	return writeAtomic(path, buf.Bytes())
}

// writeAtomic writes data to path through a temporary file and a rename,
// so that path never holds a partial file.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
