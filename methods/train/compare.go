package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pushforward/pushforward/data"
	"github.com/pushforward/pushforward/methods/fwdgrad"
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

// ParseMethods reads a comma-separated list of methods, or "all" (every
// method of fwdgrad.Methods), for the command lines.
func ParseMethods(s string) ([]string, error) {
	all := fwdgrad.Methods()
	if s == "all" {
		return all, nil
	}
	var ms []string
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if !slices.Contains(all, m) {
			return nil, fmt.Errorf("unknown method %q (want %s, a comma-separated list, or all)", m, strings.Join(all, ", "))
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// Arrows formats layer widths as "128→128→128".
func Arrows(widths []int) string {
	s := make([]string, len(widths))
	for i, w := range widths {
		s[i] = fmt.Sprint(w)
	}
	return strings.Join(s, "→")
}

// Report prints the table of whatever ran to table, draws the plots into
// out and says where they are on stderr; it returns runErr, joined with
// any error of its own.
func Report(results []*Result, runErr error, out string, table, stderr io.Writer) error {
	if len(results) == 0 {
		return runErr
	}
	fmt.Fprintln(table)
	if err := WriteTable(table, results); err != nil {
		return errors.Join(runErr, err)
	}
	paths, err := PlotResults(out, results)
	if err != nil {
		return errors.Join(runErr, err)
	}
	fmt.Fprintf(stderr, "plots: %s\nmetrics and checkpoints: %s/<method>/\n", strings.Join(paths, ", "), out)
	return runErr
}
