package train

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

func majorLabels(ticks []plot.Tick) []string {
	var out []string
	for _, t := range ticks {
		if !t.IsMinor() {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestTicks(t *testing.T) {
	for _, c := range []struct {
		name     string
		log      bool
		min, max float64
		want     []string
	}{
		// The narrow range of a loss plot: "2.29, 2.29" with gonum's labels.
		{"narrow loss", false, 2.2851, 2.2949, []string{"2.286", "2.288", "2.290", "2.292", "2.294"}},
		// gonum's ticks read "2.28, 2.29, 2.3" at 2.28, 2.289, 2.298.
		{"loss", false, 2.28, 2.30, []string{"2.280", "2.285", "2.290", "2.295", "2.300"}},
		{"accuracy", false, 0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{"epochs", false, 1, 300, []string{"100", "200", "300"}},
		{"negative", false, -0.013, 0.011, []string{"-0.010", "-0.005", "0.000", "0.005", "0.010"}},
		{"epochs of a short run", false, 0, 2, []string{"0", "1", "2"}},
		{"log, decades", true, 0.004, 3, []string{"0.01", "0.1", "1"}},
		{"log, k of Fig. 1", true, 1, 40, []string{"1", "10"}},
		{"log, within a decade", true, 2, 9, []string{"2", "5"}},
	} {
		ticks := Ticks{Log: c.log, Integer: strings.HasPrefix(c.name, "epochs")}.Ticks(c.min, c.max)
		got := majorLabels(ticks)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: labels %q, want %q", c.name, got, c.want)
		}
		// Each label reads back as its tick's value, to its last digit.
		for _, tk := range ticks {
			if tk.IsMinor() {
				continue
			}
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || math.Abs(v-tk.Value) > 1e-9*math.Max(1, math.Abs(v)) {
				t.Errorf("%s: label %q at %v", c.name, tk.Label, tk.Value)
			}
		}
	}
	// gonum's own labels repeat on the narrow range: the case is real.
	if l := majorLabels(plot.DefaultTicks{}.Ticks(2.2851, 2.2949)); len(slices.Compact(slices.Clone(l))) == len(l) {
		t.Logf("gonum's labels no longer repeat: %q", l)
	}
}

// Loss plots take a log axis where the losses span more than a decade.
func TestLossAxis(t *testing.T) {
	flat := []Curve{{Label: "a", Epochs: []EpochMetrics{{Epoch: 1, TrainLoss: 2.3, TestLoss: 2.2}, {Epoch: 2, TrainLoss: 2.1, TestLoss: 2.0}}}}
	steep := []Curve{{Label: "b", Epochs: []EpochMetrics{{Epoch: 1, TrainLoss: 2.3, TestLoss: 2.2}, {Epoch: 2, TrainLoss: 0.01, TestLoss: 0.5}}}}
	names := plotMetrics["loss"]
	if spansDecades(flat, names) || !spansDecades(steep, names) {
		t.Errorf("spansDecades: flat %v, steep %v", spansDecades(flat, names), spansDecades(steep, names))
	}
	if err := PlotCurves(t.TempDir()+"/loss.png", steep, "loss", Title("steep")); err != nil {
		t.Error(err)
	}
}
