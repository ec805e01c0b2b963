package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/pushforward/pushforward/methods/fwdgrad"
	"github.com/pushforward/pushforward/methods/train"
)

// The paper's numbers, for the report's comparison columns.
var (
	nan         = math.NaN()
	paperTable3 = map[int]map[string]float64{
		64:  {"wp": 0.121, "ap": 0.201, "wt": 0.268, "wperp": 0.268, "backprop": 0.536},
		128: {"wp": 0.124, "ap": 0.275, "wt": 0.312, "wperp": 0.323, "backprop": 0.709},
		256: {"wp": 0.179, "ap": 0.309, "wt": 0.376, "wperp": 0.434, "backprop": 0.887},
		512: {"wp": 0.177, "ap": 0.319, "wt": 0.494, "wperp": 0.581, "backprop": 1.000},
	}
	paperTable1 = map[string]float64{"wt": 0.312, "rank": 0.311, "25": 0.323, "10": 0.324, "1": 0.275}
	// paperMetrics are the rows of Tables 2 and 5 by width and method:
	// variance, bias, cov. norm (Table 2) or train and test accuracy
	// (Table 5); NaN where the paper gives none.
	paperMetrics = map[int]map[string][4]float64{
		128: {"wt": {1.50e-4, 2.75e-4, 0.084, nan}, "wperp-bottom": {1.30e-5, 2.83e-4, 0.085, nan}, "wperp": {1.03e-5, 2.86e-5, 0.085, nan}},
		256: {"wperp": {6.33e-6, 3.63e-5, 0.433, 0.383}, "wprecond": {1.75e-4, 1.35e-8, 0.367, 0.314}, "wt": {7.04e-5, 1.68e-4, 0.375, 0.316}},
	}
)

// results gathers what the cells have produced.
type results struct {
	o        options
	cells    []cell
	metrics  map[string][]train.EpochMetrics
	analyses map[string]*analysis
}

func gather(cells []cell, o options) (*results, error) {
	r := &results{o: o, cells: cells, metrics: map[string][]train.EpochMetrics{}, analyses: map[string]*analysis{}}
	for _, c := range cells {
		ms, err := epochsDone(c.dir(o))
		if err != nil {
			return nil, err
		}
		r.metrics[c.ID()] = ms
		b, err := os.ReadFile(filepath.Join(c.dir(o), analysisFile))
		if err == nil {
			var a analysis
			if err := json.Unmarshal(b, &a); err != nil {
				return nil, fmt.Errorf("%s: %w", c.ID(), err)
			}
			r.analyses[c.ID()] = &a
		}
	}
	return r, nil
}

// final returns the cell's last epoch if it finished all epochs.
func (r *results) final(c cell) (train.EpochMetrics, bool) {
	ms := r.metrics[c.ID()]
	if len(ms) < r.o.epochs {
		return train.EpochMetrics{}, false
	}
	return ms[len(ms)-1], true
}

// acc formats a cell's final train accuracy, or its progress.
func (r *results) acc(c cell) string {
	if m, ok := r.final(c); ok {
		return fmt.Sprintf("%.3f", m.TrainAcc)
	}
	if n := len(r.metrics[c.ID()]); n > 0 {
		return fmt.Sprintf("(%d/%d ep: %.3f)", n, r.o.epochs, r.metrics[c.ID()][n-1].TrainAcc)
	}
	return "—"
}

