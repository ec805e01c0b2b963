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
// method's name) and the output directory (cfg.Out/<method>). It first
// checks every run (Check), so that a bad setting or checkpoint of the
// last method stops it before the first trains. A run that fails keeps
// its partial result, with Err set, and the next method runs; a
// cancellation stops the sequence and is returned with the results so
// far, the interrupted run's included.
func Compare(ctx context.Context, model Model, train, test *data.Dataset, cfg Config, methods []string) ([]*Result, error) {
	configs := make([]Config, len(methods))
	for i, m := range methods {
		c := cfg
		c.Method.Method, c.Label = m, m
		if cfg.Out != "" {
			c.Out = filepath.Join(cfg.Out, m)
		}
		if err := Check(model, train, test, c); err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		configs[i] = c
	}
	var results []*Result
	for i, m := range methods {
		res, err := Run(ctx, model, train, test, configs[i])
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
// last epoch's train loss and accuracies, the wall time, and "failed" or
// "stopped" for a run that did not finish (its error is not in the
// table: Report prints it on its own).
//
// Runs with the collapse metrics (Config.Collapse) add the last epoch's
// NC1 and NC3 on the training set.
func WriteTable(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	collapse := slices.ContainsFunc(results, func(r *Result) bool { return r.Final().Collapse != nil })
	header := "method\tepochs\ttrain loss\ttrain acc\ttest acc\t"
	if collapse {
		header += "NC1\tNC3\t"
	}
	fmt.Fprintln(tw, header+"wall\t")
	for _, r := range results {
		m := r.Final()
		metrics := fmt.Sprintf("%.4f\t%.4f\t%.4f", m.TrainLoss, m.TrainAcc, m.TestAcc)
		if len(r.Epochs) == 0 {
			metrics = "-\t-\t-"
		}
		if collapse {
			if c := m.Collapse; c != nil {
				metrics += fmt.Sprintf("\t%.3g\t%.3g", c.NC1, c.NC3)
			} else {
				metrics += "\t-\t-"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t", r.Label, len(r.Epochs), metrics, r.Wall.Round(100*time.Millisecond))
		switch {
		case r.Err == nil:
		case errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, context.DeadlineExceeded):
			fmt.Fprint(tw, " stopped")
		default:
			fmt.Fprint(tw, " failed")
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// PlotResults draws the accuracy and loss curves of the results that have
// epochs as dir/accuracy.png and dir/loss.png, titled title (see Title),
// and returns their paths. If no result has an epoch it draws nothing, so
// that a run that failed at once leaves the plots of an earlier one.
func PlotResults(dir string, results []*Result, title string) ([]string, error) {
	var curves []Curve
	for _, r := range results {
		if len(r.Epochs) > 0 {
			curves = append(curves, r.Curve())
		}
	}
	if len(curves) == 0 {
		return nil, nil
	}
	var paths []string
	for _, metric := range []string{"accuracy", "loss"} {
		path := filepath.Join(dir, metric+".png")
		if err := PlotCurves(path, curves, metric, Title(title)); err != nil {
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

// Report prints the table of whatever ran to table, draws the plots of the
// runs that produced epochs into out, titled title, says where they are on
// stderr, and returns the error of every run that failed or was stopped,
// each named by its method (runErr, Compare's error, among them), joined
// with any error of its own: a program exits 1 on it.
func Report(results []*Result, runErr error, out, title string, table, stderr io.Writer) error {
	return ReportRuns(results, runErr, out, filepath.Join(out, "<method>")+"/", title, table, stderr)
}

// ReportRuns is Report for runs whose metrics and checkpoints are not in
// out/<method>/: runDirs says where they are.
func ReportRuns(results []*Result, runErr error, out, runDirs, title string, table, stderr io.Writer) error {
	var errs []error
	for _, r := range results {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Label, r.Err))
		}
	}
	if runErr != nil && !slices.ContainsFunc(results, func(r *Result) bool { return r.Err == runErr }) {
		errs = append(errs, runErr)
	}
	if len(results) == 0 {
		return errors.Join(errs...)
	}
	fmt.Fprintln(table)
	if err := WriteTable(table, results); err != nil {
		return errors.Join(append(errs, err)...)
	}
	paths, err := PlotResults(out, results, title)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if len(paths) > 0 {
		fmt.Fprintf(stderr, "plots: %s\n", strings.Join(paths, ", "))
	}
	if out != "" {
		fmt.Fprintf(stderr, "metrics and checkpoints: %s\n", runDirs)
	}
	return errors.Join(errs...)
}
