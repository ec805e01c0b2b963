package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// runAll runs the chosen experiments, prints each one's JSON lines and
// writes its plots as it finishes, and prints the table of everything
// that finished, also when a later experiment fails or is interrupted.
func runAll(ctx context.Context, o options, stdout, stderr io.Writer) error {
	table := stdout
	if o.json {
		table = stderr
	}
	mode := ""
	if o.short {
		mode = " (-short)"
	}
	fmt.Fprintf(stderr, "reduction mappings%s: %s; G.2/G.3 with n = %d, λ = %g, α = %g, s² over [1, %g], seeds %d..%d\n",
		mode, strings.Join(o.experiments, ", "), o.n, o.lambda, o.alpha, o.s2max, o.seed, o.seed+uint64(o.seeds)-1)
	start := time.Now()
	var done []*outcome
	err := func() error {
		for _, e := range o.experiments {
			outs, err := runExperiment(ctx, o, e, stderr)
			for _, out := range outs {
				if err := finish(out, o, stdout, stderr); err != nil {
					return err
				}
				done = append(done, out)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}()
	printTable(table, done)
	fmt.Fprintf(stderr, "wall time %s\n", time.Since(start).Round(100*time.Millisecond))
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted")
	}
	return err
}

// runExperiment runs experiment e (every seed of G.2 and G.3) and returns
// the outcomes that finished.
func runExperiment(ctx context.Context, o options, e string, stderr io.Writer) ([]*outcome, error) {
	one := func(out *outcome, err error) ([]*outcome, error) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e, err)
		}
		return []*outcome{out}, nil
	}
	switch e {
	case "a1":
		return one(a1())
	case "a2":
		return one(a2())
	case "g1":
		return one(g1(ctx, o, stderr))
	}
	run := g2
	if e == "g3" {
		run = g3
	}
	var outs []*outcome
	for s := range uint64(o.seeds) {
		out, err := run(ctx, o, o.seed+s, stderr)
		if err != nil {
			return outs, fmt.Errorf("%s seed %d: %w", e, o.seed+s, err)
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// finish stamps an outcome, prints its JSON lines and writes its plots.
func finish(out *outcome, o options, stdout, stderr io.Writer) error {
	out.stamp()
	if o.json {
		enc := json.NewEncoder(stdout)
		for _, v := range out.values {
			if err := encode(enc, v, v.Value); err != nil {
				return err
			}
		}
		for _, r := range out.runs {
			if err := encode(enc, r, r.F, r.GradNorm, r.TimeRatio); err != nil {
				return err
			}
		}
	}
	paths, err := writePlots(out, o.out)
	if err != nil {
		return err
	}
	if len(paths) > 0 {
		fmt.Fprintf(stderr, "%s: plots %s\n", out.name, strings.Join(paths, ", "))
	}
	return nil
}

// encode writes v as a JSON line; JSON has no NaN or infinity, so a
// non-finite number among nums is an error.
func encode(enc *json.Encoder, v any, nums ...float64) error {
	for _, x := range nums {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("cannot write %+v as JSON: a number is %g", v, x)
		}
	}
	return enc.Encode(v)
}

// printTable prints the measured numbers next to the paper's.
func printTable(w io.Writer, outs []*outcome) {
	if len(outs) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "experiment\tseed\tquantity\tmeasured\tat\tpaper")
	for _, out := range outs {
		for _, v := range out.values {
			at := ""
			if v.At != nil {
				at = fmt.Sprintf("x₁ = %.4g", *v.At)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.6g\t%s\t%s\n", out.experiment, seedString(out.seed), v.Case, v.Value, at, v.Paper)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "experiment\tseed\tmethod\tstep\titerations\tstop\tf\t‖∇‖\twall time\t×GeoPrecGD\tCG iterations\tpaper iterations\tpaper ×")
	for _, out := range outs {
		for _, r := range out.runs {
			cg := ""
			if r.CGIterations > 0 {
				cg = fmt.Sprint(r.CGIterations)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%.3g\t%.3g\t%s\t%.4g\t%s\t%s\t%s\n", out.experiment, seedString(out.seed),
				r.Method, r.Step, r.Iterations, r.Stop, r.F, r.GradNorm, formatSeconds(r.Seconds), r.TimeRatio, cg, r.PaperIters, r.PaperRatio)
		}
	}
	tw.Flush()
}

func seedString(s *uint64) string {
	if s == nil {
		return "-"
	}
	return fmt.Sprint(*s)
}

// formatSeconds prints a wall time to about three significant digits.
func formatSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	unit := time.Duration(1)
	for unit*1000 <= d {
		unit *= 10
	}
	return d.Round(unit).String()
}