func writeReport(cells []cell, o options, stderr io.Writer) error {
	r, err := gather(cells, o)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# MNIST-1D reproduction of arXiv:2511.03110\n\n")
	fmt.Fprintf(&b, "Made by `go run ./examples/reproduce -run` (or `-slurm`) then `-report`, grid %s (%s), on %s, the paper's setup: MLP 40→w→w→w→10, ReLU, no biases, PyTorch's default init, AdamW (lr %g, β (0.9, 0.999), eps 1e-8, weight decay 0.01), batch %d, %d epochs, f32. A cell in parentheses has not finished: it shows its epochs and latest train accuracy. — means not run yet.", o.grid.name, o.grid.about, o.datasetName(), lr, batch, o.epochs)
	if o.grid.name == "paper" {
		fmt.Fprintf(&b, " Paper values in brackets.")
	}
	fmt.Fprintf(&b, "\n\n")
	if err := o.grid.report(r, &b); err != nil {
		return err
	}
	path := filepath.Join(o.results, "REPORT.md")
	if err := os.MkdirAll(o.results, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", path)
	return nil
}

// datasetName says which data the cells train on.
func (o options) datasetName() string {
	if o.dataset == generatedData {
		return "MNIST-1D generated in-process (the reference procedure's defaults, 4000/1000)"
	}
	return "the canonical split (4000/1000)"
}

// paperReport writes the paper's tables and the plots.
func (r *results) paperReport(b *strings.Builder) error {
	r.table3(b)
	r.table1(b)
	r.metricsTable(b, "Table 2 — width 128, layer 1", 128, table2Methods, 0)
	r.metricsTable(b, "Table 5 — width 256, layer 1", 256, table5Methods, 0)
	r.table4(b)
	paths, err := r.plots()
	if err != nil {
		return err
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(r.o.results, p)
		fmt.Fprintf(b, "![%s](%s)\n\n", rel, rel)
	}
	return nil
}

// cellsTable writes every cell's last epoch, without wall times, so that
// the report depends on the numbers only.
func (r *results) cellsTable(b *strings.Builder) error {
	fmt.Fprintf(b, "## Cells — the last epoch of each\n\n| cell | epochs | train loss | train acc | test acc |\n|---|---|---|---|---|\n")
	for _, c := range r.cells {
		ms := r.metrics[c.ID()]
		if len(ms) == 0 {
			fmt.Fprintf(b, "| %s | 0/%d | — | — | — |\n", c.ID(), r.o.epochs)
			continue
		}
		m := ms[len(ms)-1]
		fmt.Fprintf(b, "| %s | %d/%d | %.6f | %.4f | %.4f |\n", c.ID(), len(ms), r.o.epochs, m.TrainLoss, m.TrainAcc, m.TestAcc)
	}
	fmt.Fprintln(b)
	return nil
}

func (r *results) cell(method string, width int, seed uint64, k int) cell {
	return cell{Method: method, Width: width, Seed: seed, K: k}
}

func (r *results) table3(b *strings.Builder) {
	fmt.Fprintf(b, "## Table 3 — train accuracy at the last epoch (seed 100; for W̃ᵀ and W̃⊥ at widths 128 and 512: median and range over seeds 100–102)\n\n")
	methods := []string{"wp", "ap", "wt", "wperp", "backprop"}
	fmt.Fprintf(b, "| width | WP | AP | W̃ᵀ | W̃⊥ (k=10) | backprop |\n|---|---|---|---|---|---|\n")
	for _, w := range []int{64, 128, 256, 512} {
		fmt.Fprintf(b, "| %d |", w)
		for _, m := range methods {
			cellText := r.acc(r.cell(m, w, 100, 0))
			if (m == "wt" || m == "wperp") && (w == 128 || w == 512) {
				cellText = r.seedSummary(m, w)
			}
			fmt.Fprintf(b, " %s [%.3f] |", cellText, paperTable3[w][m])
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintln(b)
}

// seedSummary is "median (min–max)" over seeds 100–102, when all finished.
func (r *results) seedSummary(m string, w int) string {
	var accs []float64
	for _, s := range []uint64{100, 101, 102} {
		f, ok := r.final(r.cell(m, w, s, 0))
		if !ok {
			return r.acc(r.cell(m, w, 100, 0)) + " (seeds 101–102 pending)"
		}
		accs = append(accs, f.TrainAcc)
	}
	sort.Float64s(accs)
	return fmt.Sprintf("%.3f (%.3f–%.3f)", accs[1], accs[0], accs[2])
}

func (r *results) table1(b *strings.Builder) {
	fmt.Fprintf(b, "## Table 1 — width 128, train accuracy: W̃ᵀ and W̃⊥ with k = rank (the projector onto the row space), 25, 10, 1\n\n")
	fmt.Fprintf(b, "| W̃ᵀ | k = rank | k = 25 | k = 10 | k = 1 |\n|---|---|---|---|---|\n")
	fmt.Fprintf(b, "| %s [%.3f] | %s [%.3f] | %s [%.3f] | %s [%.3f] | %s [%.3f] |\n\n",
		r.acc(r.cell("wt", 128, 100, 0)), paperTable1["wt"],
		r.acc(r.cell("wperp", 128, 100, -1)), paperTable1["rank"],
		r.acc(r.cell("wperp", 128, 100, 25)), paperTable1["25"],
		r.acc(r.cell("wperp", 128, 100, 0)), paperTable1["10"],
		r.acc(r.cell("wperp", 128, 100, 1)), paperTable1["1"])
}

// metricsTable writes the metrics of methods on the networks that the
// methods of table2Nets trained at width (after their last epoch; the paper
// does not say which layer or epoch it measured), on the first 128
// training examples, with the train and test accuracy of each method's own
// run where it has one.
func (r *results) metricsTable(b *strings.Builder, title string, width int, methods []string, layer int) {
	fmt.Fprintf(b, "## %s\n\nThe metrics of every method are measured on the same trained network (that of the method named in the first column, after its last epoch; the paper does not say which layer or epoch it measured), first %d training examples, float64; W̃⊥ with the exact per-example SVD. The accuracies are those of each method's own run.\n\n", title, analysisBatch)
	fmt.Fprintf(b, "| network | method | variance | bias | cov. norm | overlap o_top(10) | cosine | train acc | test acc |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range methods {
		p, ok := paperMetrics[width][m]
		if !ok {
			continue
		}
		if width == 256 { // Table 5: variance, bias, train and test accuracy
			fmt.Fprintf(b, "| paper | %s | %.3g | %.3g | | | | %.3f | %.3f |\n", m, p[0], p[1], p[2], p[3])
			continue
		}
		fmt.Fprintf(b, "| paper | %s | %.3g | %.3g | %.3f | | | | |\n", m, p[0], p[1], p[2])
	}
	for _, net := range table2Nets {
		a := r.analyses[r.cell(net, width, 100, 0).ID()]
		for _, m := range methods {
			own := r.cell(m, width, 100, 0)
			accs := "— | —"
			if f, ok := r.final(own); ok {
				accs = fmt.Sprintf("%.3f | %.3f", f.TrainAcc, f.TestAcc)
			} else if ms := r.metrics[own.ID()]; len(ms) > 0 {
				accs = r.acc(own) + " | —"
			}
			var mm *fwdgrad.Metrics
			if a != nil {
				mm = a.Metrics[m]
			}
			if mm == nil || layer >= len(mm.Layers) {
				fmt.Fprintf(b, "| %s | %s | — | — | — | — | — | %s |\n", net, m, accs)
				continue
			}
			l := mm.Layers[layer]
			fmt.Fprintf(b, "| %s | %s | %.3g | %.3g | %.3f | %.3f | %.2g | %s |\n", net, m, l.Variance, l.Bias, l.CovNorm, l.Overlap, mm.Cosine, accs)
		}
	}
	fmt.Fprintln(b)
}

func (r *results) table4(b *strings.Builder) {
	fmt.Fprintf(b, "## Table 4 — wall time of the run / train accuracy / test accuracy (2 CPU cores)\n\n| width | W̃⊥-NS | W̃⊥ (k=10) | W̃ᵀ |\n|---|---|---|---|\n")
	for _, w := range []int{512, 128} {
		fmt.Fprintf(b, "| %d |", w)
		for _, m := range []string{"wperp-ns", "wperp", "wt"} {
			c := r.cell(m, w, 100, 0)
			ms := r.metrics[c.ID()]
			switch f, ok := r.final(c); {
			case ok:
				fmt.Fprintf(b, " %v / %.3f / %.3f |", (time.Duration(f.Elapsed) * time.Second).Round(time.Second), f.TrainAcc, f.TestAcc)
			case len(ms) > 0:
				last := ms[len(ms)-1]
				est := time.Duration(last.Elapsed/float64(len(ms))*float64(r.o.epochs)) * time.Second
				fmt.Fprintf(b, " (%d/%d epochs; ≈ %v for %d) |", len(ms), r.o.epochs, est.Round(time.Minute), r.o.epochs)
			default:
				fmt.Fprintf(b, " — |")
			}
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintln(b)
}

// plots draws the accuracy curves per width and the overlap curves.
func (r *results) plots() ([]string, error) {
	var paths []string
	for _, w := range []int{64, 128, 256, 512} {
		var curves []train.Curve
		for _, m := range []string{"backprop", "wperp", "wt", "ap", "wp"} {
			c := r.cell(m, w, 100, 0)
			if ms := r.metrics[c.ID()]; len(ms) > 0 {
				curves = append(curves, train.Curve{Label: m, Epochs: ms})
			}
		}
		if len(curves) == 0 {
			continue
		}
		p := filepath.Join(r.o.results, fmt.Sprintf("table3-width%d-accuracy.png", w))
		if err := train.PlotCurves(p, curves, "accuracy"); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	p, err := r.overlapPlot()
	if err != nil || p == "" {
		return paths, err
	}
	return append(paths, p), nil
}

// overlapPlot draws o_top(k) against k for the trained W-perp networks (k = 10)
// (Fig. 1).
func (r *results) overlapPlot() (string, error) {
	pl := plot.New()
	pl.Title.Text = "Fig. 1: overlap of the gradient with the top-k subspace, trained W-perp networks (k = 10)"
	pl.X.Label.Text = "k"
	pl.Y.Label.Text = "o_top(k)"
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = plot.LogTicks{}
	pl.Y.Min, pl.Y.Max = 0, 1.02
	pl.Legend.Top = false
	colors := []color.Color{color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 255, G: 127, B: 14, A: 255}, color.RGBA{R: 44, G: 160, B: 44, A: 255}}
	n := 0
	for _, w := range []int{128, 512} {
		a := r.analyses[r.cell("wperp", w, 100, 0).ID()]
		if a == nil || len(a.Overlap) == 0 {
			continue
		}
		layers := slices.Sorted(func(yield func(string) bool) {
			for l := range a.Overlap {
				if !yield(l) {
					return
				}
			}
		})
		for i, l := range layers {
			pts := make(plotter.XYs, len(a.Ks))
			for j, k := range a.Ks {
				pts[j] = plotter.XY{X: float64(k), Y: a.Overlap[l][j]}
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return "", err
			}
			line.Color = colors[i%len(colors)]
			if w == 512 {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			pl.Add(line)
			pl.Legend.Add(fmt.Sprintf("width %d, %s", w, l), line)
			n++
		}
	}
	if n == 0 {
		return "", nil
	}
	p := filepath.Join(r.o.results, "fig1-overlap.png")
	return p, pl.Save(8*vg.Inch, 5*vg.Inch, p)
}
