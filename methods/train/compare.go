package train

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/pushforward/pushforward/examples/data"
)

// Compare runs model once per method, in order, each with cfg but for the
// method (whose other settings, such as K, are kept), the label (the
// method's name) and the output directory (cfg.Out/<method>). A run that
// fails keeps its partial result, with Err set, and the next method runs;
// a cancellation stops the sequence and is returned with the results so
// far, the interrupted run's included.
func Compare(ctx context.Context, model Model, train, test *data.Dataset, cfg Config, methods []string) ([]*Result, error) {
	var results []*Result
	for _, m := range methods {
		c := cfg
		c.Method.Method, c.Label = m, m
		if cfg.Out != "" {
			c.Out = filepath.Join(cfg.Out, m)
		}
		res, err := Run(ctx, model, train, test, c)
		if res == nil {
			res = &Result{Method: m, Label: m, Width: cfg.Width}
		}
		res.Err = err
		results = append(results, res)
		if ctx.Err() != nil {
			return results, err
		}
	}
	return results, nil
}

// WriteTable writes one line per result: the method, the epochs done, the
// last epoch's train loss and accuracies, the wall time, and the error
// that stopped the run, if any.
func WriteTable(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tepochs\ttrain loss\ttrain acc\ttest acc\twall\t")
	for _, r := range results {
		m := r.Final()
		metrics := fmt.Sprintf("%.4f\t%.4f\t%.4f", m.TrainLoss, m.TrainAcc, m.TestAcc)
		if len(r.Epochs) == 0 {
			metrics = "-\t-\t-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t", r.Label, len(r.Epochs), metrics, r.Wall.Round(100*time.Millisecond))
		if r.Err != nil {
			fmt.Fprintf(tw, " %v", r.Err)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// PlotResults draws the accuracy and loss curves of the results as
// dir/accuracy.png and dir/loss.png and returns their paths.
func PlotResults(dir string, results []*Result) ([]string, error) {
	curves := make([]Curve, len(results))
	for i, r := range results {
		curves[i] = r.Curve()
	}
	var paths []string
	for _, metric := range []string{"accuracy", "loss"} {
		path := filepath.Join(dir, metric+".png")
		if err := PlotCurves(path, curves, metric); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
