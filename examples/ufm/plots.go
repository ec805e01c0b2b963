package main

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/pushforward/pushforward/methods/train"
)

// plotMetrics are the metrics drawn for every setting, by file name.
var plotMetrics = []struct{ file, metric string }{
	{"ce", "train_loss"}, {"train_acc", "train_acc"}, {"nc1", "nc1"}, {"nc3", "nc3"}, {"margin", "margin"},
}

// plotSetting draws the setting's metrics, one band per head, and the
// sorted margins at the end of training.
func plotSetting(o *options, s setting, all []*ufmRun) error {
	var bands []train.Band
	for _, head := range o.heads {
		b := train.Band{Label: head.String()}
		for _, r := range all {
			if r.s == s && r.head == head && r.res != nil && len(r.res.Epochs) > 0 {
				b.Runs = append(b.Runs, r.res.Epochs)
			}
		}
		if len(b.Runs) > 0 {
			bands = append(bands, b)
		}
	}
	if len(bands) == 0 {
		return nil
	}
	title := fmt.Sprintf("UFM, K = %d, d = %d, %d per class, τ = %g; median and range over %d seeds", s.k, s.d, o.perClass, o.tau, o.seeds)
	dir := filepath.Join(o.out, s.String())
	for _, p := range plotMetrics {
		if err := train.PlotBands(filepath.Join(dir, p.file+".png"), bands, p.metric, title); err != nil {
			return err
		}
	}
	return plotMargins(filepath.Join(dir, "margins.png"), o, s, all)
}

// plotMargins draws the sorted per-example cosine margins at the end of
// training of each run of the setting (the paper's "Pcm at EoT"), one
// colour per head.
func plotMargins(path string, o *options, s setting, all []*ufmRun) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("UFM, K = %d, d = %d: sorted cosine margins at the end of training", s.k, s.d)
	p.X.Label.Text = "example (sorted by margin)"
	p.Y.Label.Text = "cosine margin"
	p.X.Tick.Marker = train.Ticks{Integer: true}
	p.Y.Tick.Marker = train.Ticks{}
	p.Add(plotter.NewGrid())
	palette := []color.Color{color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255}}
	drawn := 0
	for hi, head := range o.heads {
		first := true
		for _, r := range all {
			if r.s != s || r.head != head || len(r.margins) == 0 {
				continue
			}
			pts := make(plotter.XYs, len(r.margins))
			for i, m := range r.margins {
				pts[i] = plotter.XY{X: float64(i + 1), Y: m}
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			line.Color = palette[hi%len(palette)]
			line.Width = vg.Points(1)
			p.Add(line)
			if first {
				p.Legend.Add(head.String(), line)
				first = false
			}
			drawn++
		}
	}
	if drawn == 0 {
		return nil
	}
	p.Legend.Top, p.Legend.Left = true, true
	c := vgimg.NewWith(vgimg.UseWH(20*vg.Centimeter, 12*vg.Centimeter), vgimg.UseDPI(150))
	p.Draw(drawCanvas(c))
	return train.WriteAtomic(path, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w)
		return err
	})
}

// writeMargins writes a run's sorted final margins, one a line.
func writeMargins(path string, res *train.Result) error {
	if res == nil || res.Collapse == nil {
		return nil
	}
	return train.WriteAtomic(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, "margin\n"); err != nil {
			return err
		}
		for _, m := range res.Collapse.Margins {
			if _, err := io.WriteString(w, strconv.FormatFloat(m, 'g', -1, 64)+"\n"); err != nil {
				return err
			}
		}
		return nil
	})
}

// readMargins reads the margins writeMargins wrote (none if the file is
// missing): a run resumed after its last epoch has no collapse metrics
// in memory, only in its files.
func readMargins(path string) ([]float64, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) == 0 || lines[0] != "margin" {
		return nil, fmt.Errorf("%s: not a margins file (want the header \"margin\")", path)
	}
	out := make([]float64, 0, len(lines)-1)
	for i, l := range lines[1:] {
		m, err := strconv.ParseFloat(l, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+2, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func drawCanvas(c *vgimg.Canvas) draw.Canvas { return draw.New(c) }
